import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { HANDLER_DIR, readFile } from './helpers';
import { ClickStackInstrumentation, IngestionKey, JavaInstrumentation, TelemetryApiType, TraceSampler } from '../src';

/** Number of generated cases; the closing note of issue 4 reports it. */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

const RUNTIMES = [
  lambda.Runtime.NODEJS_18_X, lambda.Runtime.NODEJS_20_X, lambda.Runtime.NODEJS_22_X,
  lambda.Runtime.PYTHON_3_9, lambda.Runtime.PYTHON_3_12, lambda.Runtime.PYTHON_3_13,
  lambda.Runtime.JAVA_8, lambda.Runtime.JAVA_11, lambda.Runtime.JAVA_17, lambda.Runtime.JAVA_21,
  lambda.Runtime.RUBY_3_2, lambda.Runtime.RUBY_3_3, lambda.Runtime.DOTNET_6, lambda.Runtime.DOTNET_8,
  lambda.Runtime.PROVIDED_AL2023, lambda.Runtime.PROVIDED, lambda.Runtime.GO_1_X,
];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-3', 'ca-west-1', 'mx-central-1', 'cn-north-1', 'us-gov-west-1', 'xx-nowhere-1', 'TOKEN'];

/** Mostly good values, sometimes bad ones: each case has a fair chance to synthesize. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: bad, weight: 1 });
}

const caseArb = fc.record({
  runtime: fc.constantFrom(...RUNTIMES),
  arm64: fc.boolean(),
  region: mostly(fc.constantFrom(...REGIONS.slice(0, 5), 'TOKEN'), fc.constantFrom(...REGIONS.slice(5))),
  code: mostly(fc.constantFrom('asset', 'inline', 's3'), fc.constant('image')),
  userLayers: mostly(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 3, max: 4 })),
  userEnvBytes: mostly(fc.constantFrom(0, 100), fc.constantFrom(3500, 4000)),
  // Any wrapper of the user's is someone else's instrumentation, on every runtime (issue 19): mostly none.
  userWrapper: mostly(fc.constantFrom(undefined, undefined, undefined, '/opt/otel-handler'), fc.constant('/opt/mine')),
  serviceName: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  ratio: fc.option(mostly(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.5, 1.5)), { nil: undefined }),
  key: fc.constantFrom('none', 'plain', 'secret', 'importedSecret'),
  debug: fc.boolean(),
  telemetry: fc.boolean(),
  javaWrapper: fc.boolean(),
  attributeKey: fc.option(mostly(fc.constantFrom('team', 'ok.key'), fc.constantFrom('a,b', 'x=y')), { nil: undefined }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** Errors of this library: the construct path, or `cannot instrument <path>:`, and a fix. */
const OUR_ERROR = /^(Stack\/Otel: |cannot instrument Stack\/Fn: )|^sampler ratio must be a number between 0 and 1|^Validation failed with the following errors:\n\s+\[Stack\/Fn\] (Lambda allows 5 layers|AWS_LAMBDA_EXEC_WRAPPER|the environment variables)/;

function build(c: Case): { stack: Stack; app: App } {
  const app = new App();
  const stack = new Stack(app, 'Stack', c.region === 'TOKEN' ? {} : { env: { account: '123456789012', region: c.region } });
  const layers = Array.from({ length: c.userLayers }, (_, i) => lambda.LayerVersion.fromLayerVersionArn(stack, `L${i}`, `arn:aws:lambda:us-east-1:123456789012:layer:mine-${i}:1`));
  const environment: Record<string, string> = {};
  if (c.userEnvBytes > 0) environment.PADDING = 'x'.repeat(c.userEnvBytes);
  if (c.userWrapper) environment.AWS_LAMBDA_EXEC_WRAPPER = c.userWrapper;
  let f: lambda.Function;
  if (c.code === 'image') {
    f = new lambda.DockerImageFunction(stack, 'Fn', { code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(stack, 'R', 'r')), environment });
  } else {
    const code = c.code === 'asset' ? lambda.Code.fromAsset(HANDLER_DIR)
      : c.code === 's3' ? lambda.Code.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'my-bucket'), 'k.zip')
        : lambda.Code.fromInline('x');
    const inlineOk = c.runtime.supportsInlineCode;
    f = new lambda.Function(stack, 'Fn', {
      runtime: c.runtime,
      architecture: c.arm64 ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: c.code === 'inline' && !inlineOk ? lambda.Code.fromAsset(HANDLER_DIR) : code,
      layers,
      environment,
    });
  }
  const key = c.key === 'plain' ? IngestionKey.unsafePlainText('k')
    : c.key === 'secret' ? IngestionKey.fromSecret(new secretsmanager.Secret(stack, 'Key'))
      : c.key === 'importedSecret' ? IngestionKey.fromSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'k'))
        : undefined;
  new ClickStackInstrumentation(stack, 'Otel', {
    endpoint: c.region === 'TOKEN' ? new CfnParameter(stack, 'Endpoint').valueAsString : 'https://otel.example.com:4318',
    ingestionKey: key,
    serviceName: c.serviceName,
    sampler: c.ratio === undefined ? undefined : TraceSampler.traceIdRatio(c.ratio),
    debug: c.debug,
    lambdaTelemetry: c.telemetry ? [TelemetryApiType.FUNCTION] : undefined,
    javaInstrumentation: c.javaWrapper ? JavaInstrumentation.WRAPPER_PROXY : undefined,
    resourceAttributes: c.attributeKey ? { [c.attributeKey]: 'v' } : undefined,
    functions: [f],
  });
  return { stack, app };
}

