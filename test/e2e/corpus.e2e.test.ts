/**
 * Every collector configuration the library generates loads in the collector built from the
 * upstream layer's components (test/e2e/collector): `collector validate` per distinct
 * configuration (text and the environment values it references). A rejected configuration fails.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CorpusCase, ENDPOINT, generateCorpus, PLAIN_KEY, SECRET_ARN, SECRET_JSON_ARN, SECRET_JSON_FIELD, TOKEN_ENDPOINT_VALUE, TOKEN_KEY_VALUE, writeHandlerDir } from './corpus';
import { fileInLayout, printConfig, testSecretsEnv, validateConfig } from './harness';
import { logResourceProcessor } from '../../src/layers/language-support';

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

/** What the resolved configuration of one case must hold. */
function checkResolved(c: CorpusCase, config: any): void {
  const exporterNames = Object.keys(config.exporters ?? {});
  const otlpHttp = exporterNames.find(n => n === 'otlp_http' || n === 'otlphttp');
  assert.ok(otlpHttp, `${c.name}: no OTLP/HTTP exporter in ${exporterNames}`);
  const exporter = config.exporters[otlpHttp];
  assert.equal(exporter.endpoint, c.dims.endpoint === 'token' ? TOKEN_ENDPOINT_VALUE : ENDPOINT, `${c.name}: endpoint`);
  assert.equal(exporter.compression, 'gzip', `${c.name}: compression`);
  const headers: Array<{ name: string; value: string }> = exporter.headers ?? [];
  const auth = headers.find(h => h.name === 'authorization')?.value;
  assert.equal(auth, EXPECTED_KEY[c.dims.key], `${c.name}: authorization header`);
  assert.equal(exporterNames.includes('debug'), c.dims.debug === 'on', `${c.name}: debug exporter`);
  const pipelines = config.service.pipelines;
  for (const signal of ['traces', 'metrics', 'logs']) {
    const p = pipelines[signal];
    assert.ok(p, `${c.name}: no ${signal} pipeline`);
    if (c.dims.placement === 'managed-instances') {
      // No INVOKE events there, so decouple would never forward (issue 16); batching stays.
      assert.ok(!p.processors.includes('decouple'), `${c.name}: decouple in ${signal} on Managed Instances`);
      assert.ok(p.processors.includes('batch'), `${c.name}: no batch in ${signal}`);
    } else {
      assert.equal(p.processors[p.processors.length - 1], 'decouple', `${c.name}: decouple is not last in ${signal}`);
    }
  }
  assert.equal(pipelines.logs.receivers.includes('telemetryapi'), c.dims.lambdaTelemetry !== 'none', `${c.name}: telemetryapi receiver`);
  // The logs' resource attributes: transform on collector layers that ship it, resource before.
  const expected = c.dims.lambdaTelemetry !== 'none' && c.dims.attributes === 'some' ? logResourceProcessor(c.dims.release) : undefined;
  assert.equal(pipelines.logs.processors[0] === 'transform' || pipelines.logs.processors[0] === 'resource' ? pipelines.logs.processors[0] : undefined, expected, `${c.name}: logs resource processor`);
  if (expected) assert.ok(config.processors[expected], `${c.name}: no ${expected} processor`);
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

  let i = 0;
  const entries = [...distinct.values()];
  const worker = async () => {
    while (i < entries.length) {
      const e = entries[i++];
      await t.test(`loads: ${e.cases[0].name}${e.cases.length > 1 ? ` (+${e.cases.length - 1} same)` : ''}`, async () => {
        const result = await printConfig(e.uri, { ...e.env, ...secrets });
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
    // print-config, which the corpus uses, validates too.
    const printed = await printConfig(file, {});
    assert.equal(printed.ok, false);
    assert.match(printed.output, /compresion/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
