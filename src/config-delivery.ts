import * as path from 'path';
import { CfnMapping, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { CodeAsset } from './private/code-asset';
import { CONFIG_ENV, CONFIG_FILE, LAYER_CONFIG_DIR, LAYER_CONFIG_URI } from './private/config-files';
import { shortHash } from './private/hash';
import { PlannedDelivery } from './private/plan-model';
import { registerDirectory, stageSharedAsset } from './private/restage';
import { sharedScope } from './private/shared';

/*
 * Delivering the collector configuration to a function, as its plan says (src/private/rules/delivery.ts
 * decides where): the config file added to a copy of the code asset, a config layer, or a variable.
 */

/**
 * Deliver `configYaml` to `fn` as planned; returns the config layer to add, if any. `code` is the
 * function's local directory asset, for `bundle`.
 */
export function deliverConfig(
  fn: lambda.Function, delivery: PlannedDelivery, configYaml: string, code: CodeAsset | undefined,
): lambda.ILayerVersion | undefined {
  switch (delivery.kind) {
    case 'bundle':
      bundleConfig(fn, code!, configYaml);
      return undefined;
    case 'layer':
      return configLayer(fn, configYaml);
    case 'environment':
      configFromMapping(fn, delivery.environment[CONFIG_ENV]);
      return undefined;
  }
}

/**
 * Stage the function's code asset again with `collector.yaml` added, sharing the original's
 * files (see `stageSharedAsset`), and point the function at it. Functions of one stack with the
 * same code and config share one asset; its hash changes with either.
 */
function bundleConfig(fn: lambda.Function, code: CodeAsset, configYaml: string): void {
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
