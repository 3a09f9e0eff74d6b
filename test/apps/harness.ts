/**
 * Test harness for the "apps like yours" set (issue 10): synthesize an app twice, once without
 * and once with instrumentation, and report, per stack (nested stacks and stacks of nested
 * Stages included), every `AWS::Lambda::Function` of the template, every annotation, and every
 * template difference that is not one this library may make.
 *
 * The harness knows nothing of the library's annotation texts: it exports them raw, and tests
 * match them with regular expressions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';

/** The OpenTelemetry layers' account (the upstream opentelemetry-lambda releases). */
export const OTEL_LAYER_ACCOUNT = '184161586896';
/** The per-stack mapping of layer ARNs the library adds in environment-agnostic stacks. */
const LAYER_MAPPING = 'ClickStackLayerArns';
/** The per-stack construct holding every resource the library adds. */
const SHARED_ID = 'ClickStackShared';

export type Level = 'info' | 'warning' | 'error';

/** One annotation (`Annotations.of(x).addInfo/addWarning/addError`) found in the construct tree. */
export interface Message {
  readonly level: Level;
  /** Construct path of the construct that carries it (`''` for the App). */
  readonly path: string;
  readonly text: string;
}

/** One `AWS::Lambda::Function` of a template. */
export interface FunctionReport {
  readonly logicalId: string;
  /** Construct path of the CloudFormation resource, from `aws:cdk:path` (ends in `/Resource` for a `lambda.Function`). */
  readonly cfnPath: string;
  /** Construct path of the function: `cfnPath` without a trailing `/Resource`. */
  readonly path: string;
  /** Has an OpenTelemetry layer of account 184161586896, or one from the `ClickStackLayerArns` mapping. */
  readonly instrumented: boolean;
  readonly layers: unknown[];
  readonly environment: Record<string, unknown>;
  readonly wrapper?: unknown;
  readonly configUri?: unknown;
  /** The resource, as in the template. */
  readonly resource: any;
}

/** One stack's template, functions and annotations. */
export interface StackReport {
  /** Construct path of the stack. */
  readonly path: string;
  readonly nested: boolean;
  /** Construct path of the Stage (or App, `''`) the stack belongs to. */
  readonly stagePath: string;
  readonly template: any;
  readonly functions: FunctionReport[];
  /** Annotations of the stack and of every construct in it (not in its nested stacks). */
  readonly messages: Message[];
}

/** One synthesis of the app. */
export interface AppReport {
  readonly app: App;
  /** The error `app.synth()` threw, if it did (the stacks are then empty). */
  readonly error?: Error;
  /** By stack construct path. */
  readonly stacks: Record<string, StackReport>;
  /** Every annotation of the construct tree, the App's and the Stages' included. */
  readonly messages: Message[];
  /**
   * The annotations the cloud assembly carries (its stack artifacts', nested assemblies
   * included): what `cdk synth` prints. An annotation on the App or on a Stage itself is not
   * among them.
   */
  readonly assemblyMessages: Message[];
  /** Milliseconds spent building and synthesizing. */
  readonly millis: number;
}

/** A template difference this library must not make. */
export interface UnexpectedChange {
  readonly stack: string;
  readonly where: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface Comparison {
  readonly before: AppReport;
  readonly after: AppReport;
  /** Every difference between the two syntheses that is not an allowed one (see `unexpectedChanges`). */
  readonly unexpected: UnexpectedChange[];
  /** Every function of every stack, with and without instrumentation. */
  readonly functions: FunctionPair[];
}

export interface FunctionPair {
  /** Construct path of the function's stack. */
  readonly stack: string;
  /** The function without instrumentation. */
  readonly before: FunctionReport;
  /** The function with instrumentation; undefined when that synth failed (or the function vanished). */
  readonly after?: FunctionReport;
  /** The function's resource differs between the two syntheses. */
  readonly changed: boolean;
}

/** Context every app of the set is built with: path metadata, as `cdk synth` writes it. */
export const APP_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
};

