import * as path from 'path';
import { Annotations, IAspect, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { codeAssetSource } from './config-delivery';
import { ClickStackOptions } from './options';
import { LambdaFunction } from './private/cdk';
import { InstrumentationRefused, instrumentedBy, instrumentFunction } from './private/instrument';
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
}

/** What the aspect did with one function. */
interface Decision {
  readonly path: string;
  readonly instrumented: boolean;
  readonly reason: string;
}

const OPT_OUT_ID = 'ClickStackOptOut';
const SUMMARY_ID = '@clickstack/cdk:summary';

/**
 * Instruments every eligible `lambda.Function` under the scope it is applied to, with the same
 * logic as `ClickStackInstrumentation`.
 *
 * ```ts
 * Aspects.of(app).add(new ClickStackAspect({ endpoint }), { priority: AspectPriority.MUTATING });
 * ```
 *
 * Skips, with an info annotation: CDK's own handler functions, excluded functions and functions
 * already instrumented (explicit `ClickStackInstrumentation` wins). Skips, with a warning:
 * container-image functions and runtimes with no layer. Fails the synth with an error: a region
 * or partition where the layers are not published, and conflicts (an exec wrapper of your own,
 * Lambda's layer or environment budget). Each stack gets an info annotation summarising what
 * was instrumented and skipped.
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
  private readonly decisions = new Map<Stack, Decision[]>();
  private validated = false;

  constructor(props: ClickStackAspectProps) {
    this.props = props;
    this.excludePatterns = (props.excludePaths ?? []).map(globToRegExp);
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof LambdaFunction)) return;
    const owner = 'ClickStackAspect';
    if (!this.validated) {
      validateOptions(this.props, owner);
      this.validated = true;
    }
    const fn = node;
    const skip = this.skipReason(fn);
    if (skip) {
      Annotations.of(fn).addInfo(`[@clickstack/cdk:skipped] not instrumented by ClickStackAspect: ${skip}`);
      this.record(fn, false, skip);
      return;
    }
    try {
      instrumentFunction(fn, this.props, owner);
      this.record(fn, true, 'instrumented');
    } catch (e) {
      if (!(e instanceof InstrumentationRefused)) throw e;
      if (e.kind === 'containerImage' || e.kind === 'runtime') {
        Annotations.of(fn).addWarningV2('@clickstack/cdk:skipped', e.message);
        this.record(fn, false, e.kind === 'containerImage' ? 'container image' : `runtime ${fn.runtime.name} has no layer`);
      } else {
        Annotations.of(fn).addError(e.message);
        this.record(fn, false, `error: ${e.kind}`);
      }
    }
  }

  private skipReason(fn: lambda.Function): string | undefined {
    const owner = instrumentedBy(fn);
    if (owner) return `already instrumented by ${owner}, which wins`;
    for (let c: IConstruct | undefined = fn; c; c = c.node.scope) {
      if (c.node.tryFindChild(OPT_OUT_ID)) return c === fn ? 'opted out with ClickStackAspect.optOut()' : `opted out with ClickStackAspect.optOut() on ${c.node.path}`;
      if (this.props.exclude?.includes(c)) return c === fn ? 'excluded' : `excluded with ${c.node.path}`;
    }
    const pattern = this.excludePatterns.find(p => p.test(fn.node.path));
    if (pattern) return `excluded by path pattern ${pattern.source}`;
    if (!this.props.includeCdkInternalFunctions && isCdkInternal(fn)) {
      return 'a handler function of aws-cdk-lib itself (set includeCdkInternalFunctions to instrument it)';
    }
    return undefined;
  }

  /** Record a decision; the first one in a stack registers that stack's summary. */
  private record(fn: lambda.Function, instrumented: boolean, reason: string): void {
    const stack = Stack.of(fn);
    let list = this.decisions.get(stack);
    if (!list) {
      list = [];
      this.decisions.set(stack, list);
      const decisions = list;
      let summarized = false;
      // Validation runs after every aspect, before the cloud assembly is written; a second
      // synth of the same app runs it again, but the annotation stays on the stack.
      stack.node.addValidation({
        validate: () => {
          if (!summarized) Annotations.of(stack).addInfo(`[${SUMMARY_ID}] ${summarize(decisions)}`);
          summarized = true;
          return [];
        },
      });
    }
    list.push({ path: fn.node.path, instrumented, reason });
  }
}

function summarize(decisions: Decision[]): string {
  const done = decisions.filter(d => d.instrumented);
  const skipped = decisions.filter(d => !d.instrumented);
  const lines = [`ClickStack: ${done.length} function(s) instrumented, ${skipped.length} skipped`];
  for (const d of done) lines.push(`  + ${d.path}`);
  for (const d of skipped) lines.push(`  - ${d.path}: ${d.reason}`);
  return lines.join('\n');
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
