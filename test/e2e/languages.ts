/**
 * Shared steps of the language e2e tests (*.languages.e2e.test.ts): synthesize one function with
 * the library, take its environment and collector config from the template and cdk.out, lay out
 * `/var/task` and `/opt` with the language runtime of test/e2e/runtimes standing in for the
 * language layer (its ARN cannot be downloaded), run a cold and warm invokes in the local Lambda
 * with the real collector, and read back what the ClickStack stand-in received.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { collectorBinary } from './harness';
import { ClickStackInstrumentation, ClickStackOptions } from '../../src';
import { FunctionLayout, functionLayouts, layOut } from './lambda/layout';
import { InvokeResult, LocalLambda } from './lambda/local-lambda';
import { javaRuntime, nodejsRuntime, pythonRuntime } from './runtimes/setup';
import { Attributes, attributes, OtlpSink } from './sink';
import { deliveryOf, Delivery, InvokeWindow } from './timing';

export const FUNCTION_NAME = 'e2e-fn';

export interface Synthesized { readonly dir: string; readonly layout: FunctionLayout }

/**
 * One function of `runtime` with `code`, instrumented with `options` (endpoint: the sink), or
 * left uninstrumented with `false` (the cold-start bench's baseline).
 */
export function synthesize(
  sinkUrl: string, runtime: lambda.Runtime, handler: string, code: string, options: Partial<ClickStackOptions> | false,
): Synthesized {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-lang-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'E2eLang', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', { runtime, handler, code: lambda.Code.fromAsset(code) });
  if (options !== false) new ClickStackInstrumentation(stack, 'Otel', { endpoint: sinkUrl, ...options, functions: [fn] });
  app.synth();
  const [layout] = functionLayouts(path.join(dir, 'cdk.out'), `${stack.artifactId}.template.json`);
  return { dir, layout };
}

export interface LanguageRuntime {
  /** Directories merged into /opt in place of the language layer ARN (after the function's local layers). */
  readonly optDirs: string[];
  /** Symlinks to make under /opt (relative path -> target), e.g. a node_modules folder. */
  readonly optLinks?: Record<string, string>;
  /** The runtime's bootstrap (what Lambda's /var/runtime/bootstrap does), given the laid-out root. */
  readonly bootstrap: (root: string) => string;
  /** Variables the Lambda runtime itself sets (AWS_EXECUTION_ENV, ...). */
  readonly runtimeEnv: Record<string, string>;
  /**
   * What an uninstrumented function of this runtime needs that the layer's wrapper gives the
   * instrumented one: the runtime's own path, the function's copy of the OpenTelemetry API (a
   * user's bundle carries it).
   * @default none
   */
  readonly uninstrumentedEnv?: Record<string, string>;
}

export const PROVIDED_CODE = path.join(__dirname, 'fixtures', 'provided');
export const NODEJS_CODE = path.join(__dirname, 'runtimes', 'nodejs', 'function');
export const PYTHON_CODE = path.join(__dirname, 'runtimes', 'python', 'function');

/** provided.al2023: the function is its own bootstrap (test/e2e/fixtures/provided, a Node.js script). */
export function providedLanguage(): LanguageRuntime {
  const bootstrap = fs.readFileSync(path.join(PROVIDED_CODE, 'bootstrap'), 'utf8');
  return { optDirs: [], bootstrap: () => bootstrap, runtimeEnv: {} };
}

/** nodejs20.x: the Node.js layer's packages and our loader (runtimes/nodejs), aws-lambda-ric. */
export function nodejsLanguage(): LanguageRuntime {
  const rt = nodejsRuntime();
  return {
    optDirs: [rt.layerDir],
    optLinks: { node_modules: rt.nodeModules },
    // Lambda's nodejs bootstrap starts its runtime interface client with the handler name.
    bootstrap: () => `#!/bin/sh\nexec "${process.execPath}" "${rt.ric}" "$_HANDLER"\n`,
    runtimeEnv: {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      // The function's own @opentelemetry/api (a user's bundle carries one).
      NODE_PATH: rt.nodeModules,
    },
  };
}

