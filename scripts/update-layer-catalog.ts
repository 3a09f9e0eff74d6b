/**
 * Rewrites src/layers/catalog.generated.ts from the release list scripts/layer-releases.json.
 *
 *   npx projen update-layer-catalog            # validate the list, rewrite the catalog
 *   npx projen update-layer-catalog --check    # exit 1 if the catalog is not what the list makes
 *
 * The release list has one entry per (layer family, version): the upstream tag and the regions
 * the release was published in, as region names and `@set` references to its `regionSets`.
 * The list is refused (exit 1, every problem listed) on: an unknown family or key, a version
 * that is not MAJOR.MINOR.PATCH, a tag other than `layer-<family>/<version>` (the Java wrapper is
 * released from the Java agent's tag), a region that is not an AWS region name of the commercial
 * partition, a region listed twice, a duplicate (layer, version), a family without releases,
 * releases of one tag with different regions, an unused or unknown region set, and a version
 * that lacks a region its previous version had, unless its `removedRegions` gives the reason.
 *
 * The output is deterministic: families in LayerFamily order, versions newest first, regions
 * sorted. After a new version, add its `V…` constant to src/layers/releases.ts and move `LATEST`;
 * this script prints what is missing there, and test/catalog.test.ts fails until it is done.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The release list and the file generated from it, relative to the repository root. */
export const RELEASE_LIST = 'scripts/layer-releases.json';
export const GENERATED_CATALOG = 'src/layers/catalog.generated.ts';

const ROOT = path.resolve(__dirname, '..');
const RELEASES_TS = 'src/layers/releases.ts';

/** Known layer families (the order of the generated LayerFamily), with their public class. */
export const LAYER_FAMILIES = {
  collector: 'CollectorLayer',
  nodejs: 'NodejsLayer',
  python: 'PythonLayer',
  javaagent: 'JavaAgentLayer',
  javawrapper: 'JavaWrapperLayer',
  ruby: 'RubyLayer',
} as const;
export type Family = keyof typeof LAYER_FAMILIES;
const FAMILIES = Object.keys(LAYER_FAMILIES) as Family[];

/** Upstream tag family: the Java wrapper layer is released from the Java agent's tag. */
const TAG_FAMILY: Record<Family, string> = { ...(Object.fromEntries(FAMILIES.map(f => [f, f])) as Record<Family, string>), javawrapper: 'javaagent' };

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
/** AWS region names: `us-east-1`, `ap-southeast-7`, `il-central-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Partitions other than the commercial one, where the upstream layers are not published. */
const OTHER_PARTITION = /^(cn|us-gov|us-iso[a-z]*|eu-iso[a-z]*)-/;
const SET_NAME = /^[A-Za-z0-9._-]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const ACCOUNT = /^\d{12}$/;

const TOP_KEYS = new Set(['$comment', 'account', 'regionSets', 'releases']);
const ENTRY_KEYS = new Set(['layer', 'version', 'tag', 'regions', 'removedRegions', 'collectorVersion']);
/** Upstream collector versions (`go.opentelemetry.io/collector/otelcol` in collector/go.mod at the tag): `0.157.0`. */
const COLLECTOR_VERSION = SEMVER;

/** One validated release: regions expanded and sorted. */
export interface LayerRelease {
  readonly layer: Family;
  readonly version: string;
  readonly tag: string;
  readonly regions: readonly string[];
  /** region -> reason, for regions the previous version had and this one has not. */
  readonly removedRegions: Readonly<Record<string, string>>;
  /** Collector releases only: the upstream collector version the layer is built from. */
  readonly collectorVersion?: string;
}

/** A validated release list. */
export interface ValidatedReleaseList {
  readonly account: string;
  /** Per family, newest version first. */
  readonly releases: Readonly<Record<Family, readonly LayerRelease[]>>;
}

