import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { github, javascript } from 'projen';
import { ActionRefs } from 'projen/lib/github';
import { Testing } from 'projen/lib/testing';
import * as YAML from 'yaml';
import { addLayerWatch } from '../projenrc/layer-watch';
import {
  applyPlan, applyToReleaseList, classifyRelease, contentsUrl, Fetcher, LayerWatchError, parseCollectorVersion,
  parsePublishWorkflow, parseReleasesPage, planUpdate, readUpstream, releasesUrl, RELEASES_TS, REVIEW_MARK, watch, WatchPlan,
} from '../scripts/layer-watch';
import { GENERATED_CATALOG, RELEASE_LIST, releasesTsTodo, validateReleaseList } from '../scripts/update-layer-catalog';

/**
 * Offline: every upstream response is a hand-made file under test/fixtures/layer-watch/, shaped
 * like the GitHub REST API answers and upstream's files at a tag. The base release list and
 * releases.ts are frozen copies (base/), so new real releases do not change these tests.
 */
const FIXTURES = path.join(__dirname, 'fixtures', 'layer-watch');
const fixture = (file: string) => fs.readFileSync(path.join(FIXTURES, file), 'utf8');
const BASE_LIST = fixture('base/layer-releases.json');
const BASE_RELEASES_TS = fixture('base/releases.ts.txt');
const baseList = () => validateReleaseList(JSON.parse(BASE_LIST));

/** A fetcher that answers from fixtures: URL -> fixture file; anything else is a 404. Logs every URL. */
function fixtureFetcher(routes: Record<string, string>, log: string[] = []): Fetcher {
  return async url => {
    log.push(url);
    const file = routes[url];
    if (file === undefined) return { status: 404, body: '{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}' };
    return { status: 200, body: fixture(file) };
  };
}

/** The upstream of the scenario: a new collector, a new nodejs (+1 region), a Java release that drops a region. */
const UPSTREAM: Record<string, string> = {
  [releasesUrl(1)]: 'releases.json',
  [contentsUrl('.github/workflows/release-layer-collector.yml', 'layer-collector/0.24.0')]: 'layer-collector_0.24.0/release-layer-collector.yml',
  [contentsUrl('collector/go.mod', 'layer-collector/0.24.0')]: 'layer-collector_0.24.0/go.mod',
  [contentsUrl('.github/workflows/release-layer-nodejs.yml', 'layer-nodejs/0.24.0')]: 'layer-nodejs_0.24.0/release-layer-nodejs.yml',
  [contentsUrl('.github/workflows/release-layer-java.yml', 'layer-javaagent/0.22.0')]: 'layer-javaagent_0.22.0/release-layer-java.yml',
};

const entry = (plan: WatchPlan, layer: string) => plan.entries.find(e => e.layer === layer);