/** python3.11: the Python layer's packages at /opt/python (links into the cache) with our otel_wrapper.py, awslambdaric. */
export function pythonLanguage(): LanguageRuntime {
  const rt = pythonRuntime();
  const optLinks: Record<string, string> = {};
  for (const f of fs.readdirSync(rt.layerPackages)) optLinks[`python/${f}`] = path.join(rt.layerPackages, f);
  return {
    optDirs: [rt.layerDir],
    optLinks,
    // Lambda's python bootstrap starts its runtime interface client with _HANDLER (which the
    // exec wrapper has changed by then).
    bootstrap: () => `#!/bin/sh\nexec "${rt.python}" -m awslambdaric "$_HANDLER"\n`,
    runtimeEnv: { AWS_EXECUTION_ENV: 'AWS_Lambda_python3.11', LAMBDA_RUNTIME_DIR: rt.runtimeDir, E2E_PYTHON: rt.python, PYTHONDONTWRITEBYTECODE: '1' },
    // The runtime interface client (Lambda's /var/runtime), and the OpenTelemetry API the
    // function imports (from the layer's packages: only `opentelemetry-instrument` loads the SDK).
    uninstrumentedEnv: { PYTHONPATH: `${rt.runtimeDir}:${rt.layerPackages}` },
  };
}

/**
 * java17: the Java agent layer's agent jar (unmodified) and our otel-handler (runtimes/java), the
 * Java runtime interface client; `functionCode` is the compiled handler with its lib/.
 */
export function javaAgentLanguage(): LanguageRuntime & { readonly functionCode: string } {
  const rt = javaRuntime();
  return {
    functionCode: rt.functionCode,
    optDirs: [rt.agentLayerDir],
    optLinks: { 'opentelemetry-javaagent.jar': rt.agentJar },
    // Lambda's java bootstrap starts the runtime interface client with the handler name. "For
    // Java 17 and Java 21, Lambda configures the JVM to stop tiered compilation at level 1 by
    // default" (https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html, "Customizing
    // tiered compilation settings"); Java 17's collector is the serial one there too (same page).
    bootstrap: () => `#!/bin/sh\nexec ${rt.java} -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "${rt.runtimeLib}/*" com.amazonaws.services.lambda.runtime.api.client.AWSLambda "$_HANDLER"\n`,
    runtimeEnv: { AWS_EXECUTION_ENV: 'AWS_Lambda_java17' },
  };
}

export interface RunOptions {
  /** Events, the first one cold. */
  readonly events: unknown[];
  /** Change the synthesized environment before the run (negative controls). */
  readonly envOverride?: Record<string, string>;
  /** Wait for this at the sink before SHUTDOWN (data the SDK sends on its own schedule). */
  readonly waitBeforeShutdown?: (sink: OtlpSink, requestIds: string[]) => boolean;
  /** Leave the environment idle this long after the invokes, before SHUTDOWN (the SDK's timers run). */
  readonly idleBeforeShutdownMs?: number;
  /** Leave the environment idle this long between two invokes. @default 0 */
  readonly idleBetweenInvokesMs?: number;
  /** Change the synthesized collector configuration before the run (negative controls, measurements). */
  readonly editConfig?: (yaml: string) => string;
  readonly timeoutMs?: number;
  /** How long init may take. @default 60 s */
  readonly initTimeoutMs?: number;
  /** The collector binary, linked as the extension `collector`. @default the collector under test (harness.ts) */
  readonly collector?: string;
  /** Record the local Lambda's timeline (`LocalLambda.timeline`). @default false */
  readonly timeline?: boolean;
}

export interface Run {
  readonly lambda: LocalLambda;
  readonly results: InvokeResult[];
  readonly start: number;
  /** Milliseconds: init (extensions and runtime ready), then each invoke. */
  readonly initMs: number;
  readonly invokeMs: number[];
  /** Each invoke's window, for when its data left (timing.ts). */
  readonly windows: InvokeWindow[];
  readonly environment: Record<string, string>;
  /** The collector configuration ('' for an uninstrumented function). */
  readonly config: string;
  /** The laid-out `/opt` and `/var/task` (under the synthesized folder). */
  readonly root: string;
}

/**
 * Lay out the synthesized function with `rt`, run init, the invokes and SHUTDOWN. An
 * uninstrumented function (no `OPENTELEMETRY_COLLECTOR_CONFIG_URI`) gets neither the language
 * layer nor the collector, and `rt.uninstrumentedEnv`. Each run lays out a fresh root.
 */