/** The release list is refused; `problems` has one line per problem. */
export class ReleaseListError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`the layer release list has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'ReleaseListError';
  }
}

/** Compares MAJOR.MINOR.PATCH versions, newest first. */
export function newestFirst(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates a parsed release list; throws a ReleaseListError that lists every problem. */
export function validateReleaseList(data: unknown): ValidatedReleaseList {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(message);
  if (!isObject(data)) throw new ReleaseListError(['the release list must be a JSON object with "account", "regionSets" and "releases"']);

  for (const key of Object.keys(data)) if (!TOP_KEYS.has(key)) problem(`unknown top-level key "${key}" (known: ${[...TOP_KEYS].join(', ')})`);

  const account = data.account;
  if (typeof account !== 'string' || !ACCOUNT.test(account)) problem(`"account" must be the 12-digit AWS account that publishes the layers, got ${JSON.stringify(account)}`);

  const checkRegion = (where: string, region: string): boolean => {
    if (!REGION.test(region)) {
      problem(`${where}: "${region}" is not an AWS region name (like us-east-1)`);
      return false;
    }
    if (OTHER_PARTITION.test(region)) {
      problem(`${where}: ${region} is not in the commercial aws partition, where alone the layers are published`);
      return false;
    }
    return true;
  };

  // Region sets, expanded on demand (a set may reference another).
  const rawSets = data.regionSets ?? {};
  const sets: Record<string, unknown> = isObject(rawSets) ? rawSets : {};
  if (!isObject(rawSets)) problem('"regionSets" must be an object of set name -> regions');
  const expanded = new Map<string, string[]>();
  /** Sets each set references, and sets the releases reference: what is used is their closure. */
  const setRefs = new Map<string, Set<string>>();
  const releaseRefs = new Set<string>();
  const expanding: string[] = [];

  /** Expands region names and @set references (noted in `refs`); reports problems under `where`. */
  const expand = (where: string, items: unknown, refs: Set<string>): string[] => {
    if (!Array.isArray(items) || items.length === 0) {
      problem(`${where}: "regions" must be a non-empty array of region names and @set references`);
      return [];
    }
    const out: string[] = [];
    const seen = new Set<string>();
    const add = (region: string) => {
      if (seen.has(region)) problem(`${where}: ${region} is listed twice`);
      seen.add(region);
      out.push(region);
    };
    for (const item of items) {
      if (typeof item !== 'string') {
        problem(`${where}: ${JSON.stringify(item)} is not a string`);
      } else if (item.startsWith('@')) {
        refs.add(item.slice(1));
        for (const region of expandSet(where, item.slice(1))) add(region);
      } else if (checkRegion(where, item)) {
        add(item);
      }
    }
    return out;
  };
  const expandSet = (where: string, name: string): string[] => {
    const done = expanded.get(name);
    if (done) return done;
    if (!Object.prototype.hasOwnProperty.call(sets, name)) {
      problem(`${where}: unknown region set @${name} (known: ${Object.keys(sets).map(s => `@${s}`).join(', ') || 'none'})`);
      return [];
    }
    if (expanding.includes(name)) {
      problem(`region set @${name} references itself (${[...expanding, name].map(s => `@${s}`).join(' -> ')})`);
      return [];
    }
    expanding.push(name);
    const refs = new Set<string>();
    setRefs.set(name, refs);
    const regions = expand(`regionSets.${name}`, sets[name], refs);
    expanding.pop();
    expanded.set(name, regions);
    return regions;
  };
  for (const name of Object.keys(sets)) {
    if (!SET_NAME.test(name)) problem(`region set name "${name}" must be letters, digits, '.', '_' and '-'`);
    expandSet(`regionSets.${name}`, name);
  }

  // Releases.
  const rawReleases = data.releases;
  if (!Array.isArray(rawReleases)) problem('"releases" must be an array of { layer, version, tag, regions, removedRegions? }');
  const byFamily = Object.fromEntries(FAMILIES.map(f => [f, [] as LayerRelease[]])) as Record<Family, LayerRelease[]>;
  const firstIndex = new Map<string, number>();
  (Array.isArray(rawReleases) ? rawReleases : []).forEach((entry: unknown, i: number) => {
    let where = `releases[${i}]`;
    if (!isObject(entry)) {
      problem(`${where} must be an object { layer, version, tag, regions, removedRegions? }`);
      return;
    }
    const { layer, version, tag } = entry;
    if (typeof layer === 'string' && typeof version === 'string') where += ` (${layer} ${version})`;
    let ok = true;
    const fail = (message: string) => {
      problem(`${where}: ${message}`);
      ok = false;
    };
    for (const key of Object.keys(entry)) if (!ENTRY_KEYS.has(key)) fail(`unknown key "${key}" (known: ${[...ENTRY_KEYS].join(', ')})`);
    if (typeof layer !== 'string' || !FAMILIES.includes(layer as Family)) fail(`unknown layer ${JSON.stringify(layer)}; known: ${FAMILIES.join(', ')}`);
    if (typeof version !== 'string' || !SEMVER.test(version)) fail(`version ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH, such as "0.23.0"`);
    if (!ok) {
      expand(where, entry.regions, releaseRefs); // its regions' problems too, in one run
      return;
    }
    const family = layer as Family;
    const v = version as string;
    const expectedTag = `layer-${TAG_FAMILY[family]}/${v}`;
    if (tag !== expectedTag) fail(`tag ${JSON.stringify(tag)} should be "${expectedTag}"`);
    const collectorVersion = entry.collectorVersion;
    if (family === 'collector') {
      if (typeof collectorVersion !== 'string' || !COLLECTOR_VERSION.test(collectorVersion)) {
        fail(`"collectorVersion" must be the upstream collector version the layer is built from (go.opentelemetry.io/collector/otelcol in collector/go.mod at ${expectedTag}), such as "0.157.0", got ${JSON.stringify(collectorVersion)}`);
      }
    } else if (collectorVersion !== undefined) {
      fail('"collectorVersion" is only for collector releases');
    }

    const key = `${family} ${v}`;
    const first = firstIndex.get(key);
    if (first !== undefined) {
      fail(`duplicate entry: ${key} is already listed at releases[${first}]`);
      return;
    }
    firstIndex.set(key, i);

    const regions = expand(where, entry.regions, releaseRefs).slice().sort();
    const removedRegions: Record<string, string> = {};
    if (entry.removedRegions !== undefined) {
      if (!isObject(entry.removedRegions)) {
        fail('"removedRegions" must be an object of region -> reason');
      } else {
        for (const [region, reason] of Object.entries(entry.removedRegions)) {
          if (!checkRegion(`${where} removedRegions`, region)) continue;
          if (typeof reason !== 'string' || reason.trim() === '' || CONTROL.test(reason)) {
            fail(`removedRegions.${region} must give the reason as a one-line, non-empty string`);
            continue;
          }
          removedRegions[region] = reason.trim();
        }
      }
    }
    byFamily[family].push({
      layer: family, version: v, tag: expectedTag, regions, removedRegions,
      ...(family === 'collector' ? { collectorVersion: collectorVersion as string } : {}),
    });
  });

  const used = new Set<string>();
  const use = (name: string) => {
    if (used.has(name)) return;
    used.add(name);
    for (const ref of setRefs.get(name) ?? []) use(ref);
  };
  releaseRefs.forEach(use);
  for (const name of Object.keys(sets)) {
    if (!used.has(name)) problem(`region set @${name} is not used by any release; remove it`);
  }

  // Per family: newest first; every region of the previous version kept, or its removal explained.
  for (const family of FAMILIES) {
    const list = byFamily[family].sort((a, b) => newestFirst(a.version, b.version));
    if (list.length === 0) problem(`no release of the ${family} layer: every family needs at least one`);
    list.forEach((release, i) => {
      const previous = list[i + 1];
      const label = `${family} ${release.version}`;
      const removed = Object.keys(release.removedRegions);
      if (!previous) {
        if (removed.length > 0) problem(`${label} is the oldest ${family} release, so it has no previous version to remove ${removed.join(', ')} from`);
        return;
      }
      for (const region of previous.regions) {
        if (!release.regions.includes(region) && !(region in release.removedRegions)) {
          problem(`${label} drops ${region}, which ${previous.version} had: add it to its regions, or to its "removedRegions" with the reason`);
        }
      }
      for (const region of removed) {
        if (release.regions.includes(region)) problem(`${label} lists ${region} in both "regions" and "removedRegions"`);
        else if (!previous.regions.includes(region)) problem(`${label} "removedRegions" lists ${region}, which ${previous.version} did not have either`);
      }
    });
  }

  // One upstream tag is one release workflow: the layers it publishes share their regions.
  const byTag = new Map<string, LayerRelease>();
  for (const release of FAMILIES.flatMap(f => byFamily[f])) {
    const other = byTag.get(release.tag);
    if (!other) {
      byTag.set(release.tag, release);
    } else if (other.regions.join() !== release.regions.join()) {
      problem(`${release.layer} ${release.version} and ${other.layer} ${other.version} come from the same tag ${release.tag} but list different regions`);
    }
  }

  if (problems.length > 0) throw new ReleaseListError(problems);
  return { account: account as string, releases: byFamily };
}

/** The TypeScript source of the catalog. Deterministic: same list, same bytes. */
export function renderCatalog(list: ValidatedReleaseList, source: string = RELEASE_LIST): string {
  const q = (s: string) => `'${s}'`;
  const regionLines = (regions: readonly string[], indent: string) => regions.map(r => `${indent}${q(r)},`);
  const all = [...new Set(FAMILIES.flatMap(f => list.releases[f].flatMap(r => r.regions)))].sort();

  const lines: string[] = [
    `// DO NOT EDIT: generated by scripts/update-layer-catalog.ts from ${source}.`,
    '// Edit the release list and run `npx projen update-layer-catalog` (CONTRIBUTING.md: "Updating the layer catalog").',
    '',
    '/** AWS account that publishes the OpenTelemetry Lambda layers. */',
    `export const OTEL_LAYER_ACCOUNT = ${q(list.account)};`,
    '',
    '/** Layer families, as named in the upstream layer names. */',
    `export type LayerFamily = ${FAMILIES.map(q).join(' | ')};`,
    '',
    '/** The public class that pins or overrides each layer family\'s release. */',
    'export const LAYER_CLASSES: Record<LayerFamily, string> = {',
    ...FAMILIES.map(f => `  ${f}: ${q(LAYER_FAMILIES[f])},`),
    '};',
    '',
    '/** The newest known version of each layer family. */',
    'export const LATEST_VERSIONS: Record<LayerFamily, string> = {',
    ...FAMILIES.map(f => `  ${f}: ${q(list.releases[f][0].version)},`),
    '};',
    '',
    '/** version -> sorted regions, per layer family, newest version first. */',
    'export const LAYER_CATALOG: Record<LayerFamily, Record<string, readonly string[]>> = {',
  ];
  for (const family of FAMILIES) {
    lines.push(`  ${family}: {`);
    const releases = list.releases[family];
    releases.forEach((release, i) => {
      const previous = releases[i + 1];
      const added = previous ? release.regions.filter(r => !previous.regions.includes(r)) : [];
      const changes = [
        ...(added.length > 0 ? [`+${added.join(' +')}`] : []),
        ...Object.keys(release.removedRegions).sort().map(r => `-${r}`),
      ];
      const count = `${release.regions.length} region${release.regions.length === 1 ? '' : 's'}`;
      lines.push(`    // ${release.tag}: ${count}${changes.length > 0 ? ` (${changes.join(' ')})` : ''}`);
      for (const region of Object.keys(release.removedRegions).sort()) {
        lines.push(`    // removed ${region}: ${release.removedRegions[region]}`);
      }
      lines.push(`    ${q(release.version)}: [`, ...regionLines(release.regions, '      '), '    ],');
    });
    lines.push('  },');
  }
  lines.push(
    '};',
    '',
    '/** Collector layer version -> the upstream collector version it is built from (collector/go.mod at its tag). */',
    'export const COLLECTOR_VERSIONS: Record<string, string> = {',
    ...list.releases.collector.map(r => `  ${q(r.version)}: ${q(r.collectorVersion!)},`),
    '};',
    '',
    '/** Every region any known release was published in, sorted. */',
    'export const ALL_PUBLISHED_REGIONS: readonly string[] = [',
    ...regionLines(all, '  '),
    '];',
    '',
  );
  return lines.join('\n');
}