describe('reading upstream responses', () => {
  test('releases page: drafts and pre-releases are ignored, with the reason', () => {
    const releases = parseReleasesPage(fixture('releases.json'), releasesUrl(1));
    expect(releases).toHaveLength(8);
    const verdict = Object.fromEntries(releases.map(r => [r.tag, classifyRelease(r)]));
    expect(verdict['layer-ruby/0.16.0']).toEqual({ ignored: 'layer-ruby/0.16.0: draft' });
    expect(verdict['layer-python/0.22.0']).toEqual({ ignored: 'layer-python/0.22.0: pre-release' });
    expect(verdict['layer-nodejs/0.24.0']).toEqual({ tagFamily: 'nodejs', version: '0.24.0' });
    expect(verdict['layer-javaagent/0.22.0']).toEqual({ tagFamily: 'javaagent', version: '0.22.0' });
  });

  test('other tags are ignored with the reason', () => {
    const at = (tag: string) => classifyRelease({ tag, draft: false, prerelease: false });
    expect(at('v1.0.0')).toEqual({ ignored: 'v1.0.0: not a layer-<family>/<version> tag' });
    expect(at('layer-dotnet/0.1.0')).toEqual({ ignored: 'layer-dotnet/0.1.0: layer family dotnet is not one this library uses' });
    expect(at('layer-nodejs/0.24.0-rc.1')).toEqual({ ignored: 'layer-nodejs/0.24.0-rc.1: version 0.24.0-rc.1 is not MAJOR.MINOR.PATCH' });
  });

  test('the region matrix is read from each layer-publish.yml job of the tag\'s release workflow', () => {
    const collector = parsePublishWorkflow(fixture('layer-collector_0.24.0/release-layer-collector.yml'), 'layer-collector/0.24.0', 'release-layer-collector.yml');
    expect([...collector.regions.keys()]).toEqual(['collector']);
    expect(collector.regions.get('collector')).toHaveLength(34);
    expect(collector.regions.get('collector')).toEqual([...collector.regions.get('collector')!].sort());

    // One Java tag publishes two layers, each from its own job.
    const java = parsePublishWorkflow(fixture('layer-javaagent_0.22.0/release-layer-java.yml'), 'layer-javaagent/0.22.0', 'release-layer-java.yml');
    expect([...java.regions.keys()].sort()).toEqual(['javaagent', 'javawrapper']);
    expect(java.regions.get('javaagent')).not.toContain('me-south-1');
    expect(java.regions.get('javaagent')).toHaveLength(33);
    expect(java.unknown).toEqual([]);
  });

  test('a layer the library has no family for is reported, not added', () => {
    const text = fixture('layer-nodejs_0.24.0/release-layer-nodejs.yml').replace('layer-name: opentelemetry-nodejs', 'layer-name: opentelemetry-deno');
    const published = parsePublishWorkflow(text, 'layer-nodejs/0.24.0', 'release-layer-nodejs.yml');
    expect(published.regions.size).toBe(0);
    expect(published.unknown).toEqual(['opentelemetry-deno']);
  });

  test('a workflow that another tag runs is refused (upstream moved the matrix)', () => {
    expect(() => parsePublishWorkflow(fixture('layer-nodejs_0.24.0/release-layer-nodejs.yml'), 'layer-ruby/0.16.0', 'release-layer-ruby.yml'))
      .toThrow('layer-ruby/0.16.0: release-layer-ruby.yml is not run by the tag push');
  });

  test('the collector version is the otelcol requirement of collector/go.mod', () => {
    expect(parseCollectorVersion(fixture('layer-collector_0.24.0/go.mod'), 'layer-collector/0.24.0')).toEqual('0.160.0');
    expect(() => parseCollectorVersion('module x\n\nrequire go.opentelemetry.io/collector/otelcol/otelcoltest v0.1.0\n', 'layer-collector/9.0.0'))
      .toThrow('layer-collector/9.0.0: collector/go.mod requires no go.opentelemetry.io/collector/otelcol');
  });
});