/** Build an app with `build` and synthesize it; never throws for a synth error (see `error`). */
export function synthesize(build: (app: App) => void): AppReport {
  const start = Date.now();
  const app = new App({ context: APP_CONTEXT, analyticsReporting: false });
  let assembly: cxapi.CloudAssembly;
  try {
    // CDK Pipelines' addStage() synthesizes a Stage at once: an error can come from the build.
    build(app);
    assembly = app.synth();
  } catch (e) {
    return { app, error: e as Error, stacks: {}, messages: treeMessages(app), assemblyMessages: [], millis: Date.now() - start };
  }
  const assemblyMessages = artifactMessages(assembly);
  const stacks: Record<string, StackReport> = {};
  const messages = treeMessages(app);
  for (const stack of app.node.findAll().filter(Stack.isStack)) {
    const template = readTemplate(stack);
    const stagePath = Stage.of(stack)?.node.path ?? '';
    stacks[stack.node.path] = {
      path: stack.node.path,
      nested: stack.nested,
      stagePath,
      template,
      functions: functionsOf(template),
      messages: messages.filter(m => ownerStack(app, m.path) === stack),
    };
  }
  return { app, stacks, messages, assemblyMessages, millis: Date.now() - start };
}

/**
 * Synthesize the app twice: `build(app, false)` and `build(app, true)` (where the builder applies
 * the instrumentation), and compare. `baseline`: the synth without instrumentation, when several
 * comparisons share it.
 */
export function synthTwice(build: (app: App, instrument: boolean) => void, baseline?: AppReport): Comparison {
  const before = baseline ?? synthesize(app => build(app, false));
  if (before.error) throw new Error(`the app does not synthesize without instrumentation: ${before.error.message}`);
  const after = synthesize(app => build(app, true));
  const functions: FunctionPair[] = [];
  for (const [stackPath, stack] of Object.entries(before.stacks)) {
    for (const fn of stack.functions) {
      const now = after.stacks[stackPath]?.functions.find(f => f.logicalId === fn.logicalId);
      functions.push({ stack: stackPath, before: fn, after: now, changed: !now || !deepEqual(fn.resource, now.resource) });
    }
  }
  return { before, after, functions, unexpected: after.error ? [] : unexpectedChanges(before, after) };
}

/** Every annotation in the tree (App, Stages, stacks, resources). */
function treeMessages(app: App): Message[] {
  const levels: Record<string, Level> = { 'aws:cdk:info': 'info', 'aws:cdk:warning': 'warning', 'aws:cdk:error': 'error' };
  const out: Message[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      const level = levels[m.type];
      if (level) out.push({ level, path: c.node.path, text: String(m.data) });
    }
  }
  return out;
}