/** Parsed release list -> catalog source; throws a ReleaseListError if the list is refused. */
export function generateCatalog(data: unknown, source: string = RELEASE_LIST): string {
  return renderCatalog(validateReleaseList(data), source);
}

/** Reads and parses the release list; throws with the file name on a JSON error. */
export function readReleaseList(file: string = path.join(ROOT, RELEASE_LIST)): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path.relative(ROOT, file)}: not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * What src/layers/releases.ts lacks for `list`: a `V…` constant per version, no constant of an
 * unknown version, `LATEST` on the newest version. A hint only: test/catalog.test.ts checks it.
 */
export function releasesTsTodo(list: ValidatedReleaseList, releasesTs: string): string[] {
  const todo: string[] = [];
  for (const family of FAMILIES) {
    const cls = LAYER_FAMILIES[family];
    const versions = list.releases[family].map(r => r.version);
    const declared = new Set([...releasesTs.matchAll(new RegExp(`static readonly V\\w+ = new ${cls}\\('([^']+)'\\)`, 'g'))].map(m => m[1]));
    for (const v of versions) {
      if (!declared.has(v)) todo.push(`add to ${cls}: public static readonly V${v.replace(/\./g, '_')} = new ${cls}('${v}');`);
    }
    for (const v of declared) if (!versions.includes(v)) todo.push(`${cls} declares ${v}, which the release list does not have`);
    const latest = new RegExp(`static readonly LATEST = ${cls}\\.V(\\w+);`).exec(releasesTs)?.[1]?.replace(/_/g, '.');
    if (latest !== versions[0]) todo.push(`move ${cls}.LATEST to ${cls}.V${versions[0].replace(/\./g, '_')} (it is ${latest ?? 'not found'})`);
  }
  return todo;
}

