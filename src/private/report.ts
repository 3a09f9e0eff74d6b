import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { onManagedInstances } from './managed-instances';

/** What happened to one function visited by an aspect. */
export interface Decision {
  readonly outcome: 'instrumented' | 'skipped' | 'failed';
  /** Why it was skipped or failed; for an instrumented function, empty. */
  readonly reason: string;
  /** The aspect (or construct) that decided, as users can find it: `ClickStackAspect (added at MyStack)`. */
  readonly by: string;
}

const REPORT_ID = 'ClickStackReport';
const SUMMARY_ID = '@clickstack/cdk:summary';
/** Paths listed per reason before "and N more" (all of them with `verboseSummary`). */
const MAX_PATHS = 10;

/**
 * The per-stack record of what every `ClickStackAspect` decided for the stack's functions, and
 * its one summary annotation, written at synth after every aspect has run.
 */
export class StackReport extends Construct {
  /** The report of `stack`, created on first use. */
  public static of(stack: Stack): StackReport {
    return StackReport.tryOf(stack) ?? new StackReport(stack);
  }

  /** The report of `stack` if an aspect decided anything there. */
  public static tryOf(stack: Stack): StackReport | undefined {
    const existing = stack.node.tryFindChild(REPORT_ID);
    return existing instanceof StackReport ? existing : undefined;
  }

  public readonly decisions = new Map<lambda.Function, Decision>();
  /** List instrumented functions too, and every path. */
  public verbose = false;
  private summarized = false;

  private constructor(private readonly stack: Stack) {
    super(stack, REPORT_ID);
    // Validation runs after every aspect, before the cloud assembly is written; a second
    // synth of the same app runs it again, but the annotation stays on the stack.
    this.node.addValidation({
      validate: () => {
        const summary = this.summarized ? undefined : this.summary();
        if (summary !== undefined) Annotations.of(stack).addInfo(`[${SUMMARY_ID}] ${summary}`);
        this.summarized = true;
        return [];
      },
    });
  }

  /**
   * Counts, then only what was skipped or failed (grouped by reason), then what no aspect could
   * visit; nothing for a stack without any Lambda function.
   */
  public summary(): string | undefined {
    const unvisited = this.unvisitedFunctions();
    if (this.decisions.size === 0 && unvisited.length === 0) return undefined;
    const all = [...this.decisions.entries()].map(([fn, d]) => ({ path: fn.node.path, ...d }));
    const count = (o: Decision['outcome']) => all.filter(d => d.outcome === o).length;
    const deciders = [...new Set(all.map(d => d.by))];
    const by = deciders.length === 0 ? '' : deciders.length === 1 ? ` by ${deciders[0]}` : ` by ${deciders.map(b => `${b}: ${all.filter(d => d.by === b).length}`).join('; ')}`;
    const managed = [...this.decisions].filter(([fn, d]) => d.outcome === 'instrumented' && onManagedInstances(fn)).length;
    const onMi = managed > 0 ? ` (${managed} on Lambda Managed Instances: no decouple processor)` : '';
    const lines = [`ClickStack: ${count('instrumented')} function(s) instrumented${onMi}, ${count('skipped')} skipped, ${count('failed')} failed${by}`];
    const groups = new Map<string, string[]>();
    for (const d of all) {
      if (d.outcome === 'instrumented' && !this.verbose) continue;
      const key = d.outcome === 'instrumented' ? `instrumented by ${d.by}` : `${d.outcome}: ${d.reason}`;
      groups.set(key, [...groups.get(key) ?? [], d.path]);
    }
    for (const [key, paths] of groups) lines.push(`  ${key.startsWith('instrumented') ? '+' : '-'} ${key}: ${this.list(paths)}`);
    if (unvisited.length > 0) {
      lines.push(`  - not visited, ${unvisited.length} Lambda function(s) of this template that are not lambda.Function constructs (handlers of aws-cdk-lib's low-level custom-resource providers; no aspect can instrument them): ${this.list(unvisited)}`);
    }
    return lines.join('\n');
  }

  private list(paths: string[]): string {
    if (this.verbose || paths.length <= MAX_PATHS) return paths.join(', ');
    return `${paths.slice(0, MAX_PATHS).join(', ')} and ${paths.length - MAX_PATHS} more (verboseSummary: true lists them all)`;
  }

  /**
   * `AWS::Lambda::Function` resources that are not the resource of a `lambda.Function`: the
   * handlers of aws-cdk-lib's `CustomResourceProvider`s (`Custom::S3AutoDeleteObjects…`,
   * `Custom::CrossRegionExportWriter…`, …), which it always creates at the top of the stack
   * (core/lib/custom-resource-provider, `Stack.of(scope)`), and any `CfnFunction` placed there.
   * Only the stack's children and grandchildren are looked at: a whole-tree walk per stack would
   * cost more than the rest of the summary.
   */
  private unvisitedFunctions(): string[] {
    const found: string[] = [];
    for (const child of this.stack.node.children) {
      for (const c of [child, ...child.node.children]) {
        if (CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Function' && !(c.node.scope instanceof lambda.Function)) {
          found.push(c.node.id === 'Resource' ? c.node.scope!.node.path : c.node.path);
        }
      }
    }
    return found;
  }
}
