/**
 * What one run of the local Lambda spent where, read from its timeline (`LocalLambda` with
 * `timeline: true`): each extension's init (process start → register → first /event/next), the
 * runtime's init (process start → first /invocation/next), the whole init, and per invoke the
 * time to the runtime's response and to the end of the invoke (every extension that got INVOKE
 * asked for its next event: what Lambda waits for before it freezes the environment and bills).
 */
import { TimelineEntry } from '../lambda/local-lambda';

export interface ExtensionInit {
  /** Process start to its register request (the binary loading, the Go runtime starting). */
  readonly startToRegister: number;
  /** Register to its first /event/next (for the collector: subscribing, loading the config, starting every component). */
  readonly registerToReady: number;
  /** Process start to its first /event/next. */
  readonly total: number;
}

export interface InvokePhases {
  readonly requestId: string;
  /** Invoke start to the runtime's response. */
  readonly response: number;
  /** Invoke start to the end of the invoke: the last extension's next /event/next, or the response without extensions. */
  readonly end: number;
}

export interface Phases {
  /** Per extension name. */
  readonly extensions: Record<string, ExtensionInit>;
  /** Runtime process start (the exec wrapper's, when there is one) to its first /invocation/next. */
  readonly runtimeInit: number;
  /** `init.start` to the runtime's first /invocation/next: extensions and runtime, as Lambda's Init Duration. */
  readonly init: number;
  /** Every invoke, in order; the first is the cold one. */
  readonly invokes: InvokePhases[];
}

function first(timeline: TimelineEntry[], pred: (e: TimelineEntry) => boolean, what: string): TimelineEntry {
  const e = timeline.find(pred);
  if (!e) throw new Error(`timeline: no ${what} (marks: ${timeline.map(m => m.mark).join(', ')})`);
  return e;
}

/** The phases of one run; throws when a mark it needs is missing (the timeline was off, or init failed). */
export function phases(timeline: TimelineEntry[]): Phases {
  const initStart = first(timeline, e => e.mark === 'init.start', 'init.start');
  const extensions: Record<string, ExtensionInit> = {};
  for (const reg of timeline.filter(e => e.mark === 'extension.register')) {
    const name = reg.who!;
    const started = first(timeline, e => e.mark === 'process.start' && e.who === `extension ${name}`, `process.start of extension ${name}`);
    const ready = first(timeline, e => e.mark === 'extension.next' && e.who === name, `first extension.next of ${name}`);
    extensions[name] = { startToRegister: reg.at - started.at, registerToReady: ready.at - reg.at, total: ready.at - started.at };
  }
  const runtimeStart = first(timeline, e => e.mark === 'process.start' && e.who === 'runtime', 'process.start of the runtime');
  const runtimeReady = first(timeline, e => e.mark === 'runtime.next', 'runtime.next');
  const invokeStarts = timeline.filter(e => e.mark === 'invoke.start');
  const shutdown = timeline.find(e => e.mark === 'shutdown.start');
  const invokes = invokeStarts.map((start, i) => {
    const id = start.requestId!;
    const response = first(timeline, e => e.mark === 'invoke.response' && e.requestId === id, `invoke.response of ${id}`);
    // The invoke's window ends where the next invoke (or SHUTDOWN) begins: an extension's
    // /event/next inside it is the one that ends this invoke for that extension.
    const until = invokeStarts[i + 1]?.at ?? shutdown?.at ?? Infinity;
    let end = response.at;
    for (const name of Object.keys(extensions)) {
      const next = timeline.find(e => e.mark === 'extension.next' && e.who === name && e.at >= start.at && e.at < until);
      if (next && next.at > end) end = next.at;
    }
    return { requestId: id, response: response.at - start.at, end: end - start.at };
  });
  return { extensions, runtimeInit: runtimeReady.at - runtimeStart.at, init: runtimeReady.at - initStart.at, invokes };
}
