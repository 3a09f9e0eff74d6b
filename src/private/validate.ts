import { Token } from './cdk';
import { releasesOf, Settings, settingsOf } from './settings';
import { LAYER_CATALOG, LAYER_CLASSES, LayerFamily } from '../layers/catalog';
import { LANGUAGE_SUPPORT } from '../layers/language-support';
import { OtelLayerRelease } from '../layers/releases';
import { ClickStackOptions, JavaInstrumentation, TelemetryApiType } from '../options';

const FAMILIES: readonly LayerFamily[] = ['collector', 'nodejs', 'python', 'javaagent', 'javawrapper', 'ruby'];

/** Characters that break an environment variable or an OTEL_* list: controls. */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Resource attribute keys: OpenTelemetry's dotted names. */
const ATTRIBUTE_KEY = /^[A-Za-z0-9][A-Za-z0-9._\-\/]*$/;
/** Instrumentation names of the Node.js and Python layers. */
const INSTRUMENTATION = /^[A-Za-z0-9@][A-Za-z0-9_.\-\/@]*$/;

/**
 * Every check of the options that does not depend on a function, then the options with their
 * defaults applied: the only place besides `settingsOf` that reads `ClickStackOptions`. Throws an
 * error that names the owner, the value and the fix.
 */
export function validateOptions(options: ClickStackOptions, owner: string): Settings {
  const fail = (message: string): never => {
    throw new Error(`${owner}: ${message}`);
  };
  validateEndpoint(options.endpoint, fail);

  const releases = releasesOf(options);
  for (const family of FAMILIES) {
    const release = releases[family];
    const layerClass = LAYER_CLASSES[family];
    if (!(release instanceof OtelLayerRelease) || release._family !== family) {
      fail(`got ${release instanceof OtelLayerRelease ? `a ${release._family} layer release` : `'${release}'`} where a ${layerClass} is expected`);
    }
    if (release.layerArn === undefined && LAYER_CATALOG[family][release.version!] === undefined) {
      fail(`unknown ${family} layer version ${release.version}; use ${layerClass}.LATEST, a pinned V… constant, or ${layerClass}.fromArn()`);
    }
  }

  for (const [name, value] of [['serviceName', options.serviceName], ['deploymentEnvironment', options.deploymentEnvironment], ['serviceVersion', options.serviceVersion]] as const) {
    if (value === undefined || Token.isUnresolved(value)) continue;
    if (value.trim() === '') fail(`${name} must not be empty; omit it to use the default`);
    if (CONTROL.test(value)) fail(`${name} ${JSON.stringify(value)} contains control characters`);
  }
  for (const [key, value] of Object.entries(options.resourceAttributes ?? {})) {
    if (Token.isUnresolved(key) || !ATTRIBUTE_KEY.test(key)) {
      fail(`resource attribute key ${JSON.stringify(key)} must be a dotted name of letters, digits, '.', '_', '-' and '/', such as team.name`);
    }
    if (typeof value !== 'string' || (!Token.isUnresolved(value) && CONTROL.test(value))) {
      fail(`resource attribute ${key} must be a string without control characters, got ${JSON.stringify(value)}`);
    }
  }
  for (const [name, list] of [['nodejsEnabledInstrumentations', options.nodejsEnabledInstrumentations], ['pythonDisabledInstrumentations', options.pythonDisabledInstrumentations]] as const) {
    if (list === undefined) continue;
    if (list.length === 0 && name === 'nodejsEnabledInstrumentations') fail(`${name} is empty, which the Node.js layer reads as unset (its default set); omit it, or list the instrumentations to turn on`);
    for (const item of list) {
      if (Token.isUnresolved(item) || !INSTRUMENTATION.test(item)) fail(`${name} entry ${JSON.stringify(item)} is not an instrumentation name, such as http or pg`);
    }
  }
  validateNodeInstrumentations(options, fail);
  if (options.debug && options.lambdaTelemetry?.includes(TelemetryApiType.EXTENSION)) {
    // The debug exporter writes to the extension's stdout, which EXTENSION logs read back: every
    // exported item is logged and received again, forever (open-telemetry/opentelemetry-lambda@faa4ca46
    // collector/receiver/telemetryapireceiver/receiver.go:228-230 warns of this loop).
    fail('debug with lambdaTelemetry EXTENSION would loop: the debug exporter writes every item to the extension\'s output, which the telemetryapi receiver reads back and exports again; drop TelemetryApiType.EXTENSION while debugging, or turn debug off');
  }
  if (options.lambdaTelemetry !== undefined && options.lambdaTelemetry.length === 0) {
    fail('lambdaTelemetry is empty; give the event types, such as [TelemetryApiType.FUNCTION, TelemetryApiType.PLATFORM], or omit it');
  }
  if (options.javaAgentFastStartup && options.javaInstrumentation !== undefined && options.javaInstrumentation !== JavaInstrumentation.AGENT) {
    fail('javaAgentFastStartup only applies to JavaInstrumentation.AGENT');
  }
  if (options.javaWrapperLayer !== undefined && (options.javaInstrumentation ?? JavaInstrumentation.AGENT).kind !== 'wrapper') {
    fail('javaWrapperLayer is set but javaInstrumentation is not a JavaInstrumentation.WRAPPER*; set both, or neither');
  }
  return settingsOf(options);
}

