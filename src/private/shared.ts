import { CfnMapping, Stack as StackType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { Stack } from './cdk';
import { StagedAsset } from './restage';

/** Id of the per-stack construct that holds every shared resource of this library. */
const SHARED_ID = 'ClickStackShared';

/**
 * The per-stack holder of this library's shared resources (layer references, config layers,
 * instrumented assets) and of what was done to each function of the stack. Created and written
 * by the applier (src/private/apply.ts) only.
 */
export class SharedResources extends Construct {
  /** What instrumented each function of this stack (owner path, effective settings), for idempotence. */
  public readonly instrumented = new Map<lambda.Function, { readonly fingerprint: string; readonly owner: string }>();
  /** Instrumented bundles staged for this stack, by hash. */
  public readonly bundles = new Map<string, StagedAsset>();
  /** The mapping of `ConfigDelivery.ENVIRONMENT` configs (one key per distinct config; CloudFormation allows 200), and its keys. */
  public configMapping?: CfnMapping;
  public readonly configKeys = new Set<string>();
}

/**
 * What planning looks up once per stack: facts derived from the app, never a construct of ours,
 * so that planning leaves the construct tree as it was. Kept beside the stack, not in its tree
 * (a WeakMap: gone with the stack).
 */
export interface StackFacts {
  /** The stack's directory code assets by resolved S3 location, indexed by `codeAsset()`. */
  codeAssets?: Map<string, s3assets.Asset>;
  /** S3 locations known to be no code asset of the stack (code in a bucket of the user's). */
  readonly notCodeAssets: Set<string>;
  /** What each bundle directory holds (src/private/rules/api-version.ts `scanBundle`), by family and directory: looked at once. */
  readonly bundleScans: Map<string, object>;
}

const facts = new WeakMap<StackType, StackFacts>();

/** The facts planning has looked up in `scope`'s stack. */
export function stackFacts(scope: Construct): StackFacts {
  const stack = Stack.of(scope);
  let found = facts.get(stack);
  if (!found) {
    found = { notCodeAssets: new Set(), bundleScans: new Map() };
    facts.set(stack, found);
  }
  return found;
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
