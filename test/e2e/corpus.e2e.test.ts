/**
 * Every collector configuration the library generates loads in the collector under test: per
 * distinct configuration (text and the environment values it references), `e2e-load`
 * (test/e2e/collector/load.go) validates it as `collector validate` does (component configs, then
 * service.Validate: the pipeline graph built, every component created) and prints it resolved; the
 * resolved configuration must hold what this file's table says for its case. A rejected
 * configuration fails. With the real collector, the upstream tree's validate tool loads them
 * (upstream's own main has no `validate`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { catalogCollectorReleases, CorpusCase, ENDPOINT, generateCorpus, PLAIN_KEY, SECRET_ARN, SECRET_JSON_ARN, SECRET_JSON_FIELD, TOKEN_ENDPOINT_VALUE, TOKEN_KEY_VALUE, writeHandlerDir } from './corpus';
import { fileInLayout, loadConfig, printConfig, testSecretsEnv, validateConfig } from './harness';

const SECRET_VALUE = 'secret-key-0123';
const JSON_SECRET_VALUE = 'json-key-0123';
const DEFAULT_SECRET_VALUE = 'token-arn-secret-key';
/** The authorization header each key kind must resolve to (through the test secrets provider). */
const EXPECTED_KEY: Record<string, string | undefined> = {
  'none': undefined,
  'secret': SECRET_VALUE,
  'secret#field': JSON_SECRET_VALUE,
  'secret-token-arn': DEFAULT_SECRET_VALUE,
  'plain': PLAIN_KEY,
  'plain-token': TOKEN_KEY_VALUE,
};

/**
 * What each collector release of the catalog must get, written here from upstream facts (not read
 * from the library, whose output this checks). open-telemetry/opentelemetry-lambda tags:
 * layer-collector/0.19.0 = bda8ac4f, 0.20.0 = 3e718c6d, 0.21.0 = c0ac4ce0, 0.22.0 = 247d46c7,
 * 0.23.0 = faa4ca46.
 * - exporter: `otlp_http` where the layer's collector core accepts it (v0.144.0+, core PR #14397)
 *   AND the layer's disablequeuedretryconverter lists it (from 0.21.0: lambda@c0ac4ce0
 *   collector/internal/confmap/converter/disablequeuedretryconverter/converter.go:47-48; 0.20.0 lists
 *   only "otlphttp", lambda@3e718c6d converter.go:46); `otlphttp` before.
 * - logResource: the processor that gives the Telemetry API logs the function's resource
 *   attributes: `transform` where the layer ships it (from 0.22.0: lambda@247d46c7
 *   collector/lambdacomponents/default.go:28,73), `resource` before.
 * - managedInstances: whether the release runs on Lambda Managed Instances at all (0.19.0 registers
 *   for INVOKE there, which they refuse: lambda@bda8ac4f collector/internal/extensionapi/client.go:96-98).
 */
const RELEASES: Record<string, { exporter: 'otlp_http' | 'otlphttp'; logResource: 'transform' | 'resource'; managedInstances: boolean }> = {
  '0.23.0': { exporter: 'otlp_http', logResource: 'transform', managedInstances: true },
  '0.22.0': { exporter: 'otlp_http', logResource: 'transform', managedInstances: true },
  '0.21.0': { exporter: 'otlp_http', logResource: 'resource', managedInstances: true },
  '0.20.0': { exporter: 'otlphttp', logResource: 'resource', managedInstances: true },
  '0.19.0': { exporter: 'otlphttp', logResource: 'resource', managedInstances: false },
};

/** The resource attributes of the `attributes=some` dimension (corpus.ts), as they must resolve: quotes and `$` kept. */
const SOME_ATTRIBUTES: Record<string, string> = { 'deployment.environment.name': 'corpus', 'team': 'o\'brien "q" $x', 'cost.center': '42' };

