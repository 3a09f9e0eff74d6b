import { COLLECTOR_VERSIONS, LAYER_CATALOG, LayerFamily } from './catalog';

/**
 * What each upstream layer release understands at run time, read from its sources (not run).
 * Used by validation, by the environment and collector config this library emits, and by the
 * README table "What each language layer supports" (test/language-support.test.ts keeps the
 * two in step, and ties every release of LAYER_CATALOG to an entry here).
 *
 * Citations: `lambda@<commit> <file>:<line>` is open-telemetry/opentelemetry-lambda at the
 * layer's tag (layer-nodejs/0.19.0 = 7acbd17e; 0.20.0 = 3e718c6d; 0.21.0 = c0ac4ce0;
 * 0.23.0 = faa4ca46; layer-python/0.18.0 = 3e718c6d, 0.19.0 = c0ac4ce0, 0.21.0 = faa4ca46;
 * layer-javaagent/0.18.0 = 235abf2d, 0.19.0 = c0ac4ce0, 0.21.0 = faa4ca46 (the Java wrapper
 * layer is released from the same tag); layer-ruby/0.12.0 = 3e718c6d, 0.13.0 = c0ac4ce0,
 * 0.15.0 = faa4ca46; layer-collector/0.19.0 = bda8ac4f, 0.20.0 = 3e718c6d, 0.21.0 = c0ac4ce0,
 * 0.23.0 = faa4ca46). Facts checked in /work/research/issue11-facts.md.
 */

/** Language layer families. */
export type LanguageLayerFamily = Exclude<LayerFamily, 'collector'>;

/** How the layer's SDK sends OTLP when `OTEL_EXPORTER_OTLP_PROTOCOL` is not set. */
export type OtlpDefault = 'http/protobuf' | 'grpc' | 'http only';

/** Node.js instrumentation names (`OTEL_NODE_ENABLED_INSTRUMENTATIONS`). */
export interface NodeInstrumentations {
  /** Names the layer's wrapper looks for; any other name is ignored silently. */
  readonly accepted: readonly string[];
  /** What runs when the variable is not set. */
  readonly defaults: readonly string[];
  /** Always on, whatever the variable says (not selectable names). */
  readonly alwaysOn: readonly string[];
}

/** What one language layer release's SDK understands. */
export interface LanguageLayerSupport {
  /** OTLP protocol when `OTEL_EXPORTER_OTLP_PROTOCOL` is unset. */
  readonly otlpDefault: OtlpDefault;
  /** `OTEL_PROPAGATORS` names the layer can build; any other breaks or is dropped. */
  readonly propagators: readonly string[];
  /** What an unsupported propagator does at run time, for messages. */
  readonly unknownPropagator: string;
  /** Whether `OTEL_RESOURCE_ATTRIBUTES` keys and values are percent-decoded. */
  readonly decodesResourceAttributes: boolean;
  /** Longest decoded key or value the SDK accepts; a longer one drops the whole variable. */
  readonly attributeMaxLength?: number;
  /** Variables that turn on the SDK's (or agent's) debug logging, with their value. */
  readonly debugVariables: Readonly<Record<string, string>>;
  /** Node.js only: instrumentation names. */
  readonly nodeInstrumentations?: NodeInstrumentations;
}

/** What one collector layer release understands. */
export interface CollectorLayerSupport {
  /** Upstream collector version (COLLECTOR_VERSIONS, from scripts/layer-releases.json). */
  readonly collectorVersion: string;
  /** The type name to give the OTLP/HTTP exporter. */
  readonly otlpHttpExporter: 'otlp_http' | 'otlphttp';
}

// Node.js: the layer's wrapper builds propagators from its own map and drops unknown names with
// a diag warning: lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:52-57 (propagatorMap),
// :311-316 (unknown name: "Invalid propagator"); same map at 0.19.0 (7acbd17e) :66-71,
// 0.20.0/0.21.0 :52-57.
const NODE_PROPAGATORS = ['tracecontext', 'baggage', 'xray', 'xray-lambda'];
// Names the wrapper's defaultConfigureInstrumentations() tests with activeInstrumentations.has():
// lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:114-263 (0.21.0: the same; 0.20.0: :114-292;
// 0.19.0: :128-306). aws-sdk and aws-lambda are created unconditionally in
// createInstrumentations(): lambda@faa4ca46 wrapper.ts:267-278.
const NODE_ACCEPTED = [
  'amqplib', 'bunyan', 'cassandra-driver', 'connect', 'dataloader', 'dns', 'express', 'fs', 'graphql', 'grpc',
  'hapi', 'http', 'ioredis', 'kafkajs', 'knex', 'koa', 'memcached', 'mongodb', 'mongoose', 'mysql', 'mysql2',
  'nestjs-core', 'net', 'pg', 'pino', 'redis', 'restify', 'socket.io', 'undici', 'winston',
];
const NODE_ALWAYS_ON = ['aws-sdk', 'aws-lambda'];

