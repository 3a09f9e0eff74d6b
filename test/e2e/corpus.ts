/**
 * The corpus: every collector configuration the library generates, produced by the library itself
 * (synthesized functions, never hand-written YAML), as the product of the dimensions below. Each
 * dimension is a list of named values that contribute options; a new library option is one more
 * dimension (or one more value of an existing one). A combination the library refuses is recorded
 * with the library's message, never dropped silently.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClickStackInstrumentation, ClickStackOptions, CollectorLayer, ConfigDelivery, IngestionKey, TelemetryApiType } from '../../src';
import { FunctionLayout, functionLayouts } from './lambda/layout';

/** Options a dimension value contributes; `scope` is the stack, for values that need constructs. */
type Contribution = (scope: Stack, id: string) => Partial<Mutable<ClickStackOptions>>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Dimension {
  readonly name: string;
  readonly values: ReadonlyArray<{ readonly name: string; readonly options: Contribution }>;
}

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstack-ingestion-AbCdEf';
/** A JSON secret, for the key with a JSON field. */
export const SECRET_JSON_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstack-json-AbCdEf';
export const SECRET_JSON_FIELD = 'apiKey';
export const PLAIN_KEY = 'plain-key-0123';
export const ENDPOINT = 'https://clickstack.example.com:4318';

/** Collector releases of the catalog: every static CollectorLayer with a version. */
export function catalogCollectorReleases(): CollectorLayer[] {
  const seen = new Set<string>();
  return Object.values(CollectorLayer)
    .filter((v): v is CollectorLayer => v instanceof CollectorLayer && v.version !== undefined)
    .filter(v => !seen.has(v.version!) && seen.add(v.version!) !== undefined);
}

/** Dimensions that make one stack (each stack is synthesized once). */
export function stackDimensions(): Dimension[] {
  return [
    { name: 'release', values: catalogCollectorReleases().map(r => ({ name: r.version!, options: () => ({ collectorLayer: r }) })) },
    {
      name: 'delivery',
      values: [
        { name: 'bundle', options: () => ({ configDelivery: ConfigDelivery.BUNDLE }) },
        { name: 'layer', options: () => ({ configDelivery: ConfigDelivery.LAYER }) },
        { name: 'environment', options: () => ({ configDelivery: ConfigDelivery.ENVIRONMENT }) },
      ],
    },
  ];
}

/** Dimensions varied between the functions of one stack. */
export function functionDimensions(): Dimension[] {
  return [
    { name: 'debug', values: [{ name: 'off', options: () => ({}) }, { name: 'on', options: () => ({ debug: true }) }] },
    {
      name: 'lambdaTelemetry',
      values: [
        { name: 'none', options: () => ({}) },
        { name: 'function', options: () => ({ lambdaTelemetry: [TelemetryApiType.FUNCTION] }) },
        { name: 'platform+function', options: () => ({ lambdaTelemetry: [TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION] }) },
        { name: 'all', options: () => ({ lambdaTelemetry: [TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION, TelemetryApiType.EXTENSION] }) },
      ],
    },
    {
      name: 'key',
      values: [
        { name: 'none', options: () => ({}) },
        { name: 'secret', options: (s, id) => ({ ingestionKey: IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(s, `${id}Secret`, SECRET_ARN)) }) },
        { name: 'secret#field', options: (s, id) => ({ ingestionKey: IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(s, `${id}Secret`, SECRET_JSON_ARN), SECRET_JSON_FIELD) }) },
        { name: 'secret-token-arn', options: (s, id) => ({ ingestionKey: IngestionKey.fromSecret(new secretsmanager.Secret(s, `${id}Secret`)) }) },
        { name: 'plain', options: () => ({ ingestionKey: IngestionKey.unsafePlainText(PLAIN_KEY) }) },
        { name: 'plain-token', options: (s, id) => ({ ingestionKey: IngestionKey.unsafePlainText(new CfnParameter(s, `${id}Key`, { type: 'String', noEcho: true }).valueAsString) }) },
      ],
    },
    // Resource attributes: with lambdaTelemetry, they reach the Telemetry API logs through a
    // `transform` (collector layer 0.22.0+) or `resource` processor (older) first in the logs pipeline.
    {
      name: 'attributes',
      values: [
        { name: 'none', options: () => ({}) },
        { name: 'some', options: () => ({ deploymentEnvironment: 'corpus', resourceAttributes: { 'team': 'o\'brien "q" $x', 'cost.center': '42' } }) },
      ],
    },
    // Where the function runs: on demand, or on Lambda Managed Instances (a capacity provider,
    // read by the library from the L1 capacityProviderConfig; set below, on the function).
    { name: 'placement', values: [{ name: 'on-demand', options: () => ({}) }, { name: 'managed-instances', options: () => ({}) }] },
    {
      name: 'endpoint',
      values: [
        { name: 'literal', options: () => ({ endpoint: ENDPOINT }) },
        { name: 'token', options: (s, id) => ({ endpoint: new CfnParameter(s, `${id}Endpoint`, { type: 'String' }).valueAsString }) },
      ],
    },
  ];
}