function checkInvariants(c: Case, stack: Stack, app: App): void {
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const [logicalId, res] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function')!;
  const props = res.Properties;
  const layers: unknown[] = props.Layers ?? [];
  const vars: Record<string, unknown> = props.Environment?.Variables ?? {};
  const text = layers.map(l => JSON.stringify(l));

  expect(layers.length).toBeLessThanOrEqual(5);
  expect(new Set(text).size).toBe(text.length);
  const family = c.runtime.family;
  const expectLayer = (name: string) => expect(text.some(t => t.includes(name))).toBe(true);
  if (family === lambda.RuntimeFamily.NODEJS) expectLayer('nodejs');
  if (family === lambda.RuntimeFamily.PYTHON) expectLayer('python');
  if (family === lambda.RuntimeFamily.JAVA) expectLayer(c.javaWrapper ? 'javawrapper' : 'javaagent');
  if (family === lambda.RuntimeFamily.RUBY) expectLayer('ruby');
  // A concrete ARN, or the mapping key of an agnostic stack.
  expectLayer(c.region === 'TOKEN' ? `collector${c.arm64 ? 'arm64' : 'amd64'}` : `collector-${c.arm64 ? 'arm64' : 'amd64'}`);

  const uri = vars.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
  // The default (AUTO) delivery: a config layer, or where the function's own layers are known to
  // leave no slot (newer aws-cdk-lib), the bundle or the variable.
  expect(['/var/task/collector.yaml', '/opt/clickstack/collector.yaml', 'env:CLICKSTACK_COLLECTOR_CONFIG']).toContain(uri);
  // A variable whose value is a Fn::FindInMap into the stack's mapping, as deployed.
  const deployed = (v: unknown): unknown => {
    const find = (v as any)?.['Fn::FindInMap'];
    return find ? template.Mappings[find[0]][find[1]][find[2]] : v;
  };
  // The config exists and is valid YAML with an exporter to the endpoint.
  let yaml: any;
  if (uri === 'env:CLICKSTACK_COLLECTOR_CONFIG') {
    yaml = parse(String(deployed(vars.CLICKSTACK_COLLECTOR_CONFIG)));
  } else {
    const layerRef = layers.map(l => (l as any).Ref).find(r => r !== undefined);
    const assetKey = uri === '/var/task/collector.yaml' ? props.Code.S3Key : template.Resources[layerRef].Properties.Content.S3Key;
    const dir = `${assembly.directory}/asset.${String(assetKey).replace(/\.zip$/, '')}`;
    yaml = parse(readFile(dir, ...(uri === '/var/task/collector.yaml' ? ['collector.yaml'] : ['clickstack', 'collector.yaml'])));
  }
  expect(yaml.exporters.otlp_http.compression).toBe('gzip'); // CollectorLayer.LATEST (collector v0.157.0)
  for (const p of Object.values<any>(yaml.service.pipelines)) expect(p.processors[p.processors.length - 1]).toBe('decouple');

  let bytes = 0;
  for (const [k, v] of Object.entries(vars)) {
    const value = deployed(v);
    bytes += k.length + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  expect(bytes).toBeLessThanOrEqual(4096);
  expect(JSON.stringify(vars)).not.toContain(logicalId);
}

test(`property: ${RUNS} random functions either synthesize a valid template or fail with our own error`, () => {
  const outcomes = { ok: 0, refused: 0 };
  fc.assert(fc.property(caseArb, c => {
    let built: { stack: Stack; app: App };
    try {
      built = build(c);
      built.app.synth(); // synth-time validation is part of what the user sees
    } catch (e) {
      const message = (e as Error).message;
      if (!OUR_ERROR.test(message)) throw new Error(`not one of our errors for ${JSON.stringify(c)}: ${message}`);
      outcomes.refused++;
      return;
    }
    checkInvariants(c, built.stack, built.app);
    outcomes.ok++;
  }), { numRuns: RUNS, seed: 20261129 });
  // Both branches were exercised.
  expect(outcomes.ok).toBeGreaterThan(RUNS / 10);
  expect(outcomes.refused).toBeGreaterThan(RUNS / 10);
  expect(outcomes.ok + outcomes.refused).toBe(RUNS);
  console.log(`property test: ${RUNS} cases, ${outcomes.ok} synthesized, ${outcomes.refused} refused with our own error`);
});
