import * as lambda from 'aws-cdk-lib/aws-lambda';
import { COLLECTOR_SUPPORT } from '../../layers/language-support';
import { Stack } from '../cdk';
import { Draft, Finding } from '../plan-model';

/**
 * Whether the function runs on Lambda Managed Instances: its `AWS::Lambda::Function` has a
 * `CapacityProviderConfig`. Read from the L1 property `CfnFunction.capacityProviderConfig`, which
 * `CapacityProvider.addFunction(fn)` sets (aws-cdk-lib 2.231 and later: aws-lambda/lib/capacity-provider.ts,
 * `cfnFunction.capacityProviderConfig = { lambdaManagedInstancesCapacityProviderConfig: ... }`)
 * and which a user can set on the L1 directly. Read by name, because the property does not
 * exist in the aws-cdk-lib versions before 2.231 this library also supports. A value given with
 * `addPropertyOverride('CapacityProviderConfig', ...)` is not visible here through aws-cdk-lib's
 * public API (raw overrides are private to CfnResource): the synthesized template shows it, and
 * src/private/template-check.ts fails the synth there.
 */
export function onManagedInstances(fn: lambda.Function): boolean {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const value = (cfn as unknown as { capacityProviderConfig?: unknown }).capacityProviderConfig;
  if (value === undefined || value === null) return false;
  return Stack.of(fn).resolve(value) != null;
}

/** Annotation and refusal wording, shared by the plan and the synth-time check. */
export const MANAGED_INSTANCES = 'Lambda Managed Instances (a capacity provider)';

/**
 * Why the collector layer release cannot run on Lambda Managed Instances, if it cannot
 * (src/layers/language-support.ts, `managedInstances`); nothing for a layer of your own.
 */
export function managedInstancesRefusal(collectorVersion: string | undefined): string | undefined {
  if (collectorVersion === undefined || COLLECTOR_SUPPORT[collectorVersion]?.managedInstances !== false) return undefined;
  return `it runs on ${MANAGED_INSTANCES}, but the collector layer ${collectorVersion} predates Managed Instances support (opentelemetry-lambda#2083, first in 0.20.0): its extension registers for INVOKE events, which Managed Instances reject, and the collector stops at start; use CollectorLayer.LATEST (or V0_20_0 or later)`;
}

/**
 * Rule: a function on Lambda Managed Instances needs a collector release that runs there. Known
 * now when the function is already on its capacity provider (always so for the aspect, which runs
 * at synth); checked again at synth (src/private/apply.ts).
 */
export function managedInstancesRule(_fn: lambda.Function, draft: Draft): Finding {
  const why = draft.managedInstances ? managedInstancesRefusal(draft.collector.version) : undefined;
  return why ? { kind: 'managedInstances', why } : undefined;
}
