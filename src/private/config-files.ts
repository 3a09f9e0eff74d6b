import { parse } from 'yaml';

/*
 * Where the collector configuration lives in a function, and its one-line form for a variable:
 * read by the delivery rule (planning) and by the applier.
 */

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