/** The messages of every stack artifact of the assembly and of its nested assemblies. */
function artifactMessages(assembly: cxapi.CloudAssembly): Message[] {
  const out: Message[] = [];
  for (const artifact of assembly.artifacts) {
    if (artifact instanceof cxapi.CloudFormationStackArtifact) {
      for (const m of artifact.messages) out.push({ level: m.level as Level, path: m.id.replace(/^\//, ''), text: String(m.entry.data) });
    } else if (artifact instanceof cxapi.NestedCloudAssemblyArtifact) {
      out.push(...artifactMessages(artifact.nestedAssembly));
    }
  }
  return out;
}

/** The nearest stack (nested stacks included) of the construct at `path`, if it is in one. */
function ownerStack(app: App, constructPath: string): Stack | undefined {
  let c: IConstruct | undefined = constructPath === '' ? app : app.node.tryFindChild(constructPath.split('/')[0]);
  for (const id of constructPath.split('/').slice(1)) c = c?.node.tryFindChild(id);
  for (; c; c = c.node.scope) if (Stack.isStack(c)) return c;
  return undefined;
}

/** A stack's template as written to its (nested) cloud assembly. */
function readTemplate(stack: Stack): any {
  let top: Stack = stack;
  while (top.nestedStackParent) top = top.nestedStackParent;
  const stage = Stage.of(top);
  if (!stage) throw new Error(`${stack.node.path} is in no Stage`);
  return JSON.parse(fs.readFileSync(path.join(stage.outdir, stack.templateFile), 'utf8'));
}

function functionsOf(template: any): FunctionReport[] {
  const out: FunctionReport[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const cfnPath: string = resource.Metadata?.['aws:cdk:path'] ?? '';
    const layers: unknown[] = Array.isArray(resource.Properties?.Layers) ? resource.Properties.Layers : [];
    const environment: Record<string, unknown> = resource.Properties?.Environment?.Variables ?? {};
    out.push({
      logicalId,
      cfnPath,
      path: cfnPath.replace(/\/Resource$/, ''),
      instrumented: layers.some(isOurLayer),
      layers,
      environment,
      wrapper: environment.AWS_LAMBDA_EXEC_WRAPPER,
      configUri: environment.OPENTELEMETRY_COLLECTOR_CONFIG_URI,
      resource,
    });
  }
  return out;
}

/** An OpenTelemetry layer of the upstream account, or one resolved from `ClickStackLayerArns`. */
export function isOurLayer(layer: unknown): boolean {
  const text = typeof layer === 'string' ? layer : JSON.stringify(layer);
  return text.includes(`:${OTEL_LAYER_ACCOUNT}:layer:opentelemetry-`) || text.includes(LAYER_MAPPING);
}

/**
 * Every difference between the two syntheses except those this library may make:
 * - resources under `ClickStackShared` (new), the `ClickStackLayerArns` mapping;
 * - on a function instrumented by this synth (it had no OpenTelemetry layer before): `Layers`, `Environment`, `Code` and `aws:asset:*` metadata, and
 *   `DependsOn` entries naming the role's policy;
 * - on an IAM policy: added statements whose actions are all `secretsmanager:*` / `kms:*`
 *   (a new policy of such statements only, too);
 * - a version of an instrumented function replaced by one with a new logical id (`currentVersion`
 *   hashes the configuration), and an alias of it moving to the new version;
 * - on an `AWS::CloudFormation::Stack` (nested stack): its `TemplateURL` and `aws:asset:*`
 *   metadata (the nested template itself is compared on its own);
 * - in a CDK Pipelines stack: the asset-publishing resources (`.../Assets/...`) and the
 *   pipeline's `Stages`, which change with the instrumented code assets.
 * A stack that appears or disappears is a difference too.
 */
export function unexpectedChanges(before: AppReport, after: AppReport): UnexpectedChange[] {
  const out: UnexpectedChange[] = [];
  for (const stackPath of new Set([...Object.keys(before.stacks), ...Object.keys(after.stacks)])) {
    const a = before.stacks[stackPath];
    const b = after.stacks[stackPath];
    if (!a || !b) {
      out.push({ stack: stackPath, where: '(stack)', before: !!a, after: !!b });
      continue;
    }
    // Instrumented by this synth: a function that had an OpenTelemetry layer before (added by
    // hand) must not change at all.
    const hadLayer = new Set(a.functions.filter(f => f.instrumented).map(f => f.logicalId));
    const instrumented = new Set(b.functions.filter(f => f.instrumented && !hadLayer.has(f.logicalId)).map(f => f.logicalId));
    const add = (where: string, x: unknown, y: unknown) => out.push({ stack: stackPath, where, before: x, after: y });
    const sections = new Set([...Object.keys(a.template), ...Object.keys(b.template)]);
    for (const section of sections) {
      const sa = a.template[section] ?? {};
      const sb = b.template[section] ?? {};
      if (section === 'Resources') {
        for (const id of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
          diffResource(id, sa[id], sb[id], instrumented, sa, sb, (where, x, y) => add(`Resources.${id}${where}`, x, y));
        }
      } else if (section === 'Mappings') {
        for (const id of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
          if (id === LAYER_MAPPING && !sa[id]) continue;
          if (!deepEqual(sa[id], sb[id])) add(`Mappings.${id}`, sa[id], sb[id]);
        }
      } else if (typeof sa === 'object' && typeof sb === 'object') {
        for (const id of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
          if (!deepEqual(sa[id], sb[id])) add(`${section}.${id}`, sa[id], sb[id]);
        }
      } else if (!deepEqual(sa, sb)) {
        add(section, sa, sb);
      }
    }
  }
  return out;
}

type Report = (where: string, before: unknown, after: unknown) => void;

function diffResource(id: string, a: any, b: any, instrumented: Set<string>, resourcesBefore: any, resources: any, report: Report): void {
  if (deepEqual(a, b)) return;
  const cfnPath: string = (b ?? a)?.Metadata?.['aws:cdk:path'] ?? '';
  // A version of an instrumented function: its logical id hashes the function's configuration,
  // so it is replaced by one with a new id (`currentVersion`), and an alias moves to it.
  const functionOf = (r: any) => r?.Properties?.FunctionName?.Ref as string | undefined;
  const versionOfInstrumented = (r: any) => r?.Type === 'AWS::Lambda::Version' && instrumented.has(functionOf(r) ?? '');
  const hasVersion = (rs: any, fn: string | undefined) => Object.values<any>(rs).some(r => r.Type === 'AWS::Lambda::Version' && functionOf(r) === fn);
  if (!b && versionOfInstrumented(a) && hasVersion(resources, functionOf(a))) return;
  if (!a && versionOfInstrumented(b) && hasVersion(resourcesBefore, functionOf(b))) return;
  if (!a && cfnPath.split('/').includes(SHARED_ID)) return;
  if (isPipelineAssetPublishing(cfnPath)) return;
  if (!a && b?.Type === 'AWS::IAM::Policy') {
    if (!statementsOk([], b.Properties?.PolicyDocument?.Statement ?? [], resources)) report('', a, b);
    return;
  }
  if (!a || !b) return report('', a, b);
  if (a.Type !== b.Type) return report('.Type', a.Type, b.Type);
  const allowedProps = new Set<string>();
  const allowedMeta = (k: string) => k.startsWith('aws:asset:');
  let allowDependsOn = false;
  if (b.Type === 'AWS::Lambda::Function' && instrumented.has(id)) {
    ['Layers', 'Environment', 'Code'].forEach(p => allowedProps.add(p));
    allowDependsOn = true;
  } else if (b.Type === 'AWS::CloudFormation::Stack') {
    allowedProps.add('TemplateURL');
  } else if (b.Type === 'AWS::Lambda::Alias' && instrumented.has(functionOf(b) ?? '')) {
    allowedProps.add('FunctionVersion');
  } else if (b.Type === 'AWS::CodePipeline::Pipeline' && isPipeline(cfnPath)) {
    allowedProps.add('Stages');
  } else if (b.Type === 'AWS::IAM::Policy') {
    const sa = a.Properties?.PolicyDocument?.Statement ?? [];
    const sb = b.Properties?.PolicyDocument?.Statement ?? [];
    if (statementsOk(sa, sb, resources)) allowedProps.add('PolicyDocument');
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (deepEqual(a[key], b[key])) continue;
    if (key === 'Properties') {
      const pa = a.Properties ?? {};
      const pb = b.Properties ?? {};
      for (const p of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
        if (!deepEqual(pa[p], pb[p]) && !allowedProps.has(p)) report(`.Properties.${p}`, pa[p], pb[p]);
      }
    } else if (key === 'Metadata') {
      const ma = a.Metadata ?? {};
      const mb = b.Metadata ?? {};
      for (const m of new Set([...Object.keys(ma), ...Object.keys(mb)])) {
        if (!deepEqual(ma[m], mb[m]) && !allowedMeta(m)) report(`.Metadata.${m}`, ma[m], mb[m]);
      }
    } else if (key === 'DependsOn' && allowDependsOn) {
      const added = toArray(b.DependsOn).filter(d => !toArray(a.DependsOn).includes(d));
      const removed = toArray(a.DependsOn).filter(d => !toArray(b.DependsOn).includes(d));
      if (removed.length > 0 || added.some(d => resources[String(d)]?.Type !== 'AWS::IAM::Policy')) report('.DependsOn', a.DependsOn, b.DependsOn);
    } else {
      report(`.${key}`, a[key], b[key]);
    }
  }
}

/**
 * `after` is `before` plus statements whose actions are all `secretsmanager:*` or `kms:*` (the
 * ingestion key), or statements on CDK Pipelines' asset-publishing projects only.
 */
function statementsOk(before: unknown[], after: unknown[], resources: any): boolean {
  const rest = [...after];
  for (const s of before) {
    const i = rest.findIndex(t => deepEqual(s, t));
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  const onAssetPublishing = (s: any) => toArray(s.Resource).length > 0 && toArray(s.Resource).every((r: any) => {
    const id = r?.['Fn::GetAtt']?.[0] ?? r?.Ref;
    return isPipelineAssetPublishing(resources[id]?.Metadata?.['aws:cdk:path'] ?? '');
  });
  const keyOnly = (s: any) => toArray(s.Action).length > 0 && toArray(s.Action).every(a => /^(secretsmanager|kms):/.test(String(a)));
  return rest.every(s => keyOnly(s) || onAssetPublishing(s));
}

/** A resource CDK Pipelines creates to publish the assets of its stages (one per asset). */
function isPipelineAssetPublishing(cfnPath: string): boolean {
  return /\/Assets\/FileAsset\d*\//.test(cfnPath) || /\/Assets\/FileRole\//.test(cfnPath);
}

function isPipeline(cfnPath: string): boolean {
  return /\/Pipeline\/Resource$/.test(cfnPath);
}

function toArray(x: unknown): unknown[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The annotations that give a reason for a function, among those the cloud assembly carries
 * (`AppReport.assemblyMessages`: what `cdk synth` prints; an annotation on the App or a Stage
 * itself does not count, the user never sees it):
 * - the whole text of every annotation on the function, under it, or on a construct between it
 *   and its stack (an `EdgeFunction` wrapping it, say);
 * - the lines of every annotation on its stack, a stack or Stage above, or the App (a summary)
 *   that name it: by full construct path, by its path inside its Stage or inside its stack (when
 *   that has a `/`), or by logical id.
 */
export function reasonsFor(report: AppReport, stackPath: string, fn: FunctionReport): Message[] {
  const out: Message[] = [];
  const stageOf = (p: string) => [...Object.values(report.stacks)].find(s => s.path === p)?.stagePath;
  const stagePath = stageOf(stackPath) ?? '';
  const containers = new Set<string>(['', ...report.app.node.findAll().filter(c => Stack.isStack(c) || Stage.isStage(c)).map(c => c.node.path)]);
  const names = [fn.path];
  if (stagePath && fn.path.startsWith(stagePath + '/')) names.push(fn.path.slice(stagePath.length + 1));
  const inStack = fn.path.startsWith(stackPath + '/') ? fn.path.slice(stackPath.length + 1) : undefined;
  if (inStack?.includes('/')) names.push(inStack);
  const byLogicalId = new RegExp(`\\b${fn.logicalId}\\b`);
  for (const m of report.assemblyMessages) {
    const above = m.path === '' || fn.path.startsWith(m.path + '/');
    if (m.path === fn.path || m.path.startsWith(fn.path + '/') || (above && m.path.startsWith(stackPath + '/') && !containers.has(m.path))) {
      out.push(m);
    } else if (above) {
      for (const line of m.text.split('\n')) {
        if (names.some(n => line.includes(n)) || byLogicalId.test(line)) out.push({ ...m, text: line });
      }
    }
  }
  return out;
}

/** One line per function: `stack  path  instrumented|skipped: reasons`, for failure messages. */
export function describeFunctions(c: Comparison): string {
  return c.functions.map(f => `${f.before.path} [${f.before.logicalId}]: ${f.after?.instrumented ? 'instrumented' : 'not instrumented'}${f.changed ? ' (changed)' : ''}`).join('\n');
}
