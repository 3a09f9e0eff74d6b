/**
 * Issue 10: app shapes that differ from the examples. Lambda@Edge, nested Stages and CDK
 * Pipelines, someone else's instrumentation, the nearest aspect winning, ingestion keys across
 * stacks, and a quiet summary.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AspectPriority, Aspects, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ENDPOINT, fn } from './helpers';
import { ClickStackAspect, ClickStackAspectProps, ClickStackInstrumentation, IngestionKey, TraceSampler } from '../src';
import { canReadLayersEarly } from '../src/private/rules/existing';

const ENV = { account: '123456789012', region: 'us-east-1' };

function aspect(props: Partial<ClickStackAspectProps> = {}): ClickStackAspect {
  return new ClickStackAspect({ endpoint: ENDPOINT, ...props });
}

function addAspect(scope: Construct, props: Partial<ClickStackAspectProps> = {}): ClickStackAspect {
  const a = aspect(props);
  Aspects.of(scope).add(a, { priority: AspectPriority.MUTATING });
  return a;
}

/** The synthesized template of a stack, wherever it is (a nested Stage too), after the app's synth. */
function templateOf(stack: Stack): any {
  return Stage.of(stack)!.synth().getStackArtifact(stack.artifactId).template;
}

function lambdaProps(template: any, idPrefix: string): any {
  const entry = Object.entries<any>(template.Resources).find(([id, r]) => id.startsWith(idPrefix) && r.Type === 'AWS::Lambda::Function');
  if (!entry) throw new Error(`no function ${idPrefix} in ${Object.keys(template.Resources).join(', ')}`);
  return entry[1].Properties;
}

const isInstrumented = (props: any) => props.Environment?.Variables?.OPENTELEMETRY_COLLECTOR_CONFIG_URI !== undefined;

function summaryOf(stack: Stack): string {
  const found = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
  expect(found).toHaveLength(1);
  return found[0].entry.data as string;
}

function nodeFn(scope: Construct, id: string): lambda.Function {
  return fn(scope, id, { code: 'inline' });
}

describe('Lambda@Edge', () => {
  function edgeApp(order: 'distributionFirst' | 'aspectFirst') {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: ENV });
    if (order === 'aspectFirst') addAspect(app);
    const auth = nodeFn(stack, 'Auth');
    const api = nodeFn(stack, 'Api');
    new cloudfront.Distribution(stack, 'Cdn', {
      defaultBehavior: {
        origin: new origins.HttpOrigin('example.com'),
        edgeLambdas: [{ functionVersion: auth.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST }],
      },
    });
    // experimental.EdgeFunction in us-east-1, and from another region (its own edge stack).
    const inRegion = new cloudfront.experimental.EdgeFunction(stack, 'Rewrite', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const elsewhere = new Stack(app, 'SiteEu', { env: { ...ENV, region: 'eu-west-1' } });
    const crossRegion = new cloudfront.experimental.EdgeFunction(elsewhere, 'Headers', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    new cloudfront.Distribution(elsewhere, 'Cdn', {
      defaultBehavior: {
        origin: new origins.HttpOrigin('example.com'),
        edgeLambdas: [{ functionVersion: crossRegion.currentVersion, eventType: cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE }],
      },
    });
    nodeFn(elsewhere, 'Regular');
    if (order === 'distributionFirst') addAspect(app);
    return { app, stack, elsewhere, auth, api, inRegion, crossRegion };
  }

  test.each(['distributionFirst', 'aspectFirst'] as const)('the aspect skips every Lambda@Edge function and the app synthesizes (%s)', (order) => {
    const { app, stack, elsewhere, crossRegion } = edgeApp(order);
    const assembly = app.synth();
    const site = templateOf(stack);
    expect(lambdaProps(site, 'Auth').Environment).toBeUndefined();
    expect(lambdaProps(site, 'Auth').Layers).toBeUndefined();
    expect(lambdaProps(site, 'RewriteFn').Layers).toBeUndefined();
    expect(isInstrumented(lambdaProps(site, 'Api'))).toBe(true);
    const edgeStack = Stack.of(crossRegion.lambda);
    expect(edgeStack).not.toBe(elsewhere);
    expect(edgeStack.region).toBe('us-east-1');
    const edgeTemplate = assembly.getStackArtifact(edgeStack.artifactId).template;
    expect(lambdaProps(edgeTemplate, 'Headers').Layers).toBeUndefined();
    expect(isInstrumented(lambdaProps(templateOf(elsewhere), 'Regular'))).toBe(true);
    expect(summaryOf(stack)).toMatch(/  - skipped: Lambda@Edge \(.*\): Site\/Auth, Site\/Rewrite\/Fn$/m);
    expect(summaryOf(edgeStack)).toMatch(/ClickStack: 0 function\(s\) instrumented, 1 skipped.*\n  - skipped: Lambda@Edge .*Headers/);
    // (aws-cdk-lib may warn of its own things, such as CloudFront defaults, on newer releases.)
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('ClickStack|clickstack'));
  });

  test('ClickStackInstrumentation refuses a Lambda@Edge function, whether the distribution comes before or after', () => {
    const { stack, auth, inRegion } = edgeApp('distributionFirst');
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [auth] }))
      .toThrow(/cannot instrument Site\/Auth: it serves as Lambda@Edge .*accepts neither layers nor environment variables/);
    expect(() => new ClickStackInstrumentation(stack, 'Otel2', { endpoint: ENDPOINT, functions: [inRegion.lambda as lambda.Function] }))
      .toThrow(/cannot instrument Site\/Rewrite\/Fn: it serves as Lambda@Edge/);

    const app = new App();
    const later = new Stack(app, 'Later', { env: ENV });
    const edge = nodeFn(later, 'Edge');
    new ClickStackInstrumentation(later, 'Otel', { endpoint: ENDPOINT, functions: [edge] });
    new cloudfront.Distribution(later, 'Cdn', {
      defaultBehavior: { origin: new origins.HttpOrigin('example.com'), edgeLambdas: [{ functionVersion: edge.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST }] },
    });
    expect(() => app.synth()).toThrow(/Later\/Edge is instrumented, but it serves as Lambda@Edge/);
  });
});

