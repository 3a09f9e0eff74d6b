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
import { generateCorpus, PLAIN_KEY, SECRET_ARN, SECRET_JSON_ARN, SECRET_JSON_FIELD, writeHandlerDir } from './corpus';
import { fileInLayout, testSecretsEnv, validateConfig } from './harness';

void test('every configuration the library generates loads in the collector', { timeout: 20 * 60_000 }, async t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-corpus-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const started = Date.now();
  const corpus = generateCorpus(path.join(dir, 'out'), writeHandlerDir(path.join(dir, 'handler')));
  const secrets = testSecretsEnv({ [SECRET_ARN]: 'secret-key-0123', [SECRET_JSON_ARN]: JSON.stringify({ [SECRET_JSON_FIELD]: 'json-key-0123' }) }, 'token-arn-secret-key');

  // Distinct configurations: the text and the values of the variables it references.
  const distinct = new Map<string, { names: string[]; uri: string; env: Record<string, string> }>();
  for (const c of corpus.cases) {
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
    const entry = distinct.get(key) ?? { names: [], uri: fileUri, env };
    entry.names.push(c.name);
    distinct.set(key, entry);
  }
  const plainKeyCases = corpus.cases.filter(c => c.dims.key === 'plain');
  assert.ok(plainKeyCases.length > 0);
  t.diagnostic(`corpus: ${corpus.cases.length} configurations synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s, ${distinct.size} distinct, ${corpus.refused.length} combinations refused by the library`);
  const reasons = new Map<string, number>();
  for (const r of corpus.refused) {
    const reason = r.message.replace(/^\S+: /, '');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  for (const [reason, n] of reasons) t.diagnostic(`refused by the library (${n}x): ${reason}`);
  // The refusals must be the documented one only (debug with the extension type: an endless loop).
  for (const r of corpus.refused) assert.match(r.name, /debug=on lambdaTelemetry=all/, `unexpected refusal: ${r.name}: ${r.message}`);

  let i = 0;
  const entries = [...distinct.values()];
  const worker = async () => {
    while (i < entries.length) {
      const e = entries[i++];
      await t.test(`loads: ${e.names[0]}${e.names.length > 1 ? ` (+${e.names.length - 1} same)` : ''}`, async () => {
        const result = await validateConfig(e.uri, { ...e.env, ...secrets });
        assert.ok(result.ok, `collector validate rejected it:\n${result.output}`);
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
