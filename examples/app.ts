/**
 * Example app: a few functions of different runtimes, architectures and code types,
 * instrumented explicitly (stack `ClickStackExample`) and by the aspect (stack
 * `ClickStackAspectExample`, environment-agnostic, with a CDK helper function and a
 * container-image function that the aspect skips), and a Stage (`Prod`, as CDK Pipelines
 * deploys them) with a Lambda@Edge function and an ADOT-instrumented function that the
 * app-wide aspect leaves alone.
 *
 * `npx projen example` synthesizes it and prints what was instrumented.
 */
import * as path from 'path';
import { App, AspectPriority, Aspects, Stack, Stage } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ClickStackAspect, ClickStackInstrumentation, IngestionKey, Propagator, TelemetryApiType, TraceSampler } from '../src';

const HANDLERS = path.join(__dirname, 'handlers');
const ENDPOINT = 'https://clickstack.example.com:4318';

export function createApp(outdir?: string): App {
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });

  // 1. Explicit instrumentation in a concrete environment.
  const stack = new Stack(app, 'ClickStackExample', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = secretsmanager.Secret.fromSecretNameV2(stack, 'IngestionKey', 'clickstack/ingestion-key');

  const api = new lambda.Function(stack, 'NodeApi', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
  });
  const worker = new lambda.Function(stack, 'NodeWorkerArm', {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')), // same code: shares one instrumented asset
  });
  const py = new lambda.Function(stack, 'PythonInlineArm', {
    runtime: lambda.Runtime.PYTHON_3_13,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {"ok": True}\n'),
  });
  const java = new lambda.Function(stack, 'JavaFromS3', {
    runtime: lambda.Runtime.JAVA_21,
    handler: 'example.Handler::handleRequest',
    code: lambda.Code.fromBucket(s3.Bucket.fromBucketName(stack, 'Artifacts', 'my-artifacts'), 'java/handler.zip'),
    memorySize: 1024,
  });
  const ruby = new lambda.Function(stack, 'Ruby', {
    runtime: lambda.Runtime.RUBY_3_3,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'ruby')),
  });
  const dotnet = new lambda.Function(stack, 'DotnetCollectorOnly', {
    runtime: lambda.Runtime.DOTNET_8,
    handler: 'Example::Example.Function::Handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'dotnet')),
  });

  new ClickStackInstrumentation(stack, 'ClickStack', {
    endpoint: ENDPOINT,
    ingestionKey: IngestionKey.fromSecret(key),
    functions: [api, worker, py, java, ruby, dotnet],
  });

  // 2. The whole stack by the aspect, environment-agnostic (layers resolved at deploy time).
  const agnostic = new Stack(app, 'ClickStackAspectExample');
  new lambda.Function(agnostic, 'Orders', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
  });
  const billing = new lambda.Function(agnostic, 'Billing', {
    runtime: lambda.Runtime.PYTHON_3_12,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return 1\n'),
  });
  // Explicit instrumentation wins over the aspect: this one gets its own sampler.
  new ClickStackInstrumentation(agnostic, 'BillingSampled', {
    endpoint: ENDPOINT,
    sampler: TraceSampler.parentBasedTraceIdRatio(0.1),
    functions: [billing],
  });
  new lambda.DockerImageFunction(agnostic, 'ImageFn', {
    code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(agnostic, 'Repo', 'image-fn')),
  });
  // A CDK helper function (AwsCustomResource's singleton handler): skipped by default.
  new cr.AwsCustomResource(agnostic, 'LookupParam', {
    onUpdate: {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: '/example/param' },
      physicalResourceId: cr.PhysicalResourceId.of('param'),
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  Aspects.of(agnostic).add(new ClickStackAspect({ endpoint: ENDPOINT }), { priority: AspectPriority.MUTATING });

  // 3. Every option on, to show the rendered collector.yaml and environment.
  const all = new Stack(app, 'ClickStackAllOptionsExample', { env: { account: '123456789012', region: 'us-east-1' } });
  const allKey = new secretsmanager.Secret(all, 'IngestionKey');
  const checkout = new lambda.Function(all, 'Checkout', {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
  });
  const ledger = new lambda.Function(all, 'Ledger', {
    runtime: lambda.Runtime.JAVA_21,
    handler: 'example.Handler::handleRequest',
    code: lambda.Code.fromBucket(s3.Bucket.fromBucketName(all, 'Artifacts', 'my-artifacts'), 'java/ledger.zip'),
    memorySize: 1024,
  });
  new ClickStackInstrumentation(all, 'ClickStack', {
    endpoint: ENDPOINT,
    ingestionKey: IngestionKey.fromSecret(allKey, 'apiKey'),
    serviceName: 'payments',
    serviceVersion: '1.4.2',
    deploymentEnvironment: 'production',
    resourceAttributes: { 'team.name': 'payments, EU' },
    includeCdkMetadata: true,
    sampler: TraceSampler.parentBasedTraceIdRatio(0.25),
    propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.XRAY],
    lambdaTelemetry: [TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION],
    debug: true,
    javaAgentFastStartup: true,
    nodejsEnabledInstrumentations: ['http', 'undici'], // aws-sdk and aws-lambda are always on
    functions: [checkout, ledger],
  });

  // 4. A Stage (as CDK Pipelines deploys them) with a Lambda@Edge function and a function
  // already instrumented with aws-cdk-lib's ADOT: the aspect reaches the Stage through
  // applyTo(app), skips the edge function and leaves the ADOT one as it is, with a warning.
  const prod = new Stage(app, 'Prod', { env: { account: '123456789012', region: 'us-east-1' } });
  const web = new Stack(prod, 'Web');
  const auth = new lambda.Function(web, 'EdgeAuth', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => e.Records[0].cf.request;'),
  });
  new cloudfront.Distribution(web, 'Cdn', {
    defaultBehavior: {
      origin: new origins.HttpOrigin('origin.example.com'),
      edgeLambdas: [{ functionVersion: auth.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST }],
    },
  });
  new lambda.Function(web, 'Search', {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return []\n'),
  });
  new lambda.Function(web, 'LegacyAdot', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(HANDLERS, 'node')),
    adotInstrumentation: {
      layerVersion: lambda.AdotLayerVersion.fromJavaScriptSdkLayerVersion(lambda.AdotLambdaLayerJavaScriptSdkVersion.LATEST),
      execWrapper: lambda.AdotLambdaExecWrapper.REGULAR_HANDLER,
    },
  });
  // The whole app, every Stage in it included (the explicitly instrumented functions keep theirs).
  new ClickStackAspect({ endpoint: ENDPOINT, name: 'app-wide' }).applyTo(app);

  return app;
}

if (require.main === module) {
  createApp().synth();
}
