import { Stack as StackType } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { Stack } from './cdk';

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
  /**
   * `Stack.bundlingRequired`, read once: aws-cdk-lib matches the stack's name against the
   * `aws:cdk:bundling-stacks` context patterns at every read, and the answer does not change
   * during a synthesis.
   */
  readonly bundlingRequired: boolean;
}

const facts = new WeakMap<StackType, StackFacts>();

/** The facts planning has looked up in `scope`'s stack. */
export function stackFacts(scope: Construct): StackFacts {
  const stack = Stack.of(scope);
  let found = facts.get(stack);
  if (!found) {
    found = { notCodeAssets: new Set(), bundleScans: new Map(), bundlingRequired: stack.bundlingRequired };
    facts.set(stack, found);
  }
  return found;
}
