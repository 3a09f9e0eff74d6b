import * as fs from 'fs';
import * as path from 'path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  generateCatalog, GENERATED_CATALOG, newestFirst, readReleaseList, RELEASE_LIST, ReleaseListError, validateReleaseList,
} from '../scripts/update-layer-catalog';
import { CollectorLayer, JavaAgentLayer, JavaWrapperLayer, NodejsLayer, OtelLayerRelease, PythonLayer, RubyLayer } from '../src';
import { ALL_PUBLISHED_REGIONS, COLLECTOR_VERSIONS, LATEST_VERSIONS, LAYER_CATALOG, LayerFamily } from '../src/layers/catalog';

const ROOT = path.join(__dirname, '..');
const UPDATE = 'run `npx projen update-layer-catalog`';

/** The public class of each family; a family added to LayerFamily fails to compile here. */
const CLASSES: Record<LayerFamily, Function> = {
  collector: CollectorLayer,
  nodejs: NodejsLayer,
  python: PythonLayer,
  javaagent: JavaAgentLayer,
  javawrapper: JavaWrapperLayer,
  ruby: RubyLayer,
};
const FAMILIES = Object.keys(CLASSES) as LayerFamily[];

interface RawRelease {
  layer: string;
  version: string;
  tag: string;
  regions: string[];
  removedRegions?: Record<string, string>;
}
interface RawList {
  account: string;
  regionSets: Record<string, string[]>;
  releases: RawRelease[];
}

/** A fresh copy of the committed release list. */
function releaseList(): RawList {
  return readReleaseList() as RawList;
}

/** The static release constants of a class, by member name (LATEST included). */
function releaseConstants(cls: Function): Array<[string, OtelLayerRelease]> {
  return Object.getOwnPropertyNames(cls)
    .filter(k => k !== 'prototype') // Class.prototype is an OtelLayerRelease too
    .map(k => [k, (cls as any)[k]] as [string, unknown])
    .filter((e): e is [string, OtelLayerRelease] => e[1] instanceof OtelLayerRelease);
}

const versionOf = (constant: string) => constant.slice(1).replace(/_/g, '.');

