import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CollectorConfigInput } from '../collector-config';
import { IngestionKey } from '../ingestion-key';
import { LanguageLayerSupport } from '../layers/language-support';
import { OtelLayerRelease } from '../layers/releases';
import { CollectorArch } from '../layers/resolve';
import { RuntimeSupport } from '../runtimes';
import { CodeAsset } from './code-asset';
import { Settings } from './settings';

/**
 * What the library will do to one function, decided before anything changes: the planner
 * (src/private/plan.ts) writes it from the function and the settings, the applier
 * (src/private/apply.ts) carries it out, and the synth-time validation compares the final
 * function with it. Plain data: nothing here changes a construct.
 */
export type PlanResult = FunctionPlan | RefusedPlan | UnchangedPlan;

/** Why a function was refused: the aspect warns on some kinds and errors on others. */
export type RefusalKind = 'containerImage' | 'runtime' | 'edge' | 'existing' | 'unsupportedOption' | 'userFile' | 'region' | 'conflict' | 'budget' | 'managedInstances';

/** Refusals the aspect turns into a warning and a skip: the function stays as it was. */
export const SKIPPABLE_REFUSALS: ReadonlySet<RefusalKind> = new Set<RefusalKind>(['containerImage', 'runtime', 'edge', 'existing', 'unsupportedOption', 'userFile', 'managedInstances']);

/** A rule's refusal: the kind, and why (with the fix), without the function's path. */
export interface Refusal {
  readonly kind: RefusalKind;
  readonly why: string;
  /** How the aspect's summary names the reason, when more precise than the kind's (`already instrumented by Datadog`). */
  readonly summary?: string;
}

/** The function cannot be instrumented: nothing is changed. */
export interface RefusedPlan {
  readonly outcome: 'refused';
  readonly refusal: Refusal;
  /** `cannot instrument <path>: <why>`. */
  readonly message: string;
}

/** The function is already instrumented by this library with the same effective settings: a no-op. */
export interface UnchangedPlan {
  readonly outcome: 'unchanged';
  /** Whoever instrumented it. */
  readonly owner: string;
}

/** What rules say about a function once it is instrumented, in the order they are emitted (infos first). */
export interface Notes {
  readonly infos: readonly string[];
  /** Warning id and message. */
  readonly warnings: ReadonlyArray<readonly [string, string]>;
  /**
   * Lines for the stack's summary annotation, each said once per stack with the paths of every
   * function that has it: facts about many functions that need no action per function (a
   * warning on each would be noise, and each annotation costs synth time).
   */
  readonly summary?: readonly string[];
}

/** What a check rule finds: a refusal, or notes (either may be absent). */
export type Finding = Refusal | Partial<Notes> | undefined;

/** True for a refusal (a rule's result that is not a fact or a note). */
export function isRefusal(x: object | undefined): x is Refusal {
  return x !== undefined && 'why' in x && 'kind' in x;
}

/** What a runtime that can be instrumented gets: a language layer and its wrapper, or the collector only. */
export type Supported = Exclude<RuntimeSupport, { kind: 'refused' }>;

/** One function's resource attributes (values not encoded), and what was shortened. */
export interface ResourceAttributeList {
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** Set when cdk.construct.path was shortened to fit the SDK's length limit. */
  readonly shortenedPath?: { readonly from: number; readonly to: number; readonly limit: number };
}

/**
 * The plan so far, as the check rules (src/private/rules/) see it: the settings, what the runtime
 * gets, the layers chosen, the attributes, and facts of the function read once.
 */
