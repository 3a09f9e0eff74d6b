import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CollectorArch } from '../../layers/resolve';
import { runtimeSupport } from '../../runtimes';
import { ARM_64 } from '../cdk';
import { FunctionPlan, Refusal, Supported } from '../plan-model';
import { Settings } from '../settings';

/**
 * Rule: what the function's runtime and architecture get (src/runtimes.ts): a language layer and
 * its exec wrapper, or the collector only; container images and runtimes without a layer are
 * refused. A layer of your own for the runtime's language lifts the runtime list.
 */
export function runtimeRule(fn: lambda.Function, settings: Settings): { readonly support: Supported; readonly arch: CollectorArch } | Refusal {
  const architecture = fn.architecture.name;
  const support = runtimeSupport(fn.runtime, architecture, family => settings.releases[family].layerArn !== undefined, settings.javaWrapper);
  if (support.kind === 'refused') return { kind: support.containerImage ? 'containerImage' : 'runtime', why: support.reason, summary: support.summary };
  return { support, arch: architecture === ARM_64 ? 'arm64' : 'amd64' };
}

/** Runtime families that get the collector only. */
export type CollectorOnlyFamily = NonNullable<FunctionPlan['collectorOnlyFamily']>;

/**
 * The family of a collector-only function: .NET by its runtime; on a custom runtime (provided.*),
 * Go or Rust when the construct says so (`GoFunction` of @aws-cdk/aws-lambda-go-alpha, `RustFunction`
 * of cargo-lambda-cdk), else unknown.
 */
export function collectorOnlyFamily(fn: lambda.Function): CollectorOnlyFamily {
  if (fn.runtime.family === lambda.RuntimeFamily.DOTNET_CORE || fn.runtime.name.startsWith('dotnet')) return 'dotnet';
  for (let proto = Object.getPrototypeOf(fn); proto && proto !== lambda.Function.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = proto.constructor?.name;
    if (name === 'GoFunction') return 'go';
    if (name === 'RustFunction') return 'rust';
  }
  return 'custom';
}
