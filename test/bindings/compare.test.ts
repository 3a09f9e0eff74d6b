/**
 * The comparator of the bindings apps (test/bindings/compare.ts): the negative controls of the
 * "same app, same template" check. Only asset hashes are normalised; every other difference fails.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareAssemblies, diffJson, normalizeAssetHashes, sameAssetHashes } from './compare';

const HASH_A = 'a'.repeat(64);
const HASH_B = '0123456789abcdef'.repeat(4);

function template(hash: string, overrides: Record<string, unknown> = {}) {
  return {
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Bucket: 'cdk-hnb659fds-assets-123456789012-eu-west-1', S3Key: `${hash}.zip` },
          Environment: { Variables: { OTEL_SERVICE_NAME: 'api', OTEL_TRACES_SAMPLER_ARG: '0.25', ...overrides } },
          Layers: ['arn:aws:lambda:eu-west-1:184161586896:layer:opentelemetry-nodejs-0_23_0:1'],
        },
        Metadata: { 'aws:asset:path': `asset.${hash}` },
      },
    },
  };
}

describe('diffJson with asset hashes normalised', () => {
  test('two templates that differ only by asset hashes are equal', () => {
    expect(diffJson(normalizeAssetHashes(template(HASH_A)), normalizeAssetHashes(template(HASH_B)))).toEqual([]);
  });

  test('fails on a changed value and names its path', () => {
    const diffs = diffJson(normalizeAssetHashes(template(HASH_A)), normalizeAssetHashes(template(HASH_B, { OTEL_TRACES_SAMPLER_ARG: 0.25 })));
    expect(diffs).toEqual([{
      path: '$.Resources.Fn.Properties.Environment.Variables.OTEL_TRACES_SAMPLER_ARG',
      message: 'expected "0.25", got 0.25',
    }]);
  });

  test('fails on a missing and on an extra key', () => {
    const extra = template(HASH_A, { OTEL_LOG_LEVEL: 'debug' });
    expect(diffJson(template(HASH_A), extra).map(d => d.message)).toEqual(['unexpected "debug"']);
    expect(diffJson(extra, template(HASH_A)).map(d => d.message)).toEqual(['missing (expected "debug")']);
  });

  test('fails on array order (layers, propagators and pipelines are ordered)', () => {
    expect(diffJson(['a', 'b'], ['b', 'a'])).toHaveLength(2);
    expect(diffJson(['a'], ['a', 'b'])).toEqual([{ path: '$', message: 'expected 1 items, got 2' }]);
  });

  test('key order does not count', () => {
    expect(diffJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toEqual([]);
  });

  test('normalises only 64 hex digits: a shorter hex string is compared as it is', () => {
    expect(diffJson(normalizeAssetHashes({ Ref: 'abcdef12' }), normalizeAssetHashes({ Ref: 'abcdef13' }))).toHaveLength(1);
  });
});

describe('compareAssemblies', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-compare-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function assembly(name: string, hash: string, collectorYaml: string, overrides: Record<string, unknown> = {}): string {
    const dir = path.join(root, name);
    fs.mkdirSync(path.join(dir, `asset.${hash}`), { recursive: true });
    fs.writeFileSync(path.join(dir, 'Stack.template.json'), JSON.stringify(template(hash, overrides)));
    fs.writeFileSync(path.join(dir, 'Stack.assets.json'), JSON.stringify({ files: { [hash]: { source: { path: `asset.${hash}` } } } }));
    fs.writeFileSync(path.join(dir, `asset.${hash}`, 'index.js'), 'exports.handler = async () => 1;\n');
    fs.writeFileSync(path.join(dir, `asset.${hash}`, 'collector.yaml'), collectorYaml);
    return dir;
  }

  test('equal assemblies with other asset hashes pass, and say the hashes differ', () => {
    const ref = assembly('ts', HASH_A, 'receivers: {}\n');
    const other = assembly('py', HASH_B, 'receivers: {}\n');
    expect(compareAssemblies(ref, other, 'Stack')).toEqual([]);
    expect(sameAssetHashes(ref, other)).toBe(false);
  });

  test('fails when a bundled collector.yaml differs by one byte', () => {
    const diffs = compareAssemblies(assembly('ts', HASH_A, 'receivers: {}\n'), assembly('go', HASH_B, 'receivers: {} \n'), 'Stack');
    expect(diffs.map(d => d.path)).toEqual(['asset directories[0]']);
  });

  test('fails when the template differs', () => {
    const diffs = compareAssemblies(assembly('ts', HASH_A, 'x'), assembly('java', HASH_A, 'x', { OTEL_SERVICE_NAME: 'Api' }), 'Stack');
    expect(diffs).toEqual([{
      path: 'Stack.template.json.Resources.Fn.Properties.Environment.Variables.OTEL_SERVICE_NAME',
      message: 'expected "api", got "Api"',
    }]);
  });

  test('fails when the other language wrote no template', () => {
    const ref = assembly('ts', HASH_A, 'x');
    const other = path.join(root, 'empty');
    fs.mkdirSync(other);
    expect(compareAssemblies(ref, other, 'Stack').map(d => d.message)).toContain(`not written to ${other}`);
  });
});
