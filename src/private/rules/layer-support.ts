import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAYER_CLASSES } from '../../layers/catalog';
import { Token } from '../cdk';
import { Draft, Finding } from '../plan-model';
import { attributeLength } from './resource-attributes';

/** Characters of the `OTEL_RESOURCE_ATTRIBUTES` syntax, which a layer that does not decode cannot carry. */
const ATTRIBUTE_SYNTAX = /[%,=]/;

/**
 * Rule: the options the function's language layer cannot honour (src/layers/language-support.ts):
 * a propagator its SDK lacks (not checked for a layer of your own: yours to know), a resource
 * attribute its SDK would cut or drop; and a note when `cdk.construct.path` was shortened to fit.
 */
export function layerSupportRule(_fn: lambda.Function, draft: Draft): Finding {
  const data = draft.layerSupport;
  if (draft.support.kind !== 'language' || !data) return undefined;
  const release = draft.language!;
  const custom = release.layerArn !== undefined;
  const layer = `the OpenTelemetry ${draft.support.family} layer ${release.version ?? release.layerArn}`;

  const missing = draft.settings.propagators.filter(p => !data.propagators.includes(p));
  if (!custom && missing.length > 0) {
    return {
      kind: 'unsupportedOption',
      why: `propagators ${missing.join(', ')} are not in ${layer} (it has ${data.propagators.join(', ')}; ${data.unknownPropagator}); remove them from propagators, or bring a layer of your own with ${LAYER_CLASSES[draft.support.family]}.fromArn()`,
      summary: `propagators ${missing.join(', ')} not in its ${draft.support.family} layer (see its warning)`,
    };
  }

  for (const [key, value] of draft.attributes.attributes) {
    if (Token.isUnresolved(value)) continue;
    // The Ruby SDK splits on ',' and '=' and never decodes (language-support.ts, RUBY).
    if (!data.decodesResourceAttributes && ATTRIBUTE_SYNTAX.test(value)) {
      return {
        kind: 'unsupportedOption',
        why: `resource attribute ${key} is ${JSON.stringify(value)}, but ${layer} does not percent-decode OTEL_RESOURCE_ATTRIBUTES, so a value with ',', '=' or '%' would arrive cut or encoded; use a value without them`,
        summary: `resource attribute ${key} has ',', '=' or '%', which its ${draft.support.family} layer does not percent-decode (see its warning)`,
      };
    }
    // The Node.js SDK discards every attribute (service.name too) for one over its limit.
    const max = data.attributeMaxLength;
    const length = attributeLength(value, data);
    if (max !== undefined && (length > max || key.length > max)) {
      return {
        kind: 'unsupportedOption',
        why: `resource attribute ${key} is ${Math.max(key.length, length)} characters long${data.attributeLengthEncoded ? ' percent-encoded' : ''}, but ${layer} discards all of OTEL_RESOURCE_ATTRIBUTES when a key or value is over ${max} characters; shorten it`,
        summary: `resource attribute ${key} over the ${max} characters its ${draft.support.family} layer accepts (see its warning)`,
      };
    }
  }
  const s = draft.attributes.shortenedPath;
  if (!s) return undefined;
  return { infos: [`[@clickstack/cdk:attributeShortened] cdk.construct.path of ${draft.path} is ${s.from} characters, over the ${s.limit} ${layer} accepts (a longer value would drop every resource attribute): it is sent as an 8-character hash of the whole path, '...', and the last ${s.to - 11} characters of the path (${s.to} in all)`] };
}
