import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetStaging, BundlingOptions, DockerImage, FileAssetPackaging, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** File name of the collector configuration, in the bundle or in the config layer. */
export const CONFIG_FILE = 'collector.yaml';
/** Where a function whose code is a local asset finds its config. */
export const BUNDLED_CONFIG_URI = `/var/task/${CONFIG_FILE}`;
/** Where a function with inline or S3 code finds its config (the config layer's content). */
export const LAYER_CONFIG_DIR = 'clickstack';
export const LAYER_CONFIG_URI = `/opt/${LAYER_CONFIG_DIR}/${CONFIG_FILE}`;

/** Id of the per-stack construct that holds every shared resource of this library. */
const SHARED_ID = 'ClickStackShared';

/** How a function gets its collector configuration. */
export interface ConfigDelivery {
  /** `bundle`: into a new code asset (`/var/task/collector.yaml`); `layer`: into a config layer (`/opt/clickstack/collector.yaml`). */
  readonly kind: 'bundle' | 'layer';
  /** Value of `OPENTELEMETRY_COLLECTOR_CONFIG_URI`. */
  readonly configUri: string;
  /** Deliver the config; returns the config layer to add, if any. */
  readonly apply: (configYaml: string) => lambda.ILayerVersion | undefined;
}

/**
 * The per-stack holder of this library's shared resources (layer references, config layers,
 * instrumented assets) and of what was done to each function of the stack.
 */
export class SharedResources extends Construct {
  /** What instrumented each function of this stack (owner path, effective settings), for idempotence. */
  public readonly instrumented = new Map<lambda.Function, { readonly fingerprint: string; readonly owner: string }>();
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

/**
 * The function's code asset and its staging, when its code is a local asset. This is the only
 * place that looks into the function's construct tree: `Function` binds `Code.fromAsset()` (and
 * `NodejsFunction`, `PythonFunction`, `Code.fromDockerBuild()`) as an `s3_assets.Asset` child
 * with id `Code`, whose `AssetStaging` child is `Stage`. A test on the newest aws-cdk-lib keeps
 * this true.
 */
function codeAsset(fn: lambda.Function): { asset: s3assets.Asset; staging: AssetStaging } | undefined {
  const asset = fn.node.tryFindChild('Code');
  const staging = asset?.node.tryFindChild('Stage');
  return asset instanceof s3assets.Asset && staging instanceof AssetStaging ? { asset, staging } : undefined;
}

/** The function's code asset when it is a local directory (not a `.zip` or `.jar` file). */
export function localDirectoryAsset(fn: lambda.Function): s3assets.Asset | undefined {
  const code = codeAsset(fn);
  return code?.staging.packaging === FileAssetPackaging.ZIP_DIRECTORY ? code.asset : undefined;
}

export function shortHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/**
 * The source directory or file of the function's code asset, if its code is an asset: used to
 * recognise CDK's own handlers, whose code lives inside the aws-cdk-lib package.
 */
export function codeAssetSource(fn: lambda.Function): string | undefined {
  return codeAsset(fn)?.staging.sourcePath;
}

/** Plan the delivery of the config to `fn`. Nothing is created until `apply()`. */
export function planConfigDelivery(fn: lambda.Function): ConfigDelivery {
  const code = localDirectoryAsset(fn);
  if (code) {
    return {
      kind: 'bundle',
      configUri: BUNDLED_CONFIG_URI,
      apply: configYaml => {
        bundleConfig(fn, code, configYaml);
        return undefined;
      },
    };
  }
  return { kind: 'layer', configUri: LAYER_CONFIG_URI, apply: configYaml => configLayer(fn, configYaml) };
}

/**
 * Re-stage the function's code asset with `collector.yaml` added, and point the function at it.
 * Functions of one stack with the same code and config share one asset.
 */
function bundleConfig(fn: lambda.Function, code: s3assets.Asset, configYaml: string): s3assets.Asset {
  const hash = shortHash(code.assetHash, configYaml);
  const holder = sharedScope(fn);
  const id = `Code${hash.slice(0, 8)}`;
  let asset = holder.node.tryFindChild(id) as s3assets.Asset | undefined;
  if (!asset) {
    const sourceDir = codeAsset(fn)!.staging.absoluteStagedPath;
    asset = new s3assets.Asset(holder, id, { path: sourceDir, assetHash: hash, bundling: writeFiles({ [CONFIG_FILE]: configYaml }, sourceDir) });
  }
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  cfn.code = { s3Bucket: asset.s3BucketName, s3Key: asset.s3ObjectKey };
  asset.addResourceMetadata(cfn, 'Code');
  return asset;
}

/** One config layer per stack and distinct config, written straight into the cloud assembly. */
function configLayer(fn: lambda.Function, configYaml: string): lambda.ILayerVersion {
  const hash = shortHash(configYaml);
  const holder = sharedScope(fn);
  const id = `Config${hash.slice(0, 8)}`;
  const existing = holder.node.tryFindChild(id) as lambda.ILayerVersion | undefined;
  if (existing) return existing;
  return new lambda.LayerVersion(holder, id, {
    // The source directory is never read: the custom hash names the asset and local bundling
    // writes its only file.
    code: lambda.Code.fromAsset(__dirname, {
      assetHash: hash,
      bundling: writeFiles({ [path.join(LAYER_CONFIG_DIR, CONFIG_FILE)]: configYaml }),
    }),
    description: `ClickStack collector configuration (${LAYER_CONFIG_URI})`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** Bundling options that copy `sourceDir` (if given) and write `files`, locally, never with Docker. */
function writeFiles(files: Record<string, string>, sourceDir?: string): BundlingOptions {
  return {
    // Never used: local bundling always succeeds.
    image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox'),
    local: {
      tryBundle(outputDir: string): boolean {
        if (sourceDir !== undefined) fs.cpSync(sourceDir, outputDir, { recursive: true });
        for (const [name, content] of Object.entries(files)) {
          fs.mkdirSync(path.dirname(path.join(outputDir, name)), { recursive: true });
          fs.writeFileSync(path.join(outputDir, name), content);
        }
        return true;
      },
    },
  };
}