/** The OTTL statement that sets `key` to `value` only where it is absent, as the table expects it written. */
function ottlSet(key: string, value: string): string {
  const q = (x: string) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `set(attributes[${q(key)}], ${q(value)}) where attributes[${q(key)}] == nil`;
}

/** What the resolved configuration of one case must hold. */
function checkResolved(c: CorpusCase, config: any): void {
  const release = RELEASES[c.dims.release];
  assert.ok(release, `${c.name}: release ${c.dims.release} is not in this test's RELEASES table: add what it must get`);
  const exporterNames = Object.keys(config.exporters ?? {}).sort();
  assert.deepEqual(exporterNames, c.dims.debug === 'on' ? [release.exporter, 'debug'].sort() : [release.exporter], `${c.name}: exporters`);
  const exporter = config.exporters[release.exporter];
  // The layer's converter turns its sending queue off (collector/internal/collector/collector.go:80-84).
  assert.equal(exporter.sending_queue, null, `${c.name}: ${release.exporter} keeps a sending queue`);
  assert.equal(exporter.endpoint, c.dims.endpoint === 'token' ? TOKEN_ENDPOINT_VALUE : ENDPOINT, `${c.name}: endpoint`);
  assert.equal(exporter.compression, 'gzip', `${c.name}: compression`);
  const headers: Array<{ name: string; value: string }> = exporter.headers ?? [];
  const auth = headers.find(h => h.name === 'authorization')?.value;
  assert.equal(auth, EXPECTED_KEY[c.dims.key], `${c.name}: authorization header`);
  const pipelines = config.service.pipelines;
  const managed = c.dims.placement === 'managed-instances';
  // No INVOKE events on Managed Instances, so decouple would never forward there (issue 16): batch
  // instead. Elsewhere decouple alone: a batch before it would pass an invoke's data on after
  // platform.runtimeDone, when decouple forwards nothing until the next invoke (issue 27).
  const tail = managed ? ['batch'] : ['decouple'];
  assert.equal(config.processors.batch === undefined, !managed, `${c.name}: batch processor ${managed ? 'missing' : 'present'}`);
  const telemetry = c.dims.lambdaTelemetry !== 'none';
  const attrs = telemetry && c.dims.attributes === 'some';
  for (const signal of ['traces', 'metrics', 'logs']) {
    const p = pipelines[signal];
    assert.ok(p, `${c.name}: no ${signal} pipeline`);
    const processors = signal === 'logs' && attrs ? [release.logResource, ...tail] : tail;
    assert.deepEqual(p.processors, processors, `${c.name}: ${signal} processors`);
    assert.deepEqual(p.exporters.slice().sort(), exporterNames, `${c.name}: ${signal} exporters`);
    assert.deepEqual(p.receivers, signal === 'logs' && telemetry ? ['otlp', 'telemetryapi'] : ['otlp'], `${c.name}: ${signal} receivers`);
  }
  const types = { 'function': ['function'], 'platform+function': ['platform', 'function'], 'all': ['platform', 'function', 'extension'] }[c.dims.lambdaTelemetry as 'all'];
  if (telemetry) assert.deepEqual(config.receivers.telemetryapi.types, types, `${c.name}: telemetryapi types`);
  if (attrs && release.logResource === 'transform') {
    const statements: string[] = config.processors.transform.log_statements.flatMap((x: any) => x.statements);
    for (const [k, v] of Object.entries(SOME_ATTRIBUTES)) assert.ok(statements.includes(ottlSet(k, v)), `${c.name}: no ${ottlSet(k, v)} in ${JSON.stringify(statements)}`);
  } else if (attrs) {
    const resolved = Object.fromEntries(config.processors.resource.attributes.map((a: any) => [a.key, [a.value, a.action]]));
    for (const [k, v] of Object.entries(SOME_ATTRIBUTES)) assert.deepEqual(resolved[k], [v, 'insert'], `${c.name}: resource attribute ${k}`);
  }
}

