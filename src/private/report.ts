import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Token } from './cdk';
import { FunctionPlan } from './plan-model';
import { onManagedInstances } from './rules/managed-instances';
import { CollectorOnlyFamily } from './rules/runtime';
import { findSharedScope } from './shared';

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
const PLANS_ID = '@clickstack/cdk:plans';
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
  /** True once an aspect visited the stack (the construct alone reports collector-only functions only). */
  public visitedByAspect = false;
  /** Functions given the collector only (by the construct or an aspect), by runtime family. */
  public readonly collectorOnly = new Map<lambda.Function, CollectorOnlyFamily>();
  /** Lines of the summary that rules gave functions (Notes.summary), with those functions, in order. */
  private readonly notes = new Map<string, lambda.Function[]>();
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
        const plans = this.summarized || !this.verbose ? undefined : this.plans();
        if (plans !== undefined) Annotations.of(stack).addInfo(`[${PLANS_ID}] ${plans}`);
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
    const collectorOnly = this.collectorOnlyLine();
    const notes = [...this.notes].map(([line, fns]) => `  * ${line}: ${this.list(fns.map(f => f.node.path))}`);
    // A stack only the construct instrumented gets the collector-only line and the notes alone.
    const byAspect = this.visitedByAspect || this.decisions.size > 0;
    if (!byAspect || (this.decisions.size === 0 && unvisited.length === 0)) {
      const lines = [collectorOnly, ...notes].filter((l): l is string => l !== undefined);
      return lines.length === 0 ? undefined : [lines[0].replace(/^ {2}\* /, 'ClickStack: '), ...lines.slice(1)].join('\n');
    }
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
    if (collectorOnly) lines.push(collectorOnly);
    lines.push(...notes);
    if (unvisited.length > 0) {
      lines.push(`  - not visited, ${unvisited.length} Lambda function(s) of this template that are not lambda.Function constructs (handlers of aws-cdk-lib's low-level custom-resource providers; no aspect can instrument them): ${this.list(unvisited)}`);
    }
    return lines.join('\n');
  }

  /** Say `line` once in the summary, with `fn` among the functions it is about. */
  public addNote(line: string, fn: lambda.Function): void {
    this.notes.set(line, [...this.notes.get(line) ?? [], fn]);
  }

  /**
   * With `verboseSummary`: what each instrumented function of the stack got, from its plan (the
   * construct's functions too), in the order they were instrumented.
   */
  public plans(): string | undefined {
    const plans = [...findSharedScope(this.stack)?.plans.values() ?? []];
    if (plans.length === 0) return undefined;
    return [`ClickStack plans, ${plans.length} function(s):`, ...plans.map(describePlan)].join('\n');
  }

  /**
   * One line for every function that got the collector only, grouped by runtime family, with what
   * its code must do: no language layer starts an SDK there.
   */
  private collectorOnlyLine(): string | undefined {
    if (this.collectorOnly.size === 0) return undefined;
    const byFamily = new Map<CollectorOnlyFamily, string[]>();
    for (const [fn, family] of this.collectorOnly) byFamily.set(family, [...byFamily.get(family) ?? [], fn.node.path]);
    const families = [...byFamily].map(([family, paths]) => `${COLLECTOR_ONLY_CODE[family]}: ${this.list(paths)}`);
    return `  * collector only, ${this.collectorOnly.size} function(s) with no OpenTelemetry language layer: their code must start an OpenTelemetry SDK whose OTLP exporter keeps its default endpoint (gRPC to localhost:4317, OTLP/HTTP to localhost:4318, both served by the collector; the library sets no endpoint on them; docs/runtime-support.md, "Which OTLP port"). ${families.join('; ')}`;
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

/** What the code of each family must bring. */
const COLLECTOR_ONLY_CODE: Record<CollectorOnlyFamily, string> = {
  // open-telemetry/opentelemetry-dotnet-contrib src/OpenTelemetry.Instrumentation.AWSLambda; the
  // .NET OTLP exporter defaults to gRPC on localhost:4317 (OtlpExporterOptions), which the collector serves.
  dotnet: '.NET: the OpenTelemetry .NET SDK with OpenTelemetry.Instrumentation.AWSLambda (AddAWSLambdaConfigurations, AWSLambdaWrapper.Trace) and its OTLP exporter (gRPC by default)',
  // open-telemetry/opentelemetry-go-contrib instrumentation/github.com/aws/aws-lambda-go/otellambda.
  go: 'Go: the OpenTelemetry Go SDK with go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda and the otlptracegrpc or otlptracehttp exporter (plaintext through OTEL_EXPORTER_OTLP_INSECURE, which the library sets)',
  // awslabs/aws-lambda-rust-runtime lambda-runtime/src/layers/otel.rs (OpenTelemetryLayer, feature
  // "opentelemetry") and the opentelemetry-otlp crate (http-proto feature).
  rust: 'Rust: lambda_runtime\'s OpenTelemetryLayer (feature opentelemetry) with the opentelemetry-otlp exporter (HTTP or tonic)',
  custom: 'custom runtime (provided.*): your language\'s OpenTelemetry SDK and its Lambda instrumentation (for Go, go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda, for Rust, lambda_runtime\'s OpenTelemetryLayer), exporting OTLP to the default endpoint',
};

/**
 * One function's plan in words: its layers, where its collector.yaml is, the variables it gets
 * (values known only at deploy time as such; the configuration itself by its size), the user's
 * values kept, and the ids of what was said about it.
 */
export function describePlan(plan: FunctionPlan): string {
  const layers = plan.layers.map(l => l.release.layerArn !== undefined ? `${l.release._family} ${l.release.layerArn}` : `${l.release}${l.release._family === 'collector' ? ` (${l.arch})` : ''}`);
  const where = { bundle: 'in the code bundle', layer: 'in a config layer', environment: 'in a variable' }[plan.delivery.kind];
  const value = (name: string, v: string) => Token.isUnresolved(v) ? `${name}=(deploy-time value)`
    : name in plan.delivery.environment ? `${name}=(collector.yaml, ${Buffer.byteLength(v)} bytes)` : `${name}=${v}`;
  const notes = [
    ...plan.notes.infos.map(i => /^\[([^\]]+)\]/.exec(i)?.[1] ?? 'info'),
    ...plan.notes.warnings.map(([id]) => id),
    ...(plan.notes.summary ?? []).map(line => `${line.split(':')[0]} (in the summary)`),
  ];
  return [
    `  + ${plan.path} (by ${plan.owner}): ${plan.support.kind === 'language' ? `${plan.support.family} layer, wrapper ${plan.support.wrapper}` : 'collector only'}${plan.managedInstances ? ', on Lambda Managed Instances (no decouple)' : ''}`,
    `    layers: ${layers.join(', ')}`,
    `    collector.yaml: ${where} (${plan.delivery.configUri}), ${plan.collector.exporterType ?? 'otlphttp'} exporter${plan.collector.authorization !== undefined ? ' with an authorization header' : ''}${plan.collector.telemetryApiTypes ? `, telemetryapi ${plan.collector.telemetryApiTypes.join(', ')}` : ''}${plan.collector.debug ? ', debug' : ''}`,
    `    sets: ${plan.environment.map(([k, v]) => value(k, v)).join(' ')}`,
    ...(plan.kept.length > 0 ? [`    keeps its own: ${plan.kept.join(', ')}`] : []),
    ...(notes.length > 0 ? [`    notes: ${notes.join(', ')}`] : []),
  ].join('\n');
}
