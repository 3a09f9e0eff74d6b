import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { OTEL_LAYER_ACCOUNT } from '../../layers/catalog';
import { Stack } from '../cdk';
import { handlerOf } from '../function-state';
import { Refusal } from '../plan-model';
import { describeVendors, findVendors } from './vendors';

/**
 * What other instrumentation looks like on a function: layers of the OpenTelemetry Lambda
 * project (account 184161586896), of AWS Distro for OpenTelemetry (ADOT, account 901920570463,
 * `aws-otel-*` layers, added by aws-cdk-lib's `adotInstrumentation`), and any layer whose name
 * says OpenTelemetry (`opentelemetry-*`, `otel-*`, `aws-otel-*`, `*-otel-*`, `*-otelcol-*`), in
 * whatever account it was republished.
 */
const ADOT_ACCOUNT = '901920570463';
const OTEL_LAYER_NAME = /:layer:(?:[A-Za-z0-9_-]*[-_])?(?:opentelemetry|otel|otelcol|aws-otel)(?:[-_][A-Za-z0-9_-]*)?:/i;

/** Description of an OpenTelemetry or ADOT layer, or undefined for any other layer. */
export function describeOtelLayer(layer: unknown): string | undefined {
  const text = typeof layer === 'string' ? layer : JSON.stringify(layer);
  if (text.includes(`:${ADOT_ACCOUNT}:layer:`) || /:layer:aws-otel-/.test(text)) return `an AWS Distro for OpenTelemetry (ADOT) layer (${short(text)})`;
  if (text.includes(`:${OTEL_LAYER_ACCOUNT}:layer:`) || OTEL_LAYER_NAME.test(text) || text.includes('ClickStackLayerArns')) {
    return `an OpenTelemetry layer (${short(text)})`;
  }
  return undefined;
}

