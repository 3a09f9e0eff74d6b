/**
 * End to end: a function synthesized by the library (provided.al2023, collector only) runs in
 * the local Lambda with the collector under test (the stand-in build, or the layer's real
 * collector: test/e2e/README.md); its handler sends OTLP to localhost:4318 during an invoke, and
 * the ClickStack stand-in (sink.ts) checks what arrives. Negative controls, each changing one
 * thing: another key gives another header; no key gives none; the on-demand configuration run in
 * Managed Instances mode delivers nothing before SHUTDOWN; `batch` before `decouple` delivers an
 * invoke's span after its invoke; the `telemetryapi` receiver on Managed Instances fails init.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { parse, stringify } from 'yaml';
import { e2eFile } from './file-setup';
import { collectorBinary, testSecretsEnv } from './harness';
import { ClickStackAspect, ClickStackInstrumentation, ClickStackOptions, CollectorLayer, ConfigDelivery, IngestionKey, TelemetryApiType } from '../../src';
import { functionLayouts, layOut } from './lambda/layout';
import { InitializationType, LocalLambda, LocalLambdaInitError } from './lambda/local-lambda';
import { RecordedRequest } from './sink';
import { deliveryOf, InvokeWindow, tally } from './timing';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:e2e-key-AbCdEf';
const HANDLER_DIR = path.join(__dirname, 'fixtures', 'provided');

const e2e = e2eFile();

interface Run {
  readonly lambda: LocalLambda;
  readonly config: string;
  readonly invokes: string[];
  /** Each invoke's window, for when its data left (timing.ts). */
  readonly windows: InvokeWindow[];
  readonly start: number;
  readonly template: any;
}

interface Extra {
  /** Put the function on a capacity provider (Lambda Managed Instances) before instrumenting it. */
  readonly capacityProvider?: boolean;
  /** Instrument with ClickStackAspect (on the app) instead of ClickStackInstrumentation. */
  readonly aspect?: boolean;
  /** After the invokes, before SHUTDOWN (an idle environment). */
  readonly beforeShutdown?: (requestIds: string[]) => Promise<void>;
  /** Change the synthesized collector configuration before the run (negative controls). */
  readonly editConfig?: (yaml: string) => string;
}

/** A synthesized, laid-out function: what runs, and what the synthesis said about it. */
interface Prepared {
  readonly root: string;
  readonly env: Record<string, string>;
  readonly config: string;
  readonly template: any;
  /** The stack's warnings (aws:cdk:warning metadata), as their text. */
  readonly warnings: string[];
}

const CAPACITY_PROVIDER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:e2e';

/**
 * What `capacityProvider.addFunction(fn)` sets (aws-cdk-lib 2.231+: the L1 property
 * `capacityProviderConfig`, which the library reads), plus the same value as a raw property so the
 * template carries it on the aws-cdk-lib this suite runs with (2.189.0 has no CapacityProvider and
 * no such L1 property).
 */
function putOnCapacityProvider(fn: lambda.Function): void {
  const value = { lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn: CAPACITY_PROVIDER_ARN } };
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  (cfn as unknown as { capacityProviderConfig: unknown }).capacityProviderConfig = value;
  cfn.addPropertyOverride('CapacityProviderConfig', { LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: CAPACITY_PROVIDER_ARN } });
}

/** Synthesize one instrumented function and lay it out (the collector configuration edited when asked). */
function prepare(options: Partial<ClickStackOptions>, extra: Extra = {}): Prepared {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-lambda-'));
  e2e.removeAfter(dir);
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'E2e', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.PROVIDED_AL2023, handler: 'bootstrap', code: lambda.Code.fromAsset(HANDLER_DIR) });
  if (extra.capacityProvider) putOnCapacityProvider(fn);
  if (extra.aspect) new ClickStackAspect({ endpoint: e2e.sink().url, ...options }).applyTo(app);
  else new ClickStackInstrumentation(stack, 'Otel', { endpoint: e2e.sink().url, ...options, functions: [fn] });
  const assembly = app.synth();
  const warnings = assembly.getStackArtifact(stack.artifactId).findMetadataByType('aws:cdk:warning').map(m => String(m.data));
  const [layout] = functionLayouts(path.join(dir, 'cdk.out'), `${stack.artifactId}.template.json`);
  const template = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', `${stack.artifactId}.template.json`), 'utf8'));
  const root = path.join(dir, 'root');
  const env = layOut(layout, root, { collector: collectorBinary() });
  const uri = env.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
  let config = uri.startsWith('env:') ? env[uri.slice(4)] : fs.readFileSync(uri, 'utf8');
  if (extra.editConfig) {
    config = extra.editConfig(config);
    if (uri.startsWith('env:')) env[uri.slice(4)] = config;
    else fs.writeFileSync(uri, config);
  }
  return { root, env, config, template, warnings };
}

