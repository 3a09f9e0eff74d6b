import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AspectPriority, Aspects, DockerImage, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { parse } from 'yaml';
import { ENDPOINT, fn } from './helpers';
import { ClickStackAspect, ClickStackInstrumentation, ClickStackOptions, ConfigDelivery, IngestionKey } from '../src';
import { renderCollectorConfig } from '../src/collector-config';
import { compactConfig } from '../src/private/config-files';
import { fileSystem } from '../src/private/restage';
import { canReadLayersEarly } from '../src/private/rules/existing';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `clickstack-${prefix}-`));

/** A source folder with a few files in nested directories and a symlink. */
function sourceDir(extra: Record<string, string> = {}): string {
  const dir = tmp('src');
  const files: Record<string, string> = {
    'index.js': 'exports.handler = async () => 1;\n',
    'lib/util.js': 'module.exports = 42;\n',
    'lib/deep/data.json': '{"a":1}\n',
    ...extra,
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  fs.symlinkSync('util.js', path.join(dir, 'lib', 'alias.js'));
  return dir;
}

interface FileState { readonly content: string; readonly mtimeMs: number; readonly ino: number }

/** Every regular file under `dir` (relative path → content, mtime, inode). */
function snapshot(dir: string): Record<string, FileState> {
  const out: Record<string, FileState> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {walk(p);} else if (e.isFile()) {
        const st = fs.statSync(p);
        out[path.relative(dir, p)] = { content: fs.readFileSync(p, 'utf8'), mtimeMs: st.mtimeMs, ino: st.ino };
      }
    }
  };
  walk(dir);
  return out;
}

const contentAndMtime = (s: Record<string, FileState>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [v.content, v.mtimeMs]]));

/** Run `body` and return what it wrote to stderr (and still write nothing there). */
function captureStderr(body: () => void): string {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    body();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

function stackIn(app: App): Stack {
  return new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function assetFn(stack: Stack, id: string, code: lambda.Code, layers?: lambda.ILayerVersion[]): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code, layers });
}

function fnProps(stack: Stack, id: string): any {
  const resources = Template.fromStack(stack).toJSON().Resources;
  const logicalId = Object.keys(resources).find(k => k.startsWith(id) && resources[k].Type === 'AWS::Lambda::Function');
  if (!logicalId) throw new Error(`no function ${id}`);
  return resources[logicalId].Properties;
}

/** The directory of a zip asset in the cloud assembly, from the asset manifest, by its S3 key. */
function assetDirByKey(app: App, stackName: string, s3Key: string): string {
  const outdir = app.outdir;
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, `${stackName}.assets.json`), 'utf8'));
  const entry = Object.values<any>(manifest.files).find(f => Object.values<any>(f.destinations).some(d => d.objectKey === s3Key));
  if (!entry) throw new Error(`no asset with key ${s3Key}`);
  expect(entry.source.packaging).toBe('zip');
  return path.resolve(outdir, entry.source.path);
}

/** The deployed value of a variable: a `Fn::FindInMap` is looked up in the template's mappings. */
function deployedValue(stack: Stack, value: any): string {
  if (typeof value === 'string') return value;
  const [mapping, key, attribute] = value['Fn::FindInMap'];
  return Template.fromStack(stack).toJSON().Mappings[mapping][key][attribute];
}

/** Directories of the assembly that have a collector.yaml at their root. */
function configuredAssetDirs(outdir: string): string[] {
  return fs.readdirSync(outdir).filter(d => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'collector.yaml')));
}

/** Whether this machine can hard-link inside `dir` (else the re-staged asset holds clones). */
function hardLinksWork(dir: string): boolean {
  const probe = fs.mkdtempSync(path.join(dir, '.probe-')); // ours, removed below
  try {
    fs.writeFileSync(path.join(probe, 'file'), '');
    fs.linkSync(path.join(probe, 'file'), path.join(probe, 'link'));
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const instrument = (stack: Stack, fns: lambda.Function[], extra: Partial<ClickStackOptions> = {}) =>
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: fns, ...extra });

/** The bundle mode, which the default (a config layer where a layer slot is free) is not. */
const BUNDLE = { configDelivery: ConfigDelivery.BUNDLE };

