import { Annotations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Lazy, Stack, Token } from './cdk';
import { currentEnvironment, handlerOf } from './function-state';
import { shortHash } from './hash';
import { FunctionPlan, PlannedLayer } from './plan-model';
import { StackReport } from './report';
import { LAMBDA_AT_EDGE, servesLambdaAtEdge } from './rules/edge';
import { ENV, envBytes, MAX_ENVIRONMENT_BYTES, MAX_LAYERS } from './rules/environment';
import { describeOtelLayer, migrationHint } from './rules/existing';
import { WARNING_IDS } from './rules/ids';
import { MANAGED_INSTANCES, managedInstancesRefusal, onManagedInstances } from './rules/managed-instances';
import { otlpPortMismatches } from './rules/otlp-ports';
import { telemetryOnManagedInstancesProblem } from './rules/telemetry';
import { describeVendors, findVendors } from './rules/vendors';
import { sharedScope } from './shared';
import { watchCapacityProviderOverride } from './template-check';
import { deliverConfig } from '../config-delivery';
import { layerArn } from '../layers/resolve';

/**
 * Carry out a plan: the only code that changes an instrumented function (its layers, variables,
 * role and code location), and the per-stack resources it shares. Nothing here decides: what
 * the function gets is in the plan, and the synth-time validation compares the final function
 * with it.
 */
export function applyPlan(fn: lambda.Function, plan: FunctionPlan): void {
  // The ARNs first: in an environment-agnostic stack the first one creates the stack's layer mapping.
  const arns = plan.layers.map(l => layerArn(fn, l.release, l));
  const shared = sharedScope(fn);
  plan.ingestionKey?._grant(fn);
  const layers = plan.layers.map((l, i) => importedLayer(shared, l, arns[i]));
  const configLayer = deliverConfig(fn, plan.delivery, plan.configYaml, plan.code);
  if (configLayer) layers.push(configLayer);
  const ownLayers = appendLayers(fn, layers);
  // removeInEdge: should the function turn out to serve as Lambda@Edge (a distribution defined
  // after instrumentation), aws-cdk-lib drops these instead of failing in prepare, and the
  // synth-time validation names the problem.
  for (const [name, value] of plan.environment) fn.addEnvironment(name, value, { removeInEdge: true });
  fn.node.addValidation({
    validate: () => {
      // The final environment, resolved once for both checks.
      const env = currentEnvironment(fn);
      warnOtlpPortMismatch(fn, plan, env);
      return [...validateFinalState(fn, plan, env, ownLayers, layers.length), ...validateManagedInstances(fn, plan)];
    },
  });

  for (const info of plan.notes.infos) Annotations.of(fn).addInfo(info);
  for (const [id, message] of plan.notes.warnings) Annotations.of(fn).addWarningV2(id, message);
  if (plan.kept.length > 0) {
    Annotations.of(fn).addInfo(`[@clickstack/cdk:userValueKept] ${plan.path} keeps its own ${plan.kept.join(', ')} instead of the instrumentation's`);
  }
  // What the code of a collector-only function must do is said once per stack, in its summary.
  if (plan.collectorOnlyFamily) StackReport.of(Stack.of(fn)).collectorOnly.set(fn, plan.collectorOnlyFamily);
  for (const line of plan.notes.summary ?? []) StackReport.of(Stack.of(fn)).addNote(line, fn);
  // A capacity provider set by a raw override shows only in the synthesized template.
  if (!plan.managedInstances) watchCapacityProviderOverride(fn, plan.owner);
  shared.plans.set(fn, plan);
}

/** Layer ARNs are reused for every function of a stack: one imported layer construct per ARN, in the stack's shared scope. */
function importedLayer(holder: Construct, layer: PlannedLayer, arn: string): lambda.ILayerVersion {
  const release = layer.release;
  const hint = release.layerArn !== undefined
    ? `Custom${shortHash(release.layerArn).slice(0, 12)}`
    : `${release._family}${release._family === 'collector' ? layer.arch : ''}${release.version!.replace(/\./g, 'x')}`;
  const id = `Layer${hint}`;
  return holder.node.tryFindChild(id) as lambda.ILayerVersion ?? lambda.LayerVersion.fromLayerVersionArn(holder, id, arn);
}

/**
 * Append layers to the function without reading its layer list now: the function's own list
 * (including layers added later) is resolved at synth, followed by ours. Lambda's 5-layer
 * budget is checked then, with every layer known. Returns the function's own list, unresolved.
 */
function appendLayers(fn: lambda.Function, layers: lambda.ILayerVersion[]): string[] | undefined {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const own = cfn.layers;
  const ours = layers.map(l => l.layerVersionArn);
  const stack = Stack.of(fn);
  cfn.layers = Token.asList(Lazy.uncachedAny({
    // Most functions have no layers of their own: nothing to resolve then.
    produce: () => [...(own === undefined ? [] : stack.resolve(own) as unknown[] | undefined ?? []), ...ours],
  }));
  return own;
}

const portChecked = new WeakSet<lambda.Function>();

/**
 * At synth, on the final environment (a variable may be added after instrumentation): a warning
 * when the function's SDK would speak one protocol to the port of the other (rules/otlp-ports.ts).
 */
