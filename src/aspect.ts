import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Annotations, AspectPriority, IAspect, Stage as StageType } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { ClickStackOptions } from './options';
import { Aspects, LambdaFunction, Stack, Stage } from './private/cdk';
import { codeAssetSource } from './private/code-asset';
import { InstrumentationRefused, instrumentedBy, instrumentFunction } from './private/instrument';
import { RefusalKind, SKIPPABLE_REFUSALS } from './private/plan-model';
import { Decision, StackReport } from './private/report';
import { servesLambdaAtEdge } from './private/rules/edge';
import { Settings } from './private/settings';
import { validateOptions } from './private/validate';

/**
 * Properties of `ClickStackAspect`.
 */
export interface ClickStackAspectProps extends ClickStackOptions {
  /**
   * Constructs whose functions are not instrumented: a function, or any construct above it
   * (a stack, a nested stack, a construct of your own).
   * @default - none
   */
  readonly exclude?: IConstruct[];

  /**
   * Construct path patterns of functions not to instrument, matched against the whole path
   * (`node.path`, such as `MyStack/Api/Handler`). `*` matches within one path segment, `**`
   * across segments: `MyStack/Legacy*`, `** /Internal/**` (without the space).
   * @default - none
   */
  readonly excludePaths?: string[];

  /**
   * Also instrument CDK's own handler functions (custom-resource provider framework,
   * `AwsCustomResource`, `BucketDeployment`, log retention and the like): functions whose code
   * comes from inside the aws-cdk-lib package.
   * @default false
   */
  readonly includeCdkInternalFunctions?: boolean;

  /**
   * A name for this aspect in messages and in the summary, beside where it was added:
   * `ClickStackAspect 'payments' (added at PaymentsStack)`.
   * @default - the aspect is named by where it was added
   */
  readonly name?: string;

  /**
   * List every function in each stack's summary annotation, instrumented ones too, and add a
   * second info annotation (`@clickstack/cdk:plans`) with each instrumented function's plan: its
   * layers, where its collector.yaml is, the variables it gets and the values of its own it keeps,
   * and the ids of the notes about it. By default the summary gives counts, then only what was
   * skipped or failed, ten paths per reason.
   * @default false
   */
  readonly verboseSummary?: boolean;
}

const OPT_OUT_ID = 'ClickStackOptOut';
/** Id (so, path) of the construct under the App that holds the error about unreached Stages. */
const APP_ERROR_HOLDER = 'the App';

/**
 * Instruments every eligible `lambda.Function` under the scope it is applied to, with the same
 * logic as `ClickStackInstrumentation`.
 *
 * Explicit `ClickStackInstrumentation` wins over every aspect; among aspects, the one added
 * nearest the function decides. Skips, reported in the stack's summary: CDK's own handler
 * functions, Lambda@Edge functions and excluded functions. Skips with a warning: functions
 * instrumented by someone else (ADOT, another OpenTelemetry layer, an exec wrapper), container
 * images, runtimes with no layer, options the function's layer does not support, and a bundle
 * with a `collector.yaml` of its own. Fails the synth: a region or partition where the layers are
 * not published, Lambda's layer or environment budget, and a nested Stage it cannot reach
 * (aws-cdk-lib synthesizes nested Stages before their parent's aspects run). Each stack gets one
 * summary annotation.
 *
 * @example
 * import { IngestionKey } from 'cdk-clickstack-lambda';
 *
 * declare const keySecret: secretsmanager.ISecret;
 *
 * const clickstack = new ClickStackAspect({
 *   endpoint: 'https://clickstack.example.com:4318',
 *   ingestionKey: IngestionKey.fromSecret(keySecret),
 *   exclude: [legacyStack], // a function or any construct above it
 * });
 * clickstack.applyTo(app); // the App and every Stage in it
 *
 * // Where a function is defined: leave it alone.
 * ClickStackAspect.optOut(someFunction);
 */
export class ClickStackAspect implements IAspect {
  /**
   * Opt a function, or every function under a construct, out of every `ClickStackAspect`.
   * Call it where the function is defined.
   */
  public static optOut(scope: IConstruct): void {
    if (!scope.node.tryFindChild(OPT_OUT_ID)) new Construct(scope, OPT_OUT_ID);
  }

  private readonly props: ClickStackAspectProps;
  private readonly excludePatterns: RegExp[];
  private settings?: Settings;

  constructor(props: ClickStackAspectProps) {
    this.props = props;
    this.excludePatterns = (props.excludePaths ?? []).map(globToRegExp);
  }

  /**
   * Add this aspect to `scope` and to every `Stage` under it, with `AspectPriority.MUTATING`.
   *
   * aws-cdk-lib synthesizes a nested Stage before its parent's aspects run, and CDK Pipelines'
   * `addStage()` synthesizes the Stage at once: with CDK Pipelines, call it inside each Stage's
   * constructor (`applyTo(this)`, after its stacks) or on the Stage before
   * `pipeline.addStage(stage)`; without, on the App after the Stages are created. A Stage this
   * aspect cannot reach fails the synth's validation, naming it and these fixes.
   *
   * @param scope the App, a Stage or a Stack
   */
  public applyTo(scope: IConstruct): void {
    // findAll() starts with the scope itself.
    for (const c of scope.node.findAll().filter(n => n === scope || Stage.isStage(n))) {
      if (!Aspects.of(c).all.includes(this)) Aspects.of(c).add(this, { priority: AspectPriority.MUTATING });
    }
  }