describe('bundle: the instrumented asset shares the original staged asset\'s files', () => {
  test('hard links (same inode) to the original staged asset, collector.yaml only in the new one, nothing changed, nothing printed', () => {
    // GIVEN a source folder and a function over it, staged into a fresh cloud assembly
    const src = sourceDir();
    const sourceBefore = snapshot(src);
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    let original!: string;
    let originalBefore!: Record<string, FileState>;
    const stderr = captureStderr(() => {
      const f = assetFn(stack, 'Fn', lambda.Code.fromAsset(src));
      original = path.join(app.outdir, `asset.${(f.node.findChild('Code') as s3assets.Asset).assetHash}`);
      originalBefore = snapshot(original);
      // WHEN it is instrumented and synthesized
      instrument(stack, [f], BUNDLE);
      app.synth();
    });

    // THEN the function's code is a new asset that holds the same files plus collector.yaml
    const dir = assetDirByKey(app, 'S', fnProps(stack, 'Fn').Code.S3Key);
    expect(dir).not.toBe(original);
    const after = snapshot(dir);
    expect(Object.keys(after).sort()).toEqual([...Object.keys(originalBefore), 'collector.yaml'].sort());
    expect(after['collector.yaml'].content).toContain(`endpoint: ${ENDPOINT}`);
    expect(fs.readlinkSync(path.join(dir, 'lib', 'alias.js'))).toBe('util.js');
    const linked = hardLinksWork(app.outdir);
    for (const [name, state] of Object.entries(originalBefore)) {
      expect(after[name].content).toBe(state.content);
      if (linked) expect(after[name].ino).toBe(state.ino);
    }
    // ... the original staged asset and the source folder are unchanged, without collector.yaml
    expect(contentAndMtime(snapshot(original))).toEqual(contentAndMtime(originalBefore));
    expect(contentAndMtime(snapshot(src))).toEqual(contentAndMtime(sourceBefore));
    expect(fs.existsSync(path.join(original, 'collector.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(src, 'collector.yaml'))).toBe(false);
    // ... and nothing was bundled or printed
    expect(stderr).toBe('');
    expect(fs.readdirSync(app.outdir).filter(d => d.includes('building'))).toEqual([]);
  });

  test('a folder already in cdk.out under the name a re-staging used to build in is left untouched', () => {
    // GIVEN the instrumented asset's hash, and a fresh cdk.out that holds a folder of someone
    // else's named as the old code named its scratch folder (asset.<hash>-building-<pid>)
    const src = sourceDir();
    const synthInto = (outdir: string) => {
      const app = new App({ outdir });
      const stack = stackIn(app);
      instrument(stack, [assetFn(stack, 'Fn', lambda.Code.fromAsset(src))], BUNDLE);
      app.synth();
      return String(fnProps(stack, 'Fn').Code.S3Key).replace(/\.zip$/, '');
    };
    const hash = synthInto(tmp('out'));
    const outdir = tmp('out');
    const theirs = path.join(outdir, `asset.${hash}-building-${process.pid}`);
    fs.mkdirSync(theirs);
    fs.writeFileSync(path.join(theirs, 'keep.txt'), 'not ours');
    // WHEN the same app is synthesized there
    expect(synthInto(outdir)).toBe(hash);
    // THEN their folder is as it was, the asset is staged, and no scratch folder of ours is left
    expect(fs.readFileSync(path.join(theirs, 'keep.txt'), 'utf8')).toBe('not ours');
    expect(fs.existsSync(path.join(outdir, `asset.${hash}`, 'collector.yaml'))).toBe(true);
    expect(fs.readdirSync(outdir).filter(d => d.includes('building'))).toEqual([path.basename(theirs)]);
  });

  test('the asset hash changes with the config and with the code, and a second synth into the same cdk.out reuses the directory', () => {
    const src = sourceDir();
    const outdir = tmp('out');
    const keyFor = (endpoint: string, source = src) => {
      const app = new App({ outdir });
      const stack = stackIn(app);
      new ClickStackInstrumentation(stack, 'Otel', { endpoint, functions: [assetFn(stack, 'Fn', lambda.Code.fromAsset(source))], ...BUNDLE });
      app.synth();
      return fnProps(stack, 'Fn').Code.S3Key;
    };
    const a = keyFor(ENDPOINT);
    expect(keyFor(ENDPOINT)).toBe(a);
    expect(keyFor('https://other.example.com:4318')).not.toBe(a);
    expect(keyFor(ENDPOINT, sourceDir({ 'more.js': '1' }))).not.toBe(a);
  });

  test('where hard links fail (another device), the files are cloned or copied, still without touching the originals', () => {
    const src = sourceDir();
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const f = assetFn(stack, 'Fn', lambda.Code.fromAsset(src));
    const original = path.join(app.outdir, `asset.${(f.node.findChild('Code') as s3assets.Asset).assetHash}`);
    const before = snapshot(original);
    const link = jest.spyOn(fileSystem, 'link').mockImplementation(() => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    });
    let calls: number;
    try {
      instrument(stack, [f], BUNDLE);
      app.synth();
    } finally {
      calls = link.mock.calls.length;
      link.mockRestore();
    }
    expect(calls).toBe(1); // the first failure stops every further attempt
    const after = snapshot(assetDirByKey(app, 'S', fnProps(stack, 'Fn').Code.S3Key));
    for (const [name, state] of Object.entries(before)) {
      expect(after[name].content).toBe(state.content);
      expect(after[name].ino).not.toBe(state.ino);
    }
    expect(after['collector.yaml']).toBeDefined();
    expect(snapshot(original)).toEqual(before);
  });

  test('with asset staging disabled (SAM CLI), the files are cloned into the assembly, never linked to the user\'s folder', () => {
    const src = sourceDir();
    const sourceBefore = snapshot(src);
    const app = new App({ outdir: tmp('out'), context: { 'aws:cdk:disable-asset-staging': true, 'aws:cdk:enable-asset-metadata': true } });
    const stack = stackIn(app);
    const stderr = captureStderr(() => {
      instrument(stack, [assetFn(stack, 'Fn', lambda.Code.fromAsset(src))], BUNDLE);
      app.synth();
    });
    const resource = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    const dir = path.resolve(app.outdir, resource.Metadata['aws:asset:path']);
    expect(dir).toBe(assetDirByKey(app, 'S', resource.Properties.Code.S3Key));
    expect(path.relative(app.outdir, dir).startsWith('..')).toBe(false);
    const after = snapshot(dir);
    for (const [name, state] of Object.entries(sourceBefore)) {
      expect(after[name].content).toBe(state.content);
      expect(after[name].ino).not.toBe(state.ino);
    }
    expect(after['collector.yaml']).toBeDefined();
    expect(snapshot(src)).toEqual(sourceBefore);
    expect(stderr).toBe('');
  });

  test('a stack in a nested Stage: the manifest names the shared directory relative to the stage\'s assembly', () => {
    const app = new App({ outdir: tmp('out') });
    const stage = new Stage(app, 'Prod');
    const stack = new Stack(stage, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    instrument(stack, [assetFn(stack, 'Fn', lambda.Code.fromAsset(sourceDir()))], BUNDLE);
    const assembly = app.synth();
    const stageDir = assembly.getNestedAssembly('assembly-Prod').directory;
    const manifest = JSON.parse(fs.readFileSync(path.join(stageDir, fs.readdirSync(stageDir).find(f => f.endsWith('.assets.json'))!), 'utf8'));
    const key = fnProps(stack, 'Fn').Code.S3Key;
    const entry = Object.values<any>(manifest.files).find(f => Object.values<any>(f.destinations).some(d => d.objectKey === key));
    expect(entry.source.path).toMatch(/^\.\.\/asset\.[0-9a-f]{64}$/);
    expect(fs.readdirSync(path.resolve(stageDir, entry.source.path)).sort()).toEqual(['collector.yaml', 'index.js', 'lib']);
  });

  test('a stack whose bundling is skipped gets its asset without anything staged or written', () => {
    const src = sourceDir();
    const sourceBefore = snapshot(src);
    const app = new App({ outdir: tmp('out'), context: { 'aws:cdk:bundling-stacks': ['Other'] } });
    const stack = stackIn(app);
    const code = lambda.Code.fromAsset(src, {
      bundling: {
        image: DockerImage.fromRegistry('never-used'),
        local: { tryBundle: () => { throw new Error('bundling must be skipped'); } },
      },
    });
    instrument(stack, [assetFn(stack, 'Fn', code)], BUNDLE);
    app.synth();
    expect(fnProps(stack, 'Fn').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/var/task/collector.yaml');
    expect(configuredAssetDirs(app.outdir)).toEqual([]);
    expect(snapshot(src)).toEqual(sourceBefore);
  });
});

describe('the user\'s own collector.yaml', () => {
  test('BUNDLE throws naming the file and the fix, before changing anything', () => {
    const src = sourceDir({ 'collector.yaml': 'receivers: {}\n' });
    const before = snapshot(src);
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const f = assetFn(stack, 'Fn', lambda.Code.fromAsset(src));
    expect(() => instrument(stack, [f], BUNDLE)).toThrow(new RegExp(
      `cannot instrument S/Fn: its code bundle already has a collector\\.yaml at its root \\(${path.join(src, 'collector.yaml').replace(/[.]/g, '\\.')}, staged as .*\\).*ConfigDelivery\\.LAYER or ConfigDelivery\\.ENVIRONMENT, or rename your file`));
    expect(fnProps(stack, 'Fn').Environment).toBeUndefined();
    expect(fnProps(stack, 'Fn').Layers).toBeUndefined();
    expect(snapshot(src)).toEqual(before);
  });

  test('with BUNDLE, the aspect warns and skips the function', () => {
    const src = sourceDir({ 'collector.yaml': 'receivers: {}\n' });
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    assetFn(stack, 'Fn', lambda.Code.fromAsset(src));
    Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT, ...BUNDLE }), { priority: AspectPriority.MUTATING });
    app.synth();
    const warnings = Annotations.fromStack(stack).findWarning('/S/Fn', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/cannot instrument S\/Fn: its code bundle already has a collector\.yaml at its root/)]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(fnProps(stack, 'Fn').Environment).toBeUndefined();
  });

  test('the default, LAYER and ENVIRONMENT leave the user\'s collector.yaml where it is', () => {
    for (const configDelivery of [undefined, ConfigDelivery.LAYER, ConfigDelivery.ENVIRONMENT]) {
      const src = sourceDir({ 'collector.yaml': 'receivers: {}\n' });
      const app = new App({ outdir: tmp('out') });
      const stack = stackIn(app);
      const f = assetFn(stack, 'Fn', lambda.Code.fromAsset(src));
      const originalKey = Stack.of(f).resolve((f.node.defaultChild as lambda.CfnFunction).code).s3Key;
      instrument(stack, [f], { configDelivery });
      app.synth();
      expect(fnProps(stack, 'Fn').Code.S3Key).toBe(originalKey);
      expect(fs.readFileSync(path.join(assetDirByKey(app, 'S', originalKey), 'collector.yaml'), 'utf8')).toBe('receivers: {}\n');
    }
  });
});