function product(dims: Dimension[]): Array<Array<{ dim: string; name: string; options: Contribution }>> {
  return dims.reduce<Array<Array<{ dim: string; name: string; options: Contribution }>>>(
    (acc, d) => acc.flatMap(combo => d.values.map(v => [...combo, { dim: d.name, ...v }])), [[]]);
}

export interface CorpusCase {
  /** `release=0.23.0 delivery=bundle debug=off ...` */
  readonly name: string;
  readonly dims: Record<string, string>;
  readonly assemblyDir: string;
  readonly layout: FunctionLayout;
  /** Values for the template's parameters and secrets (what a deployment would supply). */
  readonly refs: Record<string, string>;
}

export interface Corpus {
  readonly cases: CorpusCase[];
  /** Combinations the library refused, with its message. */
  readonly refused: Array<{ name: string; message: string }>;
}

export const TOKEN_ENDPOINT_VALUE = 'https://token-endpoint.example.com:4318';
export const TOKEN_KEY_VALUE = 'token-key-0123';

/** Synthesize the corpus into `outDir` (one cloud assembly per stack combination). */
export function generateCorpus(outDir: string, handlerDir: string): Corpus {
  const cases: CorpusCase[] = [];
  const refused: Corpus['refused'] = [];
  for (const stackCombo of product(stackDimensions())) {
    const stackName = stackCombo.map(c => c.name).join('-').replace(/[^A-Za-z0-9-]/g, '-');
    const assemblyDir = path.join(outDir, stackName);
    // Up to 192 functions a stack: past CloudFormation's 500 resources, which only deploying checks.
    const app = new App({ outdir: assemblyDir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
    const stack = new Stack(app, 'Corpus', { env: { account: '123456789012', region: 'eu-west-1' } });
    const byFunction = new Map<string, { name: string; dims: Record<string, string> }>();
    const refs: Record<string, string> = {};
    product(functionDimensions()).forEach((fnCombo, i) => {
      const id = `F${i}`;
      const combo = [...stackCombo, ...fnCombo];
      const dims = Object.fromEntries(combo.map(c => [c.dim, c.name]));
      const name = combo.map(c => `${c.dim}=${c.name}`).join(' ');
      const options = Object.assign({}, ...combo.map(c => c.options(stack, id))) as ClickStackOptions;
      const fn = new lambda.Function(stack, id, {
        runtime: lambda.Runtime.PROVIDED_AL2023, handler: 'bootstrap', code: lambda.Code.fromAsset(handlerDir),
      });
      if (dims.placement === 'managed-instances') {
        // What capacityProvider.addFunction(fn) sets (aws-cdk-lib 2.231+), on any version.
        const arn = 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:corpus';
        const cfn = fn.node.defaultChild as unknown as { capacityProviderConfig: unknown };
        cfn.capacityProviderConfig = { lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn: arn } };
      }
      try {
        new ClickStackInstrumentation(stack, `${id}Otel`, { ...options, functions: [fn] });
      } catch (e) {
        refused.push({ name, message: (e as Error).message });
        stack.node.tryRemoveChild(id);
        stack.node.tryRemoveChild(`${id}Otel`);
        return;
      }
      refs[`${id}Endpoint`] = TOKEN_ENDPOINT_VALUE;
      refs[`${id}Key`] = TOKEN_KEY_VALUE;
      byFunction.set(id, { name, dims });
    });
    app.synth();
    for (const layout of functionLayouts(assemblyDir, `${stack.artifactId}.template.json`, { refs })) {
      const id = layout.logicalId.replace(/[0-9A-F]{8}$/, '');
      const meta = byFunction.get(id);
      if (!meta) continue;
      cases.push({ ...meta, assemblyDir, layout, refs });
    }
    if (cases.filter(c => c.assemblyDir === assemblyDir).length !== byFunction.size) {
      throw new Error(`corpus: ${stackName} has ${byFunction.size} instrumented functions but the template gave ${cases.filter(c => c.assemblyDir === assemblyDir).length}`);
    }
  }
  return { cases, refused };
}

/** Write a small handler directory (a `bootstrap` for provided.al2023) for the corpus. */
export function writeHandlerDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'bootstrap'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return dir;
}
