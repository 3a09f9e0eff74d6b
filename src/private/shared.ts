import { CfnMapping } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Stack } from './cdk';
import { FunctionPlan } from './plan-model';
import { StagedAsset } from './restage';

/** Id of the per-stack construct that holds every shared resource of this library. */
const SHARED_ID = 'ClickStackShared';

/**
 * The per-stack holder of this library's shared resources (layer references, config layers,
 * instrumented assets) and of what was done to each function of the stack. Created and written
 * by the applier (src/private/apply.ts) only.
 */
export class SharedResources extends Construct {
  /** The plan each instrumented function of this stack was given (its owner and fingerprint: idempotence), in order. */
  public readonly plans = new Map<lambda.Function, FunctionPlan>();
  /** Instrumented bundles staged for this stack, by hash. */
  public readonly bundles = new Map<string, StagedAsset>();
  /** The mapping of `ConfigDelivery.ENVIRONMENT` configs (one key per distinct config; CloudFormation allows 200), and its keys. */
  public configMapping?: CfnMapping;
  public readonly configKeys = new Set<string>();
}

/** The shared resources of `scope`'s stack. */
export function sharedScope(scope: Construct): SharedResources {
  return findSharedScope(scope) ?? new SharedResources(Stack.of(scope), SHARED_ID);
}

/** The shared resources of `scope`'s stack, if this library created any there. */
export function findSharedScope(scope: Construct): SharedResources | undefined {
  const existing = Stack.of(scope).node.tryFindChild(SHARED_ID);
  return existing instanceof SharedResources ? existing : undefined;
}
