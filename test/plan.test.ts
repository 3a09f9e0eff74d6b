/**
 * The plan (src/private/plan.ts): everything the library will do to one function, decided before
 * anything changes, and carried out by the applier (src/private/apply.ts) alone.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { agnosticStack, concreteStack, ENDPOINT, fn } from './helpers';
import { ClickStackAspect, ClickStackInstrumentation, ClickStackOptions, ConfigDelivery, IngestionKey, Propagator, TelemetryApiType, TraceSampler } from '../src';
import { COLLECTOR_SUPPORT } from '../src/layers/language-support';
import { applyPlan } from '../src/private/apply';
import { planFunction } from '../src/private/plan';
import { FunctionPlan, PlanResult } from '../src/private/plan-model';
import { canReadLayersEarly } from '../src/private/rules/existing';
import { validateOptions } from '../src/private/validate';

const OWNER = 'Test/Owner';

function plan(f: lambda.Function, options: Partial<ClickStackOptions> = {}, by: 'construct' | 'aspect' = 'construct'): PlanResult {
  return planFunction(f, validateOptions({ endpoint: ENDPOINT, ...options }, OWNER), { owner: OWNER, by });
}

function instrumentPlan(result: PlanResult): FunctionPlan {
  if (result.outcome !== 'instrument') throw new Error(`expected a plan, got ${JSON.stringify(result)}`);
  return result;
}

/** Every construct path of the app, and every template: what planning must leave as it was. */
function snapshotOf(app: App): { paths: string[]; templates: unknown[] } {
  const paths = app.node.findAll().map(c => c.node.path);
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  return { paths, templates: stacks.map(s => JSON.stringify(s.resolve((s as any)._toCloudFormation()))) };
}

