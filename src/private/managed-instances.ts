import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack } from './cdk';

/**
 * Whether the function runs on Lambda Managed Instances: its `AWS::Lambda::Function` has a
 * `CapacityProviderConfig`. Read from the L1 property `CfnFunction.capacityProviderConfig`, which
 * `CapacityProvider.addFunction(fn)` sets (aws-cdk-lib 2.231 and later: aws-lambda/lib/capacity-provider.ts,
 * `cfnFunction.capacityProviderConfig = { lambdaManagedInstancesCapacityProviderConfig: ... }`)
 * and which a user can set on the L1 directly. Read by name, because the property does not
 * exist in the aws-cdk-lib versions before 2.231 this library also supports. A value given with
 * `addPropertyOverride('CapacityProviderConfig', ...)` is not visible through aws-cdk-lib's
 * public API (raw overrides are private to CfnResource): the README says so.
 */
export function onManagedInstances(fn: lambda.Function): boolean {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const value = (cfn as unknown as { capacityProviderConfig?: unknown }).capacityProviderConfig;
  if (value === undefined || value === null) return false;
  return Stack.of(fn).resolve(value) != null;
}

/** Annotation and refusal wording, shared by the plan and the synth-time check. */
export const MANAGED_INSTANCES = 'Lambda Managed Instances (a capacity provider)';