describe('diffing against the release list', () => {
  test('a new release, a release that drops a region; pre-release, draft, known and older releases are not read', async () => {
    const log: string[] = [];
    const plan = await readUpstream(fixtureFetcher(UPSTREAM, log), baseList());

    expect(plan.entries.map(e => `${e.layer} ${e.version}`)).toEqual(['collector 0.24.0', 'nodejs 0.24.0', 'javaagent 0.22.0', 'javawrapper 0.22.0']);
    expect(entry(plan, 'collector')).toMatchObject({ previous: '0.23.0', added: [], removedRegions: {}, collectorVersion: '0.160.0', tag: 'layer-collector/0.24.0' });
    expect(entry(plan, 'nodejs')).toMatchObject({ previous: '0.23.0', added: ['ap-southeast-8'], removedRegions: {} });
    expect(entry(plan, 'nodejs')!.collectorVersion).toBeUndefined();
    for (const layer of ['javaagent', 'javawrapper']) {
      const e = entry(plan, layer)!;
      expect(e.previous).toEqual('0.21.0');
      expect(Object.keys(e.removedRegions)).toEqual(['me-south-1']);
      expect(e.removedRegions['me-south-1']).toMatch(new RegExp(`^${REVIEW_MARK} not in the publish matrix of layer-javaagent/0.22.0 \\(.github/workflows/release-layer-java.yml\\)`));
    }
    expect(plan.ignored).toEqual(expect.arrayContaining([
      'layer-ruby/0.16.0: draft',
      'layer-python/0.22.0: pre-release',
      '3 releases not newer than the newest known version of their layer (not read)',
    ]));
    // Only the releases page and the three new tags' files were fetched.
    expect(log.sort()).toEqual(Object.keys(UPSTREAM).sort());
  });

  test('two new versions of one family: each is diffed against the one before it', () => {
    const list = baseList();
    const v23 = list.releases.ruby[0].regions;
    const plan = planUpdate(list, [
      { layer: 'ruby', version: '0.17.0', tag: 'layer-ruby/0.17.0', regions: v23.filter(r => r !== 'eu-west-1' && r !== 'il-central-1') },
      { layer: 'ruby', version: '0.16.0', tag: 'layer-ruby/0.16.0', regions: v23.filter(r => r !== 'eu-west-1') },
      { layer: 'ruby', version: '0.12.0', tag: 'layer-ruby/0.12.0', regions: v23 },
      { layer: 'ruby', version: '0.11.0', tag: 'layer-ruby/0.11.0', regions: v23 },
    ]);
    expect(plan.entries.map(e => [e.version, e.previous, Object.keys(e.removedRegions)])).toEqual([
      ['0.16.0', '0.15.0', ['eu-west-1']],
      ['0.17.0', '0.16.0', ['il-central-1']],
    ]);
    expect(plan.ignored).toEqual(['layer-ruby/0.11.0 (ruby): older than 0.15.0, the newest known; add it by hand if it is wanted']);
    const result = applyPlan(plan, BASE_LIST, BASE_RELEASES_TS);
    expect(validateReleaseList(JSON.parse(result.files[RELEASE_LIST])).releases.ruby.map(r => r.version)).toEqual(['0.17.0', '0.16.0', '0.15.0', '0.13.0', '0.12.0']);
    expect(result.files[RELEASES_TS]).toContain('public static readonly LATEST = RubyLayer.V0_17_0;');
  });

  test('nothing new upstream: no entries and no file to write', async () => {
    const routes = { ...UPSTREAM, [releasesUrl(1)]: 'malformed/releases-no-tag.json' };
    const onlyKnown: Fetcher = async (url, accept) => url === releasesUrl(1)
      ? { status: 200, body: JSON.stringify(JSON.parse(fixture('releases.json')).slice(5)) }
      : fixtureFetcher(routes)(url, accept);
    const plan = await readUpstream(onlyKnown, baseList());
    expect(plan.entries).toEqual([]);
    const result = applyPlan(plan, BASE_LIST, BASE_RELEASES_TS);
    expect(result.files).toEqual({});
    expect(result.summary).toContain('No new upstream layer release');
  });

  test('writes the new entries, a region set, the catalog and the constants; the rest of the list is unchanged', async () => {
    const plan = await readUpstream(fixtureFetcher(UPSTREAM), baseList());
    const result = applyPlan(plan, BASE_LIST, BASE_RELEASES_TS);
    const listText = result.files[RELEASE_LIST];

    // Only lines added: every line of the hand-formatted list is still there, in order.
    const before = BASE_LIST.split('\n');
    const after = listText.split('\n');
    const kept = after.filter(l => before.includes(l));
    expect(kept).toEqual(before.filter(l => l !== '    "matrix-34": ["@matrix-33", "ap-northeast-3"]'));
    expect(after).toContain('    "matrix-34": ["@matrix-33", "ap-northeast-3"],');
    const added = after.filter(l => !before.includes(l) && !l.startsWith('    "matrix-34"'));
    expect(added).toEqual([
      '    "matrix-35": ["@matrix-34", "ap-southeast-8"],',
      expect.stringMatching(/^ {4}"matrix-33-2": \["@matrix-17", "af-south-1", .*"mx-central-1"\]$/),
      '    { "layer": "collector", "version": "0.24.0", "tag": "layer-collector/0.24.0", "regions": ["@matrix-34"], "collectorVersion": "0.160.0" },',
      '    { "layer": "nodejs", "version": "0.24.0", "tag": "layer-nodejs/0.24.0", "regions": ["@matrix-35"] },',
      expect.stringMatching(/^ {4}\{ "layer": "javaagent", "version": "0.22.0", "tag": "layer-javaagent\/0.22.0", "regions": \["@matrix-33-2"\], "removedRegions": \{ "me-south-1": "REVIEW: .*" \} \},$/),
      expect.stringMatching(/^ {4}\{ "layer": "javawrapper", "version": "0.22.0", "tag": "layer-javaagent\/0.22.0", "regions": \["@matrix-33-2"\], "removedRegions": \{ "me-south-1": "REVIEW: .*" \} \},$/),
    ]);

    // The list is valid; the catalog is regenerated from it and says what was removed.
    const list = validateReleaseList(JSON.parse(listText));
    expect(list.releases.nodejs[0].regions).toContain('ap-southeast-8');
    expect(list.releases.javaagent[0].regions).toHaveLength(33);
    const catalog = result.files[GENERATED_CATALOG];
    expect(catalog).toContain("  nodejs: '0.24.0',");
    expect(catalog).toContain('    // layer-nodejs/0.24.0: 35 regions (+ap-southeast-8)');
    expect(catalog).toContain('    // layer-javaagent/0.22.0: 33 regions (-me-south-1)');
    expect(catalog).toContain(`    // removed me-south-1: ${REVIEW_MARK} not in the publish matrix of layer-javaagent/0.22.0`);

    // releases.ts: a constant per new version and LATEST moved; nothing left for catalog.test.ts to find.
    const ts = result.files[RELEASES_TS];
    expect(ts).toContain("  /** Collector layer 0.24.0 (collector v0.160.0), 34 regions. */\n  public static readonly V0_24_0 = new CollectorLayer('0.24.0');\n  /** Collector layer 0.23.0");
    expect(ts).toContain("  /** Java wrapper layer 0.22.0, 33 regions. */\n  public static readonly V0_22_0 = new JavaWrapperLayer('0.22.0');");
    expect(ts).toContain('public static readonly LATEST = NodejsLayer.V0_24_0;');
    expect(ts).toContain('public static readonly LATEST = PythonLayer.V0_21_0;');
    expect(releasesTsTodo(list, ts)).toEqual([]);
  });

  test('the summary lists what changed and what a human must review', async () => {
    const plan = await readUpstream(fixtureFetcher(UPSTREAM), baseList());
    const { summary } = applyPlan(plan, BASE_LIST, BASE_RELEASES_TS);
    expect(summary).toContain('| nodejs | 0.24.0 | [layer-nodejs/0.24.0](https://github.com/open-telemetry/opentelemetry-lambda/releases/tag/layer-nodejs/0.24.0) | 35 | 0.23.0 -> 0.24.0: +ap-southeast-8 |');
    expect(summary).toContain('| collector | 0.24.0 (collector v0.160.0) |');
    expect(summary).toContain('| javaagent | 0.22.0 | [layer-javaagent/0.22.0]');
    expect(summary).toContain('0.21.0 -> 0.22.0: **-me-south-1** |');
    expect(summary).toContain('### For a human to review');
    expect(summary).toContain('- `NodejsLayer.LATEST: V0_23_0 -> V0_24_0` (src/layers/releases.ts)');
    expect(summary).toContain('- javawrapper 0.22.0 drops **me-south-1**: confirm upstream dropped it');
    expect(summary).toContain('- layer-python/0.22.0: pre-release');
    expect(summary).toContain('- layer-ruby/0.16.0: draft');
  });
});