/** Synthesize one instrumented function, lay it out, run init, `invokes` invokes and SHUTDOWN. */
async function runFunction(options: Partial<ClickStackOptions>, secrets: Record<string, string>, mode: InitializationType = 'on-demand', invokes = 1, extra: Extra = {}): Promise<Run> {
  return runPrepared(prepare(options, extra), secrets, mode, invokes, extra);
}

async function runPrepared(p: Prepared, secrets: Record<string, string>, mode: InitializationType, invokes: number, extra: Extra = {}): Promise<Run> {
  const local = new LocalLambda({ root: p.root, environment: { ...p.env, ...testSecretsEnv(secrets) }, functionName: 'e2e-fn', initializationType: mode });
  const start = Date.now();
  const ids: string[] = [];
  const windows: InvokeWindow[] = [];
  try {
    await local.start();
    for (let i = 0; i < invokes; i++) {
      const t0 = Date.now();
      const r = await local.invoke({ marker: `m${i}` });
      assert.equal(r.error, undefined, `invoke failed: ${r.error}\n${local.output}`);
      assert.match(r.response, /"otlp":200/, `the handler could not send OTLP to the collector: ${r.response}\n${local.output}`);
      ids.push(r.requestId);
      windows.push({ requestId: r.requestId, start: t0, end: r.endedAt ?? Date.now() });
    }
    await extra.beforeShutdown?.(ids);
    await local.shutdown();
  } finally {
    await local.close();
  }
  return { lambda: local, config: p.config, invokes: ids, windows, start, template: p.template };
}

interface SpanRef { readonly name: string; readonly invocation: string }

/** The handler's spans of `run`'s invokes, each with the request that carried it. */
function carriedSpans(run: Run): Array<SpanRef & { request: RecordedRequest }> {
  return spanRequests(run.start).flatMap(x => x.spans.filter(sp => run.invokes.includes(sp.invocation)).map(sp => ({ ...sp, request: x.request })));
}

/** Each trace request since `start` with the names of the spans it carried. */
function spanRequests(start: number): Array<{ request: RecordedRequest; spans: SpanRef[] }> {
  return since(start).filter(r => r.signal === 'traces').map(r => ({
    request: r,
    spans: (r.body.resourceSpans ?? []).flatMap((rs: any) => (rs.scopeSpans ?? []).flatMap((ss: any) => (ss.spans ?? []).map((sp: any) => ({
      name: String(sp.name),
      invocation: String((sp.attributes ?? []).find((a: any) => a.key === 'faas.invocation_id')?.value?.stringValue ?? ''),
    })))),
  }));
}

function since(start: number) {
  return e2e.sink().requests.filter(r => r.receivedAt >= start);
}

