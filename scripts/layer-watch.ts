/**
 * Layer watch: brings scripts/layer-releases.json up to date with the upstream OpenTelemetry
 * Lambda layer releases (github.com/open-telemetry/opentelemetry-lambda), then regenerates the
 * catalog and the release constants.
 *
 *   npx projen layer-watch                        # update the release list, catalog and constants
 *   npx projen layer-watch --dry-run              # print what would change, write nothing
 *   npx projen layer-watch --summary out.md       # also write the change summary (PR body) to out.md
 *
 * For every published release `layer-<family>/<version>` (drafts and pre-releases are ignored)
 * newer than the newest version the list knows of that family, it reads at that tag:
 * - the regions: the `strategy.matrix.aws_region` list of each job of the tag's release workflow
 *   (.github/workflows/release-layer-<family>.yml; the Java agent's is release-layer-java.yml)
 *   that calls the reusable `layer-publish.yml` with `layer-name: opentelemetry-<family>`. One
 *   tag may publish more than one layer: layer-javaagent/* publishes javaagent and javawrapper.
 * - for the collector, the collector version: the `go.opentelemetry.io/collector/otelcol`
 *   requirement of collector/go.mod.
 * A region the previous version had and the new one lacks goes to `removedRegions` with a reason
 * that starts with REVIEW, for a human to confirm. A malformed response fails the run (exit 1)
 * with the release and what was wrong; nothing is written then.
 *
 * All network access goes through one `Fetcher` (GitHub REST API, GITHUB_TOKEN if set); the
 * reading and diffing below is pure and tested offline (test/layer-watch.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  GENERATED_CATALOG, LAYER_FAMILIES, newestFirst, RELEASE_LIST, ReleaseListError, releasesTsTodo, renderCatalog,
  validateReleaseList, ValidatedReleaseList,
} from './update-layer-catalog';

type Family = keyof typeof LAYER_FAMILIES;
const FAMILIES = Object.keys(LAYER_FAMILIES) as Family[];

const ROOT = path.resolve(__dirname, '..');
export const RELEASES_TS = 'src/layers/releases.ts';
export const UPSTREAM_REPO = 'open-telemetry/opentelemetry-lambda';
export const API = 'https://api.github.com';
/** Marks a generated `removedRegions` reason that a human must confirm. */
export const REVIEW_MARK = 'REVIEW:';

/** Families each upstream tag family publishes; the Java wrapper comes from the Java agent's tag. */
const TAG_FAMILY: Record<Family, string> = {
  collector: 'collector', nodejs: 'nodejs', python: 'python', javaagent: 'javaagent', javawrapper: 'javaagent', ruby: 'ruby',
};
/** Release workflow per upstream tag family (the one its tag push triggers). */
const RELEASE_WORKFLOW: Record<string, string> = {
  collector: 'release-layer-collector.yml',
  nodejs: 'release-layer-nodejs.yml',
  python: 'release-layer-python.yml',
  javaagent: 'release-layer-java.yml',
  ruby: 'release-layer-ruby.yml',
};
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const TAG = /^layer-([a-z0-9]+)\/(.+)$/;

// ---------------------------------------------------------------------------------------------
// Network: the one function that talks to GitHub. Tests pass their own.

/** The status and body of a GET. */
export interface FetchResult {
  readonly status: number;
  readonly body: string;
}
/** GET `url`; `accept` is the Accept header. */
export type Fetcher = (url: string, accept: string) => Promise<FetchResult>;

/** The real fetcher: global fetch, with GITHUB_TOKEN when set (read-only use; raises the rate limit). */
export function githubFetcher(token: string | undefined = process.env.GITHUB_TOKEN): Fetcher {
  return async (url, accept) => {
    const headers: Record<string, string> = { 'Accept': accept, 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'cdk-clickstack-lambda-layer-watch' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url, { headers });
    return { status: res.status, body: await res.text() };
  };
}