describe('layer catalog', () => {
  test('catalog.generated.ts is up to date with the release list', () => {
    const expected = generateCatalog(releaseList());
    const committed = fs.readFileSync(path.join(ROOT, GENERATED_CATALOG), 'utf8');
    if (committed !== expected) {
      throw new Error(`${GENERATED_CATALOG} is not what ${RELEASE_LIST} generates: ${UPDATE} and commit the result`);
    }
  });

  test('every version has a non-empty, sorted, duplicate-free region set in the aws partition', () => {
    const problems: string[] = [];
    for (const family of FAMILIES) {
      for (const [version, regions] of Object.entries(LAYER_CATALOG[family])) {
        const at = `${family} ${version}`;
        if (regions.length === 0) problems.push(`${at}: no regions`);
        if (regions.join() !== [...regions].sort().join()) problems.push(`${at}: regions not sorted`);
        if (new Set(regions).size !== regions.length) problems.push(`${at}: a region is listed twice`);
        for (const region of regions) {
          const partition = RegionInfo.get(region).partition;
          if (/^(cn|us-gov|us-iso[a-z]*|eu-iso[a-z]*)-/.test(region) || (partition !== undefined && partition !== 'aws')) {
            problems.push(`${at}: ${region} is not in the aws partition`);
          }
          if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) problems.push(`${at}: ${region} is not a region name`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('ALL_PUBLISHED_REGIONS is the sorted union of every release\'s regions', () => {
    const union = [...new Set(FAMILIES.flatMap(f => Object.values(LAYER_CATALOG[f]).flat()))].sort();
    expect(ALL_PUBLISHED_REGIONS).toEqual(union);
  });

  test.each(FAMILIES)('%s: versions newest first, LATEST_VERSIONS is the newest', family => {
    const versions = Object.keys(LAYER_CATALOG[family]);
    expect(versions.length).toBeGreaterThan(0);
    expect(versions).toEqual([...versions].sort(newestFirst));
    expect(LATEST_VERSIONS[family]).toEqual(versions[0]);
  });

  test.each(FAMILIES)('%s: the class LATEST is the newest catalog version', family => {
    const cls = CLASSES[family];
    const latest = (cls as any).LATEST as OtelLayerRelease;
    const newest = `V${LATEST_VERSIONS[family].replace(/\./g, '_')}`;
    if (latest.version !== LATEST_VERSIONS[family]) {
      throw new Error(`${cls.name}.LATEST is ${latest.version}, the newest ${family} release in the catalog is ${LATEST_VERSIONS[family]}: `
        + `set LATEST = ${cls.name}.${newest} in src/layers/releases.ts`);
    }
    expect(latest).toBe((cls as any)[newest]);
  });

  test.each(FAMILIES)('%s: every V… constant is in the catalog and every catalog version has one', family => {
    const cls = CLASSES[family];
    const constants = releaseConstants(cls).filter(([name]) => name !== 'LATEST');
    const problems: string[] = [];
    for (const [name, release] of constants) {
      if (!/^V\d+_\d+_\d+$/.test(name)) problems.push(`${cls.name}.${name} is not named V<major>_<minor>_<patch>`);
      else if (release.version !== versionOf(name)) problems.push(`${cls.name}.${name} has version ${release.version}`);
      if (release._family !== family) problems.push(`${cls.name}.${name} is a ${release._family} release`);
      if (LAYER_CATALOG[family][versionOf(name)] === undefined) {
        problems.push(`${cls.name}.${name}: ${family} ${versionOf(name)} is not in ${RELEASE_LIST}; add it there and ${UPDATE}, or remove the constant`);
      }
    }
    const declared = new Set(constants.map(([name]) => versionOf(name)));
    for (const version of Object.keys(LAYER_CATALOG[family])) {
      if (!declared.has(version)) {
        problems.push(`${family} ${version} has no constant: add \`public static readonly V${version.replace(/\./g, '_')} = new ${cls.name}('${version}');\` to src/layers/releases.ts`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('no version drops a region its previous version had, unless the release list gives the reason', () => {
    const reasons = new Map(releaseList().releases.map(r => [`${r.layer} ${r.version}`, r.removedRegions ?? {}]));
    const problems: string[] = [];
    for (const family of FAMILIES) {
      const versions = Object.keys(LAYER_CATALOG[family]).sort(newestFirst);
      versions.slice(0, -1).forEach((version, i) => {
        const previous = versions[i + 1];
        const removed = reasons.get(`${family} ${version}`) ?? {};
        for (const region of LAYER_CATALOG[family][previous]) {
          if (LAYER_CATALOG[family][version].includes(region)) continue;
          if (!(removed[region] ?? '').trim()) problems.push(`${family} ${version} drops ${region}, which ${previous} had, without a reason in removedRegions`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  test('javawrapper has the same versions, regions and upstream tags as javaagent', () => {
    expect(LAYER_CATALOG.javawrapper).toEqual(LAYER_CATALOG.javaagent);
    const tags = (layer: string) => releaseList().releases.filter(r => r.layer === layer).map(r => [r.version, r.tag]).sort();
    expect(tags('javawrapper')).toEqual(tags('javaagent'));
  });
});

describe('the 0.22.0 release line (open-telemetry/opentelemetry-lambda@247d46c7, 2026-05-08)', () => {
  // Versions and regions read in the upstream release workflows at 247d46c7
  // (.github/workflows/release-layer-{collector,nodejs,python,java,ruby}.yml, the aws_region
  // matrix: the same 33 regions in each, no ap-northeast-3) and collector/go.mod:37 (otelcol v0.151.0).
  const line: Array<[LayerFamily, OtelLayerRelease, string]> = [
    ['collector', CollectorLayer.V0_22_0, '0.22.0'],
    ['nodejs', NodejsLayer.V0_22_0, '0.22.0'],
    ['python', PythonLayer.V0_20_0, '0.20.0'],
    ['javaagent', JavaAgentLayer.V0_20_0, '0.20.0'],
    ['javawrapper', JavaWrapperLayer.V0_20_0, '0.20.0'],
    ['ruby', RubyLayer.V0_14_0, '0.14.0'],
  ];
  test.each(line)('%s can be pinned at its 0.22.0-line version, in 33 regions without ap-northeast-3', (family, release, version) => {
    expect(release.version).toBe(version);
    const regions = LAYER_CATALOG[family][version];
    expect(regions).toHaveLength(33);
    expect(regions).toContain('af-south-1');
    expect(regions).toContain('mx-central-1');
    expect(regions).not.toContain('ap-northeast-3');
  });

  test('the collector 0.22.0 is collector v0.151.0', () => {
    expect(COLLECTOR_VERSIONS['0.22.0']).toBe('0.151.0');
  });
});

describe('validateReleaseList', () => {
  const NEWER = '0.99.0';
  /** The committed list plus a nodejs release newer than every other. */
  function withNewNodejs(extra: Partial<RawRelease> = {}): RawList {
    const list = releaseList();
    list.releases.push({
      layer: 'nodejs',
      version: NEWER,
      tag: `layer-nodejs/${NEWER}`,
      regions: LAYER_CATALOG.nodejs[LATEST_VERSIONS.nodejs].filter(r => r !== 'eu-west-1'),
      ...extra,
    });
    return list;
  }

  test('accepts the committed list', () => {
    expect(() => validateReleaseList(releaseList())).not.toThrow();
  });

  test('refuses a newer version that drops a region without removedRegions', () => {
    expect(() => validateReleaseList(withNewNodejs())).toThrow(ReleaseListError);
    expect(() => validateReleaseList(withNewNodejs())).toThrow(
      `nodejs ${NEWER} drops eu-west-1, which ${LATEST_VERSIONS.nodejs} had: add it to its regions, or to its "removedRegions" with the reason`,
    );
  });

  test('accepts the drop when removedRegions gives the reason, and the catalog says so', () => {
    const list = withNewNodejs({ removedRegions: { 'eu-west-1': 'not published upstream (see the release notes)' } });
    const text = generateCatalog(list);
    expect(text).toContain('// removed eu-west-1: not published upstream (see the release notes)');
    expect(text).toContain(`nodejs: '${NEWER}',`);
  });

  test('refuses a duplicate (layer, version) entry', () => {
    const list = releaseList();
    const first = list.releases.findIndex(r => r.layer === 'nodejs');
    list.releases.push({ ...list.releases[first] });
    expect(() => validateReleaseList(list)).toThrow(
      `releases[${list.releases.length - 1}] (nodejs ${list.releases[first].version}): duplicate entry: nodejs ${list.releases[first].version} is already listed at releases[${first}]`,
    );
  });

  test.each<[string, Partial<RawRelease>, string]>([
    ['an unknown family', { layer: 'dotnet', tag: `layer-dotnet/${NEWER}` }, 'unknown layer "dotnet"'],
    ['a version that is not MAJOR.MINOR.PATCH', { version: '1.0' }, 'version "1.0" is not MAJOR.MINOR.PATCH'],
    ['a tag of another release', { tag: 'layer-nodejs/0.23.0' }, `should be "layer-nodejs/${NEWER}"`],
    ['a region of the aws-cn partition', { regions: ['@matrix-34', 'cn-north-1'] }, 'cn-north-1 is not in the commercial aws partition'],
    ['a region of the aws-us-gov partition', { regions: ['@matrix-34', 'us-gov-west-1'] }, 'us-gov-west-1 is not in the commercial aws partition'],
    ['a region name that is not one', { regions: ['@matrix-34', 'Europe (Ireland)'] }, '"Europe (Ireland)" is not an AWS region name'],
    ['a region listed twice', { regions: ['@matrix-34', 'eu-west-1'] }, 'eu-west-1 is listed twice'],
    ['an unknown region set', { regions: ['@matrix-99'] }, 'unknown region set @matrix-99'],
    ['an empty region list', { regions: [] }, '"regions" must be a non-empty array'],
    ['a removal without a reason', { removedRegions: { 'eu-west-1': ' ' } }, 'removedRegions.eu-west-1 must give the reason'],
    ['a removal of a region it still has', { regions: ['@matrix-34'], removedRegions: { 'eu-west-1': 'gone' } }, 'lists eu-west-1 in both "regions" and "removedRegions"'],
    ['an unknown key', { regions: ['@matrix-34'], removed: {} } as Partial<RawRelease>, 'unknown key "removed"'],
  ])('refuses %s', (_, extra, message) => {
    expect(() => validateReleaseList(withNewNodejs(extra))).toThrow(message);
  });

  test('refuses javawrapper and javaagent releases of one tag with different regions', () => {
    const list = releaseList();
    list.releases.find(r => r.layer === 'javawrapper' && r.version === LATEST_VERSIONS.javawrapper)!.regions = ['@matrix-34', 'eu-central-9'];
    expect(() => validateReleaseList(list)).toThrow(`come from the same tag layer-javaagent/${LATEST_VERSIONS.javaagent} but list different regions`);
  });

  test('refuses an unused region set', () => {
    const list = releaseList();
    list.regionSets.spare = ['eu-west-1'];
    expect(() => validateReleaseList(list)).toThrow('region set @spare is not used by any release');
  });
});

describe('collector versions in the release list', () => {
  test('every collector release records its upstream collector version, generated into COLLECTOR_VERSIONS', () => {
    const list = releaseList();
    for (const r of list.releases.filter(x => x.layer === 'collector')) {
      expect((r as RawRelease & { collectorVersion?: string }).collectorVersion).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(generateCatalog(list)).toContain("export const COLLECTOR_VERSIONS: Record<string, string> = {\n  '0.23.0': '0.157.0',");
  });

  test('refuses a collector release without collectorVersion', () => {
    const list = releaseList();
    const collector = list.releases.find(r => r.layer === 'collector')! as RawRelease & { collectorVersion?: string };
    delete collector.collectorVersion;
    expect(() => validateReleaseList(list)).toThrow(`(collector ${collector.version}): "collectorVersion" must be the upstream collector version`);
  });

  test('refuses collectorVersion on a language layer release', () => {
    const list = releaseList();
    (list.releases.find(r => r.layer === 'nodejs')! as RawRelease & { collectorVersion?: string }).collectorVersion = '0.157.0';
    expect(() => validateReleaseList(list)).toThrow('"collectorVersion" is only for collector releases');
  });
});