function nodejs(defaults: readonly string[]): LanguageLayerSupport {
  return {
    // The layer bundles only the OTLP/HTTP exporters: lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:34
    // (exporter-trace-otlp-http), :420 (exporter-metrics-otlp-http), :465 (exporter-logs-otlp-http).
    otlpDefault: 'http only',
    propagators: NODE_PROPAGATORS,
    unknownPropagator: 'the Node.js layer drops it with a warning',
    // EnvDetector percent-decodes, and throws (the whole variable is discarded) on a decoded key
    // or value over 255 characters or an entry that is not one key=value:
    // open-telemetry/opentelemetry-js@v2.10.0 packages/opentelemetry-resources/src/detectors/EnvDetector.ts
    // :19 (_MAX_LENGTH = 255), :42-46 (catch: nothing kept), :86-91 (stray '='), :107-108
    // (decodeURIComponent), :116-126 (length).
    decodesResourceAttributes: true,
    attributeMaxLength: 255,
    // lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:599-600: diag logger level from OTEL_LOG_LEVEL.
    debugVariables: { OTEL_LOG_LEVEL: 'debug' },
    nodeInstrumentations: { accepted: NODE_ACCEPTED, defaults, alwaysOn: NODE_ALWAYS_ON },
  };
}
// lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:50 (same line at 0.20.0 and 0.21.0).
const NODE_DEFAULTS = ['dns', 'http', 'net'];
// lambda@7acbd17e (layer-nodejs/0.19.0) nodejs/packages/layer/src/wrapper.ts:50-64.
const NODE_DEFAULTS_0_19 = ['dns', 'express', 'graphql', 'grpc', 'hapi', 'http', 'ioredis', 'koa', 'mongodb', 'mysql', 'net', 'pg', 'redis'];

const PYTHON: LanguageLayerSupport = {
  // lambda@faa4ca46 python/src/otel/otel_sdk/otel-instrument:96-98 sets OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  // when unset (same lines at 0.18.0 and 0.19.0); only the HTTP exporter is bundled
  // (python/src/otel/otel_sdk/requirements.txt:2 opentelemetry-exporter-otlp-proto-http).
  otlpDefault: 'http/protobuf',
  // tracecontext and baggage from opentelemetry-api, xray and xray-lambda from
  // opentelemetry-propagator-aws-xray (requirements.txt:6); no B3 package. An unknown name raises
  // "Propagator b3 not found" (open-telemetry/opentelemetry-python@v1.44.0
  // opentelemetry-api/src/opentelemetry/propagate/__init__.py:153-158), which aborts the
  // auto-instrumentation ("Failed to auto initialize OpenTelemetry").
  propagators: ['tracecontext', 'baggage', 'xray', 'xray-lambda'],
  unknownPropagator: 'the Python SDK fails to initialise: no telemetry at all',
  // OTELResourceDetector: opentelemetry-python@v1.44.0 opentelemetry-sdk/src/opentelemetry/sdk/resources/__init__.py
  // :321 (split on the first '='), :329 (parse.unquote); no length limit.
  decodesResourceAttributes: true,
  // OTEL_LOG_LEVEL is not read by the Python SDK, and the layer has no debug switch of its own.
  debugVariables: {},
};