describe('one Code object shared by several functions', () => {
  test('with BUNDLE, all three functions get the bundled config and share one instrumented asset', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const code = lambda.Code.fromAsset(sourceDir());
    const fns = ['A', 'B', 'C'].map(id => assetFn(stack, id, code));
    instrument(stack, fns, BUNDLE);
    app.synth();
    const keys = new Set(['A', 'B', 'C'].map(id => {
      const props = fnProps(stack, id);
      expect(props.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/var/task/collector.yaml');
      expect(props.Layers).toHaveLength(2);
      return props.Code.S3Key;
    }));
    expect(keys.size).toBe(1);
    expect(configuredAssetDirs(app.outdir)).toHaveLength(1);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 0);
  });

  test('with BUNDLE and the aspect too, and a second function with 3 layers of its own passes the 5-layer budget', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const code = lambda.Code.fromAsset(sourceDir());
    const own = [1, 2, 3].map(i => lambda.LayerVersion.fromLayerVersionArn(stack, `L${i}`, `arn:aws:lambda:eu-west-1:123456789012:layer:mine${i}:1`));
    assetFn(stack, 'First', code);
    assetFn(stack, 'Second', code, own);
    Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT, ...BUNDLE }), { priority: AspectPriority.MUTATING });
    app.synth();
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    const second = fnProps(stack, 'Second');
    expect(second.Layers).toHaveLength(5);
    expect(second.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/var/task/collector.yaml');
    expect(second.Code.S3Key).toBe(fnProps(stack, 'First').Code.S3Key);
  });

  test('code in a bucket of the user\'s is not mistaken for an asset', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const fns = ['A', 'B'].map(id => fn(stack, id, { code: 's3' }));
    instrument(stack, fns);
    expect(fnProps(stack, 'A').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
  });
});

