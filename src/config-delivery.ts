import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetStaging, CfnMapping, CfnResource, FileAssetPackaging, RemovalPolicy, Stack, Tokenization } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { ConfigDelivery } from './delivery';
import { registerDirectory, StagedAsset, stageSharedAsset } from './private/restage';

/** File name of the collector configuration, in the bundle or in the config layer. */
export const CONFIG_FILE = 'collector.yaml';
/** Where a function whose code is a local asset finds its config. */
export const BUNDLED_CONFIG_URI = `/var/task/${CONFIG_FILE}`;
/** Where a function with inline or S3 code finds its config (the config layer's content). */
export const LAYER_CONFIG_DIR = 'clickstack';
export const LAYER_CONFIG_URI = `/opt/${LAYER_CONFIG_DIR}/${CONFIG_FILE}`;
/**
 * The variable that holds the config with `ConfigDelivery.ENVIRONMENT`, and the config URI that
 * names it. Every collector layer release of the catalog registers the `env` confmap provider
 * for `OPENTELEMETRY_COLLECTOR_CONFIG_URI`: open-telemetry/opentelemetry-lambda,
 * collector/internal/collector/collector.go, `ProviderFactories: ... envprovider.NewFactory()`
 * in `NewCollector` (line 77 at layer-collector/0.19.0, 0.20.0 and 0.21.0; line 79 at
 * faa4ca46, layer-collector/0.23.0). The provider reads the named variable and parses its value
 * as YAML; `${...}` references in it are expanded as in a file.
 */
export const CONFIG_ENV = 'CLICKSTACK_COLLECTOR_CONFIG';
export const ENV_CONFIG_URI = `env:${CONFIG_ENV}`;

/** Id of the per-stack construct that holds every shared resource of this library. */
const SHARED_ID = 'ClickStackShared';

/** How one function gets its collector configuration, decided before anything is changed. */
export interface DeliveryPlan {
  /** `bundle`: a new code asset (`/var/task/collector.yaml`); `layer`: a config layer; `environment`: a variable. */
  readonly kind: 'bundle' | 'layer' | 'environment';
  /** Value of `OPENTELEMETRY_COLLECTOR_CONFIG_URI`. */
  readonly configUri: string;
  /** Environment variables the delivery needs, from the rendered `collector.yaml` (counted in Lambda's 4 KB with the others). */
  readonly environment: (configYaml: string) => Record<string, string>;
  /** Deliver the config; returns the config layer to add, if any. */
  readonly apply: (configYaml: string) => lambda.ILayerVersion | undefined;
}

/** Why a delivery cannot be planned: `userFile` (a `collector.yaml` of the user's) or `conflict`. */
export type DeliveryRefusal = 'userFile' | 'conflict';

/**
 * The per-stack holder of this library's shared resources (layer references, config layers,
 * instrumented assets) and of what was done to each function of the stack.
 */