function java(agent: boolean): LanguageLayerSupport {
  return {
    // Agent: open-telemetry/opentelemetry-java-instrumentation@v2.30.0 javaagent-tooling/.../config/OtlpProtocolPropertiesSupplier.java:20
    // (http/protobuf). Wrapper: TracingRequestWrapperBase.java:37-41 calls
    // AutoConfiguredOpenTelemetrySdk.initialize() with no customizer, and the SDK defaults to
    // grpc: open-telemetry/opentelemetry-java@v1.64.0 exporters/otlp/all/.../OtlpConfigUtil.java:41,45-50
    // (same default in SDK 1.59.0 and 1.60.1, wrapper 0.18.0 and 0.19.0).
    otlpDefault: agent ? 'http/protobuf' : 'grpc',
    // Agent: every OTEL_PROPAGATORS name of the spec plus xray and xray-lambda. Wrapper:
    // lambda@faa4ca46 java/layer-wrapper/build.gradle.kts:11 opentelemetry-extension-trace-propagators
    // (b3, b3multi), :8 aws-lambda-events-3.11 (brings the contrib aws-xray-propagator: xray,
    // xray-lambda); W3C ones are in the SDK.
    propagators: ['tracecontext', 'baggage', 'xray', 'xray-lambda', 'b3', 'b3multi'],
    unknownPropagator: 'the Java SDK refuses to start',
    // Java autoconfigure percent-decodes OTEL_RESOURCE_ATTRIBUTES values (ResourceConfiguration); no length limit.
    decodesResourceAttributes: true,
    // Agent: otel.javaagent.debug (OTEL_JAVAAGENT_DEBUG). The wrapper's SDK has no debug variable
    // (java.util.logging configuration only).
    debugVariables: agent ? { OTEL_JAVAAGENT_DEBUG: 'true' } : {},
  };
}

const RUBY: LanguageLayerSupport = {
  // opentelemetry-exporter-otlp (lambda@faa4ca46 ruby/src/otel/layer/Gemfile:4) speaks
  // OTLP/HTTP only; the SDK warns and exports nothing for another protocol
  // (open-telemetry/opentelemetry-ruby opentelemetry-sdk/v1.13.0 sdk/lib/opentelemetry/sdk/configurator.rb:190-196).
  otlpDefault: 'http only',
  // configurator.rb:209-225: tracecontext and baggage are built in; b3, b3multi, jaeger, xray and
  // ottrace need a propagator gem the layer's Gemfile does not list (:228-231 warns and skips);
  // any other name (xray-lambda) is "unknown" (:221).
  propagators: ['tracecontext', 'baggage'],
  unknownPropagator: 'the Ruby SDK skips it with a warning',
  // opentelemetry-sdk/v1.13.0 (and v1.10.0, layers 0.12.0/0.13.0) sdk/lib/opentelemetry/sdk/resources/resource.rb:44-49:
  // split on ',' then '=', no decoding: `payments%20EU` arrives as it is, `a=b` loses `=b`.
  decodesResourceAttributes: false,
  // configurator.rb:56: ForwardingLogger level from OTEL_LOG_LEVEL.
  debugVariables: { OTEL_LOG_LEVEL: 'debug' },
};

/** Per language family, per catalog release (every release of LAYER_CATALOG has one). */
export const LANGUAGE_SUPPORT: Record<LanguageLayerFamily, Readonly<Record<string, LanguageLayerSupport>>> = {
  nodejs: {
    '0.23.0': nodejs(NODE_DEFAULTS),
    '0.21.0': nodejs(NODE_DEFAULTS),
    '0.20.0': nodejs(NODE_DEFAULTS),
    '0.19.0': nodejs(NODE_DEFAULTS_0_19),
  },
  python: { '0.21.0': PYTHON, '0.19.0': PYTHON, '0.18.0': PYTHON },
  javaagent: { '0.21.0': java(true), '0.19.0': java(true), '0.18.0': java(true) },
  javawrapper: { '0.21.0': java(false), '0.19.0': java(false), '0.18.0': java(false) },
  ruby: { '0.15.0': RUBY, '0.13.0': RUBY, '0.12.0': RUBY },
};

/**
 * The exporter type the collector accepts since open-telemetry/opentelemetry-collector v0.144.0
 * (commit 02f2e05b52, PR #14397; exporter/otlphttpexporter/factory.go:31
 * `WithDeprecatedTypeAlias("otlphttp")`): `otlphttp` still loads but logs a deprecation warning
 * at every cold start. Before v0.144.0 only `otlphttp` exists (v0.138.0 metadata.yaml:1).
 */
const OTLP_HTTP_RENAMED_IN = '0.144.0';

/**
 * Per collector layer release. `otlp_http` also needs the layer's disablequeuedretryconverter to
 * know the new name, or the exporter keeps its sending queue (exports lost when Lambda freezes
 * the environment): it lists only "otlphttp" at lambda@3e718c6d (layer-collector/0.20.0)
 * collector/internal/confmap/converter/disablequeuedretryconverter/converter.go:46, and both
 * names from layer-collector/0.21.0 (lambda@c0ac4ce0 converter.go:47-48; faa4ca46 :47-48).
 */