describe('collectorVersion', () => {
  test('written on collector entries only when the release list accepts the field', async () => {
    const plan = await readUpstream(fixtureFetcher(UPSTREAM), baseList());
    const written = applyToReleaseList(BASE_LIST, plan, true).data.releases;
    expect(written.filter(r => r.collectorVersion !== undefined).map(r => `${r.layer} ${r.version} ${r.collectorVersion}`))
      .toEqual(['collector 0.24.0 0.160.0', 'collector 0.23.0 0.157.0', 'collector 0.21.0 0.148.0', 'collector 0.20.0 0.145.0', 'collector 0.19.0 0.138.0']);
  });

  test('a validator that refuses the field: the list is written without it, and the summary says so', async () => {
    const plan = await readUpstream(fixtureFetcher(UPSTREAM), baseList());
    let accepted = true;
    try {
      validateReleaseList(applyToReleaseList(BASE_LIST, plan, true).data);
    } catch {
      accepted = false;
    }
    const result = applyPlan(plan, BASE_LIST, BASE_RELEASES_TS);
    expect(result.files[RELEASE_LIST].includes('"collectorVersion": "0.160.0"')).toBe(accepted);
    if (!accepted) expect(result.summary).toContain('does not accept `collectorVersion` yet');
  });

  test('a list whose collector entries already carry collectorVersion is read and extended without loss', async () => {
    expect(BASE_LIST).toContain('"tag": "layer-collector/0.23.0", "collectorVersion": "0.157.0"');
    const plan = await readUpstream(fixtureFetcher(UPSTREAM), baseList());
    const { text, data } = applyToReleaseList(BASE_LIST, plan, true);
    expect(text).toContain('"tag": "layer-collector/0.23.0", "collectorVersion": "0.157.0"');
    expect(text).toContain('{ "layer": "collector", "version": "0.24.0", "tag": "layer-collector/0.24.0", "regions": ["@matrix-34"], "collectorVersion": "0.160.0" },');
    expect(data.releases.filter(r => r.layer === 'collector').map(r => r.collectorVersion)).toEqual(['0.160.0', '0.157.0', '0.148.0', '0.145.0', '0.138.0']);
  });
});

