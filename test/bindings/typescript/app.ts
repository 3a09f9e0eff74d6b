/**
 * The bindings app in TypeScript: the reference the Python, Java and Go apps are compared with
 * (test/bindings/README.md). Each language's app builds the same stack, line for line:
 *
 * - a Node.js function and a Python function, code from local directories (test/bindings/handlers);
 * - `ClickStackInstrumentation` on the Node.js function: pinned layer releases, a sampler from a
 *   static factory, a list of enum-like propagators, `ConfigDelivery.BUNDLE` (collector.yaml in the
 *   code asset, written by the bundled `yaml` dependency);
 * - `ClickStackAspect` over the stack with `IngestionKey.fromSecret`: a pinned Python layer, an
 *   enum list, a string map, `ConfigDelivery.ENVIRONMENT` (the YAML in the template).
 *
 * The App writes to `CDK_OUTDIR` (set by test/bindings/run.sh).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ReadmeStack } from './readme-stack';
import {
  ClickStackAspect,
  ClickStackInstrumentation,
  CollectorLayer,
  ConfigDelivery,
  IngestionKey,
  NodejsLayer,
  Propagator,
  PythonLayer,
  TelemetryApiType,
  TraceSampler,
} from '../../../lib';

const handlers = path.join(__dirname, '..', 'handlers');
const endpoint = 'https://clickstack.example.com:4318';

// analyticsReporting off: the CDKMetadata resource names the jsii runtime of each language.
const app = new App({ analyticsReporting: false });
const stack = new Stack(app, 'BindingsApp', { env: { account: '123456789012', region: 'eu-west-1' } });
const keySecret = new secretsmanager.Secret(stack, 'IngestionKeySecret');

const api = new lambda.Function(stack, 'Api', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(handlers, 'node')),
});
new lambda.Function(stack, 'Worker', {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: 'main.handler',
  code: lambda.Code.fromAsset(path.join(handlers, 'python')),
});

new ClickStackInstrumentation(stack, 'ClickStack', {
  endpoint,
  ingestionKey: IngestionKey.fromSecret(keySecret),
  functions: [api],
  serviceName: 'api',
  nodejsLayer: NodejsLayer.V0_23_0,
  collectorLayer: CollectorLayer.V0_23_0,
  sampler: TraceSampler.parentBasedTraceIdRatio(0.25),
  propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.XRAY],
  nodejsEnabledInstrumentations: ['http'],
  configDelivery: ConfigDelivery.BUNDLE,
});

new ClickStackAspect({
  endpoint,
  ingestionKey: IngestionKey.fromSecret(keySecret, 'key'),
  pythonLayer: PythonLayer.V0_21_0,
  lambdaTelemetry: [TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION],
  deploymentEnvironment: 'prod',
  resourceAttributes: { 'team.name': 'payments', 'cost.center': 'a=b,c' },
  pythonDisabledInstrumentations: ['botocore'],
  configDelivery: ConfigDelivery.ENVIRONMENT,
}).applyTo(stack);

// The README's one-line aspect, in a stack of its own (compared as the stack `Readme`).
new ReadmeStack(app, 'Readme', { env: { account: '123456789012', region: 'eu-west-1' } }, handlers);

app.synth();
const versionOf = (name: string) => `${name} ${JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version}`;
console.log(`versions: ${['aws-cdk-lib', 'constructs'].map(versionOf).join(', ')}, cdk-clickstack-lambda lib/ of this checkout`);
