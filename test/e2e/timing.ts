/**
 * When data left a Lambda environment, told from the invoke windows of a run: a request the
 * ClickStack stand-in received is placed in init, in an invoke (from the local Lambda's INVOKE to
 * the end of the invoke: every extension asked for its next event), between invokes (the
 * environment idle: in Lambda, frozen), or in the Shutdown phase.
 */

/** One invoke: `start` just before the local Lambda sent INVOKE, `end` its `endedAt`. */
export interface InvokeWindow {
  readonly requestId: string;
  readonly start: number;
  readonly end: number;
}

/** Where a moment falls in a run. */
export type Phase =
  | { readonly kind: 'init' }
  | { readonly kind: 'invoke'; readonly index: number }
  | { readonly kind: 'idle'; readonly after: number }
  | { readonly kind: 'shutdown' };

export function phaseAt(windows: readonly InvokeWindow[], shutdownStartedAt: number | undefined, t: number): Phase {
  if (shutdownStartedAt !== undefined && t >= shutdownStartedAt) return { kind: 'shutdown' };
  let last = -1;
  for (const [i, w] of windows.entries()) {
    if (t >= w.start && t <= w.end) return { kind: 'invoke', index: i };
    if (t > w.end) last = i;
  }
  return last < 0 ? { kind: 'init' } : { kind: 'idle', after: last };
}

/** Where the data of invoke `index` left, given when the request that carried it was received. */
export type Delivery = 'within its invoke' | 'during a later invoke' | 'between invokes' | 'at SHUTDOWN' | 'never' | 'before its invoke';

export function deliveryOf(
  windows: readonly InvokeWindow[], shutdownStartedAt: number | undefined, index: number, receivedAt: number | undefined,
): Delivery {
  if (receivedAt === undefined) return 'never';
  const p = phaseAt(windows, shutdownStartedAt, receivedAt);
  switch (p.kind) {
    case 'shutdown': return 'at SHUTDOWN';
    case 'init': return 'before its invoke';
    case 'idle': return p.after < index ? 'before its invoke' : 'between invokes';
    case 'invoke': return p.index === index ? 'within its invoke' : p.index > index ? 'during a later invoke' : 'before its invoke';
  }
}

/** How many of `deliveries` fell in each place, for messages and the measured numbers. */
export function tally(deliveries: readonly Delivery[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of deliveries) out[d] = (out[d] ?? 0) + 1;
  return out;
}
