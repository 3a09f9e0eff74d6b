import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export const ENDPOINT = 'https://otel.example.com:4318';
export const HANDLER_DIR = path.join(__dirname, 'fixtures', 'handler');

/** A stack in a concrete environment. */
export function concreteStack(region = 'eu-west-1', app = new App()): Stack {
  return new Stack(app, `Stack-${region}`, { env: { account: '123456789012', region } });
}

/** An environment-agnostic stack. */
export function agnosticStack(app = new App()): Stack {
  return new Stack(app, 'Agnostic');
}

export interface FnOptions {
  readonly runtime?: lambda.Runtime;
  readonly architecture?: lambda.Architecture;
  readonly code?: 'asset' | 'inline' | 's3';
  readonly environment?: Record<string, string>;
  readonly layers?: lambda.ILayerVersion[];
}

/** A function with local asset code (default), inline code or S3 code. */
export function fn(scope: Construct, id: string, opts: FnOptions = {}): lambda.Function {
  const runtime = opts.runtime ?? lambda.Runtime.NODEJS_22_X;
  let code: lambda.Code;
  switch (opts.code ?? 'asset') {
    case 'asset': code = lambda.Code.fromAsset(HANDLER_DIR); break;
    case 'inline': code = lambda.Code.fromInline('exports.handler = async () => 1;'); break;
    case 's3': code = lambda.Code.fromBucket(s3.Bucket.fromBucketName(scope, `${id}Bucket`, 'my-code-bucket'), 'code.zip'); break;
  }
  return new lambda.Function(scope, id, {
    runtime,
    architecture: opts.architecture,
    handler: 'index.handler',
    code,
    environment: opts.environment,
    layers: opts.layers,
  });
}

/** The staged directory of an asset in the cloud assembly, by its S3 key (hash.zip). */
export function stagedAssetDir(app: App, s3Key: string): string {
  const outdir = app.synth().directory;
  return path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}

/** Read collector.yaml from an asset or config-layer directory. */
export function readFile(dir: string, ...rel: string[]): string {
  return fs.readFileSync(path.join(dir, ...rel), 'utf8');
}

/**
 * The collector.yaml the function `fnProps` (its template properties) of `stack` gets, followed
 * from its OPENTELEMETRY_COLLECTOR_CONFIG_URI to the file in the cloud assembly: in its code
 * bundle (`ConfigDelivery.BUNDLE`) or in its config layer (`LAYER`, the default).
 */
export function deliveredConfigYaml(app: App, stack: Stack, fnProps: any): string {
  const uri: string = fnProps.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
  if (uri === '/var/task/collector.yaml') return readFile(stagedAssetDir(app, fnProps.Code.S3Key), 'collector.yaml');
  if (uri !== '/opt/clickstack/collector.yaml') throw new Error(`collector.yaml is not in a file: ${uri}`);
  const template = app.synth().getStackByName(stack.stackName).template;
  const ref = (fnProps.Layers as any[]).find(l => l.Ref !== undefined).Ref;
  return readFile(stagedAssetDir(app, template.Resources[ref].Properties.Content.S3Key), 'clickstack', 'collector.yaml');
}
