import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LATEST_VERSIONS } from '../../layers/catalog';
import { languageSupport, LanguageLayerSupport } from '../../layers/language-support';
import { OtelLayerRelease } from '../../layers/releases';
import { CollectorArch, LayerResolutionError, planLayerArn } from '../../layers/resolve';
import { LanguageFamily } from '../../runtimes';
import { PlannedLayer, Refusal, Supported } from '../plan-model';
import { Settings } from '../settings';

/** The layers a function gets, and what its language layer's SDK understands. */
export interface LayerChoice {
  /** Language layer (if any), then the collector layer. */
  readonly layers: readonly PlannedLayer[];
  /** The language layer's release, if the runtime gets one. */
  readonly language?: OtelLayerRelease;
  readonly collector: OtelLayerRelease;
  /** What the language layer's SDK understands: its release's data, or the family's newest release's for a layer of your own (assumed to bundle the same SDK). */
  readonly layerSupport?: LanguageLayerSupport;
}

/**
 * Rule: the language layer (for a runtime that gets one) and the collector layer, each release's
 * ARN for the function's region and architecture; refused where a release is not published or a
 * layer of your own is of another region.
 */
export function layersRule(fn: lambda.Function, settings: Settings, support: Supported, arch: CollectorArch): LayerChoice | Refusal {
  const collector = settings.releases.collector;
  const language = support.kind === 'language' ? settings.releases[support.family] : undefined;
  const releases = language ? [language, collector] : [collector];
  try {
    const layers = releases.map(release => ({ release, arch, ...planLayerArn(fn, release, arch) }));
    const layerSupport = support.kind === 'language'
      ? languageSupport(support.family, language!.version ?? LATEST_VERSIONS[support.family as LanguageFamily])
      : undefined;
    return { layers, language, collector, layerSupport };
  } catch (e) {
    if (e instanceof LayerResolutionError) return { kind: 'region', why: e.message };
    throw e;
  }
}