function main(argv: string[]): number {
  const usage = 'usage: update-layer-catalog [--check]\n  rewrites src/layers/catalog.generated.ts from scripts/layer-releases.json;\n  --check: exit 1 if it is out of date instead';
  const unknown = argv.filter(a => a !== '--check' && a !== '--help' && a !== '-h');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}\n${usage}`);
    return 2;
  }
  const check = argv.includes('--check');

  let list: ValidatedReleaseList;
  try {
    list = validateReleaseList(readReleaseList());
  } catch (e) {
    console.error(`${RELEASE_LIST}: ${(e as Error).message}`);
    return 1;
  }
  const text = renderCatalog(list);
  const out = path.join(ROOT, GENERATED_CATALOG);
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined;

  if (check) {
    if (current === text) {
      console.log(`${GENERATED_CATALOG} is up to date with ${RELEASE_LIST}`);
      return 0;
    }
    console.error(`${GENERATED_CATALOG} is ${current === undefined ? 'missing' : 'out of date'}: run \`npx projen update-layer-catalog\` and commit the result`);
    return 1;
  }

  if (current === text) {
    console.log(`${GENERATED_CATALOG} unchanged`);
  } else {
    fs.writeFileSync(out, text);
    console.log(`wrote ${GENERATED_CATALOG}`);
  }
  for (const family of FAMILIES) {
    const [newest, ...older] = list.releases[family];
    console.log(`  ${family.padEnd(11)} ${newest.version} (${newest.regions.length} regions)${older.length > 0 ? `, older: ${older.map(r => r.version).join(', ')}` : ''}`);
  }
  const todo = releasesTsTodo(list, fs.readFileSync(path.join(ROOT, RELEASES_TS), 'utf8'));
  if (todo.length > 0) {
    console.log(`\nStill to do in ${RELEASES_TS} (then \`npx jest test/catalog.test.ts\`):`);
    for (const line of todo) console.log(`  - ${line}`);
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