describe('what a plan says', () => {
  test('a Node.js function with asset code: its layers, the config layer, the variables in order, and nothing kept', () => {
    const stack = concreteStack();
    const p = instrumentPlan(plan(fn(stack, 'Fn'), { serviceName: 'orders', sampler: TraceSampler.ALWAYS_ON }));
    expect(p.path).toBe('Stack-eu-west-1/Fn');
    expect(p.owner).toBe(OWNER);
    expect(p.support).toEqual({ kind: 'language', family: 'nodejs', wrapper: '/opt/otel-handler' });
    expect(p.layers.map(l => [`${l.release}`, l.arch, l.arn])).toEqual([
      ['nodejs 0.23.0', 'amd64', 'arn:aws:lambda:eu-west-1:184161586896:layer:opentelemetry-nodejs-0_23_0:1'],
      ['collector 0.23.0', 'amd64', 'arn:aws:lambda:eu-west-1:184161586896:layer:opentelemetry-collector-amd64-0_23_0:1'],
    ]);
    expect(p.delivery).toEqual({ kind: 'layer', configUri: '/opt/clickstack/collector.yaml', environment: {} });
    expect(p.code).toBeUndefined();
    expect(p.environment).toEqual([
      ['AWS_LAMBDA_EXEC_WRAPPER', '/opt/otel-handler'],
      ['OPENTELEMETRY_COLLECTOR_CONFIG_URI', '/opt/clickstack/collector.yaml'],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4318'],
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf'],
      ['OTEL_PROPAGATORS', 'tracecontext,baggage'],
      ['OTEL_TRACES_SAMPLER', 'always_on'],
      ['OTEL_SERVICE_NAME', 'orders'],
    ]);
    expect(p.kept).toEqual([]);
    expect(p.collector).toMatchObject({ endpoint: ENDPOINT, exporterType: 'otlp_http', managedInstances: false });
    expect(p.configYaml).toContain('endpoint: https://otel.example.com:4318');
    expect(p.notes).toEqual({ infos: [], warnings: [], summary: [] });
  });

  test('the delivery the default (AUTO) plans: a config layer where a slot is free; where the function\'s own layers are known to leave none, the bundle or the environment', () => {
    const stack = concreteStack();
    const own = (id: string, n: number) => Array.from({ length: n }, (_, i) => lambda.LayerVersion.fromLayerVersionArn(stack, `${id}L${i}`, `arn:aws:lambda:eu-west-1:123456789012:layer:mine${i}:1`));
    const kind = (f: lambda.Function) => instrumentPlan(plan(f)).delivery.kind;
    expect(kind(fn(stack, 'Asset'))).toBe('layer');
    expect(kind(fn(stack, 'Inline', { code: 'inline' }))).toBe('layer');
    expect(kind(fn(stack, 'Two', { layers: own('Two', 2) }))).toBe('layer');
    // Three layers of its own: known before synth where aws-cdk-lib lets the list be read then.
    const readable = canReadLayersEarly();
    expect(kind(fn(stack, 'Three', { layers: own('Three', 3) }))).toBe(readable ? 'bundle' : 'layer');
    expect(kind(fn(stack, 'ThreeInline', { code: 'inline', layers: own('ThreeInline', 3) }))).toBe(readable ? 'environment' : 'layer');
    // The explicit modes are what they say, whatever the layers.
    expect(instrumentPlan(plan(fn(stack, 'B', { layers: own('B', 1) }), { configDelivery: ConfigDelivery.BUNDLE })).delivery.kind).toBe('bundle');
    expect(instrumentPlan(plan(fn(stack, 'L', { layers: own('L', 3) }), { configDelivery: ConfigDelivery.LAYER })).delivery.kind).toBe('layer');
  });

  test('an environment-agnostic stack: the layers carry their names, to be looked up in the stack mapping', () => {
    const p = instrumentPlan(plan(fn(agnosticStack(), 'Fn', { runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.ARM_64 })));
    expect(p.layers.map(l => [l.name, l.arn])).toEqual([['opentelemetry-python-0_21_0', undefined], ['opentelemetry-collector-arm64-0_23_0', undefined]]);
  });

  test("a collector-only function with the user's own OTEL_* values: what is kept, the family for the summary, the config layer", () => {
    const stack = concreteStack();
    const f = new lambda.Function(stack, 'Net', {
      runtime: lambda.Runtime.DOTNET_8,
      handler: 'x',
      code: lambda.Code.fromAsset(`${__dirname}/integ-handlers/dotnet`),
      environment: { OTEL_PROPAGATORS: 'xray', OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
    });
    const p = instrumentPlan(plan(f, { configDelivery: ConfigDelivery.LAYER }));
    expect(p.support.kind).toBe('collectorOnly');
    expect(p.collectorOnlyFamily).toBe('dotnet');
    expect(p.delivery.kind).toBe('layer');
    expect(p.environment.map(([k]) => k)).toEqual(['OPENTELEMETRY_COLLECTOR_CONFIG_URI', 'OTEL_EXPORTER_OTLP_INSECURE']);
    // Only a value of the user's that differs from ours is reported as kept.
    expect(p.kept).toEqual(['OTEL_PROPAGATORS']);
  });

  test('notes are the rules\' findings, infos and warnings, in the planner\'s order', () => {
    const stack = concreteStack();
    const p = instrumentPlan(plan(fn(stack, 'Fn'), {
      ingestionKey: IngestionKey.unsafePlainText('k'),
      endpoint: 'http://otel.internal:4318',
      lambdaTelemetry: [TelemetryApiType.EXTENSION],
      resourceAttributes: { 'late.value': Stack.of(stack).stackId },
    }));
    expect(p.notes.infos.map(i => /^\[([^\]]+)\]/.exec(i)?.[1])).toEqual(['@clickstack/cdk:telemetryLogAttributes']);
    expect(p.notes.warnings.map(([id]) => id)).toEqual(['@clickstack/cdk:plainHttpIngestionKey', '@clickstack/cdk:extensionLogsReingested']);
  });
});