describe('configDelivery', () => {
  test('BUNDLE throws for inline and S3 code, naming the function, its code and the fix', () => {
    const stack = stackIn(new App());
    expect(() => instrument(stack, [fn(stack, 'Inline', { code: 'inline' })], { configDelivery: ConfigDelivery.BUNDLE }))
      .toThrow(/cannot instrument S\/Inline: configDelivery is ConfigDelivery\.BUNDLE, but its code is inline code \(Code\.fromInline\).*use ConfigDelivery\.LAYER or ConfigDelivery\.ENVIRONMENT/);
    expect(() => new ClickStackInstrumentation(stack, 'Otel2', { endpoint: ENDPOINT, functions: [fn(stack, 'InS3', { code: 's3' })], configDelivery: ConfigDelivery.BUNDLE }))
      .toThrow(/cannot instrument S\/InS3: .*its code is code in an S3 bucket of your own/);
  });

  test('the default (AUTO) on local directory assets: a config layer, every code asset left as it is, so a deployment uploads each function\'s code once', () => {
    // docs/config-delivery.md: BUNDLE uploads every instrumented function's code twice (the
    // original asset stays in the manifest), LAYER once and one small layer per stack and config.
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const fns = ['A', 'B'].map(id => assetFn(stack, id, lambda.Code.fromAsset(sourceDir({ [`${id}.js`]: id }))));
    const keys = fns.map(f => stack.resolve((f.node.defaultChild as lambda.CfnFunction).code).s3Key);
    Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT }), { priority: AspectPriority.MUTATING });
    app.synth();
    for (const [i, id] of ['A', 'B'].entries()) {
      const props = fnProps(stack, id);
      expect(props.Code.S3Key).toBe(keys[i]);
      expect(props.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
      expect(props.Layers).toHaveLength(3);
    }
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 1);
    expect(configuredAssetDirs(app.outdir)).toEqual([]);
    // What a deployment uploads: the two code assets and the config layer, nothing twice.
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'S.assets.json'), 'utf8'));
    const code = Object.values<any>(manifest.files).filter(f => !f.source.path.endsWith('.template.json'));
    expect(code).toHaveLength(3);
    expect(code.map(f => Object.values<any>(f.destinations)[0].objectKey).filter(k => keys.includes(k))).toHaveLength(2);
  });

  test('the default where the function\'s own layers leave no slot for a config layer: the bundle for a local directory, the environment otherwise, or a synth error naming both', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    let made = 0;
    const own = (n: number) => Array.from({ length: n }, (_, i) => lambda.LayerVersion.fromLayerVersionArn(stack, `L${made++}`, `arn:aws:lambda:eu-west-1:123456789012:layer:mine${i}:1`));
    assetFn(stack, 'Two', lambda.Code.fromAsset(sourceDir()), own(2));
    assetFn(stack, 'Three', lambda.Code.fromAsset(sourceDir()), own(3));
    fn(stack, 'Inline', { code: 'inline', layers: own(3) });
    const dotnet = (id: string, n: number) => fn(stack, id, { runtime: lambda.Runtime.DOTNET_8, code: 's3', layers: own(n) });
    dotnet('Net3', 3);
    dotnet('Net4', 4);
    Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT }), { priority: AspectPriority.MUTATING });
    const uri = (id: string) => fnProps(stack, id).Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
    if (canReadLayersEarly()) {
      // The layers are known before synth (newer aws-cdk-lib): two of its own leave a slot, three do not.
      app.synth();
      expect(uri('Two')).toBe('/opt/clickstack/collector.yaml');
      expect(uri('Three')).toBe('/var/task/collector.yaml');
      expect(uri('Inline')).toBe('env:CLICKSTACK_COLLECTOR_CONFIG');
      // A collector-only function takes one layer of ours: three of its own leave a slot, four do not.
      expect(uri('Net3')).toBe('/opt/clickstack/collector.yaml');
      expect(uri('Net4')).toBe('env:CLICKSTACK_COLLECTOR_CONFIG');
      for (const id of ['Two', 'Three', 'Inline', 'Net3', 'Net4']) expect(fnProps(stack, id).Layers.length).toBeLessThanOrEqual(5);
    } else {
      // aws-cdk-lib 2.189 caches a function's layer list at its first resolution: the layers are
      // counted at synth only, and a function over the budget fails it, naming the modes that fit.
      expect(() => app.synth()).toThrow(/\[S\/Three\] Lambda allows 5 layers; S\/Three has 3 of its own .* and instrumentation adds 3 \(the collector\.yaml config layer among them\)\. Remove 1 of its layers; or set configDelivery to ConfigDelivery\.BUNDLE \(for code from a local directory\) or ConfigDelivery\.ENVIRONMENT, which .* take no layer slot/);
    }
  });

  test('BUNDLE on a local asset: collector.yaml in a new code asset', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    instrument(stack, [assetFn(stack, 'Fn', lambda.Code.fromAsset(sourceDir()))], { configDelivery: ConfigDelivery.BUNDLE });
    app.synth();
    expect(fnProps(stack, 'Fn').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/var/task/collector.yaml');
    expect(configuredAssetDirs(app.outdir)).toHaveLength(1);
  });

  test('LAYER: asset code is left as it is, one config layer per stack and config, nothing printed', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const code = lambda.Code.fromAsset(sourceDir());
    const fns = ['A', 'B'].map(id => assetFn(stack, id, code));
    const originalKey = stack.resolve((fns[0].node.defaultChild as lambda.CfnFunction).code).s3Key;
    const stderr = captureStderr(() => {
      instrument(stack, [...fns, fn(stack, 'Inline', { code: 'inline' })], { configDelivery: ConfigDelivery.LAYER });
      app.synth();
    });
    expect(stderr).toBe('');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    for (const id of ['A', 'B', 'Inline']) {
      const props = fnProps(stack, id);
      expect(props.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
      expect(props.Layers[2]).toEqual({ Ref: expect.stringMatching(/^ClickStackSharedConfig/) });
    }
    expect(fnProps(stack, 'A').Code.S3Key).toBe(originalKey);
    const layer = Object.values<any>(template.findResources('AWS::Lambda::LayerVersion'))[0];
    const dir = assetDirByKey(app, 'S', layer.Properties.Content.S3Key);
    expect(fs.readdirSync(dir)).toEqual(['clickstack']);
    expect(fs.readFileSync(path.join(dir, 'clickstack', 'collector.yaml'), 'utf8')).toBe(renderCollectorConfig({ endpoint: ENDPOINT, exporterType: 'otlp_http' }));
    expect(configuredAssetDirs(app.outdir)).toEqual([]);
  });

  test('ENVIRONMENT: the config in CLICKSTACK_COLLECTOR_CONFIG, read through env:, no asset and no layer', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    const code = lambda.Code.fromAsset(sourceDir());
    const f = assetFn(stack, 'Fn', code);
    const originalKey = stack.resolve((f.node.defaultChild as lambda.CfnFunction).code).s3Key;
    const key = IngestionKey.fromSecret(
      secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:key-AbCdEf'),
    );
    instrument(stack, [f, fn(stack, 'Inline', { code: 'inline' })], { configDelivery: ConfigDelivery.ENVIRONMENT, ingestionKey: key });
    app.synth();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    const vars = fnProps(stack, 'Fn').Environment.Variables;
    expect(vars.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('env:CLICKSTACK_COLLECTOR_CONFIG');
    // The template holds each distinct config once, in a mapping; each function refers to it.
    expect(vars.CLICKSTACK_COLLECTOR_CONFIG).toEqual({ 'Fn::FindInMap': [expect.stringMatching(/^ClickStackSharedEnv/), expect.stringMatching(/^c[0-9a-f]{8}$/), 'v'] });
    expect(fnProps(stack, 'Inline').Environment.Variables.CLICKSTACK_COLLECTOR_CONFIG).toEqual(vars.CLICKSTACK_COLLECTOR_CONFIG);
    const value = deployedValue(stack, vars.CLICKSTACK_COLLECTOR_CONFIG);
    const full = renderCollectorConfig({ endpoint: ENDPOINT, exporterType: 'otlp_http', authorization: '${secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:key-AbCdEf}' });
    expect(value).toBe(compactConfig(full));
    expect(parse(value)).toEqual(parse(full));
    expect(value).toContain("'${secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:key-AbCdEf}'");
    expect(value).not.toContain('\n');
    // ... and the function's environment as the CDK sees it (and the 4 KB check counts) has the value itself
    expect(stack.resolve((f.node.defaultChild as lambda.CfnFunction).environment).variables.CLICKSTACK_COLLECTOR_CONFIG).toBe(value);
    expect(fnProps(stack, 'Fn').Layers).toHaveLength(2);
    expect(fnProps(stack, 'Fn').Code.S3Key).toBe(originalKey);
    expect(configuredAssetDirs(app.outdir)).toEqual([]);
  });

  test('ENVIRONMENT keeps a literal $ escaped as $$', () => {
    const stack = stackIn(new App());
    instrument(stack, [fn(stack, 'Fn', { code: 'inline' })], { configDelivery: ConfigDelivery.ENVIRONMENT, ingestionKey: IngestionKey.unsafePlainText('pa$word\'s') });
    const value = deployedValue(stack, fnProps(stack, 'Fn').Environment.Variables.CLICKSTACK_COLLECTOR_CONFIG);
    expect(parse(value).exporters.otlp_http.headers.authorization).toBe('pa$$word\'s');
  });

  test('ENVIRONMENT throws with the byte count when the config does not fit in 4 KB; the default then fits', () => {
    const stack = stackIn(new App({ outdir: tmp('out') }));
    const environment = { BIG: 'x'.repeat(3500) };
    const big = (id: string) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(sourceDir()), environment,
    });
    expect(() => new ClickStackInstrumentation(stack, 'Env', { endpoint: ENDPOINT, functions: [big('A')], configDelivery: ConfigDelivery.ENVIRONMENT }))
      .toThrow(/cannot instrument S\/A: its environment variables would take \d{4} bytes with instrumentation, over Lambda's 4096 \(the collector configuration in CLICKSTACK_COLLECTOR_CONFIG takes \d{3} of them/);
    new ClickStackInstrumentation(stack, 'Default', { endpoint: ENDPOINT, functions: [big('B')] });
    expect(fnProps(stack, 'A').Environment.Variables).toEqual(environment);
    expect(fnProps(stack, 'B').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
  });

  test('ENVIRONMENT throws when the function already has a CLICKSTACK_COLLECTOR_CONFIG of its own', () => {
    const stack = stackIn(new App());
    const f = fn(stack, 'Fn', { code: 'inline', environment: { CLICKSTACK_COLLECTOR_CONFIG: 'mine' } });
    expect(() => instrument(stack, [f], { configDelivery: ConfigDelivery.ENVIRONMENT }))
      .toThrow(/cannot instrument S\/Fn: it already sets CLICKSTACK_COLLECTOR_CONFIG.*rename your variable, or use ConfigDelivery\.BUNDLE or LAYER/);
    expect(fnProps(stack, 'Fn').Environment.Variables).toEqual({ CLICKSTACK_COLLECTOR_CONFIG: 'mine' });
  });

  test('ENVIRONMENT with the aspect on an app: one mapping per stack, no cross-stack reference', () => {
    const app = new App();
    const stacks = ['eu-west-1', 'us-east-1'].map(region => new Stack(app, `S-${region}`, { env: { account: '123456789012', region } }));
    for (const s of stacks) fn(s, 'Fn', { code: 'inline' });
    const aspect = new ClickStackAspect({ endpoint: ENDPOINT, configDelivery: ConfigDelivery.ENVIRONMENT });
    Aspects.of(app).add(aspect, { priority: AspectPriority.MUTATING });
    for (const s of stacks) {
      const template = Template.fromStack(s).toJSON();
      expect(Object.keys(template.Mappings).filter(m => m.startsWith('ClickStackSharedEnv'))).toHaveLength(1);
      expect(JSON.stringify(template)).not.toContain('Fn::ImportValue');
      const value = deployedValue(s, fnProps(s, 'Fn').Environment.Variables.CLICKSTACK_COLLECTOR_CONFIG);
      expect(parse(value)).toEqual(parse(renderCollectorConfig({ endpoint: ENDPOINT, exporterType: 'otlp_http' })));
    }
  });

  test('the mode takes part in idempotence: the same mode twice is a no-op, another mode is a conflict', () => {
    const stack = stackIn(new App());
    const f = fn(stack, 'Fn', { code: 'inline' });
    new ClickStackInstrumentation(stack, 'One', { endpoint: ENDPOINT, functions: [f], configDelivery: ConfigDelivery.ENVIRONMENT });
    new ClickStackInstrumentation(stack, 'Two', { endpoint: ENDPOINT, functions: [f], configDelivery: ConfigDelivery.ENVIRONMENT });
    expect(() => new ClickStackInstrumentation(stack, 'Three', { endpoint: ENDPOINT, functions: [f], configDelivery: ConfigDelivery.LAYER }))
      .toThrow(/already instrumented by S\/One with other options than S\/Three/);
    const g = fn(stack, 'G', { code: 'inline' });
    new ClickStackInstrumentation(stack, 'Default', { endpoint: ENDPOINT, functions: [g] });
    new ClickStackInstrumentation(stack, 'Auto', { endpoint: ENDPOINT, functions: [g], configDelivery: ConfigDelivery.AUTO });
  });
});