/** The run is refused: a malformed or missing upstream response, or a list that would be invalid. */
export class LayerWatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerWatchError';
  }
}

/** URL of one page of the releases list. */
export const releasesUrl = (page: number) => `${API}/repos/${UPSTREAM_REPO}/releases?per_page=100&page=${page}`;
/** URL of a file's raw content at a tag (contents API). */
export const contentsUrl = (file: string, tag: string) => `${API}/repos/${UPSTREAM_REPO}/contents/${file}?ref=${encodeURIComponent(tag)}`;

// ---------------------------------------------------------------------------------------------
// Pure reading of upstream responses.

/** A GitHub release, the fields we use. */
export interface UpstreamRelease {
  readonly tag: string;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly url?: string;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses one page of `GET /repos/{owner}/{repo}/releases`; throws naming the release that is malformed. */
export function parseReleasesPage(body: string, url: string): UpstreamRelease[] {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    throw new LayerWatchError(`${url}: the releases list is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new LayerWatchError(`${url}: the releases list must be a JSON array of releases, got ${isObject(data) ? `an object (${JSON.stringify(data).slice(0, 120)})` : typeof data}`);
  }
  return data.map((r: unknown, i: number) => {
    const at = `${url}: release [${i}]`;
    if (!isObject(r)) throw new LayerWatchError(`${at} is not an object`);
    const tag = r.tag_name;
    if (typeof tag !== 'string' || tag === '') throw new LayerWatchError(`${at} (${JSON.stringify(r.name ?? r.id ?? null)}) has no "tag_name" string`);
    for (const key of ['draft', 'prerelease'] as const) {
      if (typeof r[key] !== 'boolean') throw new LayerWatchError(`${at} (${tag}): "${key}" must be true or false, got ${JSON.stringify(r[key])}`);
    }
    return { tag, draft: r.draft as boolean, prerelease: r.prerelease as boolean, url: typeof r.html_url === 'string' && r.html_url.startsWith(`https://github.com/${UPSTREAM_REPO}/`) ? r.html_url : undefined };
  });
}

/** A release tag's family and version, or why it is ignored. */
export type TagInfo = { readonly tagFamily: string; readonly version: string } | { readonly ignored: string };

/** Reads `layer-<family>/<version>`; drafts, pre-releases and other tags are ignored (with the reason). */
export function classifyRelease(release: UpstreamRelease): TagInfo {
  if (release.draft) return { ignored: `${release.tag}: draft` };
  if (release.prerelease) return { ignored: `${release.tag}: pre-release` };
  const m = TAG.exec(release.tag);
  if (!m) return { ignored: `${release.tag}: not a layer-<family>/<version> tag` };
  if (!SEMVER.test(m[2])) return { ignored: `${release.tag}: version ${m[2]} is not MAJOR.MINOR.PATCH` };
  if (RELEASE_WORKFLOW[m[1]] === undefined) return { ignored: `${release.tag}: layer family ${m[1]} is not one this library uses` };
  return { tagFamily: m[1], version: m[2] };
}

/** Regions per family that one tag's release workflow publishes. */
export interface PublishedLayers {
  readonly regions: ReadonlyMap<Family, readonly string[]>;
  /** Layer names the workflow publishes that no family of ours is (told in the summary). */
  readonly unknown: readonly string[];
}

/**
 * Reads the publish matrix of a release workflow: every job that calls layer-publish.yml with
 * `layer-name: opentelemetry-<family>` and a literal `strategy.matrix.aws_region` list.
 */