void test('on demand: traces and function logs arrive, gzip, with the key, before SHUTDOWN completes', { timeout: 120_000 }, async () => {
  const run = await runFunction({
    ingestionKey: IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(new Stack(), 'K', SECRET_ARN)),
    lambdaTelemetry: [TelemetryApiType.FUNCTION],
    deploymentEnvironment: 'e2e',
    serviceVersion: '1.2.3',
    resourceAttributes: { team: 'observability' },
    configDelivery: ConfigDelivery.LAYER,
  }, { [SECRET_ARN]: 'key-one' }, 'on-demand', 2);
  const local = run.lambda;
  assert.deepEqual(local.registered, [{ name: 'collector', events: ['INVOKE', 'SHUTDOWN'] }]);
  assert.deepEqual(local.initErrors, []);
  const requests = since(run.start);
  const traces = requests.filter(r => r.signal === 'traces');
  assert.ok(traces.length > 0, `no traces at the sink\n${local.output}`);
  for (const r of requests) {
    assert.equal(r.headers.authorization, 'key-one');
    assert.equal(r.gzip, true, 'payload not gzip');
    assert.equal(r.format, 'protobuf');
    assert.ok(r.receivedAt <= local.shutdownCompletedAt!, 'data arrived after SHUTDOWN completed');
  }
  // "Before SHUTDOWN completed" means the collector flushed and exited by itself, not that the
  // local Lambda killed it at the deadline.
  assert.deepEqual(local.killedAtDeadline, [], `killed at the SHUTDOWN deadline: ${local.killedAtDeadline}\n${local.output}`);
  // The key on the very request that carried each of the handler's spans.
  const carried = carriedSpans(run);
  assert.deepEqual(carried.map(c => c.name).sort(), ['handler m0', 'handler m1']);
  for (const c of carried) assert.equal(c.request.headers.authorization, 'key-one', `the request that carried ${c.name}`);
  const spans = e2e.sink().spans().filter(s => run.invokes.includes(String(s.attributes['faas.invocation_id'])));
  assert.deepEqual(spans.map(s => s.name).sort(), ['handler m0', 'handler m1']);
  assert.equal(spans[0].resource['service.name'], 'e2e-handler');
  // Telemetry API `function` records: the handler's stdout, with the resource the library promises.
  const logs = e2e.sink().logRecords().filter(l => typeof l.body === 'string' && /^handler: invoked /.test(l.body) && run.invokes.some(id => (l.body as string).includes(id)));
  assert.equal(logs.length, 2, `function logs at the sink: ${JSON.stringify(e2e.sink().logRecords().map(l => l.body))}`);
  for (const l of logs) {
    assert.equal(l.attributes.type, 'function');
    // From the library's config (the `transform` processor, upstream contrib code):
    assert.equal(l.resource['deployment.environment.name'], 'e2e');
    assert.equal(l.resource['service.version'], '1.2.3');
    assert.equal(l.resource.team, 'observability');
    // From the telemetryapi receiver (stand-in, after upstream receiver.go:768-799):
    assert.equal(l.resource['faas.name'], 'e2e-fn');
  }
  // Collector 0.23.0 ships transform (the library's choice there; resource before 0.22.0).
  assert.match(run.config, /transform:/);
});

void test('negative control: another key sends another header, and the first key is absent', { timeout: 120_000 }, async () => {
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-two'), configDelivery: ConfigDelivery.BUNDLE }, {});
  const requests = since(run.start);
  assert.ok(requests.length > 0, `nothing arrived\n${run.lambda.output}`);
  assert.deepEqual([...new Set(requests.map(r => r.headers.authorization))], ['key-two']);
});

void test('negative control: no key, no authorization header', { timeout: 120_000 }, async () => {
  const run = await runFunction({ configDelivery: ConfigDelivery.ENVIRONMENT }, {});
  const requests = since(run.start);
  assert.ok(requests.length > 0, `nothing arrived\n${run.lambda.output}`);
  for (const r of requests) assert.equal(r.headers.authorization, undefined);
});

/** An idle environment after the invokes: `idleMs`, or until each invoke's span arrived (`untilSpans`). */
function idle(idleMs: number, untilSpans: boolean) {
  return async (ids: string[]) => {
    if (!untilSpans) return new Promise<void>(r => setTimeout(r, idleMs));
    await e2e.sink().waitFor(k => ids.every(id => k.spans().some(sp => sp.attributes['faas.invocation_id'] === id)), idleMs, 'a span of each invoke before SHUTDOWN').catch(() => undefined);
    // A request that ended the wait and SHUTDOWN could share a millisecond: keep them apart.
    await new Promise<void>(r => setTimeout(r, 20));
  };
}

void test('Managed Instances: a function on a capacity provider delivers before SHUTDOWN; the collector registers for SHUTDOWN only and the run ends by itself', { timeout: 120_000 }, async () => {
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-mi'), configDelivery: ConfigDelivery.LAYER }, {}, 'lambda-managed-instances', 3,
    { capacityProvider: true, beforeShutdown: idle(5_000, true) });
  // The function really is on a capacity provider, and the library's configuration for it has no decouple.
  const fnRes = Object.values<any>(run.template.Resources).find(r => r.Type === 'AWS::Lambda::Function');
  assert.equal(fnRes.Properties.CapacityProviderConfig?.LambdaManagedInstancesCapacityProviderConfig?.CapacityProviderArn, CAPACITY_PROVIDER_ARN);
  assert.doesNotMatch(run.config, /decouple/);
  assert.deepEqual(run.lambda.registered, [{ name: 'collector', events: ['SHUTDOWN'] }]);
  const carried = carriedSpans(run);
  assert.equal(carried.length, 3, run.lambda.output);
  for (const c of carried) {
    assert.ok(c.request.receivedAt < run.lambda.shutdownStartedAt!, `${c.name} arrived only after SHUTDOWN was sent`);
    assert.equal(c.request.headers.authorization, 'key-mi', `the request that carried ${c.name}`);
  }
  assert.deepEqual(run.lambda.killedAtDeadline, [], 'the collector did not exit by itself after SHUTDOWN');
});