export async function runFunction(s: Synthesized, rt: LanguageRuntime, opts: RunOptions, sink: OtlpSink): Promise<Run> {
  const root = fs.mkdtempSync(path.join(s.dir, 'root-'));
  const instrumented = s.layout.environment.OPENTELEMETRY_COLLECTOR_CONFIG_URI !== undefined;
  // The language layer (an ARN) is replaced by the runtime assembled from the registries; the
  // collector layer (an ARN) by the collector binary as an extension.
  const local = { ...s.layout, layers: s.layout.layers.filter(l => 'dir' in l) };
  const env = layOut(local, root, instrumented ? { collector: opts.collector ?? collectorBinary() } : {});
  const opt = path.join(root, 'opt');
  for (const d of instrumented ? rt.optDirs : []) fs.cpSync(d, opt, { recursive: true, dereference: true });
  for (const [name, target] of Object.entries(instrumented ? rt.optLinks ?? {} : {})) {
    fs.mkdirSync(path.dirname(path.join(opt, name)), { recursive: true });
    fs.symlinkSync(target, path.join(opt, name));
  }
  const bootstrap = path.join(root, 'var', 'task', 'bootstrap');
  fs.writeFileSync(bootstrap, rt.bootstrap(root), { mode: 0o755 });
  // Lambda sets LANG=en_US.UTF-8 for every runtime; this machine has C.UTF-8 only. Without a UTF-8
  // locale the JVM reads non-ASCII environment values as U+FFFD.
  const environment: Record<string, string> = {
    LANG: 'C.UTF-8', ...env, ...rt.runtimeEnv, ...(instrumented ? {} : rt.uninstrumentedEnv ?? {}), _HANDLER: s.layout.handler ?? '', ...(opts.envOverride ?? {}),
  };
  for (const [k, v] of Object.entries(environment)) if (/^\/(opt|var\/task)\//.test(v)) environment[k] = path.join(root, v);
  const uri = environment.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
  let config = uri === undefined ? '' : uri.startsWith('env:') ? environment[uri.slice(4)] : fs.readFileSync(uri, 'utf8');
  if (opts.editConfig && uri !== undefined) {
    config = opts.editConfig(config);
    if (uri.startsWith('env:')) environment[uri.slice(4)] = config;
    else fs.writeFileSync(uri, config);
  }
  const lam = new LocalLambda({
    root,
    environment,
    functionName: FUNCTION_NAME,
    timeoutMs: opts.timeoutMs ?? 20_000,
    initTimeoutMs: opts.initTimeoutMs ?? 60_000,
    timeline: opts.timeline,
  });
  const start = Date.now();
  const results: InvokeResult[] = [];
  const invokeMs: number[] = [];
  const windows: InvokeWindow[] = [];
  let initMs = 0;
  try {
    // A runtime that exits during init fails the run at once (Lambda would report Runtime.ExitError).
    let initDone = false;
    const exited = new Promise<never>((_resolve, reject) => {
      const poll = () => {
        if (initDone) return;
        if (/\[runtime\] exited/.test(lam.output)) reject(new Error(`the runtime exited during init\n${lam.output.slice(-6000)}`));
        else setTimeout(poll, 100);
      };
      poll();
    });
    await Promise.race([lam.start(), exited]).finally(() => { initDone = true; });
    initMs = Date.now() - start;
    for (const [i, event] of opts.events.entries()) {
      if (i > 0 && opts.idleBetweenInvokesMs) await new Promise(r => setTimeout(r, opts.idleBetweenInvokesMs));
      const t0 = Date.now();
      const r = await lam.invoke(event);
      invokeMs.push(Date.now() - t0);
      windows.push({ requestId: r.requestId, start: t0, end: r.endedAt ?? Date.now() });
      assert.equal(r.error, undefined, `invoke failed: ${r.error}\n${lam.output.slice(-6000)}`);
      results.push(r);
    }
    if (opts.idleBeforeShutdownMs) await new Promise(r => setTimeout(r, opts.idleBeforeShutdownMs));
    if (opts.waitBeforeShutdown) {
      const ids = results.map(r => r.requestId);
      await sink.waitFor(k => opts.waitBeforeShutdown!(k, ids), 15_000, 'data sent on the SDK\'s schedule').catch(e => {
        throw new Error(`${(e as Error).message}\n${lam.output.slice(-6000)}`);
      });
    }
    await lam.shutdown();
  } finally {
    await lam.close();
  }
  return { lambda: lam, results, start, initMs, invokeMs, windows, environment, config, root };
}

/** A span with what the sink's DecodedSpan leaves out (kind, ids, parent). */
export interface FullSpan {
  readonly resource: Attributes;
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly attributes: Attributes;
  readonly scope: string;
}

export const SPAN_KIND_SERVER = 2;

export function fullSpans(sink: OtlpSink, since: number): FullSpan[] {
  return sink.of('traces').filter(r => r.receivedAt >= since).flatMap(r => (r.body.resourceSpans ?? []).flatMap((rs: any) =>
    (rs.scopeSpans ?? []).flatMap((ss: any) => (ss.spans ?? []).map((sp: any) => ({
      resource: attributes(rs.resource?.attributes),
      name: sp.name,
      kind: sp.kind,
      traceId: sp.traceId,
      spanId: sp.spanId,
      parentSpanId: sp.parentSpanId ?? '',
      attributes: attributes(sp.attributes),
      scope: ss.scope?.name ?? '',
    })))));
}

/** Percent-decoding is what the test checks, so the values carry every character that needs it. */
export const RESOURCE_ATTRIBUTES: Record<string, string> = {
  'team.name': 'payments,eu=west',
  'cost.center': '50% off=yes',
  'owner.name': 'José Müller ✓',
};

export function requestsSince(sink: OtlpSink, since: number) {
  return sink.requests.filter(r => r.receivedAt >= since);
}

/** A W3C traceparent with fresh ids, sampled. */
export function traceparent(): { header: string; traceId: string; spanId: string } {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const traceId = hex(32);
  const spanId = hex(16);
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The log records a request carried, as sent (attributes a list of key and value). */
function logRecordsOf(r: { body: any }): any[] {
  return (r.body.resourceLogs ?? []).flatMap((rl: any) => (rl.scopeLogs ?? []).flatMap((sl: any) => sl.logRecords ?? []));
}

/** A Telemetry API `function` record (the telemetryapi receiver gives it the attribute type=function). */
function isFunctionRecord(l: any): boolean {
  return (l.attributes ?? []).some((a: any) => a.key === 'type' && a.value?.stringValue === 'function');
}

/**
 * When the log record of each invoke of `run` left (timing.ts): the SDK's record (`sdk`, whose body
 * names the invoke's request id) or the Telemetry API `function` record of the line the handler
 * printed (`function`, which the runtime prefixes with the request id).
 */
export function logDeliveries(sink: OtlpSink, run: Run, source: 'sdk' | 'function'): Delivery[] {
  const requests = requestsSince(sink, run.start).filter(r => r.signal === 'logs');
  return run.windows.map((w, i) => {
    const carrier = requests.find(r => logRecordsOf(r).some(l => isFunctionRecord(l) === (source === 'function') && JSON.stringify(l.body ?? '').includes(w.requestId)));
    return deliveryOf(run.windows, run.lambda.shutdownStartedAt, i, carrier?.receivedAt);
  });
}

/** When the SERVER span of each invoke of `run` left. */
export function spanDeliveries(sink: OtlpSink, run: Run): Delivery[] {
  const requests = requestsSince(sink, run.start).filter(r => r.signal === 'traces');
  return run.windows.map((w, i) => {
    // The span's faas.invocation_id is the request id.
    const carrier = requests.find(r => JSON.stringify(r.body).includes(`"${w.requestId}"`));
    return deliveryOf(run.windows, run.lambda.shutdownStartedAt, i, carrier?.receivedAt);
  });
}

/** Where data that was not lost left, after its invoke began. */
export const NOT_LOST: Delivery[] = ['within its invoke', 'during a later invoke', 'between invokes', 'at SHUTDOWN'];

/** Every one of three invokes' data within its invoke. */
export const WITHIN_EACH: Delivery[] = ['within its invoke', 'within its invoke', 'within its invoke'];

/**
 * Three invokes (`gapMs` apart), then SHUTDOWN at once: when each invoke's log record (`source`)
 * and SERVER span left. `flushLogs`: the handler flushes its logger provider before returning.
 */
export async function logTiming(s: Synthesized, rt: LanguageRuntime, sink: OtlpSink, source: 'sdk' | 'function', opts: { gapMs?: number; flushLogs?: boolean } = {}) {
  const events = ['t0', 't1', 't2'].map(marker => ({ marker, ...(opts.flushLogs ? { flushLogs: true } : {}) }));
  const run = await runFunction(s, rt, { events, idleBetweenInvokesMs: opts.gapMs }, sink);
  return { run, logs: logDeliveries(sink, run, source), spans: spanDeliveries(sink, run) };
}
