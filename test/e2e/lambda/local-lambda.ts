/**
 * A local Lambda for tests, on loopback only: the Runtime API, the Extensions API and the
 * Telemetry API on one HTTP server (AWS_LAMBDA_RUNTIME_API), the external extensions of
 * `<root>/opt/extensions/*` started first, then the runtime (`<root>/var/task/bootstrap`, under
 * AWS_LAMBDA_EXEC_WRAPPER when set). Two modes: on demand (extensions may register for INVOKE)
 * and Lambda Managed Instances (AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances: no INVOKE
 * event is ever sent). Not reproduced: freeze and thaw between invokes, real timings and limits,
 * IAM, VPC, the sandbox's file system (paths are moved under a temp root), concurrency.
 *
 * AWS's documented rules it enforces (each checked by test/e2e/local-lambda.e2e.test.ts):
 * - Extensions API register: `Lambda-Extension-Name` is the extension's full file name
 *   (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html, "Register":
 *   "Lambda-Extension-Name – The full file name of the extension"); anything else is refused.
 * - On Lambda Managed Instances there is no Invoke event for extensions: the environment is not
 *   frozen between invokes and runs them concurrently
 *   (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html);
 *   registering for INVOKE there is refused (upstream's lifecycle registers for SHUTDOWN only there
 *   for that reason: open-telemetry/opentelemetry-lambda@faa4ca46 collector/internal/lifecycle/manager.go:72-77).
 * - Telemetry API subscribe (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html,
 *   "Subscribe"): `schemaVersion` one of "2025-01-29", "2022-12-13", "2022-07-01", and "Lambda
 *   Managed Instances require 2025-01-29"; `buffering` maxItems 1,000-10,000 (default 10,000),
 *   maxBytes 262,144-1,048,576 (default 262,144), timeoutMs 25-30,000 (default 1,000); the
 *   destination is `http://sandbox.localdomain:<port>/...` (the listener binds sandbox.localdomain,
 *   https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html, "Creating a listener"). A
 *   request that breaks one gets 400 with the reason.
 * - Shutdown: Lambda sends the runtime SIGTERM, then SHUTDOWN to each external extension, and
 *   SIGKILLs what has not exited by the 2,000 ms limit
 *   (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html, "Shutdown phase").
 */
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { performance } from 'perf_hooks';

export type InitializationType = 'on-demand' | 'lambda-managed-instances';

export interface LocalLambdaOptions {
  /** The temp root holding `opt/` and `var/task/`. */
  readonly root: string;
  /** The function's environment (paths already under `root`). */
  readonly environment: Record<string, string>;
  readonly functionName?: string;
  readonly initializationType?: InitializationType;
  /** Function timeout for each invoke. @default 10 s */
  readonly timeoutMs?: number;
  /** How long extensions have to exit after SHUTDOWN. @default 2 s (Lambda's figure with external extensions) */
  readonly shutdownDeadlineMs?: number;
  /** How long init may take (extensions registered, runtime asking for work). @default 30 s */
  readonly initTimeoutMs?: number;
  /**
   * Record `LocalLambda.timeline`: when init began, each process was started, each extension
   * registered, subscribed and asked for its next event, the runtime asked for its next
   * invocation, each invoke began and got its answer, and SHUTDOWN began (the cold-start bench,
   * test/e2e/coldstart). Off, nothing is recorded.
   * @default false
   */
  readonly timeline?: boolean;
}

/** What `LocalLambda.timeline` records. */
export type TimelineMark =
  /** `start()` was called: Lambda's init phase begins. */
  | 'init.start'
  /** Just before a process was spawned (`who`: `extension <file>` or `runtime`). */
  | 'process.start'
  /** An extension's register request arrived (`who`: its name). */
  | 'extension.register'
  /** An extension's Telemetry API subscribe request arrived (`who`: its name). */
  | 'telemetry.subscribe'
  /** An extension asked for its next event (`who`: its name); its first one ends its init. */
  | 'extension.next'
  /** The runtime asked for its next invocation; its first one ends its init. */
  | 'runtime.next'
  /** `invoke()` began, before INVOKE went to the extensions (`requestId`). */
  | 'invoke.start'
  /** The runtime posted the invocation's response or error (`requestId`). */
  | 'invoke.response'
  /** SHUTDOWN is about to go to the extensions. */
  | 'shutdown.start';