void test('negative control: the on-demand configuration (decouple) run in Managed Instances mode delivers nothing before SHUTDOWN', { timeout: 120_000 }, async () => {
  // One change from the test above: the function is not on a capacity provider, so the library
  // gives it decouple; the run is the same (Managed Instances mode, 3 invokes, idle, SHUTDOWN).
  // Upstream decouple forwards only between INVOKE and runtimeDone and after SHUTDOWN
  // (open-telemetry/opentelemetry-lambda@faa4ca46 collector/processor/decoupleprocessor/processor.go:79-119),
  // and Managed Instances send no INVOKE: everything waits for SHUTDOWN.
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-mi'), configDelivery: ConfigDelivery.LAYER }, {}, 'lambda-managed-instances', 3,
    { beforeShutdown: idle(3_000, false) });
  assert.match(run.config, /decouple/);
  const carried = carriedSpans(run);
  const before = carried.filter(c => c.request.receivedAt < run.lambda.shutdownStartedAt!);
  assert.deepEqual(before.map(c => c.name), [], 'data left before SHUTDOWN: the harness cannot tell the Managed Instances configuration from the on-demand one');
  // The run was not empty: all of it left at SHUTDOWN.
  assert.equal(carried.length, 3, run.lambda.output);
});

/** When the span of each invoke of `run` left (the request that carried it, against the invoke windows). */
function spanDeliveries(run: Run) {
  const carried = carriedSpans(run);
  return run.windows.map((w, i) =>
    deliveryOf(run.windows, run.lambda.shutdownStartedAt, i, carried.find(c => c.invocation === w.requestId)?.request.receivedAt));
}

/**
 * The library's configuration before issue 27: `batch` (its 200 ms timer) before `decouple` in every
 * pipeline. The one change of the negative control below.
 */
function batchBeforeDecouple(yaml: string): string {
  const c = parse(yaml);
  c.processors = { batch: {}, ...c.processors };
  for (const p of Object.values<any>(c.service.pipelines)) p.processors = [...p.processors.filter((x: string) => x !== 'decouple'), 'batch', 'decouple'];
  return stringify(c);
}

void test('on demand: each invoke\'s span leaves within that invoke, three invokes then SHUTDOWN at once (no batch processor holds it past platform.runtimeDone)', { timeout: 120_000 }, async () => {
  // The handler sends its span during the invoke, as an SDK flushes before the handler returns.
  // The receiver hands it to decouple's channel before it answers, and decouple's forwarder drains
  // the channel before FunctionFinished, which the lifecycle calls on platform.runtimeDone
  // (open-telemetry/opentelemetry-lambda@faa4ca46 collector/processor/decoupleprocessor/processor.go:97-114,
  // collector/internal/lifecycle/manager.go:170-179).
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-t'), configDelivery: ConfigDelivery.BUNDLE }, {}, 'on-demand', 3);
  const when = spanDeliveries(run);
  console.log(`# library config: each invoke's span left ${when.join(', ')}`);
  assert.deepEqual(when, ['within its invoke', 'within its invoke', 'within its invoke'], run.lambda.output.slice(-3000));
  assert.doesNotMatch(run.config, /batch/);
  assert.deepEqual(run.lambda.killedAtDeadline, [], 'the collector did not exit by itself after SHUTDOWN');
});

void test('negative control: with batch before decouple (the library\'s earlier configuration) the same run\'s spans leave after their invoke', { timeout: 120_000 }, async () => {
  // One change: `batch` put back before `decouple`. batch passes the span on when its 200 ms timer
  // fires (go.opentelemetry.io/collector/processor/batchprocessor v0.157.0 factory.go:20), after
  // platform.runtimeDone, so decouple holds it until the next INVOKE or SHUTDOWN.
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-t'), configDelivery: ConfigDelivery.BUNDLE }, {}, 'on-demand', 3, { editConfig: batchBeforeDecouple });
  assert.match(run.config, /- batch\n\s+- decouple/);
  const when = spanDeliveries(run);
  console.log(`# batch before decouple: each invoke's span left ${when.join(', ')} (${JSON.stringify(tally(when))})`);
  assert.ok(!when.includes('never'), `a span was lost: ${when.join(', ')}`);
  assert.notEqual(when[0], 'within its invoke', 'the first invoke\'s span left within its invoke: the harness cannot tell the two configurations apart');
});

/** The `telemetryapi` receiver (function records) added to a configuration's logs pipeline. */
function withTelemetryApi(yaml: string): string {
  const c = parse(yaml);
  c.receivers.telemetryapi = { types: ['function'] };
  c.service.pipelines.logs.receivers = [...c.service.pipelines.logs.receivers, 'telemetryapi'];
  return stringify(c);
}