describe('nested Stages and CDK Pipelines', () => {
  function stagedApp() {
    const app = new App();
    const top = new Stack(app, 'Top', { env: ENV });
    nodeFn(top, 'TopFn');
    const prod = new Stage(app, 'Prod', { env: ENV });
    const api = new Stack(prod, 'Api');
    nodeFn(api, 'Handler');
    const inner = new Stage(prod, 'Inner');
    const worker = new Stack(inner, 'Worker');
    nodeFn(worker, 'Job');
    return { app, top, prod, api, inner, worker };
  }

  test('an aspect added to the App only fails the synth, naming the Stage it cannot reach and the line to add', () => {
    const { app } = stagedApp();
    addAspect(app);
    expect(() => app.synth()).toThrow(/ClickStackAspect \(added at the App\) cannot reach the functions of Stage Prod \(Prod\/Api\/Handler\), Stage Prod\/Inner \(Prod\/Inner\/Worker\/Job\): .*aspect.applyTo\(stage\)/);
  });

  test('the error names the App as "the App", not by its empty path; a Stage synthesized on its own by its path', () => {
    const { app } = stagedApp();
    addAspect(app);
    expect(() => app.synth()).toThrow(/^Validation failed with the following errors:\n {2}\[the App\] ClickStackAspect \(added at the App\) cannot reach /);
    expect(() => app.synth()).not.toThrow(/\[\]/);
    // A Stage synthesized on its own (as CDK Pipelines' addStage() does): its path, as before.
    const { prod } = stagedApp();
    addAspect(prod);
    expect(() => prod.synth()).toThrow(/^Validation failed with the following errors:\n {2}\[Prod\] ClickStackAspect \(added at Prod\) cannot reach the functions of Stage Prod\/Inner /);
  });

  test('applyTo(app) reaches every Stack of every Stage, Stage in Stage too', () => {
    const { app, top, api, worker } = stagedApp();
    aspect().applyTo(app);
    app.synth();
    expect(isInstrumented(lambdaProps(templateOf(top), 'TopFn'))).toBe(true);
    expect(isInstrumented(lambdaProps(templateOf(api), 'Handler'))).toBe(true);
    expect(isInstrumented(lambdaProps(templateOf(worker), 'Job'))).toBe(true);
    expect(summaryOf(worker)).toMatch(/^\[@clickstack\/cdk:summary\] ClickStack: 1 function\(s\) instrumented, 0 skipped, 0 failed by ClickStackAspect \(added at Prod\/Inner\)$/);
  });

  test('a Stage left out with exclude is not an error', () => {
    const { app, prod, api } = stagedApp();
    addAspect(app, { exclude: [prod] });
    app.synth();
    expect(isInstrumented(lambdaProps(templateOf(api), 'Handler'))).toBe(false);
  });

  function pipelineApp(where: 'app' | 'stage') {
    const app = new App();
    const pipelineStack = new Stack(app, 'Pipeline', { env: ENV });
    const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('owner/repo', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc' }),
        commands: ['npm ci', 'npx cdk synth'],
      }),
    });
    const clickstack = aspect({ name: 'pipeline' });
    const stacks: Stack[] = [];
    for (const name of ['Beta', 'Prod']) {
      const stage = new Stage(app, name, { env: ENV });
      const api = new Stack(stage, 'Api');
      nodeFn(api, 'Orders');
      fn(api, 'Billing', { runtime: lambda.Runtime.PYTHON_3_12, code: 'inline' });
      stacks.push(api);
      if (where === 'stage') clickstack.applyTo(stage);
      pipeline.addStage(stage);
    }
    if (where === 'app') clickstack.applyTo(app);
    return { app, stacks };
  }

  test('CDK Pipelines: the aspect on each Stage before addStage() instruments every function', () => {
    const { app, stacks } = pipelineApp('stage');
    app.synth();
    for (const api of stacks) {
      const t = templateOf(api);
      expect(isInstrumented(lambdaProps(t, 'Orders'))).toBe(true);
      expect(isInstrumented(lambdaProps(t, 'Billing'))).toBe(true);
      expect(summaryOf(api)).toMatch(/ClickStack: 2 function\(s\) instrumented, 0 skipped, 0 failed by ClickStackAspect 'pipeline' \(added at (Beta|Prod)\)/);
    }
  });

  test('CDK Pipelines: an aspect applied after addStage() fails, naming the Stages already synthesized', () => {
    const { app } = pipelineApp('app');
    // A CDK validation error, naming the pipeline, and leading with the fixes that work with CDK
    // Pipelines (not "applyTo(app)", which is what failed).
    expect(() => app.synth()).toThrow(/^Validation failed with the following errors:\n {2}\[the App\] ClickStackAspect 'pipeline' \(added at the App\) cannot reach the functions of Stage Beta, added to the CDK Pipeline Pipeline\/Pipeline with addStage\(\), which synthesized it already \(Beta\/Api\/Orders, Beta\/Api\/Billing\), Stage Prod, added to the CDK Pipeline .*Fix: apply the aspect inside each Stage, with aspect.applyTo\(this\) in the Stage's constructor \(after its stacks\), or call aspect.applyTo\(stage\) before pipeline.addStage\(stage\); or leave a Stage out with exclude: \[stage\]$/);
    expect(() => app.synth()).not.toThrow(/applyTo\(app\)/);
  });
});

