/**
 * Integration test: one `ClickStackAspect` over the whole app, two environment-agnostic stacks.
 *
 * - Stack A: a Node.js function (instrumented), a Python function with its own
 *   `ClickStackInstrumentation` (which wins over the aspect), and a function opted out.
 * - Stack B: a Python function (instrumented) and a function excluded by path pattern.
 *
 * Each stack gets its own shared resources and a summary annotation; no cross-stack reference.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, AspectPriority, Aspects, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClickStackAspect, ClickStackInstrumentation, TraceSampler } from '../src';

const HANDLERS = path.join(__dirname, 'integ-handlers');
const ENDPOINT = 'https://clickstack.example.com:4318';

const app = new App();

const stackA = new Stack(app, 'ClickStackIntegAspectA');
const orders = new lambda.Function(stackA, 'Orders', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
});
const billing = new lambda.Function(stackA, 'Billing', {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: 'index.handler',
  code: lambda.Code.fromInline('def handler(event, context):\n    return {"statusCode": 200}\n'),
});
new ClickStackInstrumentation(stackA, 'BillingSampled', {
  endpoint: ENDPOINT,
  sampler: TraceSampler.traceIdRatio(0.1),
  functions: [billing],
});
const legacy = new lambda.Function(stackA, 'Legacy', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
});
ClickStackAspect.optOut(legacy);

const stackB = new Stack(app, 'ClickStackIntegAspectB');
const reports = new lambda.Function(stackB, 'Reports', {
  runtime: lambda.Runtime.PYTHON_3_13,
  architecture: lambda.Architecture.ARM_64,
  handler: 'index.handler',
  code: lambda.Code.fromInline('def handler(event, context):\n    return {"statusCode": 200}\n'),
});
new lambda.Function(stackB, 'BatchImport', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
});

Aspects.of(app).add(new ClickStackAspect({
  endpoint: ENDPOINT,
  excludePaths: ['*/Batch*'],
}), { priority: AspectPriority.MUTATING });

// A config layer is replaced whenever the collector config changes: expected, not a regression.
const integ = new IntegTest(app, 'ClickStackAspectInteg', { testCases: [stackA, stackB], allowDestroy: ['AWS::Lambda::LayerVersion'] });
for (const fn of [orders, billing, reports]) {
  integ.assertions
    .invokeFunction({ functionName: fn.functionName })
    .expect(ExpectedResult.objectLike({ StatusCode: 200 }));
}

app.synth();