describe('malformed responses fail the run, naming the release and what is wrong', () => {
  test.each<[string, Record<string, string>, string]>([
    ['the API answers an error object instead of the list', { [releasesUrl(1)]: 'malformed/releases-rate-limited.json' },
      `${releasesUrl(1)}: the releases list must be a JSON array of releases, got an object ({"message":"API rate limit exceeded`],
    ['a release whose "prerelease" is not a boolean', { [releasesUrl(1)]: 'malformed/releases-prerelease-not-boolean.json' },
      `${releasesUrl(1)}: release [1] (layer-javaagent/0.22.0): "prerelease" must be true or false, got "false"`],
    ['a release without tag_name', { [releasesUrl(1)]: 'malformed/releases-no-tag.json' },
      `${releasesUrl(1)}: release [0] ("layer-nodejs/0.24.0") has no "tag_name" string`],
    ['a region matrix that is an expression, not a list', {
      [releasesUrl(1)]: 'malformed/releases-ruby.json',
      [contentsUrl('.github/workflows/release-layer-ruby.yml', 'layer-ruby/0.16.0')]: 'malformed/layer-ruby_0.16.0/release-layer-ruby.yml',
    }, 'layer-ruby/0.16.0: release-layer-ruby.yml job publish-layer: "strategy.matrix.aws_region" must be a literal, non-empty list of regions, got "${{ fromJSON(needs.build-layer.outputs.regions) }}"'],
    ['a workflow file missing at the tag (HTTP 404)', { [releasesUrl(1)]: 'malformed/releases-ruby.json' },
      `release layer-ruby/0.16.0: GET ${contentsUrl('.github/workflows/release-layer-ruby.yml', 'layer-ruby/0.16.0')} answered HTTP 404`],
  ])('%s', async (_, routes, message) => {
    const run = readUpstream(fixtureFetcher(routes), baseList());
    await expect(run).rejects.toThrow(LayerWatchError);
    await expect(readUpstream(fixtureFetcher(routes), baseList())).rejects.toThrow(message);
  });

  test('a region that is not a region name is refused', () => {
    const text = fixture('layer-nodejs_0.24.0/release-layer-nodejs.yml').replace('- ap-southeast-8', '- Asia Pacific (Bangkok)');
    expect(() => parsePublishWorkflow(text, 'layer-nodejs/0.24.0', 'release-layer-nodejs.yml'))
      .toThrow('layer-nodejs/0.24.0: release-layer-nodejs.yml job publish-layer: "Asia Pacific (Bangkok)" is not a region name');
  });
});

describe('watch (the command, on a copy of the repository files)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-watch-'));
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.mkdirSync(path.join(root, 'src', 'layers'), { recursive: true });
    fs.writeFileSync(path.join(root, RELEASE_LIST), BASE_LIST);
    fs.writeFileSync(path.join(root, RELEASES_TS), BASE_RELEASES_TS);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

  test('writes the three files; a second run finds nothing new', async () => {
    const first = await watch(fixtureFetcher(UPSTREAM), { root });
    expect(Object.keys(first.files).sort()).toEqual([RELEASE_LIST, RELEASES_TS, GENERATED_CATALOG].sort());
    for (const [file, text] of Object.entries(first.files)) expect(read(file)).toEqual(text);
    const second = await watch(fixtureFetcher(UPSTREAM), { root });
    expect(second.plan.entries).toEqual([]);
    expect(second.files).toEqual({});
  });

  test('--dry-run and a malformed response write nothing', async () => {
    await watch(fixtureFetcher(UPSTREAM), { root, dryRun: true });
    expect(read(RELEASE_LIST)).toEqual(BASE_LIST);
    await expect(watch(fixtureFetcher({ [releasesUrl(1)]: 'malformed/releases-prerelease-not-boolean.json' }), { root })).rejects.toThrow(LayerWatchError);
    expect(read(RELEASE_LIST)).toEqual(BASE_LIST);
    expect(read(RELEASES_TS)).toEqual(BASE_RELEASES_TS);
    expect(fs.existsSync(path.join(root, GENERATED_CATALOG))).toBe(false);
  });
});