describe("someone else's instrumentation", () => {
  function adot(scope: Construct, id: string): lambda.Function {
    return new lambda.Function(scope, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('x'),
      adotInstrumentation: {
        layerVersion: lambda.AdotLayerVersion.fromJavaScriptSdkLayerVersion(lambda.AdotLambdaLayerJavaScriptSdkVersion.LATEST),
        execWrapper: lambda.AdotLambdaExecWrapper.REGULAR_HANDLER,
      },
    });
  }

  test('a function with adotInstrumentation is refused by the construct and skipped, unchanged, by the aspect', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const f = adot(stack, 'Adot');
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f] }))
      .toThrow(/cannot instrument S\/Adot: it is already instrumented by someone else: it has .*AWS_LAMBDA_EXEC_WRAPPER="\/opt\/otel-handler".*drop adotInstrumentation/);

    const plain = new Stack(new App(), 'S', { env: ENV });
    adot(plain, 'Adot');
    const withAspect = new Stack(new App(), 'S', { env: ENV });
    adot(withAspect, 'Adot');
    addAspect(withAspect);
    expect(Template.fromStack(withAspect).toJSON().Resources).toEqual(Template.fromStack(plain).toJSON().Resources);
    Annotations.fromStack(withAspect).hasWarning('/S/Adot', Match.stringLikeRegexp('already instrumented by someone else.*adotInstrumentation.*skipped by ClickStackAspect'));
    expect(summaryOf(withAspect)).toContain('  - skipped: already instrumented by someone else (see its warning): S/Adot');
  });

  test('a collector configuration variable of its own counts as instrumentation, on a collector-only runtime too', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const f = fn(stack, 'Dotnet', { runtime: lambda.Runtime.DOTNET_8, environment: { OPENTELEMETRY_COLLECTOR_CONFIG_URI: '/opt/mine.yaml' } });
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f] }))
      .toThrow(/it has OPENTELEMETRY_COLLECTOR_CONFIG_URI="\/opt\/mine.yaml"/);
  });

  test('an OpenTelemetry layer of any account, recognised by its name, is refused before any change (or at synth where layers cannot be read early)', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'L', 'arn:aws:lambda:us-east-1:999999999999:layer:my-otel-collector:7');
    const f = fn(stack, 'Fn', { runtime: lambda.Runtime.DOTNET_8, layers: [layer] });
    if (canReadLayersEarly()) {
      expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f] }))
        .toThrow(/it has an OpenTelemetry layer \(arn:aws:lambda:us-east-1:999999999999:layer:my-otel-collector:7\)/);
    } else {
      new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f] });
      expect(() => Template.fromStack(stack)).toThrow(/S\/Fn already has an OpenTelemetry layer \(arn:aws:lambda:us-east-1:999999999999:layer:my-otel-collector:7\) besides the instrumentation's/);
    }
  });

  test('a layer whose name merely contains "otel" in a word is not taken for OpenTelemetry', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'L', 'arn:aws:lambda:us-east-1:999999999999:layer:hotel-booking-deps:1');
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [fn(stack, 'Fn', { code: 'inline', layers: [layer] })] });
    expect(lambdaProps(Template.fromStack(stack).toJSON(), 'Fn').Layers).toHaveLength(4);
  });
});

