import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack } from './cdk';
import { localDirectoryAsset, sharedScope } from '../config-delivery';
import { LayerFamily } from '../layers/catalog';
import { OTEL_API_VERSIONS } from '../layers/language-support';

/** An OpenTelemetry API package found in a function's bundle. */
export interface BundledApi {
  /** Where, relative to the bundle's root. */
  readonly path: string;
  readonly version: string;
}

type ApiFamily = keyof typeof OTEL_API_VERSIONS;
const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;
const PYTHON_DIST_INFO = /^opentelemetry_api-(\d+\.\d+\.\d+)\.dist-info$/;
const JAVA_JAR = /^opentelemetry-api-(\d+\.\d+\.\d+)\.jar$/;

/** The file system calls the lookup makes, replaceable in tests (to count them). */
export const bundleFiles = {
  readFile: (file: string) => fs.readFileSync(file, 'utf8'),
  list: (dir: string) => fs.readdirSync(dir),
};

/**
 * The OpenTelemetry API package in a bundle directory, at the few places a packager puts it,
 * never a walk of the tree: Node.js `node_modules/@opentelemetry/api/package.json` (one read;
 * a bundler such as esbuild, `NodejsFunction`'s default, inlines the API into its output, which
 * is not looked into); Python an `opentelemetry_api-<v>.dist-info` at the root (one directory
 * listing, as pip `--target` and the SAM/CDK Python bundlers leave it); Java a
 * `lib/opentelemetry-api-<v>.jar` (one listing of `lib/`, the Lambda zip layout).
 */
export function findBundledApi(dir: string, family: ApiFamily): BundledApi | undefined {
  try {
    if (family === 'nodejs') {
      const rel = path.join('node_modules', '@opentelemetry', 'api', 'package.json');
      const version = (JSON.parse(bundleFiles.readFile(path.join(dir, rel))) as { version?: unknown }).version;
      return typeof version === 'string' && VERSION.test(version) ? { path: rel, version } : undefined;
    }
    const [sub, pattern] = family === 'python' ? ['', PYTHON_DIST_INFO] : ['lib', JAVA_JAR];
    for (const name of bundleFiles.list(path.join(dir, sub))) {
      const m = pattern.exec(name);
      if (m) return { path: path.join(sub, name), version: m[1] };
    }
  } catch {
    // No such file or directory, or not JSON: nothing to compare.
  }
  return undefined;
}

/**
 * Whether the bundled API is newer than the layer's in a way that loses manual spans. Node.js:
 * another major, or a higher minor (the API's own compatibility rule, language-support.ts
 * `OTEL_API_VERSIONS`); Python and Java: any higher version.
 */
export function apiNewer(family: ApiFamily, bundled: string, layer: string): boolean {
  const [a, b] = [bundled, layer].map(v => v.split('.').map(Number));
  if (family === 'nodejs') return a[0] !== b[0] || a[1] > b[1];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

const TITLES: Record<ApiFamily, string> = { nodejs: 'Node.js', python: 'Python', javaagent: 'Java agent', javawrapper: 'Java wrapper' };
const PACKAGES: Record<ApiFamily, string> = { nodejs: '@opentelemetry/api', python: 'opentelemetry-api', javaagent: 'io.opentelemetry:opentelemetry-api', javawrapper: 'io.opentelemetry:opentelemetry-api' };

/**
 * The warning for a function whose bundle carries a newer OpenTelemetry API than its layer
 * ships, if it does. Each bundle directory is looked at once per stack (functions that share an
 * asset share the answer); nothing for code that is not a local directory asset, a stack whose
 * bundling is skipped, a layer of your own or a family without data.
 */
export function apiVersionWarning(fn: lambda.Function, family: LayerFamily, layerVersion: string | undefined): string | undefined {
  if (!(family in OTEL_API_VERSIONS) || layerVersion === undefined) return undefined;
  const apiFamily = family as ApiFamily;
  const layerApi = OTEL_API_VERSIONS[apiFamily][layerVersion];
  if (layerApi === undefined || !Stack.of(fn).bundlingRequired) return undefined;
  const code = localDirectoryAsset(fn);
  if (!code) return undefined;
  const dir = code.staging.absoluteStagedPath;
  const scans = sharedScope(fn).apiScans;
  const key = `${apiFamily}\0${dir}`;
  let found = scans.get(key);
  if (!scans.has(key)) {
    found = findBundledApi(dir, apiFamily);
    scans.set(key, found);
  }
  if (!found || !apiNewer(apiFamily, found.version, layerApi)) return undefined;
  const pin = apiFamily === 'nodejs' ? `${layerApi.split('.').slice(0, 2).join('.')}.x` : `${layerApi} or older`;
  return `${fn.node.path} bundles ${PACKAGES[apiFamily]} ${found.version} (${found.path} in ${path.basename(dir)}), newer than the ${layerApi} the OpenTelemetry ${TITLES[apiFamily]} layer ${layerVersion} ships: its manual spans and metrics would go nowhere (the ClickStack guide, "custom instrumentation not sending"). Pin ${PACKAGES[apiFamily]} to ${pin} in the function's dependencies, or use a layer release that ships ${found.version} or later (src/layers/language-support.ts, OTEL_API_VERSIONS)`;
}