/** AWS's rule the local Lambda enforces (telemetry-api-reference.html, Subscribe): the receiver subscribes with "2022-12-13". */
const MI_SCHEMA_REFUSED = /Lambda Managed Instances require schemaVersion 2025-01-29, got 2022-12-13/;

function assertInitFailsOnSchema(e: unknown): true {
  assert.ok(e instanceof LocalLambdaInitError, String(e));
  // Upstream's receiver crashes on its own Shutdown after the refused subscription (receiver.go:132-142 at faa4ca46).
  assert.match(e.reason, /extension collector exited during init/, e.message);
  assert.match(e.message, MI_SCHEMA_REFUSED);
  return true;
}

/** A collector layer of the user's own: the library keeps `lambdaTelemetry` for it on Managed Instances (its schema is the user's to know). */
const OWN_COLLECTOR = CollectorLayer.fromArn('arn:aws:lambda:eu-west-1:123456789012:layer:own-collector:1');

void test('Managed Instances with lambdaTelemetry through a collector layer of your own (the telemetryapi receiver kept): the subscription is refused and init fails; without lambdaTelemetry the same function delivers before SHUTDOWN', { timeout: 120_000 }, async () => {
  // What the library emitted for every Managed Instances function with lambdaTelemetry before
  // issue 27, run with a collector built from layer-collector/0.23.0 (or its stand-in).
  const p = prepare({ ingestionKey: IngestionKey.unsafePlainText('key-mi'), lambdaTelemetry: [TelemetryApiType.FUNCTION], collectorLayer: OWN_COLLECTOR },
    { capacityProvider: true });
  assert.match(p.config, /telemetryapi:/);
  await assert.rejects(runPrepared(p, {}, 'lambda-managed-instances', 1), assertInitFailsOnSchema);
  // Control, one change (no lambdaTelemetry): it initialises and delivers before SHUTDOWN.
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-mi'), collectorLayer: OWN_COLLECTOR }, {}, 'lambda-managed-instances', 2,
    { capacityProvider: true, beforeShutdown: idle(5_000, true) });
  assert.doesNotMatch(run.config, /telemetryapi/);
  assert.deepEqual(run.lambda.initErrors, []);
  const carried = carriedSpans(run);
  assert.equal(carried.length, 2, run.lambda.output);
  for (const c of carried) assert.ok(c.request.receivedAt < run.lambda.shutdownStartedAt!, `${c.name} arrived only after SHUTDOWN was sent`);
});

void test('Managed Instances: the aspect leaves the telemetryapi receiver out, with its warning, and the function delivers before SHUTDOWN; the receiver put back by hand fails init', { timeout: 120_000 }, async () => {
  const options: Partial<ClickStackOptions> = { ingestionKey: IngestionKey.unsafePlainText('key-mi'), lambdaTelemetry: [TelemetryApiType.FUNCTION] };
  const p = prepare(options, { capacityProvider: true, aspect: true });
  assert.ok(p.warnings.some(w => /telemetryApiDroppedOnManagedInstances/.test(w)), `no telemetryApiDroppedOnManagedInstances warning: ${JSON.stringify(p.warnings)}`);
  assert.doesNotMatch(p.config, /telemetryapi/);
  assert.doesNotMatch(p.config, /decouple/);
  const run = await runPrepared(p, {}, 'lambda-managed-instances', 3, { beforeShutdown: idle(5_000, true) });
  assert.deepEqual(run.lambda.initErrors, []);
  assert.deepEqual(run.lambda.subscriptions, [], 'a Telemetry API subscription was made');
  assert.deepEqual(run.lambda.registered, [{ name: 'collector', events: ['SHUTDOWN'] }]);
  const carried = carriedSpans(run);
  assert.equal(carried.length, 3, run.lambda.output);
  for (const c of carried) assert.ok(c.request.receivedAt < run.lambda.shutdownStartedAt!, `${c.name} arrived only after SHUTDOWN was sent`);
  assert.deepEqual(run.lambda.killedAtDeadline, [], 'the collector did not exit by itself after SHUTDOWN');
  // Negative control, one change: the receiver the aspect left out, put back into its configuration.
  const back = prepare(options, { capacityProvider: true, aspect: true, editConfig: withTelemetryApi });
  assert.match(back.config, /telemetryapi:/);
  await assert.rejects(runPrepared(back, {}, 'lambda-managed-instances', 1), assertInitFailsOnSchema);
});