describe('the aspect added nearest the function wins', () => {
  function twoStacks(order: 'appFirst' | 'stackFirst') {
    const app = new App();
    const payments = new Stack(app, 'Payments', { env: ENV });
    const orders = new Stack(app, 'Orders', { env: ENV });
    nodeFn(payments, 'Charge');
    nodeFn(orders, 'Create');
    const add = {
      app: () => addAspect(app, { sampler: TraceSampler.ALWAYS_ON }),
      stack: () => addAspect(payments, { sampler: TraceSampler.ALWAYS_OFF, name: 'payments' }),
    };
    if (order === 'appFirst') { add.app(); add.stack(); } else { add.stack(); add.app(); }
    return { app, payments, orders };
  }

  test.each(['appFirst', 'stackFirst'] as const)('a stack aspect beats an App aspect (%s), and each summary names its aspect', (order) => {
    const { payments, orders } = twoStacks(order);
    expect(lambdaProps(Template.fromStack(payments).toJSON(), 'Charge').Environment.Variables.OTEL_TRACES_SAMPLER).toBe('always_off');
    expect(lambdaProps(Template.fromStack(orders).toJSON(), 'Create').Environment.Variables.OTEL_TRACES_SAMPLER).toBe('always_on');
    expect(summaryOf(payments)).toBe("[@clickstack/cdk:summary] ClickStack: 1 function(s) instrumented, 0 skipped, 0 failed by ClickStackAspect 'payments' (added at Payments)");
    expect(summaryOf(orders)).toBe('[@clickstack/cdk:summary] ClickStack: 1 function(s) instrumented, 0 skipped, 0 failed by ClickStackAspect (added at the App)');
  });

  test('the nearer aspect decides exclusions too', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const legacy = nodeFn(stack, 'Legacy');
    addAspect(app);
    addAspect(stack, { exclude: [legacy] });
    expect(isInstrumented(lambdaProps(Template.fromStack(stack).toJSON(), 'Legacy'))).toBe(false);
    expect(summaryOf(stack)).toContain('  - skipped: excluded: S/Legacy');
  });
});