describe('projenrc/layer-watch.ts', () => {
  // An explicit outdir the test made: without one, projen takes the current directory when it is
  // under the temp directory, and Testing.synth then removes it (a checkout under /tmp was deleted).
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));
  const project = (githubOn: boolean) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-watch-projen-'));
    outdirs.push(outdir);
    const p = new javascript.NodeProject({ name: 'layer-watch-test', outdir, defaultReleaseBranch: 'main', github: githubOn, release: false, buildWorkflow: false, jest: false });
    addLayerWatch(p);
    return Testing.synth(p);
  };

  test('adds the layer-watch task; no workflow without GitHub', () => {
    const out = project(false);
    expect(out['.projen/tasks.json'].tasks['layer-watch'].steps).toEqual([
      { exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/layer-watch.ts', receiveArgs: true },
    ]);
    expect(Object.keys(out).filter(f => f.startsWith('.github/workflows/'))).toEqual([]);
  });

  test('with GitHub: a weekly and manual workflow; a read-only job runs the script and tests, the next one opens the PR with projen\'s token', () => {
    const wf = YAML.parse(project(true)['.github/workflows/layer-watch.yml']);
    expect(wf.on).toEqual({ schedule: [{ cron: '17 6 * * 1' }], workflow_dispatch: {} });
    const job = wf.jobs['layer-watch'];
    // The job that runs npm ci, the script and the tests can write nothing.
    expect(job.permissions).toEqual({ contents: 'read' });
    const runs = job.steps.map((s: any) => s.run ?? s.uses);
    const at = (text: string) => runs.findIndex((r: string) => r.includes(text));
    expect(at('npx projen layer-watch --summary')).toBeGreaterThan(at('npm ci'));
    expect(at('npx projen update-layer-catalog')).toBeGreaterThan(at('npx projen layer-watch'));
    expect(at('npx projen test')).toBeGreaterThan(at('npx projen update-layer-catalog'));
    expect(at('git diff --staged --binary')).toBeGreaterThan(at('npx projen test'));
    // A failed build or test still opens the PR, as a draft.
    expect(job.steps[at('npx projen test')]['continue-on-error']).toBe(true);
    expect(job.steps[at('git diff --staged --binary')].run).toContain("draft=${{ steps.build.outcome != 'success' || steps.tests.outcome != 'success' }}");
    // Node.js as the generated workflows set it up (pinned action, the project's version).
    const node = job.steps.find((s: any) => String(s.uses).startsWith('actions/setup-node@'));
    expect(node.uses).toBe(ActionRefs.ACTIONS_SETUP_NODE);
    expect(node.with['node-version']).toBe('22.x');

    const pr = wf.jobs.pr;
    expect([pr.needs].flat()).toEqual(['layer-watch']);
    expect(pr.if).toBe("needs.layer-watch.outputs.changed == 'true'");
    expect(pr.permissions).toEqual({ contents: 'read' });
    const open = pr.steps.find((s: any) => String(s.uses).startsWith('peter-evans/create-pull-request@'));
    expect(open.with.token).toBe('${{ secrets.PROJEN_GITHUB_TOKEN }}');
    expect(open.with['body-path']).toBe('${{ runner.temp }}/layer-watch/summary.md');
    expect(open.with.draft).toBe('${{ needs.layer-watch.outputs.draft }}');
    // Every action pinned as projen pins its own.
    const pinned = Object.values(ActionRefs);
    for (const step of [...job.steps, ...pr.steps].filter((s: any) => s.uses)) expect(pinned).toContain(step.uses);
  });

  test('with a GitHub App as projen\'s credentials, the PR job generates the app token first and uses it', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-watch-projen-'));
    outdirs.push(outdir);
    const p = new javascript.NodeProject({
      name: 'layer-watch-test',
      outdir,
      defaultReleaseBranch: 'main',
      release: false,
      buildWorkflow: false,
      jest: false,
      githubOptions: { projenCredentials: github.GithubCredentials.fromApp() },
    });
    addLayerWatch(p);
    const pr = YAML.parse(Testing.synth(p)['.github/workflows/layer-watch.yml']).jobs.pr;
    expect(pr.steps[0].uses).toBe(ActionRefs.ACTIONS_CREATE_GITHUB_APP_TOKEN);
    const open = pr.steps.find((s: any) => String(s.uses).startsWith('peter-evans/create-pull-request@'));
    expect(open.with.token).toBe('${{ steps.generate_token.outputs.token }}');
  });
});
