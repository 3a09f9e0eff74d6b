import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LayerFamily } from '../../layers/catalog';
import { OTEL_API_VERSIONS } from '../../layers/language-support';
import { CodeAsset } from '../code-asset';
import { Draft, Finding } from '../plan-model';
import { stackFacts } from '../stack-facts';
import { WARNING_IDS } from './ids';

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
  exists: (file: string) => fs.existsSync(file),
};

/** What one look at a bundle found: the OpenTelemetry API package, and facts for upstream losses. */
export interface BundleScan {
  /** The bundle directory looked at. */
  readonly dir?: string;
  readonly api?: BundledApi;
  /** Python: a `protobuf-<v>.dist-info` at the root (opentelemetry-lambda#2570). */
  readonly protobuf?: string;
  /** Node.js: `node_modules/@opentelemetry/api-logs` is bundled: the code emits OpenTelemetry logs (opentelemetry-lambda#2537). */
  readonly nodeLogsApi?: boolean;
}

const PROTOBUF_DIST_INFO = /^protobuf-(\d+\.\d+\.\d+)\.dist-info$/;

/**
 * Look at a bundle directory at the few places a packager puts the OpenTelemetry API, never a
 * walk of the tree: Node.js `node_modules/@opentelemetry/api/package.json` (one read; a bundler
 * such as esbuild, `NodejsFunction`'s default, inlines the API into its output, which is not
 * looked into) and whether `node_modules/@opentelemetry/api-logs/package.json` exists; Python an
 * `opentelemetry_api-<v>.dist-info` (and a `protobuf-<v>.dist-info`) at the root (one directory
 * listing, as pip `--target` and the SAM/CDK Python bundlers leave them); Java a
 * `lib/opentelemetry-api-<v>.jar` (one listing of `lib/`, the Lambda zip layout).
 */
export function scanBundle(dir: string, family: ApiFamily): BundleScan {
  if (family === 'nodejs') {
    const rel = path.join('node_modules', '@opentelemetry', 'api', 'package.json');
    let api: BundledApi | undefined;
    try {
      const version = (JSON.parse(bundleFiles.readFile(path.join(dir, rel))) as { version?: unknown }).version;
      if (typeof version === 'string' && VERSION.test(version)) api = { path: rel, version };
    } catch {
      // No such file, or not JSON: nothing to compare.
    }
    return { api, nodeLogsApi: bundleFiles.exists(path.join(dir, 'node_modules', '@opentelemetry', 'api-logs', 'package.json')) };
  }
  const sub = family === 'python' ? '' : 'lib';
  let names: string[];
  try {
    names = bundleFiles.list(path.join(dir, sub));
  } catch {
    return {};
  }
  let api: BundledApi | undefined;
  let protobuf: string | undefined;
  for (const name of names) {
    const m = (family === 'python' ? PYTHON_DIST_INFO : JAVA_JAR).exec(name);
    if (m) api = { path: path.join(sub, name), version: m[1] };
    const pb = family === 'python' ? PROTOBUF_DIST_INFO.exec(name) : null;
    if (pb) protobuf = pb[1];
  }
  return { api, protobuf };
}

/** The OpenTelemetry API package in a bundle directory (`scanBundle`). */
export function findBundledApi(dir: string, family: ApiFamily): BundledApi | undefined {
  return scanBundle(dir, family).api;
}

/**
 * What the bundle of a function with a language layer holds (`scanBundle`), looked at once per
 * stack and directory (functions that share an asset share the answer); undefined for code that
 * is not a local directory asset (`codeOf`), a stack whose bundling is skipped, or a family not looked at.
 */
export function functionBundle(fn: lambda.Function, family: LayerFamily, codeOf: () => CodeAsset | undefined): BundleScan | undefined {
  if (!(family in OTEL_API_VERSIONS) || !stackFacts(fn).bundlingRequired) return undefined;
  const code = codeOf();
  if (!code) return undefined;
  const dir = code.staging.absoluteStagedPath;
  const scans = stackFacts(fn).bundleScans;
  const key = `${family}\0${dir}`;
  let found = scans.get(key) as BundleScan | undefined;
  if (found === undefined) {
    found = { ...scanBundle(dir, family as ApiFamily), dir };
    scans.set(key, found);
  }
  return found;
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
 * Rule (the guide's first troubleshooting rule): a warning for a function whose bundle carries a
 * newer OpenTelemetry API than its language layer ships; nothing for a layer of your own or a
 * family without data.
 */
export function apiVersionRule(fn: lambda.Function, draft: Draft): Finding {
  if (draft.support.kind !== 'language') return undefined;
  const newer = apiVersionWarning(fn, draft.support.family, draft.language!.version, draft.code);
  return newer ? { warnings: [[WARNING_IDS.apiVersion, newer]] } : undefined;
}

function apiVersionWarning(
  fn: lambda.Function, family: LayerFamily, layerVersion: string | undefined, codeOf: () => CodeAsset | undefined,
): string | undefined {
  if (!(family in OTEL_API_VERSIONS) || layerVersion === undefined) return undefined;
  const apiFamily = family as ApiFamily;
  const layerApi = OTEL_API_VERSIONS[apiFamily][layerVersion];
  if (layerApi === undefined) return undefined;
  const scan = functionBundle(fn, family, codeOf);
  const found = scan?.api;
  if (!found || !apiNewer(apiFamily, found.version, layerApi)) return undefined;
  const dir = scan?.dir ?? '';
  const pin = apiFamily === 'nodejs' ? `${layerApi.split('.').slice(0, 2).join('.')}.x` : `${layerApi} or older`;
  return `${fn.node.path} bundles ${PACKAGES[apiFamily]} ${found.version} (${found.path} in ${path.basename(dir)}), newer than the ${layerApi} the OpenTelemetry ${TITLES[apiFamily]} layer ${layerVersion} ships: its manual spans and metrics would go nowhere (the ClickStack guide, "custom instrumentation not sending"). Pin ${PACKAGES[apiFamily]} to ${pin} in the function's dependencies, or use a layer release that ships ${found.version} or later (src/layers/language-support.ts, OTEL_API_VERSIONS)`;
}
