import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENDPOINT } from './helpers';
import { ClickStackInstrumentation, JavaAgentLayer, NodejsLayer, PythonLayer } from '../src';
import { LAYER_CATALOG } from '../src/layers/catalog';
import { OTEL_API_VERSIONS } from '../src/layers/language-support';
import { apiNewer, bundleFiles, findBundledApi } from '../src/private/rules/api-version';

/** A bundle directory with `files` (relative path -> content). */
function bundle(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-api-'));
  for (const [name, content] of Object.entries({ 'index.js': 'exports.handler = async () => 1;\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
const nodeApi = (version: string) => ({ 'node_modules/@opentelemetry/api/package.json': JSON.stringify({ name: '@opentelemetry/api', version }) });

function setup(runtime: lambda.Runtime, dir: string, extra: object = {}, ids = ['Fn']): Stack {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const code = lambda.Code.fromAsset(dir);
  const fns = ids.map(id => new lambda.Function(stack, id, { runtime, handler: 'index.handler', code }));
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: fns, ...extra });
  return stack;
}
const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('apiVersionNewer')).map(w => String(w.entry.data));

describe('the function\'s OpenTelemetry API against the layer\'s (the guide\'s first troubleshooting rule)', () => {
  test('every language layer release of the catalog (Ruby aside) records the API it ships', () => {
    for (const family of Object.keys(OTEL_API_VERSIONS) as Array<keyof typeof OTEL_API_VERSIONS>) {
      expect(Object.keys(OTEL_API_VERSIONS[family]).sort()).toEqual(Object.keys(LAYER_CATALOG[family]).sort());
    }
    expect(OTEL_API_VERSIONS.nodejs['0.23.0']).toBe('1.9.1');
    expect(OTEL_API_VERSIONS.python['0.21.0']).toBe('1.44.0');
    expect(OTEL_API_VERSIONS.javaagent['0.21.0']).toBe('1.64.0');
  });

  test('Node.js: a bundled @opentelemetry/api of a higher minor warns, naming the path, both versions and the fix', () => {
    const stack = setup(lambda.Runtime.NODEJS_22_X, bundle(nodeApi('1.10.0')));
    const [w] = warnings(stack);
    expect(w).toMatch(/S\/Fn bundles @opentelemetry\/api 1\.10\.0 \(node_modules\/@opentelemetry\/api\/package\.json in asset\.[0-9a-f]+\), newer than the 1\.9\.1 the OpenTelemetry Node\.js layer 0\.23\.0 ships/);
    expect(w).toMatch(/Pin @opentelemetry\/api to 1\.9\.x in the function's dependencies, or use a layer release that ships 1\.10\.0 or later/);
    expect(w).toMatch(/\[ack: @clickstack\/cdk:apiVersionNewer\]/);
  });

  test('Node.js: the same minor with a higher patch, an older API, or no API package is quiet (the API\'s own rule)', () => {
    for (const files of [nodeApi('1.9.7'), nodeApi('1.8.0'), {}]) expect(warnings(setup(lambda.Runtime.NODEJS_22_X, bundle(files)))).toEqual([]);
  });

  test('Node.js: a pinned layer with an older API warns where LATEST would not', () => {
    const dir = bundle(nodeApi('1.9.1'));
    expect(warnings(setup(lambda.Runtime.NODEJS_22_X, dir))).toEqual([]);
    // 1.9.1 against 1.9.0: same minor, compatible.
    expect(warnings(setup(lambda.Runtime.NODEJS_22_X, dir, { nodejsLayer: NodejsLayer.V0_21_0 }))).toEqual([]);
    expect(warnings(setup(lambda.Runtime.NODEJS_22_X, bundle(nodeApi('2.0.0')), { nodejsLayer: NodejsLayer.V0_21_0 }))[0]).toMatch(/2\.0\.0 .* newer than the 1\.9\.0 .* layer 0\.21\.0/);
  });

  test('Python: an opentelemetry_api dist-info newer than the layer\'s warns', () => {
    const stack = setup(lambda.Runtime.PYTHON_3_13, bundle({ 'opentelemetry_api-1.45.0.dist-info/METADATA': 'Name: opentelemetry-api\n' }));
    expect(warnings(stack)[0]).toMatch(/bundles opentelemetry-api 1\.45\.0 \(opentelemetry_api-1\.45\.0\.dist-info in .*\), newer than the 1\.44\.0 the OpenTelemetry Python layer 0\.21\.0 ships.*Pin opentelemetry-api to 1\.44\.0 or older/);
    const same = bundle({ 'opentelemetry_api-1.44.0.dist-info/METADATA': '' });
    expect(warnings(setup(lambda.Runtime.PYTHON_3_13, same))).toEqual([]);
    expect(warnings(setup(lambda.Runtime.PYTHON_3_13, same, { pythonLayer: PythonLayer.V0_18_0 }))[0]).toMatch(/1\.44\.0 .* newer than the 1\.39\.1/);
  });

  test('Java: a lib/opentelemetry-api jar newer than the agent\'s warns', () => {
    const stack = setup(lambda.Runtime.JAVA_21, bundle({ 'lib/opentelemetry-api-1.65.0.jar': 'PK' }));
    expect(warnings(stack)[0]).toMatch(/bundles io\.opentelemetry:opentelemetry-api 1\.65\.0 \(lib\/opentelemetry-api-1\.65\.0\.jar .*\), newer than the 1\.64\.0 the OpenTelemetry Java agent layer 0\.21\.0 ships/);
    expect(warnings(setup(lambda.Runtime.JAVA_21, bundle({ 'lib/opentelemetry-api-1.65.0.jar': 'PK' }), { javaAgentLayer: JavaAgentLayer.V0_20_0 }))[0]).toMatch(/newer than the 1\.61\.0/);
    expect(warnings(setup(lambda.Runtime.JAVA_21, bundle({ 'lib/opentelemetry-api-1.64.0.jar': 'PK' })))).toEqual([]);
  });

  test('a bundle is looked at once, for every function that shares it, at known paths only', () => {
    const dir = bundle({ ...nodeApi('1.10.0'), 'node_modules/x/node_modules/@opentelemetry/api/package.json': '{"version":"9.0.0"}' });
    const read = jest.spyOn(bundleFiles, 'readFile');
    const list = jest.spyOn(bundleFiles, 'list');
    try {
      const stack = setup(lambda.Runtime.NODEJS_22_X, dir, {}, ['A', 'B', 'C']);
      expect(read).toHaveBeenCalledTimes(1);
      const apiReads = read.mock.calls;
      expect(String(apiReads[0][0])).toMatch(/asset\.[0-9a-f]+\/node_modules\/@opentelemetry\/api\/package\.json$/);
      expect(warnings(stack)).toHaveLength(3);
      // Never a nested copy (no walk): the warning names the top-level one.
      expect(warnings(stack)[0]).toMatch(/1\.10\.0/);
      // No directory was listed.
      expect(list).not.toHaveBeenCalled();
    } finally {
      read.mockRestore();
      list.mockRestore();
    }
  });

  test('findBundledApi and apiNewer', () => {
    expect(findBundledApi(bundle({}), 'python')).toBeUndefined();
    expect(findBundledApi(bundle({ 'node_modules/@opentelemetry/api/package.json': 'not json' }), 'nodejs')).toBeUndefined();
    expect(apiNewer('nodejs', '1.10.0', '1.9.1')).toBe(true);
    expect(apiNewer('nodejs', '1.9.9', '1.9.1')).toBe(false);
    expect(apiNewer('python', '1.44.1', '1.44.0')).toBe(true);
    expect(apiNewer('javaagent', '1.9.0', '1.64.0')).toBe(false);
  });
});
