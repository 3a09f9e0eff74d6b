import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LanguageLayerSupport } from '../../layers/language-support';
import { Stack, Token } from '../cdk';
import { shortHash } from '../hash';
import { ResourceAttributeList } from '../plan-model';
import { Settings } from '../settings';

/**
 * Percent-encode a resource attribute value: what the `key=value,...` syntax needs, `%`, `,` and
 * `=` (the OpenTelemetry spec: "The ',' and '=' characters in keys and values MUST be
 * percent-encoded"; open-telemetry/opentelemetry-js@v2.10.0 EnvDetector.ts:60-62), plus what the
 * layer's SDK needs (`also`, from src/layers/language-support.ts). Everything else is passed as it
 * is, so that the Ruby SDK, which does not decode, reads the same text as the others.
 */
export function encodeAttributeValue(value: string, also?: LanguageLayerSupport['attributeEncodeAlso']): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const encode = ch === '%' || ch === ',' || ch === '='
      || (also === 'plus' && ch === '+')
      || (also === 'non-baggage-octet' && (code < 0x21 || code > 0x7e || ch === '"' || ch === ';' || ch === '\\'));
    out += encode ? [...Buffer.from(ch, 'utf8')].map(b => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('') : ch;
  }
  return out;
}

/** The length the layer's SDK checks against its limit: decoded, or as sent. */
export function attributeLength(value: string, data: LanguageLayerSupport): number {
  return data.attributeLengthEncoded ? encodeAttributeValue(value, data.attributeEncodeAlso).length : value.length;
}

/**
 * `cdk.construct.path` within the layer's limit: whole, or an 8-character hash of the whole
 * path, `...`, and the longest end of the path that fits.
 */
function shortenPath(path: string, max: number, length: (v: string) => number): string {
  if (length(path) <= max) return path;
  const prefix = `${shortHash(path).slice(0, 8)}...`;
  const chars = [...path];
  let keep = Math.min(chars.length, max - prefix.length);
  while (keep > 0 && length(prefix + chars.slice(chars.length - keep).join('')) > max) keep--;
  return prefix + chars.slice(chars.length - keep).join('');
}

/**
 * The resource attributes of one function, in order: the settings' own, then (with
 * `includeCdkMetadata`) the stack name and the construct path, shortened to what the layer's SDK
 * accepts (the Node.js SDK drops the whole variable for a value over its limit: language-support.ts).
 */
export function resourceAttributeList(
  fn: lambda.Function, settings: Settings, data: LanguageLayerSupport | undefined,
): ResourceAttributeList {
  if (!settings.includeCdkMetadata) return { attributes: settings.attributes };
  const attributes = [...settings.attributes];
  attributes.push(['cdk.stack.name', Stack.of(fn).stackName]);
  const limit = data?.attributeMaxLength;
  const path = fn.node.path;
  const value = data && limit !== undefined ? shortenPath(path, limit, v => attributeLength(v, data)) : path;
  attributes.push(['cdk.construct.path', value]);
  return { attributes, shortenedPath: value !== path ? { from: path.length, to: value.length, limit: limit! } : undefined };
}

/** `OTEL_RESOURCE_ATTRIBUTES` for one function, or undefined when there are none. */
export function resourceAttributesValue(
  attributes: ReadonlyArray<readonly [string, string]>, data: LanguageLayerSupport | undefined,
): string | undefined {
  if (attributes.length === 0) return undefined;
  const also = data?.attributeEncodeAlso;
  // A value known only at deploy time cannot be encoded here: it is passed as it is (docs/options.md:
  // such a value must not contain ',', '=' or '%').
  return attributes.map(([k, v]) => `${k}=${Token.isUnresolved(v) ? v : encodeAttributeValue(v, also)}`).join(',');
}

/**
 * The attributes the `telemetryapi` logs get through the collector's `resource` processor:
 * those with a value known at synth (`$` doubled: a literal `$` for the collector), only when
 * the receiver is on.
 */
export function telemetryLogAttributes(
  telemetryApiTypes: readonly string[] | undefined, attributes: ReadonlyArray<readonly [string, string]>,
): Array<[string, string]> | undefined {
  if (!telemetryApiTypes) return undefined;
  return attributes
    .filter(([, v]) => !Token.isUnresolved(v))
    .map(([k, v]) => [k, v.replace(/\$/g, '$$$$')]);
}