  public visit(node: IConstruct): void {
    if (Stage.isStage(node)) this.checkNestedStages(node);
    // Every stack gets a summary, one without any lambda.Function too (its low-level handlers).
    if (Stack.isStack(node)) StackReport.of(node).visitedByAspect = true;
    if (!(node instanceof LambdaFunction)) return;
    this.settings ??= validateOptions(this.props, 'ClickStackAspect');
    const fn = node;
    const nearest = nearestAspect(fn);
    if (nearest.aspect !== this) return; // a nearer aspect decides, and reports
    const by = this.label(nearest.scope);
    const report = StackReport.of(Stack.of(fn));
    report.verbose ||= this.props.verboseSummary ?? false;
    const decide = (outcome: Decision['outcome'], reason = '') => report.decisions.set(fn, { outcome, reason, by });

    const owner = instrumentedBy(fn);
    if (owner !== undefined && owner !== by) {
      // Explicit ClickStackInstrumentation wins over every aspect: it is the one that decided.
      report.decisions.set(fn, { outcome: 'instrumented', reason: '', by: owner });
      return;
    }
    const skip = this.skipReason(fn);
    if (skip) {
      decide('skipped', skip);
      return;
    }
    try {
      instrumentFunction(fn, this.settings, by, 'aspect');
      decide('instrumented');
    } catch (e) {
      if (!(e instanceof InstrumentationRefused)) throw e;
      if (SKIPPABLE_REFUSALS.has(e.kind)) {
        Annotations.of(fn).addWarningV2(`@clickstack/cdk:skipped:${e.kind}`, `${e.message} (skipped by ${by})`);
        decide('skipped', e.summary ?? REFUSAL_REASONS[e.kind] ?? e.kind);
      } else {
        Annotations.of(fn).addError(e.message);
        decide('failed', e.kind);
      }
    }
  }

  /** `ClickStackAspect 'name' (added at Stack)`: how users find the aspect in messages. */
  private label(scope: IConstruct | undefined): string {
    const name = this.props.name !== undefined ? ` '${this.props.name}'` : '';
    const where = scope === undefined ? 'an enclosing scope' : scope.node.path === '' ? 'the App' : scope.node.path;
    return `ClickStackAspect${name} (added at ${where})`;
  }

  private skipReason(fn: lambda.Function): string | undefined {
    for (let c: IConstruct | undefined = fn; c; c = c.node.scope) {
      if (c.node.tryFindChild(OPT_OUT_ID)) return c === fn ? 'opted out with ClickStackAspect.optOut()' : `opted out with ClickStackAspect.optOut() on ${c.node.path}`;
      if (this.props.exclude?.includes(c)) return c === fn ? 'excluded' : `excluded with ${c.node.path}`;
    }
    const pattern = this.excludePatterns.find(p => p.test(fn.node.path));
    if (pattern) return `excluded by path pattern ${pattern.source}`;
    if (!this.props.includeCdkInternalFunctions && isCdkInternal(fn)) {
      return 'a handler function of aws-cdk-lib itself (set includeCdkInternalFunctions to instrument it)';
    }
    if (servesLambdaAtEdge(fn)) return 'Lambda@Edge (CloudFront replicates it; Lambda@Edge accepts neither layers nor environment variables)';
    return undefined;
  }

  /**
   * aws-cdk-lib does not carry aspects into nested Stages and synthesizes them first. Visiting
   * the App or a Stage (the root of a synthesis), fail its validation, naming them, when a Stage
   * inside it has functions that no ClickStack aspect or construct decided and that this aspect
   * would have instrumented. One walk of the tree per synthesis. A validation error (not a throw):
   * aws-cdk-lib reports it as `Validation failed with the following errors: [the App] ...` (or the
   * Stage's path when a Stage is synthesized on its own), from
   * `app.synth()` or, for a Stage that CDK Pipelines synthesizes, from `pipeline.addStage()`.
   */
  private checkNestedStages(root: StageType): void {
    const missed = new Map<StageType, lambda.Function[]>();
    for (const c of root.node.findAll()) {
      if (!(c instanceof LambdaFunction)) continue;
      const stage = Stage.of(c);
      if (stage === undefined || stage === root) continue;
      if (instrumentedBy(c) !== undefined || StackReport.tryOf(Stack.of(c))?.decisions.has(c) || this.skipReason(c) !== undefined) continue;
      missed.set(stage, [...missed.get(stage) ?? [], c]);
    }
    if (missed.size === 0) return;
    const message = unreachedStagesMessage(this.label(nearestAspect(root, this).scope), root, missed);
    // aws-cdk-lib prefixes each validation error with the path of the construct that holds it,
    // and the App's path is empty (`[] ClickStackAspect ...`): on the App, the error is held by a
    // construct named "the App" under it, so that it reads `[the App] ClickStackAspect ...`. It is
    // created only here, where the synth fails.
    const holder = root.node.path === '' ? root.node.tryFindChild(APP_ERROR_HOLDER) ?? new Construct(root, APP_ERROR_HOLDER) : root;
    holder.node.addValidation({ validate: () => [message] });
  }
}

