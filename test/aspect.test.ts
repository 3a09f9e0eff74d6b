import * as fs from 'fs';
import * as path from 'path';
import { App, AspectPriority, Aspects, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { agnosticStack, concreteStack, ENDPOINT, fn, HANDLER_DIR } from './helpers';
import { ClickStackAspect, ClickStackAspectProps, ClickStackInstrumentation, ConfigDelivery, TraceSampler } from '../src';

function applyAspect(scope: Construct, props: Partial<ClickStackAspectProps> = {}) {
  const aspect = new ClickStackAspect({ endpoint: ENDPOINT, ...props });
  Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
  return aspect;
}

function functions(stack: Stack): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [id, r] of Object.entries<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))) out[id] = r.Properties;
  return out;
}

function byPrefix(stack: Stack, prefix: string): any {
  const entry = Object.entries(functions(stack)).find(([id]) => id.startsWith(prefix));
  if (!entry) throw new Error(`no function ${prefix}`);
  return entry[1];
}

/** The stack's one summary annotation. */
function summaryOf(stack: Stack): string {
  const found = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
  expect(found).toHaveLength(1);
  return found[0].entry.data as string;
}

const instrumented = (props: any) => props.Environment?.Variables?.OPENTELEMETRY_COLLECTOR_CONFIG_URI !== undefined;