export function parsePublishWorkflow(text: string, tag: string, file: string): PublishedLayers {
  const at = `${tag}: ${file}`;
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new LayerWatchError(`${at} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObject(doc) || !isObject(doc.jobs)) throw new LayerWatchError(`${at} has no "jobs" map: not a GitHub workflow`);
  const tagFamily = TAG.exec(tag)?.[1];
  // The workflow must be the one this tag's push runs (`on.push.tags: [layer-<family>/**]`).
  const on = isObject(doc.on) ? doc.on : {};
  const tags = isObject(on.push) && Array.isArray(on.push.tags) ? on.push.tags : [];
  if (!tags.some(t => typeof t === 'string' && t.startsWith(`layer-${tagFamily}/`))) {
    throw new LayerWatchError(`${at} is not run by the tag push (on.push.tags is ${JSON.stringify(tags)}, expected layer-${tagFamily}/**): upstream moved its release workflow; update RELEASE_WORKFLOW in scripts/layer-watch.ts`);
  }
  const regions = new Map<Family, string[]>();
  const unknown: string[] = [];
  for (const [name, job] of Object.entries(doc.jobs)) {
    if (!isObject(job) || typeof job.uses !== 'string' || !/(^|\/)layer-publish\.ya?ml(@.*)?$/.test(job.uses)) continue;
    const where = `${at} job ${name}`;
    const layerName = isObject(job.with) ? job.with['layer-name'] : undefined;
    if (typeof layerName !== 'string' || !layerName.startsWith('opentelemetry-')) {
      throw new LayerWatchError(`${where}: "with.layer-name" must be opentelemetry-<family>, got ${JSON.stringify(layerName)}`);
    }
    const family = layerName.slice('opentelemetry-'.length);
    if (!FAMILIES.includes(family as Family)) {
      unknown.push(layerName);
      continue;
    }
    if (TAG_FAMILY[family as Family] !== tagFamily) {
      throw new LayerWatchError(`${where} publishes ${layerName}, which this library expects from layer-${TAG_FAMILY[family as Family]}/* tags`);
    }
    const matrix = isObject(job.strategy) && isObject(job.strategy.matrix) ? job.strategy.matrix : undefined;
    const list = matrix?.aws_region;
    if (!Array.isArray(list) || list.length === 0) {
      throw new LayerWatchError(`${where}: "strategy.matrix.aws_region" must be a literal, non-empty list of regions, got ${JSON.stringify(list)}`);
    }
    if (matrix && (matrix.include !== undefined || matrix.exclude !== undefined)) {
      throw new LayerWatchError(`${where}: the matrix has include/exclude entries, which layer-watch cannot read; add the release by hand`);
    }
    const bad = list.filter(r => typeof r !== 'string' || !REGION.test(r));
    if (bad.length > 0) throw new LayerWatchError(`${where}: ${bad.map(b => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not a region name' : 'are not region names'}`);
    if (new Set(list).size !== list.length) throw new LayerWatchError(`${where}: a region is listed twice in strategy.matrix.aws_region`);
    if (regions.has(family as Family)) throw new LayerWatchError(`${where}: ${layerName} is published by two jobs`);
    regions.set(family as Family, (list as string[]).slice().sort());
  }
  if (regions.size === 0 && unknown.length === 0) {
    throw new LayerWatchError(`${at} has no job that calls layer-publish.yml with a layer-name: upstream changed how it publishes; add the release by hand`);
  }
  return { regions, unknown };
}

/** The collector version of the collector layer: the otelcol requirement of collector/go.mod, without the `v`. */
export function parseCollectorVersion(goMod: string, tag: string): string {
  const m = /^\s*(?:require\s+)?go\.opentelemetry\.io\/collector\/otelcol\s+v(\d+\.\d+\.\d+)\s*(\/\/.*)?$/m.exec(goMod);
  if (!m) throw new LayerWatchError(`${tag}: collector/go.mod requires no go.opentelemetry.io/collector/otelcol vMAJOR.MINOR.PATCH`);
  return m[1];
}

// ---------------------------------------------------------------------------------------------
// Pure diffing against the release list.

/** One upstream layer release, as read from upstream. */
export interface UpstreamLayerRelease {
  readonly layer: Family;
  readonly version: string;
  readonly tag: string;
  readonly regions: readonly string[];
  readonly collectorVersion?: string;
  readonly releaseUrl?: string;
}

/** One entry to add to the release list, with what changed against the previous version. */
export interface NewEntry extends UpstreamLayerRelease {
  readonly previous: string;
  readonly added: readonly string[];
  /** region -> reason (starts with REVIEW_MARK). */
  readonly removedRegions: Readonly<Record<string, string>>;
}

/** What the upstream releases change. */
export interface WatchPlan {
  /** Oldest first within a family, families in catalog order. */
  readonly entries: readonly NewEntry[];
  /** One line per release not added, with the reason. */
  readonly ignored: readonly string[];
  /** Notes a human must read (unknown layers, a family a tag no longer publishes). */
  readonly notes: readonly string[];
}

/** The removal reason written for a region a new release lacks. */
export function removalReason(tag: string, file: string, previous: string): string {
  return `${REVIEW_MARK} not in the publish matrix of ${tag} (.github/workflows/${file}); ${previous} had it. Confirm upstream dropped it, then keep this line or reword it`;
}

/**
 * The new entries: every upstream release newer than the newest known version of its family,
 * diffed against the version before it. Pure.
 */
export function planUpdate(
  list: ValidatedReleaseList, upstream: readonly UpstreamLayerRelease[], ignored: readonly string[] = [], notes: readonly string[] = [],
): WatchPlan {
  const entries: NewEntry[] = [];
  const skipped = [...ignored];
  for (const family of FAMILIES) {
    const known = list.releases[family];
    const newest = known[0];
    const fresh = upstream.filter(u => u.layer === family).sort((a, b) => newestFirst(b.version, a.version));
    let previous = { version: newest.version, regions: newest.regions };
    for (const release of fresh) {
      if (known.some(k => k.version === release.version)) continue;
      if (newestFirst(release.version, newest.version) >= 0) {
        skipped.push(`${release.tag} (${family}): older than ${newest.version}, the newest known; add it by hand if it is wanted`);
        continue;
      }
      const file = RELEASE_WORKFLOW[TAG_FAMILY[family]];
      const removedRegions: Record<string, string> = {};
      for (const r of previous.regions) if (!release.regions.includes(r)) removedRegions[r] = removalReason(release.tag, file, `${family} ${previous.version}`);
      entries.push({ ...release, previous: previous.version, added: release.regions.filter(r => !previous.regions.includes(r)), removedRegions });
      previous = { version: release.version, regions: release.regions };
    }
  }
  return { entries, ignored: skipped, notes };
}

/** A parsed release list as the JSON file holds it (fields we write; others are kept). */
interface RawList {
  regionSets: Record<string, string[]>;
  releases: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** Expands a region set (sets may reference sets). */
function expandSet(sets: Record<string, string[]>, name: string): string[] {
  return (sets[name] ?? []).flatMap(item => item.startsWith('@') ? expandSet(sets, item.slice(1)) : [item]);
}

/**
 * The `regions` value for a new entry: a reference to the set with exactly these regions, or a
 * new set `matrix-<count>` on top of the largest set it contains (or listing them all).
 */
export function chooseRegions(sets: Record<string, string[]>, regions: readonly string[]): { regions: string[]; newSet?: [string, string[]] } {
  const want = [...regions].sort();
  let base: string | undefined;
  let baseSize = 0;
  for (const name of Object.keys(sets)) {
    const has = expandSet(sets, name);
    if (has.length === want.length && has.every(r => want.includes(r))) return { regions: [`@${name}`] };
    if (has.length > baseSize && has.every(r => want.includes(r))) {
      base = name;
      baseSize = has.length;
    }
  }
  let name = `matrix-${want.length}`;
  for (let i = 2; sets[name] !== undefined; i++) name = `matrix-${want.length}-${i}`;
  const baseRegions = base ? expandSet(sets, base) : [];
  const items = base ? [`@${base}`, ...want.filter(r => !baseRegions.includes(r))] : want;
  return { regions: [`@${name}`], newSet: [name, items] };
}

/** One release entry on one line, in the style of the file. */
function entryLine(entry: Record<string, unknown>): string {
  const parts = Object.entries(entry).map(([k, v]) => `${JSON.stringify(k)}: ${isObject(v)
    ? `{ ${Object.entries(v).map(([rk, rv]) => `${JSON.stringify(rk)}: ${JSON.stringify(rv)}`).join(', ')} }`
    : Array.isArray(v) ? `[${v.map(x => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v)}`);
  return `{ ${parts.join(', ')} }`;
}

/** The new list (parsed) and text for `plan`; `withCollectorVersion` writes `collectorVersion`. */
export function applyToReleaseList(text: string, plan: WatchPlan, withCollectorVersion: boolean): { text: string; data: RawList } {
  const data = JSON.parse(text) as RawList;
  const sets = { ...data.regionSets };
  const newSets: Array<[string, string[]]> = [];
  const lines = new Map<Family, string[]>();
  const added: Array<Record<string, unknown>> = [];
  // Region sets in the order of the plan (oldest release first) ...
  const choices = plan.entries.map(entry => {
    const choice = chooseRegions(sets, entry.regions);
    if (choice.newSet) {
      sets[choice.newSet[0]] = choice.newSet[1];
      newSets.push(choice.newSet);
    }
    return choice;
  });
  // ... entries newest first within their family, as the file lists them.
  for (const [i, entry] of [...plan.entries.entries()].reverse()) {
    const choice = choices[i];
    const raw: Record<string, unknown> = { layer: entry.layer, version: entry.version, tag: entry.tag, regions: choice.regions };
    if (Object.keys(entry.removedRegions).length > 0) raw.removedRegions = entry.removedRegions;
    if (withCollectorVersion && entry.collectorVersion) raw.collectorVersion = entry.collectorVersion;
    added.push(raw);
    lines.set(entry.layer, [...(lines.get(entry.layer) ?? []), entryLine(raw)]);
  }
  // Each family's new entries go before its first (newest) entry, as the text edit below puts them.
  const releases: Array<Record<string, unknown>> = [];
  const placed = new Set<unknown>();
  for (const r of data.releases) {
    if (lines.has(r.layer as Family) && !placed.has(r.layer)) {
      releases.push(...added.filter(a => a.layer === r.layer));
      placed.add(r.layer);
    }
    releases.push(r);
  }
  const expected: RawList = { ...data, regionSets: sets, releases };

  // Text edits keep the rest of the hand-formatted file as it is.
  let out = text;
  for (const [family, familyLines] of lines) {
    const start = out.indexOf('"releases"');
    const m = new RegExp(`\\n([ \\t]*)\\{\\s*"layer"\\s*:\\s*${JSON.stringify(family)}`).exec(out.slice(start));
    if (start < 0 || !m) {
      out = '';
      break;
    }
    const at = start + m.index + 1;
    out = out.slice(0, at) + familyLines.map(l => `${m[1]}${l},\n`).join('') + out.slice(at);
  }
  if (out && newSets.length > 0) {
    const m = /(\])(\s*\n([ \t]*)\},?\s*\n\s*"releases")/.exec(out);
    const indent = /\n([ \t]*)"[^"]+"\s*:\s*\[/.exec(out.slice(out.indexOf('"regionSets"')))?.[1] ?? '    ';
    out = m ? out.slice(0, m.index + 1) + newSets.map(([name, items]) => `,\n${indent}${JSON.stringify(name)}: [${items.map(i => JSON.stringify(i)).join(', ')}]`).join('') + out.slice(m.index + 1) : '';
  }
  // The edit must give exactly the intended list; else write it in full (formatting is lost, not data).
  let parsed: unknown;
  try {
    parsed = out ? JSON.parse(out) : undefined;
  } catch {
    parsed = undefined;
  }
  if (JSON.stringify(parsed) !== JSON.stringify(expected)) out = `${JSON.stringify(expected, null, 2)}\n`;
  return { text: out, data: expected };
}

/** Adds the `V…` constant of each new version to src/layers/releases.ts and moves `LATEST`. */
export function applyToReleasesTs(text: string, plan: WatchPlan): { text: string; latestMoves: string[] } {
  let out = text;
  const latestMoves: string[] = [];
  for (const entry of plan.entries) {
    const cls = LAYER_FAMILIES[entry.layer];
    const constant = `V${entry.version.replace(/\./g, '_')}`;
    const classStart = out.indexOf(`export class ${cls} `);
    if (classStart < 0) throw new LayerWatchError(`${RELEASES_TS}: class ${cls} not found`);
    if (out.includes(`static readonly ${constant} = new ${cls}(`)) continue;
    const first = /\n([ \t]*)\/\*\*\s*(.*?) layer \d+\.\d+\.\d+[^\n]*\*\/\n[ \t]*public static readonly V/.exec(out.slice(classStart));
    if (!first) throw new LayerWatchError(`${RELEASES_TS}: ${cls} has no documented V… constant to put ${constant} beside; add it by hand`);
    const detail = entry.collectorVersion ? ` (collector v${entry.collectorVersion})` : '';
    const doc = `${first[1]}/** ${first[2]} layer ${entry.version}${detail}, ${entry.regions.length} regions. */\n`
      + `${first[1]}public static readonly ${constant} = new ${cls}('${entry.version}');\n`;
    const at = classStart + first.index + 1;
    out = out.slice(0, at) + doc + out.slice(at);
    const latest = new RegExp(`(public static readonly LATEST = ${cls}\\.)(V\\w+);`);
    const from = latest.exec(out)?.[2];
    if (!from) throw new LayerWatchError(`${RELEASES_TS}: ${cls}.LATEST not found`);
    if (from !== constant && newestFirst(entry.version, from.slice(1).replace(/_/g, '.')) < 0) {
      out = out.replace(latest, `$1${constant};`);
      latestMoves.push(`${cls}.LATEST: ${from} -> ${constant}`);
    }
  }
  return { text: out, latestMoves };
}

/** The change summary (pull request body), in Markdown. */
export function renderSummary(plan: WatchPlan, latestMoves: readonly string[], extraNotes: readonly string[] = []): string {
  const lines: string[] = [];
  if (plan.entries.length === 0) {
    lines.push(`No new upstream layer release: ${RELEASE_LIST} is up to date.`);
  } else {
    lines.push(`New upstream releases of [${UPSTREAM_REPO}](https://github.com/${UPSTREAM_REPO}/releases), added to \`${RELEASE_LIST}\`:`, '');
    lines.push('| Layer | Version | Tag | Regions | Change against the previous version |', '|---|---|---|---|---|');
    for (const e of plan.entries) {
      const change = [
        ...e.added.map(r => `+${r}`),
        ...Object.keys(e.removedRegions).map(r => `**-${r}**`),
      ].join(' ') || 'same regions';
      const tag = e.releaseUrl ? `[${e.tag}](${e.releaseUrl})` : e.tag;
      const collector = e.collectorVersion ? ` (collector v${e.collectorVersion})` : '';
      lines.push(`| ${e.layer} | ${e.version}${collector} | ${tag} | ${e.regions.length} | ${e.previous} -> ${e.version}: ${change} |`);
    }
  }
  const removed = plan.entries.flatMap(e => Object.keys(e.removedRegions).map(r => `${e.layer} ${e.version} drops **${r}**: confirm upstream dropped it, then keep or reword the \`removedRegions\` reason (it starts with \`${REVIEW_MARK}\`)`));
  const review = [
    ...latestMoves.map(m => `\`${m}\` (src/layers/releases.ts): users on \`LATEST\` get the new layer; read its upstream release notes`),
    ...removed,
    ...plan.notes,
    ...extraNotes,
  ];
  if (review.length > 0) lines.push('', '### For a human to review', '', ...review.map(r => `- ${r}`));
  if (plan.ignored.length > 0) lines.push('', '<details><summary>Ignored upstream releases</summary>', '', ...plan.ignored.map(i => `- ${i}`), '', '</details>');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading upstream (through the fetcher) and the command.

async function get(fetcher: Fetcher, url: string, accept: string, what: string): Promise<string> {
  let res: FetchResult;
  try {
    res = await fetcher(url, accept);
  } catch (e) {
    throw new LayerWatchError(`${what}: GET ${url} failed: ${(e as Error).message}`);
  }
  if (res.status !== 200) throw new LayerWatchError(`${what}: GET ${url} answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  return res.body;
}

/** Every upstream release (all pages). */
export async function fetchReleases(fetcher: Fetcher, maxPages = 10): Promise<UpstreamRelease[]> {
  const all: UpstreamRelease[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const url = releasesUrl(page);
    const releases = parseReleasesPage(await get(fetcher, url, 'application/vnd.github+json', 'the releases list'), url);
    all.push(...releases);
    if (releases.length < 100) return all;
  }
  throw new LayerWatchError(`the releases list has more than ${maxPages} pages of 100: raise maxPages in scripts/layer-watch.ts`);
}

/** Reads upstream and plans the update of `list`. Network only through `fetcher`. */
export async function readUpstream(fetcher: Fetcher, list: ValidatedReleaseList): Promise<WatchPlan> {
  const ignored: string[] = [];
  const notes: string[] = [];
  const upstream: UpstreamLayerRelease[] = [];
  let known = 0;
  /** The oldest of the newest known versions of the families a tag family publishes. */
  const newestKnown = (tagFamily: string) => FAMILIES.filter(f => TAG_FAMILY[f] === tagFamily)
    .map(f => list.releases[f][0].version).sort(newestFirst).reverse()[0];
  for (const release of await fetchReleases(fetcher)) {
    const info = classifyRelease(release);
    if ('ignored' in info) {
      ignored.push(info.ignored);
      continue;
    }
    // Known or older than what we have: not read (planUpdate would skip it anyway).
    const oldest = newestKnown(info.tagFamily);
    if (oldest !== undefined && newestFirst(info.version, oldest) >= 0) {
      known++;
      continue;
    }
    const file = RELEASE_WORKFLOW[info.tagFamily];
    const workflow = await get(fetcher, contentsUrl(`.github/workflows/${file}`, release.tag), 'application/vnd.github.raw+json', `release ${release.tag}`);
    const published = parsePublishWorkflow(workflow, release.tag, file);
    for (const name of published.unknown) notes.push(`${release.tag} also publishes ${name}, a layer this library has no family for`);
    for (const family of FAMILIES.filter(f => TAG_FAMILY[f] === info.tagFamily)) {
      if (!published.regions.has(family)) notes.push(`${release.tag} publishes no opentelemetry-${family} layer (no job in ${file}); ${family} stays at its newest known version`);
    }
    let collectorVersion: string | undefined;
    if (published.regions.has('collector')) {
      const goMod = await get(fetcher, contentsUrl('collector/go.mod', release.tag), 'application/vnd.github.raw+json', `release ${release.tag}`);
      collectorVersion = parseCollectorVersion(goMod, release.tag);
    }
    for (const [family, regions] of published.regions) {
      upstream.push({ layer: family, version: info.version, tag: release.tag, regions, collectorVersion: family === 'collector' ? collectorVersion : undefined, releaseUrl: release.url });
    }
  }
  if (known > 0) ignored.push(`${known} release${known === 1 ? '' : 's'} not newer than the newest known version of ${known === 1 ? 'its' : 'their'} layer (not read)`);
  return planUpdate(list, upstream, ignored, notes);
}

/** The files an update writes, and its summary. Pure given the inputs. */
export interface WatchResult {
  readonly plan: WatchPlan;
  readonly files: Readonly<Record<string, string>>;
  readonly summary: string;
}

/** Applies `plan` to the release list, the catalog and releases.ts (texts in, texts out); validates the result. */
export function applyPlan(plan: WatchPlan, releaseListText: string, releasesTsText: string): WatchResult {
  if (plan.entries.length === 0) return { plan, files: {}, summary: renderSummary(plan, []) };
  const extraNotes: string[] = [];
  let applied = applyToReleaseList(releaseListText, plan, true);
  let list: ValidatedReleaseList;
  try {
    list = validateReleaseList(applied.data);
  } catch (e) {
    const problems = e instanceof ReleaseListError ? e.problems : [];
    // An older release list does not know `collectorVersion`: write the list without it.
    if (problems.length === 0 || !problems.every(p => p.includes('unknown key "collectorVersion"'))) throw e;
    applied = applyToReleaseList(releaseListText, plan, false);
    list = validateReleaseList(applied.data);
    extraNotes.push('the release list does not accept `collectorVersion` yet: the collector versions are in the table above only');
  }
  const releasesTs = applyToReleasesTs(releasesTsText, plan);
  const todo = releasesTsTodo(list, releasesTs.text);
  extraNotes.push(...todo.map(t => `still to do in ${RELEASES_TS}: ${t}`));
  return {
    plan,
    files: { [RELEASE_LIST]: applied.text, [GENERATED_CATALOG]: renderCatalog(list), [RELEASES_TS]: releasesTs.text },
    summary: renderSummary(plan, releasesTs.latestMoves, extraNotes),
  };
}

/** The command: read upstream, plan, write (unless dryRun). Returns the result. */
export async function watch(fetcher: Fetcher, options: { root?: string; dryRun?: boolean } = {}): Promise<WatchResult> {
  const root = options.root ?? ROOT;
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
  const listText = read(RELEASE_LIST);
  let list: ValidatedReleaseList;
  try {
    list = validateReleaseList(JSON.parse(listText));
  } catch (e) {
    throw new LayerWatchError(`${RELEASE_LIST} is refused before any change: ${(e as Error).message}`);
  }
  const plan = await readUpstream(fetcher, list);
  const result = applyPlan(plan, listText, read(RELEASES_TS));
  if (!options.dryRun) {
    for (const [file, text] of Object.entries(result.files)) fs.writeFileSync(path.join(root, file), text);
  }
  return result;
}

async function main(argv: string[]): Promise<number> {
  const usage = 'usage: layer-watch [--dry-run] [--summary <file>]\n'
    + `  adds the new upstream releases of ${UPSTREAM_REPO} to ${RELEASE_LIST},\n`
    + `  regenerates ${GENERATED_CATALOG} and the constants in ${RELEASES_TS};\n`
    + '  --dry-run: write nothing; --summary: also write the change summary (Markdown) to <file>';
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  let summaryFile: string | undefined;
  const rest = [...argv];
  const s = rest.indexOf('--summary');
  if (s >= 0) {
    summaryFile = rest[s + 1];
    if (!summaryFile || summaryFile.startsWith('--')) {
      console.error(`--summary needs a file name\n${usage}`);
      return 2;
    }
    rest.splice(s, 2);
  }
  const unknown = rest.filter(a => a !== '--dry-run');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}\n${usage}`);
    return 2;
  }
  try {
    const result = await watch(githubFetcher(), { dryRun: rest.includes('--dry-run') });
    console.log(result.summary);
    if (summaryFile) fs.writeFileSync(summaryFile, result.summary);
    for (const file of Object.keys(result.files)) console.log(`${rest.includes('--dry-run') ? 'would write' : 'wrote'} ${file}`);
    return 0;
  } catch (e) {
    console.error(`layer-watch: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