describe('refusals', () => {
  test('the first rule that refuses decides: a propagator the layer lacks comes before the key in another region', () => {
    const stack = concreteStack('eu-west-1');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key-AbCdEf');
    const options = { propagators: [Propagator.B3], ingestionKey: IngestionKey.fromSecret(secret) };
    const both = plan(fn(stack, 'Py', { runtime: lambda.Runtime.PYTHON_3_13 }), options);
    expect(both).toMatchObject({ outcome: 'refused', refusal: { kind: 'unsupportedOption' } });
    expect(both.outcome === 'refused' && both.message).toMatch(/^cannot instrument Stack-eu-west-1\/Py: propagators b3 are not in the OpenTelemetry python layer 0.21.0/);
    // Without the propagator, the key's region refuses it.
    expect(plan(fn(stack, 'Py2', { runtime: lambda.Runtime.PYTHON_3_13 }), { ingestionKey: options.ingestionKey }))
      .toMatchObject({ outcome: 'refused', refusal: { kind: 'region', why: expect.stringMatching(/secret is in us-east-1, but the function is in eu-west-1/) } });
  });

  test('a refusal of someone else\'s instrumentation names the vendor for the summary', () => {
    const stack = concreteStack();
    const result = plan(fn(stack, 'Fn', { environment: { DD_LAMBDA_HANDLER: 'index.handler' } }));
    expect(result).toMatchObject({ outcome: 'refused', refusal: { kind: 'existing', summary: 'already instrumented by Datadog (see its warning)' } });
  });

  test('lambdaTelemetry on Managed Instances: the construct is refused, the aspect plans without the receiver; a "2025-01-29" release lifts it', () => {
    const stack = concreteStack();
    const mi = fn(stack, 'Mi');
    (mi.node.defaultChild as any).capacityProviderConfig = { lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn: 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:cp' } };
    const options = { lambdaTelemetry: [TelemetryApiType.FUNCTION] };
    expect(plan(mi, options, 'construct')).toMatchObject({
      outcome: 'refused',
      refusal: { kind: 'managedInstances', why: expect.stringMatching(/schemaVersion "2022-12-13".*require "2025-01-29"/), summary: expect.stringMatching(/^lambdaTelemetry on Lambda Managed Instances/) },
    });
    const dropped = instrumentPlan(plan(mi, options, 'aspect'));
    expect(dropped.collector.telemetryApiTypes).toBeUndefined();
    expect(dropped.configYaml).not.toMatch(/telemetryapi/);
    expect(dropped.notes.warnings.map(([id]) => id)).toEqual(['@clickstack/cdk:telemetryApiDroppedOnManagedInstances']);
    // A collector release whose receiver subscribes with the schema Managed Instances require keeps it.
    const support = COLLECTOR_SUPPORT['0.23.0'] as { telemetryApiSchema: string };
    const real = support.telemetryApiSchema;
    support.telemetryApiSchema = '2025-01-29';
    try {
      for (const by of ['construct', 'aspect'] as const) {
        const kept = instrumentPlan(plan(mi, options, by));
        expect(kept.collector.telemetryApiTypes).toEqual(['function']);
        expect(kept.notes.warnings).toEqual([]);
      }
    } finally {
      support.telemetryApiSchema = real;
    }
  });

  test('another vendor comes before the runtime and architecture rules: a Datadog Ruby function on arm64 is refused as Datadog\'s', () => {
    const stack = concreteStack();
    const marks = { runtime: lambda.Runtime.RUBY_3_4, architecture: lambda.Architecture.ARM_64 };
    expect(plan(fn(stack, 'Dd', { ...marks, environment: { DD_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dd' } })))
      .toMatchObject({ outcome: 'refused', refusal: { kind: 'existing', summary: 'already instrumented by Datadog (see its warning)' } });
    // Negative control: without Datadog's marks, the architecture rule refuses it.
    expect(plan(fn(stack, 'Rb', marks))).toMatchObject({ outcome: 'refused', refusal: { kind: 'runtime', summary: expect.stringMatching(/^(?=.*Ruby)(?=.*arm64)(?=.*layer is broken)/) } });
  });

  test('planning changes nothing: not the construct tree, not a template, for a refused function or one it would instrument', () => {
    const app = new App();
    const stack = agnosticStack(app);
    const ok = fn(stack, 'Ok', { code: 's3' });
    const refused = fn(stack, 'Dd', { code: 's3', environment: { DD_LAMBDA_HANDLER: 'index.handler' } });
    const before = snapshotOf(app);
    expect(plan(ok).outcome).toBe('instrument');
    expect(plan(refused).outcome).toBe('refused');
    expect(snapshotOf(app)).toEqual(before);
  });
});

describe('applying a plan', () => {
  test('the function gets exactly the plan: its layers, its variables, nothing else decided', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn', { code: 'inline', environment: { MINE: '1' } });
    const p = instrumentPlan(plan(f, { deploymentEnvironment: 'production' }));
    applyPlan(f, p);
    const props = Template.fromStack(stack).findResources('AWS::Lambda::Function')[Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0]].Properties;
    expect(props.Environment.Variables).toEqual({ MINE: '1', ...Object.fromEntries(p.environment) });
    expect(props.Layers.slice(0, 2)).toEqual(p.layers.map(l => l.arn));
    expect(props.Layers[2]).toEqual({ Ref: expect.stringMatching(/^ClickStackSharedConfig/) });
  });

  test('planned again after it was applied: unchanged with the same settings, a conflict with others', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn');
    applyPlan(f, instrumentPlan(plan(f)));
    expect(plan(f)).toEqual({ outcome: 'unchanged', owner: OWNER });
    expect(plan(f, { sampler: TraceSampler.ALWAYS_OFF })).toMatchObject({ outcome: 'refused', refusal: { kind: 'conflict' } });
  });
});

describe('the plan as the explanation', () => {
  test('verboseSummary writes each instrumented function\'s plan next to the summary, the construct\'s functions too', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const own = fn(stack, 'Own', { code: 'inline', environment: { OTEL_SERVICE_NAME: 'mine' } });
    fn(stack, 'Plain', { code: 'inline', runtime: lambda.Runtime.PYTHON_3_13 });
    new ClickStackInstrumentation(stack, 'Explicit', { endpoint: ENDPOINT, serviceName: 'explicit', functions: [own] });
    new ClickStackAspect({ endpoint: ENDPOINT, verboseSummary: true, configDelivery: ConfigDelivery.ENVIRONMENT }).applyTo(app);
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('clickstack/cdk:plans')).map(m => m.entry.data as string);
    expect(infos).toHaveLength(1);
    expect(infos[0].split('\n')).toEqual([
      '[@clickstack/cdk:plans] ClickStack plans, 2 function(s):',
      '  + Stack-eu-west-1/Own (by Stack-eu-west-1/Explicit): nodejs layer, wrapper /opt/otel-handler',
      '    layers: nodejs 0.23.0, collector 0.23.0 (amd64)',
      '    collector.yaml: in a config layer (/opt/clickstack/collector.yaml), otlp_http exporter',
      '    sets: AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler OPENTELEMETRY_COLLECTOR_CONFIG_URI=/opt/clickstack/collector.yaml OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_PROPAGATORS=tracecontext,baggage OTEL_TRACES_SAMPLER=parentbased_always_on',
      '    keeps its own: OTEL_SERVICE_NAME',
      '  + Stack-eu-west-1/Plain (by ClickStackAspect (added at the App)): python layer, wrapper /opt/otel-handler',
      '    layers: python 0.21.0, collector 0.23.0 (amd64)',
      expect.stringMatching(/^ {4}collector.yaml: in a variable \(env:CLICKSTACK_COLLECTOR_CONFIG\), otlp_http exporter$/),
      expect.stringMatching(/^ {4}sets: AWS_LAMBDA_EXEC_WRAPPER=\/opt\/otel-handler OPENTELEMETRY_COLLECTOR_CONFIG_URI=env:CLICKSTACK_COLLECTOR_CONFIG .* OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true CLICKSTACK_COLLECTOR_CONFIG=\(collector.yaml, \d+ bytes\)$/),
      // Its SDK logs, which the library turns on, leave on the SDK's batch schedule (issue 27).
      '    notes: SDK logs (in the summary)',
    ]);
  });

  test('without verboseSummary there is no plans annotation', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    fn(stack, 'Fn', { code: 'inline' });
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(app);
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('clickstack/cdk:plans'))).toEqual([]);
  });
});