void test('every configuration the library generates loads in the collector', { timeout: 20 * 60_000 }, async t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-corpus-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const started = Date.now();
  const corpus = generateCorpus(path.join(dir, 'out'), writeHandlerDir(path.join(dir, 'handler')));
  const secrets = testSecretsEnv({
    [SECRET_ARN]: SECRET_VALUE,
    [SECRET_JSON_ARN]: JSON.stringify({ [SECRET_JSON_FIELD]: JSON_SECRET_VALUE }),
  }, DEFAULT_SECRET_VALUE);

  // Distinct configurations: the text and the values of the variables it references.
  // E2E_CORPUS_FILTER (a regular expression over the case names) narrows the run while developing.
  const filter = process.env.E2E_CORPUS_FILTER ? new RegExp(process.env.E2E_CORPUS_FILTER) : undefined;
  if (filter) t.diagnostic(`corpus: only the cases matching ${filter}`);
  const distinct = new Map<string, { cases: CorpusCase[]; uri: string; env: Record<string, string> }>();
  for (const c of corpus.cases.filter(x => !filter || filter.test(x.name))) {
    const env = c.layout.environment;
    const uri = env.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
    assert.ok(uri, `${c.name}: no OPENTELEMETRY_COLLECTOR_CONFIG_URI`);
    let text: string; let fileUri = uri;
    if (uri.startsWith('env:')) {
      text = env[uri.slice(4)];
      assert.ok(text !== undefined, `${c.name}: ${uri} names a variable the function does not have`);
    } else {
      const file = fileInLayout(c.layout, uri);
      assert.ok(file && fs.existsSync(file), `${c.name}: ${uri} is in neither the code nor a local layer`);
      text = fs.readFileSync(file, 'utf8');
      fileUri = file;
    }
    const referenced = [...text.matchAll(/\$\{env:([A-Za-z0-9_]+)\}/g)].map(m => m[1]);
    const key = JSON.stringify([uri.startsWith('env:') ? 'env' : 'file', text, referenced.map(n => [n, env[n]])]);
    const entry = distinct.get(key) ?? { cases: [], uri: fileUri, env };
    entry.cases.push(c);
    distinct.set(key, entry);
  }
  const plainKeyCases = corpus.cases.filter(c => c.dims.key === 'plain');
  assert.ok(plainKeyCases.length > 0);
  t.diagnostic(`corpus: ${corpus.cases.length} configurations synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s, ${distinct.size} distinct, ${corpus.refused.length} combinations refused by the library`);
  const reasons = new Map<string, number>();
  for (const r of corpus.refused) {
    const reason = r.message.replace(/^(cannot instrument )?\S+: /, '');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  for (const [reason, n] of reasons) t.diagnostic(`refused by the library (${n}x): ${reason}`);
  // The refusals must be the documented ones only: debug with the extension type (an endless
  // loop), collector 0.19.0 on Managed Instances (it registers for INVOKE, which they reject), and
  // lambdaTelemetry on Managed Instances (every catalog collector subscribes with schemaVersion
  // "2022-12-13"; Managed Instances require "2025-01-29": issue 27).
  for (const r of corpus.refused) {
    const documented = /debug=on lambdaTelemetry=all/.test(r.name) || (/release=0\.19\.0\b/.test(r.name) && /placement=managed-instances/.test(r.name))
      || (/placement=managed-instances/.test(r.name) && !/lambdaTelemetry=none/.test(r.name) && /subscribes to the Telemetry API with schemaVersion "2022-12-13"/.test(r.message));
    assert.ok(documented, `unexpected refusal: ${r.name}: ${r.message}`);
  }
  assert.ok(corpus.refused.some(r => /placement=managed-instances/.test(r.name)), 'collector 0.19.0 on Managed Instances was not refused');
  // The table covers exactly the catalog's releases (a new one must be added with what it must get).
  assert.deepEqual(catalogCollectorReleases().map(r => r.version!).sort(), Object.keys(RELEASES).sort());
  for (const [v, r] of Object.entries(RELEASES)) {
    if (!r.managedInstances) assert.ok(corpus.refused.some(x => x.name.includes(`release=${v} `) && /placement=managed-instances/.test(x.name)), `${v} on Managed Instances was not refused`);
  }

  let i = 0;
  const entries = [...distinct.values()];
  const worker = async () => {
    while (i < entries.length) {
      const e = entries[i++];
      await t.test(`loads: ${e.cases[0].name}${e.cases.length > 1 ? ` (+${e.cases.length - 1} same)` : ''}`, async () => {
        const result = await loadConfig(e.uri, { ...e.env, ...secrets });
        assert.ok(result.ok, `the collector rejected it:\n${result.output}`);
        for (const c of e.cases) checkResolved(c, result.config);
      });
    }
  };
  await Promise.all([worker(), worker()]);
  t.diagnostic(`corpus: validated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  void PLAIN_KEY;
});

void test('negative control: a secret the test provider does not have fails the load', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-neg-'));
  try {
    const file = path.join(dir, 'secret.yaml');
    fs.writeFileSync(file, [
      'receivers: {otlp: {protocols: {http: {endpoint: "localhost:4318"}}}}',
      'exporters: {otlp_http: {endpoint: "https://x.example.com", headers: {authorization: "${secretsmanager:${env:ARN}#apiKey}"}}}',
      'service: {pipelines: {traces: {receivers: [otlp], exporters: [otlp_http]}}}',
    ].join('\n'));
    const ok = await validateConfig(file, { ARN: 'arn:a', ...testSecretsEnv({ 'arn:a': '{"apiKey":"k"}' }) });
    assert.equal(ok.ok, true, ok.output);
    const missing = await validateConfig(file, { ARN: 'arn:b', ...testSecretsEnv({ 'arn:a': '{"apiKey":"k"}' }) });
    assert.equal(missing.ok, false);
    assert.match(missing.output, /no secret "arn:b"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('negative control: the collector rejects a configuration with an unknown key', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-neg-'));
  try {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, [
      'receivers: {otlp: {protocols: {http: {endpoint: "localhost:4318"}}}}',
      'processors: {decouple: {max_queue_size: 0}}',
      'exporters: {otlp_http: {endpoint: "https://x.example.com", compresion: gzip}}',
      'service: {pipelines: {traces: {receivers: [otlp], processors: [decouple], exporters: [otlp_http]}}}',
    ].join('\n'));
    const result = await validateConfig(file, {});
    assert.equal(result.ok, false);
    assert.match(result.output, /compresion/);
    // print-config validates the component configurations too; so does e2e-load, which the corpus uses.
    const printed = await printConfig(file, {});
    assert.equal(printed.ok, false);
    assert.match(printed.output, /compresion/);
    const loaded = await loadConfig(file, {});
    assert.equal(loaded.ok, false);
    assert.match(loaded.output, /compresion/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('negative control: a pipeline graph print-config accepts and validate refuses (the span processor in a logs pipeline); e2e-load refuses it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-neg-'));
  try {
    const file = path.join(dir, 'graph.yaml');
    fs.writeFileSync(file, [
      'receivers: {otlp: {protocols: {http: {endpoint: "localhost:4318"}}}}',
      'processors: {span: {name: {from_attributes: [a]}}}',
      'exporters: {otlp_http: {endpoint: "https://x.example.com"}}',
      'service: {pipelines: {logs: {receivers: [otlp], processors: [span], exporters: [otlp_http]}}}',
    ].join('\n'));
    // confmap.Validate alone (print-config): every component configuration is valid.
    const printed = await printConfig(file, {});
    assert.equal(printed.ok, true, printed.output);
    // service.Validate (validate, e2e-load): the span processor has no logs.
    const validated = await validateConfig(file, {});
    assert.equal(validated.ok, false);
    const loaded = await loadConfig(file, {});
    assert.equal(loaded.ok, false);
    assert.match(loaded.output, /span/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