describe('compact config for an environment variable', () => {
  test.each([
    [{ endpoint: ENDPOINT }],
    [{ endpoint: '${env:CLICKSTACK_OTLP_ENDPOINT}', authorization: '${secretsmanager:${env:CLICKSTACK_INGESTION_KEY_SECRET_ARN}#key}' }],
    [{ endpoint: ENDPOINT, telemetryApiTypes: ['platform', 'function'], debug: true, authorization: 'caf\u00e9 "quoted" yes' }],
  ])('parses to the same configuration as collector.yaml, in fewer bytes (%j)', input => {
    const full = renderCollectorConfig(input);
    const compact = compactConfig(full);
    expect(parse(compact)).toEqual(parse(full));
    expect(compact.length).toBeLessThan(full.length * 0.75);
  });

  test('identical pipelines are written once, with an anchor', () => {
    const compact = compactConfig(renderCollectorConfig({ endpoint: ENDPOINT }));
    expect(compact).toMatch(/traces: &a0 \{.*\},metrics: \*a0,logs: \*a0\}/);
  });
});

describe('asset metadata for the SAM CLI (aws:cdk:enable-asset-metadata)', () => {
  const METADATA_KEYS = ['aws:asset:is-bundled', 'aws:asset:path', 'aws:asset:property'];

  for (const staging of [true, false]) {
    test(`the config layer records what Asset.addResourceMetadata records, and its path leads to collector.yaml (asset staging ${staging ? 'on' : 'off'})`, () => {
      // GIVEN the context the CDK CLI (metadata) and the SAM CLI (no staging) set
      const context: Record<string, boolean> = { 'aws:cdk:enable-asset-metadata': true };
      if (!staging) context['aws:cdk:disable-asset-staging'] = true;
      const app = new App({ outdir: tmp('out'), context });
      const stack = stackIn(app);
      // A layer of the user's, through s3_assets.Asset: what aws-cdk-lib itself records.
      const own = new lambda.LayerVersion(stack, 'Own', { code: lambda.Code.fromAsset(sourceDir()) });
      // WHEN an inline function (config layer) is instrumented
      const inline = new lambda.Function(stack, 'Inline', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'), layers: [own] });
      instrument(stack, [inline]);
      app.synth();
      // THEN the config layer's metadata has the same keys as the user's layer, and its path
      // (relative to the template's directory, as the SAM CLI reads it) holds collector.yaml
      const layers = Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion');
      const [ownId] = Object.keys(layers).filter(k => k.startsWith('Own'));
      const [configId] = Object.keys(layers).filter(k => !k.startsWith('Own'));
      const expected = Object.keys(layers[ownId].Metadata).filter(k => k.startsWith('aws:asset:')).sort();
      expect(expected).toEqual(METADATA_KEYS);
      const meta = layers[configId].Metadata;
      expect(Object.keys(meta).filter(k => k.startsWith('aws:asset:')).sort()).toEqual(expected);
      expect(meta['aws:asset:property']).toBe('Content');
      expect(meta['aws:asset:is-bundled']).toBe(false);
      const dir = path.resolve(app.outdir, meta['aws:asset:path']);
      expect(fs.readFileSync(path.join(dir, 'clickstack', 'collector.yaml'), 'utf8')).toContain(`endpoint: ${ENDPOINT}`);
      // The same directory the asset manifest uploads for the layer's S3 key.
      expect(dir).toBe(assetDirByKey(app, 'S', layers[configId].Properties.Content.S3Key));
      // The function points at that file.
      expect(fnProps(stack, 'Inline').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
    });
  }

  test('without the context, the config layer has no asset metadata (as aws-cdk-lib\'s own assets)', () => {
    const app = new App({ outdir: tmp('out') });
    const stack = stackIn(app);
    instrument(stack, [fn(stack, 'Inline', { code: 'inline' })]);
    const layer = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion'))[0];
    expect(layer.Metadata?.['aws:asset:path']).toBeUndefined();
  });

  test('ConfigDelivery.LAYER on asset code records the layer metadata too, beside the function\'s own', () => {
    const app = new App({ outdir: tmp('out'), context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = stackIn(app);
    instrument(stack, [assetFn(stack, 'Fn', lambda.Code.fromAsset(sourceDir()))], { configDelivery: ConfigDelivery.LAYER });
    const layer = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion'))[0];
    const dir = path.resolve(app.outdir, layer.Metadata['aws:asset:path']);
    expect(fs.existsSync(path.join(dir, 'clickstack', 'collector.yaml'))).toBe(true);
  });
});
