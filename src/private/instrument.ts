import * as lambda from 'aws-cdk-lib/aws-lambda';
import { applyPlan } from './apply';
import { PlanContext, planFunction } from './plan';
import { RefusalKind } from './plan-model';
import { Settings } from './settings';
import { findSharedScope } from './shared';

/** A function that cannot be instrumented, with a message that names it and the fix. */
export class InstrumentationRefused extends Error {
  /**
   * @param summary how the aspect's summary names the reason, when more precise than the kind's
   *   (`already instrumented by Datadog`)
   */
  constructor(public readonly kind: RefusalKind, message: string, public readonly summary?: string) {
    super(message);
  }
}

/** The construct path of whatever instrumented `fn`, if this library did. */
export function instrumentedBy(fn: lambda.Function): string | undefined {
  return findSharedScope(fn)?.plans.get(fn)?.owner;
}

/**
 * Instrument one function: the single implementation behind `ClickStackInstrumentation` and
 * `ClickStackAspect`, with the settings of options that passed `validateOptions`. Plans
 * (src/private/plan.ts: every decision, nothing changed), then applies the plan
 * (src/private/apply.ts: every change, nothing decided). Throws `InstrumentationRefused` (naming
 * the function and the fix) for a function that cannot be instrumented, which is left as it
 * was; the same instrumentation again is a no-op.
 */
export function instrumentFunction(fn: lambda.Function, settings: Settings, owner: string, by: PlanContext['by']): void {
  const plan = planFunction(fn, settings, { owner, by });
  switch (plan.outcome) {
    case 'refused':
      throw new InstrumentationRefused(plan.refusal.kind, plan.message, plan.refusal.summary);
    case 'unchanged':
      return;
    case 'instrument':
      applyPlan(fn, plan);
      return;
  }
}