function validateEndpoint(endpoint: string, fail: (message: string) => never): void {
  if (endpoint === undefined || endpoint === null || (!Token.isUnresolved(endpoint) && `${endpoint}`.trim() === '')) {
    fail('endpoint is required, such as https://otel.example.com:4318');
  }
  if (Token.isUnresolved(endpoint)) return;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    fail(`endpoint '${endpoint}' is not a URL; give the ClickStack OTLP/HTTP endpoint, such as https://otel.example.com:4318`);
  }
  if (url!.protocol !== 'https:' && url!.protocol !== 'http:') {
    fail(`endpoint '${endpoint}' must use https:// or http://, not ${url!.protocol}// (the collector exports OTLP over HTTP)`);
  }
  if (url!.username || url!.password) {
    fail('endpoint must not contain credentials, they would be stored in plain text; pass the key with ingestionKey: IngestionKey.fromSecret(...)');
  }
  if (url!.search || url!.hash) {
    fail(`endpoint '${endpoint}' must not have a query or fragment; the collector appends /v1/traces, /v1/metrics and /v1/logs to it`);
  }
  if (/\/v1\/(traces|metrics|logs)\/?$/.test(url!.pathname)) {
    fail(`endpoint '${endpoint}' ends in a signal path; give the base URL (the collector appends /v1/traces, /v1/metrics and /v1/logs)`);
  }
  if (CONTROL.test(endpoint) || /\s/.test(endpoint)) {
    fail(`endpoint ${JSON.stringify(endpoint)} contains white space or control characters`);
  }
}

/**
 * `nodejsEnabledInstrumentations` against the chosen Node.js layer release's names (not for a
 * layer of your own): the layer ignores an unknown name silently (src/layers/language-support.ts).
 */
function validateNodeInstrumentations(options: ClickStackOptions, fail: (message: string) => never): void {
  const list = options.nodejsEnabledInstrumentations;
  const release = releasesOf(options).nodejs;
  if (list === undefined || release.version === undefined) return;
  const names = LANGUAGE_SUPPORT.nodejs[release.version]?.nodeInstrumentations;
  if (!names) return;
  for (const item of list) {
    if (names.alwaysOn.includes(item)) {
      fail(`nodejsEnabledInstrumentations entry '${item}' is not needed: the Node.js layer ${release.version} always turns on ${names.alwaysOn.join(' and ')}; remove it`);
    }
    if (!names.accepted.includes(item)) {
      fail(`nodejsEnabledInstrumentations entry '${item}' is not an instrumentation of the Node.js layer ${release.version}, which would ignore it; valid names: ${names.accepted.join(', ')}`);
    }
  }
}