export const COLLECTOR_SUPPORT: Readonly<Record<string, CollectorLayerSupport>> = {
  '0.23.0': { collectorVersion: COLLECTOR_VERSIONS['0.23.0'], otlpHttpExporter: 'otlp_http' },
  '0.21.0': { collectorVersion: COLLECTOR_VERSIONS['0.21.0'], otlpHttpExporter: 'otlp_http' },
  '0.20.0': { collectorVersion: COLLECTOR_VERSIONS['0.20.0'], otlpHttpExporter: 'otlphttp' },
  '0.19.0': { collectorVersion: COLLECTOR_VERSIONS['0.19.0'], otlpHttpExporter: 'otlphttp' },
};

/** Whether `version` (MAJOR.MINOR.PATCH) is at least `min`. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** The collector release's collector version accepts `otlp_http`. */
export function collectorAcceptsOtlpHttp(collectorVersion: string): boolean {
  return versionAtLeast(collectorVersion, OTLP_HTTP_RENAMED_IN);
}

/**
 * The OTLP/HTTP exporter type for a collector layer version; `otlphttp` for a layer of your own
 * (`CollectorLayer.fromArn()`, version unknown): every collector release accepts it.
 */
export function otlpHttpExporterType(collectorLayerVersion: string | undefined): 'otlp_http' | 'otlphttp' {
  if (collectorLayerVersion === undefined) return 'otlphttp';
  return COLLECTOR_SUPPORT[collectorLayerVersion]?.otlpHttpExporter ?? 'otlphttp';
}

/** What a language layer release supports; undefined for a layer of your own (`fromArn()`). */
export function languageSupport(family: LanguageLayerFamily, version: string | undefined): LanguageLayerSupport | undefined {
  return version === undefined ? undefined : LANGUAGE_SUPPORT[family][version];
}

const FAMILY_TITLES: Record<LanguageLayerFamily, string> = {
  nodejs: 'Node.js',
  python: 'Python',
  javaagent: 'Java agent',
  javawrapper: 'Java wrapper',
  ruby: 'Ruby',
};

/**
 * The README table "What each language layer supports", one row per family and group of
 * releases with the same support, newest first. test/language-support.test.ts checks that the
 * README holds exactly this text.
 */
export function renderSupportTable(): string {
  const lines = [
    '| layer (releases) | OTLP when `OTEL_EXPORTER_OTLP_PROTOCOL` is unset | propagators | `OTEL_RESOURCE_ATTRIBUTES` | SDK debug (`debug: true`) | Node.js instrumentations |',
    '|---|---|---|---|---|---|',
  ];
  for (const family of Object.keys(LANGUAGE_SUPPORT) as LanguageLayerFamily[]) {
    const versions = Object.keys(LAYER_CATALOG[family]);
    const groups: Array<{ versions: string[]; support: LanguageLayerSupport }> = [];
    for (const v of versions) {
      const support = LANGUAGE_SUPPORT[family][v];
      const same = groups.find(g => JSON.stringify(g.support) === JSON.stringify(support));
      if (same) same.versions.push(v);
      else groups.push({ versions: [v], support });
    }
    for (const { versions: vs, support: s } of groups) {
      const code = (names: readonly string[]) => names.map(n => `\`${n}\``).join(', ');
      const attributes = [
        s.decodesResourceAttributes ? 'percent-decoded' : 'not decoded: values with `,` `=` `%` refused',
        ...(s.attributeMaxLength !== undefined ? [`values ≤ ${s.attributeMaxLength} characters`] : []),
      ].join('; ');
      const debug = Object.keys(s.debugVariables).length > 0
        ? Object.entries(s.debugVariables).map(([k, v]) => `\`${k}=${v}\``).join(', ')
        : 'none';
      const instrumentations = s.nodeInstrumentations
        ? `default ${code(s.nodeInstrumentations.defaults)}; always on ${code(s.nodeInstrumentations.alwaysOn)}`
        : '-';
      const otlp = s.otlpDefault === 'http only' ? 'OTLP/HTTP only' : `\`${s.otlpDefault}\``;
      lines.push(`| ${FAMILY_TITLES[family]} (${vs.join(', ')}) | ${otlp} | ${code(s.propagators)} | ${attributes} | ${debug} | ${instrumentations} |`);
    }
  }
  return lines.join('\n');
}
