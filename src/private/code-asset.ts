import * as path from 'path';
import { AssetStaging, FileAssetPackaging, Tokenization } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Stack } from './cdk';
import { stackFacts } from './stack-facts';

/** A function's code asset and its staging. */
export interface CodeAsset {
  readonly asset: s3assets.Asset;
  readonly staging: AssetStaging;
}

/**
 * The function's code asset and its staging, when its code is a local asset. This is the only
 * place that looks into the construct tree: `Function` binds `Code.fromAsset()` (and
 * `NodejsFunction`, `PythonFunction`, `Code.fromDockerBuild()`) as an `s3_assets.Asset` child
 * with id `Code`, whose `AssetStaging` child is `Stage`. A test on the newest aws-cdk-lib keeps
 * this true.
 *
 * One `Code` object passed to several functions is bound once: its `Asset` is a child of the
 * first function only, and the others' `CfnFunction.code` refers to that asset's bucket and key.
 * For a function without a `Code` child whose code is in S3, the stack's assets are indexed once
 * by their resolved bucket and key (again only when a location is not found, since an asset is
 * created before any function can refer to it), and a location found in no asset is remembered
 * as the user's own S3 code.
 */
export function codeAsset(fn: lambda.Function): CodeAsset | undefined {
  // `x !== undefined &&` first: reading `s3assets.Asset` loads aws-s3-assets, aws-s3 and
  // region-info, which an app of inline functions never loads otherwise.
  const own = fn.node.tryFindChild('Code');
  const asset = own !== undefined && own instanceof s3assets.Asset ? own : sharedCodeAsset();
  const staging = asset?.node.tryFindChild('Stage');
  return asset !== undefined && asset instanceof s3assets.Asset && staging instanceof AssetStaging ? { asset, staging } : undefined;

  function sharedCodeAsset(): s3assets.Asset | undefined {
    const code = (fn.node.defaultChild as lambda.CfnFunction).code;
    if (!Tokenization.isResolvable(code) && (code as lambda.CfnFunction.CodeProperty).s3Key === undefined) return undefined;
    const stack = Stack.of(fn);
    const resolved = stack.resolve(code) as lambda.CfnFunction.CodeProperty | undefined;
    if (resolved?.s3Key === undefined) return undefined;
    const where = JSON.stringify([resolved.s3Bucket, resolved.s3Key]);
    const shared = stackFacts(fn);
    if (shared.notCodeAssets.has(where)) return undefined;
    let found = shared.codeAssets?.get(where);
    if (!found) {
      shared.codeAssets = new Map();
      for (const c of stack.node.findAll()) {
        if (c instanceof s3assets.Asset && Stack.of(c) === stack) {
          shared.codeAssets.set(JSON.stringify(stack.resolve([c.s3BucketName, c.s3ObjectKey])), c);
        }
      }
      found = shared.codeAssets.get(where);
      if (!found) shared.notCodeAssets.add(where);
    }
    return found;
  }
}

/** The function's code asset when it is a local directory (not a `.zip` or `.jar` file). */
export function localDirectoryAsset(fn: lambda.Function): CodeAsset | undefined {
  const code = codeAsset(fn);
  return code?.staging.packaging === FileAssetPackaging.ZIP_DIRECTORY ? code : undefined;
}

/**
 * The source directory or file of the function's code asset, if its code is an asset: used to
 * recognise CDK's own handlers, whose code lives inside the aws-cdk-lib package.
 */
export function codeAssetSource(fn: lambda.Function): string | undefined {
  return codeAsset(fn)?.staging.sourcePath;
}

/** What the function's code is, in words, for a refusal. */
export function describeCode(fn: lambda.Function): string {
  const asset = codeAsset(fn);
  if (asset) return `a file asset (${path.basename(asset.staging.sourcePath)}), not a directory`;
  const code = Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).code) as lambda.CfnFunction.CodeProperty | undefined;
  if (code?.zipFile !== undefined) return 'inline code (Code.fromInline)';
  if (code?.imageUri !== undefined) return 'a container image';
  return 'code in an S3 bucket of your own (Code.fromBucket or Code.fromCfnParameters)';
}