/** One mark of the timeline; `at` is `performance.now()` in milliseconds, when the request arrived. */
export interface TimelineEntry { readonly at: number; readonly mark: TimelineMark; readonly who?: string; readonly requestId?: string }

export interface TelemetryEvent { readonly time: string; readonly type: string; readonly record: unknown }

interface Extension {
  readonly id: string;
  readonly name: string;
  readonly events: string[];
  queue: any[];
  waiting?: http.ServerResponse;
  /** Set once the extension has asked for its next event after the latest one sent. */
  idle: boolean;
}

interface Subscriber {
  readonly extensionId: string;
  readonly types: string[];
  readonly uri: string;
  readonly timeoutMs: number;
  readonly maxItems: number;
  queue: TelemetryEvent[];
  timer?: NodeJS.Timeout;
}

export interface InvokeResult {
  readonly requestId: string;
  readonly response: string;
  readonly error?: string;
  /** Date.now() when the invoke ended: every extension that got INVOKE had asked for its next event. */
  readonly endedAt?: number;
}

/** One Telemetry API subscribe request and what the local Lambda answered. */
export interface SubscribeRequest { readonly extension: string; readonly body: any; readonly status: number; readonly reason?: string }

/** Telemetry API rules (telemetry-api-reference.html, "Subscribe"). */
export const TELEMETRY_SCHEMA_VERSIONS = ['2025-01-29', '2022-12-13', '2022-07-01'];
export const MANAGED_INSTANCES_SCHEMA_VERSION = '2025-01-29';
export const BUFFERING = {
  maxItems: { min: 1_000, max: 10_000, default: 10_000 },
  maxBytes: { min: 262_144, max: 1_048_576, default: 262_144 },
  timeoutMs: { min: 25, max: 30_000, default: 1_000 },
} as const;

/** Why a subscribe request breaks AWS's rules, or undefined. */
export function subscribeRefusal(body: any, mode: InitializationType): string | undefined {
  const v = body?.schemaVersion;
  if (!TELEMETRY_SCHEMA_VERSIONS.includes(v)) return `schemaVersion ${JSON.stringify(v)} is not one of ${TELEMETRY_SCHEMA_VERSIONS.join(', ')}`;
  if (mode === 'lambda-managed-instances' && v !== MANAGED_INSTANCES_SCHEMA_VERSION) return `Lambda Managed Instances require schemaVersion ${MANAGED_INSTANCES_SCHEMA_VERSION}, got ${v}`;
  for (const [key, b] of Object.entries(BUFFERING)) {
    const x = body?.buffering?.[key];
    if (x !== undefined && (!Number.isInteger(x) || x < b.min || x > b.max)) return `buffering.${key} ${x} is outside ${b.min}-${b.max}`;
  }
  const uri = String(body?.destination?.URI ?? '');
  let host: string | undefined;
  try { host = new URL(uri).hostname; } catch { host = undefined; }
  if (host !== 'sandbox.localdomain') return `destination URI ${JSON.stringify(uri)}: the host must be sandbox.localdomain`;
  if (!Array.isArray(body?.types) || body.types.length === 0 || !body.types.every((t: unknown) => ['platform', 'function', 'extension'].includes(String(t)))) {
    return `types ${JSON.stringify(body?.types)}: one or more of platform, function, extension`;
  }
  return undefined;
}

/** Every process a LocalLambda started and that still runs: killed when the test process exits. */
const live = new Set<ChildProcess>();
const killLive = () => {
  for (const p of live) p.kill('SIGKILL');
};
process.on('exit', killLive);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLive();
    process.exit(1);
  });
}