test('instruments a mix of runtimes, architectures and code types, added before or after the functions', () => {
  const stack = concreteStack();
  fn(stack, 'Early');
  applyAspect(stack);
  fn(stack, 'Py', { runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.ARM_64, code: 'inline' });
  fn(stack, 'Java', { runtime: lambda.Runtime.JAVA_17, code: 's3' });
  fn(stack, 'Dotnet', { runtime: lambda.Runtime.DOTNET_8 });
  expect(byPrefix(stack, 'Early').Layers).toHaveLength(3);
  expect(byPrefix(stack, 'Py').Layers[0]).toMatch(/opentelemetry-python-0_21_0/);
  expect(byPrefix(stack, 'Py').Layers[1]).toMatch(/collector-arm64/);
  expect(byPrefix(stack, 'Py').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
  expect(byPrefix(stack, 'Java').Layers[0]).toMatch(/opentelemetry-javaagent/);
  expect(byPrefix(stack, 'Dotnet').Layers).toHaveLength(2);
  expect(byPrefix(stack, 'Dotnet').Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBeUndefined();
});

test('instruments NodejsFunction-style asset functions and the function inside a SingletonFunction', () => {
  const stack = concreteStack();
  new lambda.SingletonFunction(stack, 'Single', {
    uuid: 'c3a4e0d6-1111-2222-3333-444455556666',
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(HANDLER_DIR),
  });
  applyAspect(stack);
  expect(byPrefix(stack, 'SingletonLambda').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
});

test('instruments a real NodejsFunction (bundled locally with esbuild): with ConfigDelivery.BUNDLE, collector.yaml lands beside the bundle', () => {
  const app = new App();
  const stack = concreteStack('eu-west-1', app);
  new nodejs.NodejsFunction(stack, 'Bundled', {
    entry: path.join(__dirname, 'fixtures', 'nodejs', 'index.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    bundling: { forceDockerBundling: false },
  });
  applyAspect(stack, { configDelivery: ConfigDelivery.BUNDLE });
  const props = byPrefix(stack, 'Bundled');
  expect(props.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/var/task/collector.yaml');
  const dir = path.join(app.synth().directory, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
  expect(fs.readdirSync(dir).sort()).toEqual(['collector.yaml', 'index.js']);
});

test('an app with two stacks in two regions: each stack gets its own resources, no cross-stack references', () => {
  const app = new App();
  const a = concreteStack('eu-west-1', app);
  const b = concreteStack('us-east-1', app);
  fn(a, 'Fn', { code: 'inline' });
  fn(b, 'Fn', { code: 'inline' });
  applyAspect(app);
  expect(byPrefix(a, 'Fn').Layers[0]).toMatch(/eu-west-1/);
  expect(byPrefix(b, 'Fn').Layers[0]).toMatch(/us-east-1/);
  for (const s of [a, b]) {
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    expect(t.toJSON().Outputs).toBeUndefined();
    expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
  }
});

test('functions in nested stacks are instrumented with the nested stack\'s own mapping', () => {
  const stack = agnosticStack();
  const nested = new NestedStack(stack, 'Nested');
  fn(nested, 'Inner');
  applyAspect(stack);
  const t = Template.fromStack(nested);
  expect(t.toJSON().Mappings.ClickStackLayerArns).toBeDefined();
  expect(byPrefix(nested, 'Inner').Layers[0]).toEqual({ 'Fn::FindInMap': ['ClickStackLayerArns', { Ref: 'AWS::Region' }, 'nodejs0x23x0'] });
  expect(Template.fromStack(stack).toJSON().Mappings).toBeUndefined();
});

test('skips CDK helper functions, named once in the summary, unless asked to include them', () => {
  const build = (include: boolean) => {
    const stack = concreteStack();
    new cr.AwsCustomResource(stack, 'Lookup', {
      onUpdate: { service: 'SSM', action: 'getParameter', parameters: { Name: 'p' }, physicalResourceId: cr.PhysicalResourceId.of('p') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    new s3deploy.BucketDeployment(stack, 'Deploy', { sources: [s3deploy.Source.asset(HANDLER_DIR)], destinationBucket: new s3.Bucket(stack, 'B') });
    fn(stack, 'Mine');
    applyAspect(stack, { includeCdkInternalFunctions: include });
    return stack;
  };
  const skipped = build(false);
  const fns = functions(skipped);
  expect(Object.keys(fns)).toHaveLength(3);
  expect(Object.entries(fns).filter(([, p]) => instrumented(p)).map(([id]) => id)).toEqual([expect.stringMatching(/^Mine/)]);
  // Quiet: one summary line for the reason, no annotation per function.
  const summary = summaryOf(skipped);
  expect(summary).toMatch(/\n  - skipped: a handler function of aws-cdk-lib itself \(set includeCdkInternalFunctions to instrument it\): Stack-eu-west-1\/AWS679f53fac002430cb0da5b7982bd2287, Stack-eu-west-1\/Custom::CDKBucketDeployment\w+$/);
  expect(Annotations.fromStack(skipped).findInfo('/Stack-eu-west-1/AWS679f53fac002430cb0da5b7982bd2287', Match.anyValue())).toHaveLength(0);

  const included = build(true);
  // BucketDeployment's handler (python) is instrumented; AwsCustomResource's Node.js runtime too.
  expect(Object.values(functions(included)).filter(instrumented)).toHaveLength(3);
});

test('skips container images and runtimes with no layer with a warning, not an error', () => {
  const stack = concreteStack();
  new lambda.DockerImageFunction(stack, 'Img', { code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(stack, 'R', 'r')) });
  fn(stack, 'Old', { runtime: lambda.Runtime.NODEJS_16_X });
  fn(stack, 'Ok');
  applyAspect(stack);
  const annotations = Annotations.fromStack(stack);
  annotations.hasWarning('/Stack-eu-west-1/Img', Match.stringLikeRegexp('container-image'));
  annotations.hasWarning('/Stack-eu-west-1/Old', Match.stringLikeRegexp('nodejs16.x is not among'));
  annotations.hasNoError('*', Match.anyValue());
  expect(instrumented(byPrefix(stack, 'Ok'))).toBe(true);
  expect(instrumented(byPrefix(stack, 'Old'))).toBe(false);
});

test('an unsupported region is an error annotation on every function there', () => {
  const stack = concreteStack('cn-north-1');
  fn(stack, 'Fn');
  applyAspect(stack);
  Annotations.fromStack(stack).hasError('/Stack-cn-north-1/Fn', Match.stringLikeRegexp('aws-cn partition'));
});

test('exclusions: by construct, by path pattern, and opt-out where the function is defined', () => {
  const stack = concreteStack();
  const legacy = new Construct(stack, 'Legacy');
  fn(legacy, 'A');
  fn(stack, 'Batch1');
  fn(stack, 'Batch2');
  const opted = fn(stack, 'Opted');
  ClickStackAspect.optOut(opted);
  fn(stack, 'Kept');
  applyAspect(stack, { exclude: [legacy], excludePaths: ['*/Batch*'] });
  const fns = functions(stack);
  expect(Object.entries(fns).filter(([, p]) => instrumented(p)).map(([id]) => id)).toEqual([expect.stringMatching(/^Kept/)]);
  const summary = summaryOf(stack);
  expect(summary).toContain('  - skipped: excluded with Stack-eu-west-1/Legacy: Stack-eu-west-1/Legacy/A\n');
  expect(summary).toMatch(/  - skipped: excluded by path pattern .*: Stack-eu-west-1\/Batch1, Stack-eu-west-1\/Batch2\n/);
  expect(summary).toContain('  - skipped: opted out with ClickStackAspect.optOut(): Stack-eu-west-1/Opted');
});

test('path patterns: ** crosses segments, * does not', () => {
  const stack = concreteStack();
  const deep = new Construct(new Construct(stack, 'Team'), 'Internal');
  fn(deep, 'Fn');
  fn(stack, 'Top');
  applyAspect(stack, { excludePaths: ['Stack-eu-west-1/*/Fn', '**/Internal/**'] });
  expect(instrumented(functions(stack)[Object.keys(functions(stack)).find(k => k.startsWith('TeamInternal'))!])).toBe(false);
  expect(instrumented(byPrefix(stack, 'Top'))).toBe(true);
});

test('explicit instrumentation wins over the aspect', () => {
  const stack = concreteStack();
  const special = fn(stack, 'Special');
  fn(stack, 'Plain');
  new ClickStackInstrumentation(stack, 'Own', { endpoint: ENDPOINT, sampler: TraceSampler.ALWAYS_OFF, functions: [special] });
  applyAspect(stack, { sampler: TraceSampler.ALWAYS_ON, verboseSummary: true });
  expect(byPrefix(stack, 'Special').Environment.Variables.OTEL_TRACES_SAMPLER).toBe('always_off');
  expect(byPrefix(stack, 'Plain').Environment.Variables.OTEL_TRACES_SAMPLER).toBe('always_on');
  expect(summaryOf(stack)).toBe([
    '[@clickstack/cdk:summary] ClickStack: 2 function(s) instrumented, 0 skipped, 0 failed by Stack-eu-west-1/Own: 1; ClickStackAspect (added at Stack-eu-west-1): 1',
    '  + instrumented by Stack-eu-west-1/Own: Stack-eu-west-1/Special',
    '  + instrumented by ClickStackAspect (added at Stack-eu-west-1): Stack-eu-west-1/Plain',
  ].join('\n'));
});

test('two aspects, or one applied twice, add nothing twice', () => {
  const once = concreteStack();
  fn(once, 'Fn');
  applyAspect(once);
  const twice = concreteStack();
  fn(twice, 'Fn');
  const aspect = applyAspect(twice);
  Aspects.of(twice).add(aspect, { priority: AspectPriority.MUTATING });
  applyAspect(twice);
  expect(byPrefix(twice, 'Fn')).toEqual(byPrefix(once, 'Fn'));
  expect(byPrefix(twice, 'Fn').Layers).toHaveLength(3);
  Template.fromStack(twice).resourceCountIs('AWS::Lambda::LayerVersion', 1);
});

test('works with the default aspect priority too, and beside another mutating aspect', () => {
  const stack = concreteStack();
  fn(stack, 'Fn');
  Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT }));
  Aspects.of(stack).add({ visit: node => { if (node instanceof lambda.Function) node.addEnvironment('FROM_OTHER_ASPECT', '1'); } }, { priority: AspectPriority.MUTATING });
  const vars = byPrefix(stack, 'Fn').Environment.Variables;
  expect(vars.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
  expect(vars.FROM_OTHER_ASPECT).toBe('1');
});

test('one summary annotation per stack: counts, then only what was skipped, by reason', () => {
  const stack = concreteStack();
  fn(stack, 'A');
  new lambda.DockerImageFunction(stack, 'Img', { code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(stack, 'R', 'r')) });
  applyAspect(stack);
  const summaries = Annotations.fromStack(stack).findInfo('/Stack-eu-west-1', Match.stringLikeRegexp('@clickstack/cdk:summary'));
  expect(summaries).toHaveLength(1);
  expect(summaries[0].entry.data).toBe('[@clickstack/cdk:summary] ClickStack: 1 function(s) instrumented, 1 skipped, 0 failed by ClickStackAspect (added at Stack-eu-west-1)\n  - skipped: container image: Stack-eu-west-1/Img');
});

test('a bad endpoint fails at the first function with a clear error', () => {
  const stack = concreteStack();
  fn(stack, 'Fn');
  applyAspect(stack, { endpoint: 'nope' });
  expect(() => Template.fromStack(stack)).toThrow(/ClickStackAspect: endpoint 'nope' is not a URL/);
});

