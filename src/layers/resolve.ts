import { CfnMapping, Stack as StackType } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { ALL_PUBLISHED_REGIONS, LAYER_CATALOG, LAYER_CLASSES, LayerFamily, OTEL_LAYER_ACCOUNT } from './catalog';
import { OtelLayerRelease } from './releases';
import { Stack, Token } from '../private/cdk';

/** Collector layer architectures, as named in the upstream layer names. */
export type CollectorArch = 'amd64' | 'arm64';

/** A layer refused at synth, with the message to show. */
export class LayerResolutionError extends Error {}

const LAYER_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:layer:[A-Za-z0-9_-]+:\d+$/;
const MAPPING_ID = 'ClickStackLayerArns';

/** The upstream layer name of a release: `opentelemetry-collector-arm64-0_23_0`. */
export function upstreamLayerName(family: LayerFamily, version: string, arch: CollectorArch): string {
  const v = version.replace(/\./g, '_');
  return family === 'collector' ? `opentelemetry-collector-${arch}-${v}` : `opentelemetry-${family}-${v}`;
}

/** Where a release's layer ARN comes from, decided without changing the stack. */
export interface LayerArnPlan {
  /** The ARN, when known now: a concrete region's upstream layer, or a layer of your own. */
  readonly arn?: string;
  /** The upstream layer name, for the stack's mapping when the region is known only at deploy time. */
  readonly name?: string;
}

/**
 * Where the layer ARN of `release` comes from for a function in `scope`'s stack. Changes nothing;
 * throws `LayerResolutionError` with the message to show.
 *
 * A concrete region is checked against the regions the release was published in. An
 * unresolved region (environment-agnostic stack) resolves at deploy time through one lazy
 * `CfnMapping` per stack (`layerArn`); a region missing from it fails the deployment before any change.
 */
export function planLayerArn(scope: IConstruct, release: OtelLayerRelease, arch: CollectorArch): LayerArnPlan {
  const region = Stack.of(scope).region;
  if (release.layerArn !== undefined) return { arn: checkCustomArn(release.layerArn, region, release) };
  const family = release._family;
  const version = release.version!;
  const name = upstreamLayerName(family, version, arch);
  if (!Token.isUnresolved(region)) {
    checkRegion(region, family, version, LAYER_CATALOG[family][version]);
    return { arn: arnFor(region, name), name };
  }
  return { name };
}

/**
 * The layer ARN as planned: the ARN itself, or a `Fn::FindInMap` into the stack's mapping, whose
 * entries for this layer are added on first use.
 */
export function layerArn(scope: IConstruct, release: OtelLayerRelease, planned: LayerArnPlan): string {
  if (planned.arn !== undefined) return planned.arn;
  const stack = Stack.of(scope);
  const key = mappingKey(planned.name!);
  const mapping = layerMapping(stack);
  if (!mapping._clickstackKeys.has(key)) {
    mapping._clickstackKeys.add(key);
    for (const r of LAYER_CATALOG[release._family][release.version!]) mapping.setValue(r, key, arnFor(r, planned.name!));
  }
  return mapping.findInMap(stack.region, key);
}

function arnFor(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${OTEL_LAYER_ACCOUNT}:layer:${name}:1`;
}

/** Region and partition checks for a concrete region. */
export function checkRegion(region: string, family: LayerFamily, version: string, regions: readonly string[]): void {
  if (regions.includes(region)) return; // every published region is in the aws partition
  const partition = RegionInfo.get(region).partition;
  if (partition !== undefined && partition !== 'aws') {
    throw new LayerResolutionError(`region ${region} is in the ${partition} partition, where the OpenTelemetry Lambda layers are not published; only the commercial aws partition is supported`);
  }
  const newer = ALL_PUBLISHED_REGIONS.includes(region) ? ` (a newer release may be; the newest ${LAYER_CLASSES[family]}.LATEST is)` : '';
  throw new LayerResolutionError(`the OpenTelemetry ${family} layer ${version} is not published in ${region}${newer}; it is published in: ${regions.join(', ')}`);
}

function checkCustomArn(arn: string, region: string, release: OtelLayerRelease): string {
  if (Token.isUnresolved(arn)) return arn;
  const match = LAYER_ARN.exec(arn);
  if (!match) {
    throw new LayerResolutionError(`${LAYER_CLASSES[release._family]}.fromArn() got '${arn}', which is not a Lambda layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)`);
  }
  if (!Token.isUnresolved(region) && match[1] !== region) {
    throw new LayerResolutionError(`${LAYER_CLASSES[release._family]}.fromArn() got a layer in ${match[1]}, but the function is in ${region}; Lambda only attaches layers of the function's own region`);
  }
  return arn;
}

/** CfnMapping keys must be alphanumeric. */
function mappingKey(name: string): string {
  return name.replace(/^opentelemetry-/, '').replace(/-/g, '').replace(/[^A-Za-z0-9]/g, 'x');
}

type LayerMapping = CfnMapping & { _clickstackKeys: Set<string> };

function layerMapping(stack: StackType): LayerMapping {
  const existing = stack.node.tryFindChild(MAPPING_ID) as LayerMapping | undefined;
  if (existing) return existing;
  const mapping = new CfnMapping(stack, MAPPING_ID, { lazy: true }) as LayerMapping;
  mapping._clickstackKeys = new Set();
  return mapping;
}