function traceHeader(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`;
}

/** Init failed the way Lambda reports it (an extension's init error, a refused registration, an early exit). */
export class LocalLambdaInitError extends Error {
  constructor(public readonly reason: string, output: string) {
    super(`local lambda: init failed: ${reason}\n${output.slice(-4000)}`);
  }
}

export class LocalLambda {
  /** Everything the Telemetry API sent or would send, in order. */
  public readonly telemetry: TelemetryEvent[] = [];
  /** Output of the extensions and the runtime, for failure messages. */
  public output = '';
  public readonly initErrors: string[] = [];
  /** Date.now() when every extension had exited after SHUTDOWN (or had been killed). */
  public shutdownCompletedAt?: number;
  /** Date.now() when SHUTDOWN was sent to the extensions. */
  public shutdownStartedAt?: number;
  /** Extensions still running at the SHUTDOWN deadline, killed with SIGKILL (empty: all exited by themselves). */
  public readonly killedAtDeadline: string[] = [];
  /** Signals the runtime process got from the local Lambda, in order. */
  public readonly runtimeSignals: string[] = [];
  /** Every Telemetry API subscribe request, refused ones included. */
  public readonly subscriptions: SubscribeRequest[] = [];
  /** Every register request refused, with the reason. */
  public readonly refusedRegistrations: string[] = [];
  /** The marks of init, the invokes and shutdown, in order, when `timeline` is on (empty otherwise). */
  public readonly timeline: TimelineEntry[] = [];
  private readonly extensions = new Map<string, Extension>();
  private readonly subscribers: Subscriber[] = [];
  private readonly processes: ChildProcess[] = [];
  private server?: http.Server;
  private runtimeWaiting?: http.ServerResponse;
  private pending?: { id: string; payload: string; deadline: number; resolve: (r: InvokeResult) => void };
  private nextInvocation?: { id: string; payload: string; deadline: number };
  private changed: Array<() => void> = [];
  private runtimeReady = false;
  private extensionFiles = new Set<string>();
  private readonly mode: InitializationType;

  constructor(private readonly opts: LocalLambdaOptions) {
    this.mode = opts.initializationType ?? 'on-demand';
  }

  public get runtimeApi(): string {
    return `127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Start the APIs, the extensions, then the runtime; resolve when init is done. */
  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.route(req, res));
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.mark('init.start');
    this.emit('platform.initStart', { initializationType: this.mode, phase: 'init', runtimeVersion: 'e2e', functionName: this.functionName, functionVersion: '$LATEST' });
    const extDir = path.join(this.opts.root, 'opt', 'extensions');
    const extensionFiles = fs.existsSync(extDir) ? fs.readdirSync(extDir).sort() : [];
    this.extensionFiles = new Set(extensionFiles);
    for (const f of extensionFiles) this.startProcess(`extension ${f}`, path.join(extDir, f), [], 'extension');
    const initDeadline = Date.now() + (this.opts.initTimeoutMs ?? 30_000);
    // Init fails at once when an extension reports an init error, is refused registration, or
    // exits before it asked for its first event (Lambda then reports the init error and resets the
    // environment: lambda-runtime-environment.html, "Failures during the Init phase").
    const failed = () => {
      const exited = this.processes.filter(p => (p as any).kind === 'extension' && (p.exitCode !== null || p.signalCode !== null));
      const why = [...this.initErrors.map(e => `init error ${e}`), ...this.refusedRegistrations.map(r => `registration refused: ${r}`), ...exited.map(p => `${(p as any).label} exited during init`)];
      return why.length > 0 ? why.join('; ') : undefined;
    };
    const initUntil = async (cond: () => boolean, what: () => string) => {
      await this.until(() => cond() || failed() !== undefined, initDeadline, what);
      const why = failed();
      if (why !== undefined) throw new LocalLambdaInitError(why, this.output);
    };
    await initUntil(() => this.extensions.size === extensionFiles.length, () => `${extensionFiles.length} extensions to register (${this.extensions.size} did)`);
    // Extensions finish their init by asking for their first event.
    await initUntil(() => [...this.extensions.values()].every(e => e.idle), () => 'the extensions to finish init (first /event/next)');
    const task = path.join(this.opts.root, 'var', 'task');
    const bootstrap = path.join(task, 'bootstrap');
    const wrapper = this.opts.environment.AWS_LAMBDA_EXEC_WRAPPER;
    if (wrapper) this.startProcess('runtime', wrapper, [bootstrap], 'function');
    else this.startProcess('runtime', bootstrap, [], 'function');
    await initUntil(() => this.runtimeReady, () => 'the runtime to ask for its first invocation');
    this.emit('platform.initRuntimeDone', { initializationType: this.mode, phase: 'init', status: 'success' });
  }

  /** One invocation: INVOKE to the extensions that asked for it (on demand only), then the runtime. */
  public async invoke(payload: unknown): Promise<InvokeResult> {
    const id = randomUUID();
    const deadline = Date.now() + (this.opts.timeoutMs ?? 10_000);
    const result = new Promise<InvokeResult>(resolve => { this.pending = { id, payload: JSON.stringify(payload), deadline, resolve }; });
    this.mark('invoke.start', { requestId: id });
    this.emit('platform.start', { requestId: id, version: '$LATEST' });
    if (this.mode === 'on-demand') {
      for (const ext of this.extensions.values()) {
        if (ext.events.includes('INVOKE')) this.send(ext, { eventType: 'INVOKE', deadlineMs: deadline, requestId: id, invokedFunctionArn: this.functionArn, tracing: { type: 'X-Amzn-Trace-Id', value: '' } });
      }
    }
    this.nextInvocation = { id, payload: JSON.stringify(payload), deadline };
    this.dispatchInvocation();
    const timeout = new Promise<InvokeResult>(resolve => setTimeout(() => resolve({ requestId: id, response: '', error: 'Task timed out' }), deadline - Date.now() + 100).unref());
    const r = await Promise.race([result, timeout]);
    this.pending = undefined;
    this.emit('platform.runtimeDone', { requestId: id, status: r.error ? 'error' : 'success', metrics: { durationMs: 1, producedBytes: r.response.length } });
    // The invoke ends when every extension that got INVOKE asks for its next event.
    await this.until(() => [...this.extensions.values()].every(e => e.idle), deadline + 2_000, () => 'the extensions to finish the invoke (/event/next)');
    const endedAt = Date.now();
    this.emit('platform.report', { requestId: id, status: r.error ? 'error' : 'success', metrics: { durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 1 } });
    return { ...r, endedAt };
  }

  /**
   * The Shutdown phase: SIGTERM to the runtime, SHUTDOWN to every extension registered for it, then
   * wait for the extensions to exit until the deadline; what still runs then is killed (and listed
   * in `killedAtDeadline`). Then the APIs stop.
   */
  public async shutdown(): Promise<void> {
    await this.flushTelemetry();
    const deadline = Date.now() + (this.opts.shutdownDeadlineMs ?? 2_000);
    for (const p of this.processes.filter(x => (x as any).kind === 'function')) {
      if (p.exitCode === null && p.signalCode === null) { this.runtimeSignals.push('SIGTERM'); p.kill('SIGTERM'); }
    }
    this.shutdownStartedAt = Date.now();
    this.mark('shutdown.start');
    for (const ext of this.extensions.values()) {
      if (ext.events.includes('SHUTDOWN')) this.send(ext, { eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: deadline });
    }
    const extensionProcs = this.processes.filter(p => (p as any).kind === 'extension');
    const running = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
    await this.until(() => !extensionProcs.some(running), deadline, () => 'the extensions to exit after SHUTDOWN').catch(e => {
      this.output += `\n[local-lambda] ${e.message}; killing them\n`;
      for (const p of extensionProcs.filter(running)) this.killedAtDeadline.push(String((p as any).label));
    });
    this.shutdownCompletedAt = Date.now();
    await this.close();
  }

  /** Kill every process and stop the server (idempotent; also for failed tests). */
  public async close(): Promise<void> {
    for (const p of this.processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const s of this.subscribers) clearTimeout(s.timer);
    if (this.runtimeWaiting && !this.runtimeWaiting.writableEnded) this.runtimeWaiting.destroy();
    for (const e of this.extensions.values()) e.waiting?.destroy();
    if (this.server) {
      this.server.closeAllConnections?.();
      await new Promise<void>(resolve => this.server!.close(() => resolve()));
      this.server = undefined;
    }
  }

  public get registered(): Array<{ name: string; events: string[] }> {
    return [...this.extensions.values()].map(e => ({ name: e.name, events: e.events }));
  }

  private get functionName(): string { return this.opts.functionName ?? 'e2e-function'; }
  private get functionArn(): string { return `arn:aws:lambda:eu-west-1:123456789012:function:${this.functionName}`; }

  private baseEnv(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...this.opts.environment,
      AWS_LAMBDA_RUNTIME_API: this.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: this.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_INITIALIZATION_TYPE: this.mode,
      LAMBDA_TASK_ROOT: path.join(this.opts.root, 'var', 'task'),
      _HANDLER: this.opts.environment._HANDLER ?? 'bootstrap',
    };
  }

  private mark(mark: TimelineMark, detail: { who?: string; requestId?: string; at?: number } = {}): void {
    if (!this.opts.timeline) return;
    const { at, who, requestId } = detail;
    const entry: TimelineEntry = { at: at ?? performance.now(), mark, ...(who !== undefined ? { who } : {}) };
    this.timeline.push(requestId !== undefined ? { ...entry, requestId } : entry);
  }

  private startProcess(label: string, file: string, args: string[], logType: 'extension' | 'function'): void {
    this.mark('process.start', { who: label });
    const child = spawn(file, args, { cwd: path.join(this.opts.root, 'var', 'task'), env: this.baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    (child as any).kind = logType;
    (child as any).label = label;
    this.processes.push(child);
    live.add(child);
    const onLine = (line: string) => {
      this.output += `[${label}] ${line}\n`;
      this.emit(logType, line);
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buf = '';
      stream.on('data', d => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
      });
      stream.on('end', () => { if (buf) onLine(buf); });
    }
    child.on('error', e => { this.output += `[${label}] failed to start: ${e.message}\n`; });
    child.on('exit', (code, signal) => {
      live.delete(child);
      this.output += `[${label}] exited ${code ?? signal}\n`;
      this.notify();
    });
  }

  private emit(type: string, record: unknown): void {
    const ev = { time: new Date().toISOString(), type, record };
    this.telemetry.push(ev);
    for (const s of this.subscribers) if (this.subscribed(s, type)) this.enqueue(s, ev);
  }

  private subscribed(s: Subscriber, type: string): boolean {
    return s.types.some(t => type === t || type.startsWith(`${t}.`));
  }

  /** Buffered per the subscription: a batch leaves after `timeoutMs`, or at once at `maxItems`. */
  private enqueue(s: Subscriber, ev: TelemetryEvent): void {
    s.queue.push(ev);
    if (s.queue.length >= s.maxItems) {
      clearTimeout(s.timer); s.timer = undefined;
      void this.deliver(s);
      return;
    }
    s.timer ??= setTimeout(() => { s.timer = undefined; void this.deliver(s); }, s.timeoutMs);
  }

  private async deliver(s: Subscriber): Promise<void> {
    const batch = s.queue.splice(0);
    if (batch.length === 0) return;
    try {
      const res = await fetch(s.uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch), signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
    } catch (e) {
      this.output += `[local-lambda] telemetry delivery to ${s.uri} failed: ${(e as Error).message}\n`;
    }
  }

  private async flushTelemetry(): Promise<void> {
    await Promise.all(this.subscribers.map(s => { clearTimeout(s.timer); s.timer = undefined; return this.deliver(s); }));
  }

  private send(ext: Extension, event: any): void {
    ext.queue.push(event);
    ext.idle = false;
    this.flushExtension(ext);
  }

  private flushExtension(ext: Extension): void {
    if (ext.waiting && ext.queue.length > 0) {
      const res = ext.waiting; ext.waiting = undefined;
      const event = ext.queue.shift();
      res.writeHead(200, { 'content-type': 'application/json', 'Lambda-Extension-Event-Identifier': randomUUID() }).end(JSON.stringify(event));
    }
  }

  private dispatchInvocation(): void {
    if (this.runtimeWaiting && this.nextInvocation) {
      const inv = this.nextInvocation; this.nextInvocation = undefined;
      const res = this.runtimeWaiting; this.runtimeWaiting = undefined;
      res.writeHead(200, {
        'content-type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': inv.id,
        'Lambda-Runtime-Deadline-Ms': String(inv.deadline),
        'Lambda-Runtime-Invoked-Function-Arn': this.functionArn,
        'Lambda-Runtime-Trace-Id': traceHeader(),
      }).end(inv.payload);
    }
  }

  private notify(): void {
    const c = this.changed; this.changed = [];
    c.forEach(f => f());
  }

  private async until(cond: () => boolean, deadline: number, what: () => string): Promise<void> {
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`local lambda: timed out waiting for ${what()}\n${this.output.slice(-4000)}`);
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.changed.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    // The timeline's marks carry when the request arrived, not when its body was read.
    const at = this.opts.timeline ? performance.now() : 0;
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      const id = String(req.headers['lambda-extension-identifier'] ?? '');
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
      try {
        if (req.method === 'POST' && url === '/2020-01-01/extension/register') {
          const name = String(req.headers['lambda-extension-name'] ?? '');
          const events: string[] = JSON.parse(body || '{}').events ?? [];
          const refuse = (errorType: string, errorMessage: string) => {
            this.refusedRegistrations.push(`${name}: ${errorMessage}`);
            return json(400, { errorType, errorMessage });
          };
          if (!name) return refuse('Extension.InvalidName', 'Lambda-Extension-Name is missing');
          // runtimes-extensions-api.html, Register: the header is the extension's full file name.
          if (!this.extensionFiles.has(name)) return refuse('Extension.InvalidName', `Lambda-Extension-Name ${JSON.stringify(name)} is not the file name of an extension in /opt/extensions (${[...this.extensionFiles].join(', ')})`);
          if ([...this.extensions.values()].some(e => e.name === name)) return refuse('Extension.AlreadyRegistered', `${name} is already registered`);
          const unknown = events.filter(e => e !== 'INVOKE' && e !== 'SHUTDOWN');
          if (unknown.length > 0) return refuse('Extension.InvalidEventType', `unknown events ${unknown.join(', ')}`);
          // lambda-managed-instances-execution-environment.html: no Invoke event for extensions there.
          if (this.mode === 'lambda-managed-instances' && events.includes('INVOKE')) return refuse('Extension.InvalidEventType', 'Lambda Managed Instances send extensions no INVOKE event: register for SHUTDOWN only');
          const ext: Extension = { id: randomUUID(), name, events, queue: [], idle: false };
          this.mark('extension.register', { who: name, at });
          this.extensions.set(ext.id, ext);
          this.notify();
          return json(200, { functionName: this.functionName, functionVersion: '$LATEST', handler: this.baseEnv()._HANDLER, accountId: '123456789012' }, { 'Lambda-Extension-Identifier': ext.id });
        }
        if (req.method === 'GET' && url === '/2020-01-01/extension/event/next') {
          const ext = this.extensions.get(id);
          if (!ext) return json(403, { errorType: 'Extension.Unknown', errorMessage: `unknown extension id ${id}` });
          this.mark('extension.next', { who: ext.name, at });
          ext.waiting = res; ext.idle = ext.queue.length === 0;
          this.notify();
          this.flushExtension(ext);
          return;
        }
        if (req.method === 'POST' && /^\/2020-01-01\/extension\/(init|exit)\/error$/.test(url)) {
          this.initErrors.push(`${this.extensions.get(id)?.name ?? id}: ${req.headers['lambda-extension-function-error-type'] ?? ''} ${body}`);
          return json(202, { status: 'OK' });
        }
        if (req.method === 'PUT' && url === '/2022-07-01/telemetry') {
          if (!this.extensions.has(id)) return json(403, { errorType: 'Extension.Unknown', errorMessage: `unknown extension id ${id}` });
          const sub = JSON.parse(body);
          const extension = this.extensions.get(id)!.name;
          this.mark('telemetry.subscribe', { who: extension, at });
          const reason = subscribeRefusal(sub, this.mode);
          this.subscriptions.push({ extension, body: sub, status: reason ? 400 : 200, reason });
          if (reason) return json(400, { errorType: 'ValidationError', errorMessage: reason });
          // sandbox.localdomain resolves to loopback here (/etc/hosts; test/e2e/README.md).
          const s: Subscriber = {
            extensionId: id,
            types: sub.types,
            uri: String(sub.destination.URI),
            queue: [],
            timeoutMs: sub.buffering?.timeoutMs ?? BUFFERING.timeoutMs.default,
            maxItems: sub.buffering?.maxItems ?? BUFFERING.maxItems.default,
          };
          this.subscribers.push(s);
          // Lambda delivers what happened since init started to a subscriber of the init phase.
          for (const ev of this.telemetry) if (this.subscribed(s, ev.type)) this.enqueue(s, ev);
          return res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        }
        if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
          this.mark('runtime.next', { at });
          this.runtimeReady = true;
          this.runtimeWaiting = res;
          this.notify();
          this.dispatchInvocation();
          return;
        }
        const done = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
        if (req.method === 'POST' && done) {
          this.mark('invoke.response', { requestId: done[1], at });
          if (this.pending?.id === done[1]) this.pending.resolve({ requestId: done[1], response: done[2] === 'response' ? body : '', error: done[2] === 'error' ? body : undefined });
          return json(202, { status: 'OK' });
        }
        if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
          this.initErrors.push(`runtime: ${body}`);
          return json(202, { status: 'OK' });
        }
        return json(404, { errorType: 'NotFound', errorMessage: `${req.method} ${url}` });
      } catch (e) {
        return json(500, { errorType: 'LocalLambda', errorMessage: (e as Error).message });
      }
    });
  }
}