export class SharedResources extends Construct {
  /** What instrumented each function of this stack (owner path, effective settings), for idempotence. */
  public readonly instrumented = new Map<lambda.Function, { readonly fingerprint: string; readonly owner: string }>();
  /** The stack's directory code assets by resolved S3 location, indexed by `codeAsset()`. */
  public codeAssets?: Map<string, s3assets.Asset>;
  /** S3 locations known to be no code asset of the stack (code in a bucket of the user's). */
  public readonly notCodeAssets = new Set<string>();
  /** Instrumented bundles staged for this stack, by hash. */
  public readonly bundles = new Map<string, StagedAsset>();
  /** The mapping of `ConfigDelivery.ENVIRONMENT` configs (one key per distinct config; CloudFormation allows 200), and its keys. */
  public configMapping?: CfnMapping;
  public readonly configKeys = new Set<string>();
  /** What each bundle directory holds (src/private/api-version.ts `scanBundle`), by family and directory: looked at once. */
  public readonly bundleScans = new Map<string, object>();
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
function codeAsset(fn: lambda.Function): { asset: s3assets.Asset; staging: AssetStaging } | undefined {
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
    const shared = sharedScope(fn);
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
export function localDirectoryAsset(fn: lambda.Function): { asset: s3assets.Asset; staging: AssetStaging } | undefined {
  const code = codeAsset(fn);
  return code?.staging.packaging === FileAssetPackaging.ZIP_DIRECTORY ? code : undefined;
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

/** What the function's code is, in words, for a refusal. */
function describeCode(fn: lambda.Function): string {
  const asset = codeAsset(fn);
  if (asset) return `a file asset (${path.basename(asset.staging.sourcePath)}), not a directory`;
  const code = Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).code) as lambda.CfnFunction.CodeProperty | undefined;
  if (code?.zipFile !== undefined) return 'inline code (Code.fromInline)';
  if (code?.imageUri !== undefined) return 'a container image';
  return 'code in an S3 bucket of your own (Code.fromBucket or Code.fromCfnParameters)';
}

/**
 * Plan the delivery of the config to `fn` as `requested`. Nothing is created until `apply()`.
 * Throws what `refuse` makes when the delivery cannot be done: `BUNDLE` for code that is not a
 * local directory asset, or a bundle that already has a `collector.yaml` of its own.
 */
export function planConfigDelivery(
  fn: lambda.Function,
  requested: ConfigDelivery | undefined,
  refuse: (kind: DeliveryRefusal, why: string) => Error,
): DeliveryPlan {
  // By name, not identity: the static instances of a second copy of this library are equal too.
  const mode = (requested ?? ConfigDelivery.AUTO).mode;
  const none = () => ({});
  if (mode === ConfigDelivery.ENVIRONMENT.mode) {
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    const own = (Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables;
    if (own && CONFIG_ENV in own) {
      throw refuse('conflict', `it already sets ${CONFIG_ENV}, where ConfigDelivery.ENVIRONMENT puts the collector configuration; rename your variable, or use ConfigDelivery.BUNDLE or LAYER`);
    }
    return {
      kind: 'environment',
      configUri: ENV_CONFIG_URI,
      environment: yaml => ({ [CONFIG_ENV]: compactConfig(yaml) }),
      apply: yaml => {
        configFromMapping(fn, compactConfig(yaml));
        return undefined;
      },
    };
  }
  if (mode === ConfigDelivery.LAYER.mode) {
    return { kind: 'layer', configUri: LAYER_CONFIG_URI, environment: none, apply: yaml => configLayer(fn, yaml) };
  }
  const code = localDirectoryAsset(fn);
  if (!code) {
    if (mode === ConfigDelivery.BUNDLE.mode) {
      throw refuse('conflict', `configDelivery is ConfigDelivery.BUNDLE, but its code is ${describeCode(fn)}: only a local directory asset can carry ${CONFIG_FILE}; use ConfigDelivery.LAYER or ConfigDelivery.ENVIRONMENT (or AUTO) for it`);
    }
    return { kind: 'layer', configUri: LAYER_CONFIG_URI, environment: none, apply: yaml => configLayer(fn, yaml) };
  }
  // Never overwrite a file of the user's bundle. (A stack whose bundling is skipped, such as one
  // not selected by `cdk deploy`, has no bundle to look at: its staged path is the source.)
  const stack = Stack.of(fn);
  const existing = path.join(code.staging.absoluteStagedPath, CONFIG_FILE);
  if (stack.bundlingRequired && exists(existing)) {
    const source = path.join(code.staging.sourcePath, CONFIG_FILE);
    const where = exists(source) && source !== existing ? `${source}, staged as ${existing}` : existing;
    throw refuse('userFile', `its code bundle already has a ${CONFIG_FILE} at its root (${where}), where the instrumentation would put the collector configuration; set configDelivery to ConfigDelivery.LAYER or ConfigDelivery.ENVIRONMENT, or rename your file`);
  }
  return {
    kind: 'bundle',
    configUri: BUNDLED_CONFIG_URI,
    environment: none,
    apply: yaml => {
      bundleConfig(fn, code, yaml);
      return undefined;
    },
  };
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stage the function's code asset again with `collector.yaml` added, sharing the original's
 * files (see `stageSharedAsset`), and point the function at it. Functions of one stack with the
 * same code and config share one asset; its hash changes with either.
 */
function bundleConfig(fn: lambda.Function, code: { asset: s3assets.Asset; staging: AssetStaging }, configYaml: string): void {
  const hash = shortHash('bundle', code.asset.assetHash, configYaml);
  const shared = sharedScope(fn);
  let bundle = shared.bundles.get(hash);
  if (!bundle) {
    const stack = Stack.of(fn);
    // A stack whose bundling is skipped is not deployed in this run: its asset stays unstaged,
    // as aws-cdk-lib leaves the original (and the original's staged path is then its source).
    bundle = stack.bundlingRequired
      ? stageSharedAsset(stack, hash, code.staging.absoluteStagedPath, { [CONFIG_FILE]: configYaml })
      : registerDirectory(stack, hash, code.staging.absoluteStagedPath);
    shared.bundles.set(hash, bundle);
  }
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  cfn.code = { s3Bucket: bundle.location.bucketName, s3Key: bundle.location.objectKey };
  addAssetMetadata(cfn, bundle.fileName, 'Code');
}

/**
 * What `s3_assets.Asset.addResourceMetadata(resource, property)` records, when the
 * `aws:cdk:enable-asset-metadata` context asks for it (the CDK CLI sets it by default): the
 * asset's path relative to the template (`aws:asset:path`), whether it was bundled
 * (`aws:asset:is-bundled`) and the property it fills (`aws:asset:property`); the same three keys
 * in aws-cdk-lib 2.189.0 and 2.276.0 (aws-s3-assets/lib/asset.ts, `addResourceMetadata`). The SAM
 * CLI (`sam local invoke`) reads them to mount the function's code and its layers' content.
 */
function addAssetMetadata(resource: CfnResource, fileName: string, property: 'Code' | 'Content'): void {
  if (!resource.node.tryGetContext(cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT)) return;
  resource.addMetadata(cxapi.ASSET_RESOURCE_METADATA_PATH_KEY, fileName);
  resource.addMetadata(cxapi.ASSET_RESOURCE_METADATA_IS_BUNDLED_KEY, false);
  resource.addMetadata(cxapi.ASSET_RESOURCE_METADATA_PROPERTY_KEY, property);
}

/**
 * One config layer per stack and distinct config. Its content (`clickstack/collector.yaml`) is
 * written straight into the cloud assembly as an asset: nothing is bundled or hashed from disk.
 */
function configLayer(fn: lambda.Function, configYaml: string): lambda.ILayerVersion {
  const hash = shortHash('layer', configYaml);
  const holder = sharedScope(fn);
  const id = `Config${shortHash(configYaml).slice(0, 8)}`;
  const existing = holder.node.tryFindChild(id) as lambda.ILayerVersion | undefined;
  if (existing) return existing;
  const { location, fileName } = stageSharedAsset(Stack.of(fn), hash, undefined, { [path.join(LAYER_CONFIG_DIR, CONFIG_FILE)]: configYaml });
  const layer = new lambda.LayerVersion(holder, id, {
    code: new StagedCode(location.bucketName, location.objectKey),
    description: `ClickStack collector configuration (${LAYER_CONFIG_URI})`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // For `sam local invoke`, which mounts the layer's content from this metadata.
  addAssetMetadata(layer.node.defaultChild as CfnResource, fileName, 'Content');
  return layer;
}

/**
 * The config layer's content: the asset the synthesizer registered, by its bucket and key. The
 * same `Content` as `Code.fromBucket(Bucket.fromBucketName(...), key)`, without an imported
 * bucket construct, so that aws-s3 (and the region facts it registers) is not loaded for an app
 * that has no asset otherwise (`lambda.Code` is public and abstract: `bind` is its contract).
 */
class StagedCode extends lambda.Code {
  constructor(private readonly bucketName: string, private readonly objectKey: string) {
    super();
  }

  public bind(_scope: Construct): lambda.CodeConfig {
    return { s3Location: { bucketName: this.bucketName, objectKey: this.objectKey } };
  }
}

/**
 * In the template, the function's `CLICKSTACK_COLLECTOR_CONFIG` is a `Fn::FindInMap` into one
 * mapping per stack that holds each distinct config once: the deployed variable has the whole
 * YAML, the template does not repeat it for every function. The function's own environment (as
 * the CDK and the 4 KB budget checks see it) keeps the literal value; only the rendered property
 * is overridden.
 */
function configFromMapping(fn: lambda.Function, text: string): void {
  const shared = sharedScope(fn);
  const mapping = shared.configMapping ??= new CfnMapping(shared, 'Env');
  const name = `c${shortHash(text).slice(0, 8)}`;
  if (!shared.configKeys.has(name)) {
    mapping.setValue(name, 'v', text);
    shared.configKeys.add(name);
  }
  (fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride(`Environment.Variables.${CONFIG_ENV}`, mapping.findInMap(name, 'v'));
}

const compacted = new Map<string, string>();

/**
 * `collector.yaml` as one line of flow-style YAML, for an environment variable: same content,
 * fewer bytes. Keys are plain; a string value is plain when it is a lowercase word (never a
 * YAML keyword), single-quoted when it is printable ASCII (no escapes: `${...}` references and
 * `$$` reach the collector as written), JSON-quoted otherwise. Identical pipelines are written
 * once, with a YAML anchor and aliases.
 */
export function compactConfig(configYaml: string): string {
  let text = compacted.get(configYaml);
  if (text === undefined) {
    text = flow(parse(configYaml));
    compacted.set(configYaml, text);
  }
  return text;
}

const KEYWORDS = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);

function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ k, v, text: flow(v) }));
    const anchors = new Map<string, string>();
    const parts = entries.map(({ k, v, text }) => {
      const shareable = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length > 0;
      if (shareable && anchors.has(text)) return `${key(k)}: *${anchors.get(text)}`;
      if (shareable && entries.some(e => e.k !== k && e.text === text)) {
        const name = `a${anchors.size}`;
        anchors.set(text, name);
        return `${key(k)}: &${name} ${text}`;
      }
      return `${key(k)}: ${text}`;
    });
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'string') return scalar(value);
  return String(value);
}

function key(k: string): string {
  return /^[a-z][a-z0-9_/]*$/.test(k) && !KEYWORDS.has(k) ? k : scalar(k);
}

function scalar(v: string): string {
  if (/^[a-z][a-z0-9_]*$/.test(v) && !KEYWORDS.has(v)) return v;
  if (/^[\x20-\x7e]*$/.test(v)) return `'${v.replace(/'/g, "''")}'`;
  return JSON.stringify(v);
}