describe('ingestion keys across stacks', () => {
  test('a secret of another stack in the same environment works, with one note per stack on the export it creates', () => {
    const app = new App();
    const shared = new Stack(app, 'Shared', { env: ENV });
    const secret = new secretsmanager.Secret(shared, 'Key');
    const api = new Stack(app, 'Api', { env: ENV });
    nodeFn(api, 'A');
    nodeFn(api, 'B');
    addAspect(app, { ingestionKey: IngestionKey.fromSecret(secret) });
    const t = Template.fromStack(api);
    expect(lambdaProps(t.toJSON(), 'A').Environment.Variables.CLICKSTACK_INGESTION_KEY_SECRET_ARN).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^Shared:ExportsOutputRef/) });
    const notes = Annotations.fromStack(api).findInfo('/Api', Match.stringLikeRegexp('crossStackIngestionKey'));
    expect(notes).toHaveLength(1);
    expect(notes[0].entry.data).toMatch(/the ingestion key secret Shared\/Key is defined in stack Shared: CDK exports its ARN .*Secret.fromSecretNameV2/);
  });

  test('a secret of another environment is refused, naming the key, both environments and the fix', () => {
    const app = new App();
    const shared = new Stack(app, 'Shared', { env: { ...ENV, region: 'eu-west-1' } });
    const secret = new secretsmanager.Secret(shared, 'Key');
    const api = new Stack(app, 'Api', { env: ENV });
    const f = nodeFn(api, 'A');
    expect(() => new ClickStackInstrumentation(api, 'Otel', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(secret), functions: [f] }))
      .toThrow(/cannot instrument Api\/A: the ingestion key secret Shared\/Key belongs to stack Shared \(123456789012\/eu-west-1\), another environment than the function's stack Api \(123456789012\/us-east-1\).*Replicate the secret into us-east-1/);

    const app2 = new App();
    const shared2 = new Stack(app2, 'Shared', { env: { ...ENV, region: 'eu-west-1' } });
    const api2 = new Stack(app2, 'Api', { env: ENV });
    nodeFn(api2, 'A');
    addAspect(app2, { ingestionKey: IngestionKey.fromSecret(new secretsmanager.Secret(shared2, 'Key')) });
    Annotations.fromStack(api2).hasError('/Api/A', Match.stringLikeRegexp('belongs to stack Shared'));
  });
});

describe('quiet by default', () => {
  test('300 skipped functions (303 in the template): one summary line per reason with ten paths, a warning per function, no info per function', () => {
    const app = new App();
    const stack = new Stack(app, 'Big', { env: ENV });
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'r');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    for (let i = 0; i < 300; i++) new lambda.DockerImageFunction(stack, `Img${i}`, { code: lambda.DockerImageCode.fromEcr(repo), role });
    for (let i = 0; i < 3; i++) nodeFn(stack, `Fn${i}`);
    addAspect(app);
    const summary = summaryOf(stack);
    expect(summary.split('\n')).toHaveLength(2);
    expect(summary).toMatch(/^\[@clickstack\/cdk:summary\] ClickStack: 3 function\(s\) instrumented, 300 skipped, 0 failed by ClickStackAspect \(added at the App\)\n  - skipped: container image: Big\/Img0, .*Big\/Img9 and 290 more \(verboseSummary: true lists them all\)$/);
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findInfo('*', Match.stringLikeRegexp('clickstack'))).toHaveLength(1);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('skipped by ClickStackAspect'))).toHaveLength(300);
  });

  test("the summary names the template's Lambda functions no aspect can visit (CDK's low-level handlers)", () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new s3.Bucket(stack, 'Uploads', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    nodeFn(stack, 'Fn');
    addAspect(app);
    expect(summaryOf(stack)).toMatch(/\n  - not visited, 1 Lambda function\(s\) of this template that are not lambda.Function constructs .*: S\/Custom::S3AutoDeleteObjectsCustomResourceProvider\/Handler$/);
  });
});

test('the layer-list probe never synthesizes itself into the user\'s cloud assembly under `cdk synth`', () => {
  // GIVEN the CLI's environment (CDK_OUTDIR makes every new App synthesize itself at exit)
  const before = process.listenerCount('beforeExit');
  process.env.CDK_OUTDIR = '/nonexistent/cdk.out';
  try {
    jest.isolateModules(() => {
      // WHEN the probe runs for the first time in a process
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { canReadLayersEarly: probe } = require('../src/private/rules/existing');
      probe();
    });
  } finally {
    delete process.env.CDK_OUTDIR;
  }
  // THEN no App registered itself for synthesis
  expect(process.listenerCount('beforeExit')).toBe(before);
});

test('the layer-list probe leaves nothing in the temp directory', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../src/private/rules/existing').canReadLayersEarly();
    });
    expect(fs.readdirSync(tmp)).toEqual([]);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