function short(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** How to migrate, by what was found. */
export function migrationHint(found: string): string {
  const keep = 'to keep it as it is, leave it out (ClickStackAspect.optOut(fn) or exclude)';
  if (found.includes('ADOT')) return `to move it to ClickStack, drop adotInstrumentation (or the ADOT layer and AWS_LAMBDA_EXEC_WRAPPER) from the function; ${keep}`;
  if (/AWS_LAMBDA_EXEC_WRAPPER="\/opt\/otel-/.test(found)) {
    return `to move it to ClickStack, drop adotInstrumentation if the function uses it, or remove the OpenTelemetry layer and AWS_LAMBDA_EXEC_WRAPPER from the function; ${keep}`;
  }
  return `to move it to ClickStack, remove what was found from the function (a wrapper of your own can be chained from /opt/otel-handler only by hand); ${keep}`;
}

let layersReadableEarly: boolean | undefined;

/**
 * True when this aws-cdk-lib renders a function's layer list anew at every resolution. Older
 * releases (2.189 among them) cache the first non-empty resolution of `CfnFunction.layers`, so
 * reading the list before synth would drop every layer added afterwards: there, layers are only
 * checked at synth (`validateFinalState`). Found out once per process, on a throwaway app, with
 * public API only.
 */
export function canReadLayersEarly(): boolean {
  if (layersReadableEarly === undefined) {
    // Never synthesized: no autoSynth (under `cdk synth` an App would otherwise write itself into
    // the user's cdk.out at exit), and its own outdir (which App creates), removed right after.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-layer-probe-'));
    try {
      layersReadableEarly = probeLayerList(new Stack(new App({ autoSynth: false, outdir }), 'Probe'));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return layersReadableEarly;
}

/** Resolve a function's layer list, add a layer, resolve again: is the new layer there? */
function probeLayerList(stack: InstanceType<typeof Stack>): boolean {
  const probe = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
  const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:layer:${name}:1`;
  probe.addLayers(lambda.LayerVersion.fromLayerVersionArn(stack, 'First', arn('first')));
  const cfn = probe.node.defaultChild as lambda.CfnFunction;
  stack.resolve(cfn.layers);
  probe.addLayers(lambda.LayerVersion.fromLayerVersionArn(stack, 'Second', arn('second')));
  return JSON.stringify(stack.resolve(cfn.layers)).includes(arn('second'));
}

/** Someone else's instrumentation found on a function: the refusal's text and, for the summary, whose. */
export interface ExistingInstrumentation {
  readonly why: string;
  /** `Datadog`, `Datadog and Lumigo`, or undefined for an OpenTelemetry/ADOT setup or an unknown wrapper. */
  readonly vendors?: string;
}

/**
 * The function's own layer list, resolved, where that can be done before synth (see
 * `canReadLayersEarly`); undefined where it cannot.
 */
export function earlyLayers(fn: lambda.Function): unknown[] | undefined {
  if (!canReadLayersEarly()) return undefined;
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  return (Stack.of(fn).resolve(cfn.layers) as unknown[] | undefined) ?? [];
}

/**
 * Instrumentation of someone else already on the function, found without changing it, on every
 * runtime alike (collector-only ones too): an exec wrapper or collector configuration variable this
 * library did not set (even one equal to ours); another vendor's layer, handler redirection, wrapper
 * or variables (src/private/vendors.ts); and, where the layer list can be read before synth, an
 * OpenTelemetry or ADOT layer.
 */
export function existingInstrumentation(
  fn: lambda.Function, env: Record<string, unknown>, layers: readonly unknown[] = earlyLayers(fn) ?? [],
): ExistingInstrumentation | undefined {
  const vendors = findVendors(env, handlerOf(fn), layers);
  const claimed = new Set(vendors.flatMap(v => v.found));
  const found: string[] = [];
  if (env.AWS_LAMBDA_EXEC_WRAPPER !== undefined && !claimed.has(`AWS_LAMBDA_EXEC_WRAPPER=${env.AWS_LAMBDA_EXEC_WRAPPER}`)) {
    found.push(`AWS_LAMBDA_EXEC_WRAPPER=${JSON.stringify(env.AWS_LAMBDA_EXEC_WRAPPER)}`);
  }
  for (const name of ['OPENTELEMETRY_COLLECTOR_CONFIG_URI', 'OPENTELEMETRY_COLLECTOR_CONFIG_FILE']) {
    if (env[name] !== undefined) found.push(`${name}=${JSON.stringify(env[name])}`);
  }
  for (const layer of layers) {
    const otel = describeOtelLayer(layer);
    // A vendor's layer is named once, with its vendor.
    if (otel && !vendors.some(v => v.layers.includes(layer))) found.unshift(otel);
  }
  const parts: string[] = [];
  if (vendors.length > 0) parts.push(describeVendors(vendors));
  if (found.length > 0) {
    const what = found.join(', ');
    parts.push(`it is already instrumented by someone else: it has ${what}; ${migrationHint(what)}`);
  }
  if (parts.length === 0) return undefined;
  return { why: parts.join('; and '), vendors: vendors.length > 0 ? vendors.map(v => v.vendor.name).join(' and ') : undefined };
}

/**
 * Rule: someone else's instrumentation (an exec wrapper or collector config this library did not
 * set, even one equal to ours; another vendor's marks; an OpenTelemetry or ADOT layer) is never
 * stacked on, whatever the runtime and architecture. Needs only the function, its environment
 * (`env`, resolved) and its own layers where they can be read before synth (`earlyLayers`): the
 * planner runs it before the runtime rules.
 */
export function existingRule(fn: lambda.Function, env: Record<string, unknown>, layers?: readonly unknown[]): Refusal | undefined {
  const existing = existingInstrumentation(fn, env, layers);
  if (!existing) return undefined;
  return { kind: 'existing', why: existing.why, summary: existing.vendors ? `already instrumented by ${existing.vendors} (see its warning)` : undefined };
}