/**
 * The error for Stages an aspect cannot reach, leading with the fix that works with CDK Pipelines
 * (whose `addStage()` synthesizes a Stage at once, so that an aspect added to the App afterwards
 * comes too late): apply the aspect inside the Stage, or to the Stage before `addStage()`. Stages
 * added to a pipeline are named with it (found through `PipelineBase.waves`, public API).
 */
function unreachedStagesMessage(aspect: string, root: StageType, missed: Map<StageType, lambda.Function[]>): string {
  const pipelineOf = stagesInPipelines(root);
  const stages = [...missed].map(([stage, fns]) => {
    const pipeline = pipelineOf.get(stage);
    const added = pipeline ? `, added to the CDK Pipeline ${pipeline} with addStage(), which synthesized it already` : '';
    return `Stage ${stage.node.path}${added} (${fns.slice(0, 5).map(f => f.node.path).join(', ')}${fns.length > 5 ? ` and ${fns.length - 5} more` : ''})`;
  });
  const pipelines = pipelineOf.size > 0;
  return `${aspect} cannot reach the functions of ${stages.join(', ')}: aws-cdk-lib synthesizes a nested Stage before its parent's aspects run${pipelines ? '' : ', and CDK Pipelines\' addStage() synthesizes it at once'}. `
    + 'Fix: apply the aspect inside each Stage, with aspect.applyTo(this) in the Stage\'s constructor (after its stacks), or call aspect.applyTo(stage) before pipeline.addStage(stage); '
    + `${pipelines ? '' : 'without CDK Pipelines, aspect.applyTo(app) once every Stage exists also works; '}or leave a Stage out with exclude: [stage]`;
}

/** The Stages under `root` that a CDK Pipeline deploys, with the pipeline's path. */
function stagesInPipelines(root: StageType): Map<IConstruct, string> {
  const out = new Map<IConstruct, string>();
  // Loaded only on this error path: most apps have no pipeline.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PipelineBase } = require('aws-cdk-lib/pipelines') as typeof import('aws-cdk-lib/pipelines');
  for (const c of root.node.findAll()) {
    if (!PipelineBase.isPipeline(c)) continue;
    for (const wave of c.waves) {
      for (const stage of wave.stages) {
        for (const stack of stage.stacks) {
          const found = findByPath(root.node.root, stack.constructPath);
          const owner = found ? Stage.of(found) : undefined;
          if (owner && owner !== root) out.set(owner, c.node.path);
        }
      }
    }
  }
  return out;
}

/** The construct at a construct path from the App, if there. */
function findByPath(app: IConstruct, constructPath: string): IConstruct | undefined {
  let c: IConstruct | undefined = app;
  for (const id of constructPath.split('/')) c = c?.node.tryFindChild(id);
  return c;
}

/** How the summary names a refusal the aspect skips. */
const REFUSAL_REASONS: Partial<Record<RefusalKind, string>> = {
  containerImage: 'container image',
  runtime: 'runtime not instrumentable (see its warning)',
  edge: 'Lambda@Edge',
  existing: 'already instrumented by someone else (see its warning)',
  unsupportedOption: 'its layer does not support an option (see its warning)',
  userFile: 'its bundle has a collector.yaml of its own (see its warning)',
  managedInstances: 'its collector layer cannot run on Lambda Managed Instances (see its warning)',
};

/**
 * The ClickStackAspect nearest a node, and where it was added: the first one applied on the node
 * or its closest scope (the first added, when several are applied there), up to its Stage, whose
 * aspects are the only ones that reach it. With `only`, where that aspect was added.
 */
function nearestAspect(node: IConstruct, only?: ClickStackAspect): { aspect?: ClickStackAspect; scope?: IConstruct } {
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) {
    const aspect = Aspects.of(c).all.find((a): a is ClickStackAspect => only ? a === only : a instanceof ClickStackAspect);
    if (aspect) return { aspect, scope: c };
    if (Stage.isStage(c)) break;
  }
  return {};
}

/** True when the function's code is inside the aws-cdk-lib package (CDK's own handlers). */
function isCdkInternal(fn: lambda.Function): boolean {
  const source = codeAssetSource(fn);
  if (source === undefined) return false;
  const parts = path.resolve(source).split(path.sep);
  return parts.includes('aws-cdk-lib') || parts.includes('@aws-cdk');
}

/** `*` within a path segment, `**` across segments; everything else literal. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('**').map(part => part.split('*').map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*');
  return new RegExp(`^${escaped}$`);
}