export interface Draft {
  readonly settings: Settings;
  /** The construct path of the function. */
  readonly path: string;
  readonly support: Supported;
  readonly arch: CollectorArch;
  /** The language layer's release, if the runtime gets one. */
  readonly language?: OtelLayerRelease;
  readonly collector: OtelLayerRelease;
  /** What the language layer's SDK understands (the family's newest release's for a layer of your own). */
  readonly layerSupport?: LanguageLayerSupport;
  readonly attributes: ResourceAttributeList;
  /** The function's code when it is a local directory asset (looked up on first use, once). */
  readonly code: () => CodeAsset | undefined;
  /** The function runs on Lambda Managed Instances (a capacity provider). */
  readonly managedInstances: boolean;
  /** The Telemetry API event types its collector subscribes to (`lambdaTelemetry`, unless left out there); undefined: none. */
  readonly telemetryApiTypes?: readonly string[];
  /** The function's environment variables now, resolved (read on first use, once). */
  readonly environment: () => Record<string, unknown>;
  /**
   * The function's own layers, resolved, where aws-cdk-lib lets them be read before synth
   * (src/private/rules/existing.ts, `canReadLayersEarly`); undefined where it does not (read on
   * first use, once).
   */
  readonly ownLayers: () => readonly unknown[] | undefined;
}

/** A check of the plan so far (src/private/plan.ts runs them in order). */
export type CheckRule = (fn: lambda.Function, draft: Draft) => Finding;

/** One upstream or custom layer the function gets. */
export interface PlannedLayer {
  readonly release: OtelLayerRelease;
  readonly arch: CollectorArch;
  /**
   * The ARN when it is known without the stack's layer mapping: a concrete region's upstream
   * ARN, or a layer of your own. Undefined in an environment-agnostic stack, where the applier
   * looks the ARN up in the stack's `CfnMapping` by `mappingKey`.
   */
  readonly arn?: string;
  /** The upstream layer name (`opentelemetry-nodejs-0_23_0`); undefined for a layer of your own. */
  readonly name?: string;
}

/** How the collector configuration reaches the function. */
export interface PlannedDelivery {
  /** `bundle`: a new code asset (`/var/task/collector.yaml`); `layer`: a config layer; `environment`: a variable. */
  readonly kind: 'bundle' | 'layer' | 'environment';
  /** Value of `OPENTELEMETRY_COLLECTOR_CONFIG_URI`. */
  readonly configUri: string;
  /** Variables the delivery adds (the configuration itself, with `environment`). */
  readonly environment: Readonly<Record<string, string>>;
}

/** Everything the library does to one function. */
export interface FunctionPlan {
  readonly outcome: 'instrument';
  /** The construct path of the function. */
  readonly path: string;
  /** The construct or aspect that instruments it, as users find it in messages. */
  readonly owner: string;
  /** What the runtime gets: a language layer and its wrapper, or the collector only. */
  readonly support: Supported;
  /** For a collector-only function, what its code must bring (the stack's summary says so). */
  readonly collectorOnlyFamily?: 'dotnet' | 'go' | 'rust' | 'custom';
  /** What the language layer's SDK understands (the family's newest release for a layer of your own). */
  readonly layerSupport?: LanguageLayerSupport;
  /** Language layer (if any), then the collector layer. */
  readonly layers: readonly PlannedLayer[];
  /** The collector layer release's version (undefined for a layer of your own). */
  readonly collectorVersion?: string;
  /** The function runs on Lambda Managed Instances (its config has no `decouple`). */
  readonly managedInstances: boolean;
  /** The resource attributes, in order, values not encoded. */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** What varies in `collector.yaml`, and the rendered file. */
  readonly collector: CollectorConfigInput;
  readonly configYaml: string;
  readonly delivery: PlannedDelivery;
  /** The function's code when it is a local directory asset (where `bundle` delivery copies it). */
  readonly code?: CodeAsset;
  /** Variables to set, in order (the user's own `OTEL_*` values are not among them). */
  readonly environment: ReadonlyArray<readonly [string, string]>;
  /** `OTEL_*` variables the user set to other values than ours, which stay. */
  readonly kept: readonly string[];
  /** The key whose secret the function is granted (undefined: none). */
  readonly ingestionKey?: IngestionKey;
  /** Annotations once instrumented. */
  readonly notes: Notes;
  /** The handler when instrumented, resolved (someone else's redirection later is caught at synth). */
  readonly handler: unknown;
  /** Identity of the effective instrumentation: the same one again is a no-op, another one an error. */
  readonly fingerprint: string;
}