function warnOtlpPortMismatch(fn: lambda.Function, plan: FunctionPlan, environment: Record<string, unknown>): void {
  if (portChecked.has(fn)) return;
  portChecked.add(fn);
  const env = Object.fromEntries(Object.entries(environment).filter((e): e is [string, string] => typeof e[1] === 'string'));
  for (const mismatch of otlpPortMismatches(env, plan.support, fn.runtime.name, plan.layerSupport)) {
    Annotations.of(fn).addWarningV2(WARNING_IDS.otlpPortMismatch, `${fn.node.path} sends nothing the collector accepts: ${mismatch}; set OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL to a matching pair, or remove both to use the SDK's defaults`);
  }
}

/**
 * Synth-time check that the collector config matches where the function runs: whether it is on
 * Lambda Managed Instances is decided when it is instrumented; a function put on a capacity
 * provider after that (`capacityProvider.addFunction(fn)` after `ClickStackInstrumentation`)
 * has a config with `decouple`, which holds its telemetry until shutdown there.
 */
function validateManagedInstances(fn: lambda.Function, plan: FunctionPlan): string[] {
  const now = onManagedInstances(fn);
  if (now === plan.managedInstances) return [];
  const where = fn.node.path;
  if (!now) return [`${where} was instrumented for ${MANAGED_INSTANCES}, but it no longer has a capacity provider configuration; instrument it after its configuration is final`];
  const layer = managedInstancesRefusal(plan.collectorVersion);
  if (layer) return [`cannot instrument ${where}: ${layer}`];
  const telemetry = plan.collector.telemetryApiTypes ? telemetryOnManagedInstancesProblem(plan.collectorVersion) : undefined;
  const also = telemetry ? `, and it has lambdaTelemetry there, but ${telemetry}` : '';
  return [`${where} was put on a capacity provider (${MANAGED_INSTANCES}) after it was instrumented, so its collector configuration has the decouple processor, which on Managed Instances holds every span, metric and log until the environment shuts down${also}; call capacityProvider.addFunction(fn) before instrumenting it, or instrument it with ClickStackAspect (which runs at synth)`];
}

/**
 * Synth-time checks of the final function against its plan: wrapper, environment and layer
 * budgets, and someone else's instrumentation added after ours (a vendor whose extension binds
 * the collector's ports included: never accepted).
 */
function validateFinalState(
  fn: lambda.Function, plan: FunctionPlan, env: Record<string, unknown>, ownLayers: string[] | undefined, added: number,
): string[] {
  const errors: string[] = [];
  const where = fn.node.path;
  const wrapper = plan.support.kind === 'language' ? plan.support.wrapper : undefined;
  if (wrapper !== undefined && env[ENV.wrapper] !== wrapper) {
    errors.push(`${ENV.wrapper} of ${where} was changed to ${JSON.stringify(env[ENV.wrapper])} after instrumentation; the OpenTelemetry layer needs ${wrapper}`);
  }
  if (wrapper === undefined && env[ENV.wrapper] !== undefined) {
    errors.push(`${ENV.wrapper} of ${where} was set to ${JSON.stringify(env[ENV.wrapper])} after instrumentation: someone else's instrumentation would run beside the collector; remove it, or leave the function out of the instrumentation`);
  }
  const bytes = envBytes(env);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    errors.push(`the environment variables of ${where} take ${bytes} bytes, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten or remove some of them`);
  }
  if (servesLambdaAtEdge(fn)) {
    errors.push(`${where} is instrumented, but ${LAMBDA_AT_EDGE}; remove it from the instrumentation (the aspect skips such functions by itself)`);
  }
  const own = ((ownLayers === undefined ? undefined : Stack.of(fn).resolve(ownLayers) as unknown[] | undefined) ?? []).map(l => typeof l === 'string' ? l : JSON.stringify(l));
  const handler = handlerOf(fn);
  const vendors = findVendors(env, handler === plan.handler ? undefined : handler, own);
  if (vendors.length > 0) {
    errors.push(`${where} got someone else's instrumentation after ClickStack's: ${describeVendors(vendors)}`);
  }
  const otel = own.filter(l => !vendors.some(v => v.layers.includes(l))).map(describeOtelLayer).filter((d): d is string => d !== undefined);
  if (otel.length > 0) {
    errors.push(`${where} already has ${otel.join(', ')} besides the instrumentation's: it would run two SDKs and two collectors; ${migrationHint(otel.join(', '))}`);
  }
  if (own.length + added > MAX_LAYERS) {
    // The config layer is the one slot the instrumentation can give back: name the modes that take none.
    const fix = plan.delivery.kind === 'layer' && own.length + added - 1 <= MAX_LAYERS
      ? '; or set configDelivery to ConfigDelivery.BUNDLE (for code from a local directory) or ConfigDelivery.ENVIRONMENT, which put collector.yaml in the code bundle or a variable and take no layer slot (ConfigDelivery.AUTO chooses them by itself only where aws-cdk-lib lets the function\'s layers be read before synth: docs/config-delivery.md)'
      : '';
    errors.push(`Lambda allows ${MAX_LAYERS} layers; ${where} has ${own.length} of its own (${own.join(', ')}) and instrumentation adds ${added}${plan.delivery.kind === 'layer' ? ' (the collector.yaml config layer among them)' : ''}. Remove ${own.length + added - MAX_LAYERS} of its layers${fix}`);
  }
  return errors;
}
