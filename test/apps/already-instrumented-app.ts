/**
 * Functions that are already instrumented by someone else: aws-cdk-lib's own ADOT support, an
 * OpenTelemetry layer and exec wrapper added by hand, a collector layer alone; and an ordinary one.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT, nodeFunction } from './common';

export const REGION = 'eu-west-1';
export const MANUAL_NODE_LAYER = `arn:aws:lambda:${REGION}:184161586896:layer:opentelemetry-nodejs-0_23_0:1`;
export const MANUAL_COLLECTOR_LAYER = `arn:aws:lambda:${REGION}:184161586896:layer:opentelemetry-collector-amd64-0_23_0:1`;

export function alreadyInstrumentedApp(app: App, opts: { collectorOnly?: boolean } = {}): void {
  const stack = new Stack(app, 'Legacy', { env: { account: ACCOUNT, region: REGION } });
  nodeFunction(stack, 'Adot', {
    adotInstrumentation: {
      layerVersion: lambda.AdotLayerVersion.fromJavaScriptSdkLayerVersion(lambda.AdotLambdaLayerJavaScriptSdkVersion.LATEST),
      execWrapper: lambda.AdotLambdaExecWrapper.REGULAR_HANDLER,
    },
  });
  nodeFunction(stack, 'ManualOtel', {
    layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'OtelNode', MANUAL_NODE_LAYER)],
    environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' },
  });
  if (opts.collectorOnly ?? true) {
    nodeFunction(stack, 'CollectorOnly', {
      layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'OtelCollector', MANUAL_COLLECTOR_LAYER)],
    });
  }
  nodeFunction(stack, 'Plain');
}
