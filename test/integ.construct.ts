/**
 * Integration test: `ClickStackInstrumentation` on one function per runtime family, in an
 * environment-agnostic stack (layer ARNs resolved at deploy time from the stack's mapping).
 *
 * - Node.js 22 (local asset: `collector.yaml` added to a copy of the asset)
 * - Python 3.13 on arm64 (inline code: `collector.yaml` in a config layer)
 * - Java 21 (asset), Ruby 3.3 on x86_64 (asset)
 * - .NET 8 (asset): collector only, no language layer
 *
 * The ingestion key is a secret of the stack, read by the collector at cold start. The Node.js,
 * Python and Ruby functions are invoked after deployment; the Java and .NET placeholders are not.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClickStackInstrumentation, IngestionKey, Propagator, TraceSampler } from '../src';

const HANDLERS = path.join(__dirname, 'integ-handlers');

const app = new App();
const stack = new Stack(app, 'ClickStackIntegConstruct');

const node = new lambda.Function(stack, 'Node', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
});
const python = new lambda.Function(stack, 'PythonArm', {
  runtime: lambda.Runtime.PYTHON_3_13,
  architecture: lambda.Architecture.ARM_64,
  handler: 'index.handler',
  code: lambda.Code.fromInline('def handler(event, context):\n    return {"statusCode": 200}\n'),
});
const java = new lambda.Function(stack, 'Java', {
  runtime: lambda.Runtime.JAVA_21,
  handler: 'example.Handler::handleRequest',
  code: lambda.Code.fromAsset(path.join(HANDLERS, 'java')),
  memorySize: 1024,
});
const ruby = new lambda.Function(stack, 'Ruby', {
  runtime: lambda.Runtime.RUBY_3_3,
  architecture: lambda.Architecture.X86_64,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(HANDLERS, 'ruby')),
});
const dotnet = new lambda.Function(stack, 'DotnetCollectorOnly', {
  runtime: lambda.Runtime.DOTNET_8,
  handler: 'Example::Example.Function::Handler',
  code: lambda.Code.fromAsset(path.join(HANDLERS, 'dotnet')),
});

const key = new secretsmanager.Secret(stack, 'IngestionKey', {
  description: 'ClickStack ingestion key (integration test)',
});

const common = {
  endpoint: 'https://clickstack.example.com:4318',
  ingestionKey: IngestionKey.fromSecret(key),
  serviceName: 'clickstack-integ',
  sampler: TraceSampler.parentBasedTraceIdRatio(0.5),
};
new ClickStackInstrumentation(stack, 'ClickStack', {
  ...common,
  propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.XRAY],
  functions: [node, python, java, dotnet],
});
// The Ruby layer has no X-Ray propagator (src/layers/language-support.ts): W3C only.
new ClickStackInstrumentation(stack, 'ClickStackRuby', {
  ...common,
  propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE],
  functions: [ruby],
});

// A config layer is replaced whenever the collector config changes: expected, not a regression.
const integ = new IntegTest(app, 'ClickStackInstrumentationInteg', { testCases: [stack], allowDestroy: ['AWS::Lambda::LayerVersion'] });
for (const fn of [node, python, ruby]) {
  integ.assertions
    .invokeFunction({ functionName: fn.functionName })
    .expect(ExpectedResult.objectLike({ StatusCode: 200 }));
}

app.synth();
