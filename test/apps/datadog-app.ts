/**
 * An app instrumented with Datadog the three ways Datadog's own Lambda-extension integration-test
 * app does it (DataDog/datadog-lambda-extension integration-tests/lib/stacks: base-node-stack.ts,
 * base-dotnet-stack.ts, otlp.ts; layers and variables from integration-tests/lib/util.ts):
 *
 * 1. handler redirection (Node.js, Python): the handler is Datadog's, the original in
 *    `DD_LAMBDA_HANDLER`, with the tracer and extension layers;
 * 2. the exec wrapper (.NET, Java): `AWS_LAMBDA_EXEC_WRAPPER=/opt/datadog_wrapper`;
 * 3. the extension as an OTLP receiver on localhost:4318 (or :4317 for gRPC), fed by the
 *    function's own OpenTelemetry SDK (`OTEL_EXPORTER_OTLP_ENDPOINT`), on every runtime, Go included.
 *
 * Plus one plain function, which must be instrumented.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ACCOUNT, HANDLER_DIR, nodeFunction } from './common';

export const DATADOG_REGION = 'us-east-1';
const layer = (name: string, version: number) => `arn:aws:lambda:${DATADOG_REGION}:464622532012:layer:${name}:${version}`;
export const DATADOG_LAYERS = {
  extension: layer('Datadog-Extension-ARM', 90),
  node: layer('Datadog-Node24-x', 132),
  python: layer('Datadog-Python313-ARM', 117),
  java: layer('dd-trace-java', 25),
  dotnet: layer('dd-trace-dotnet-ARM', 23),
};

/** What Datadog's defaultDatadogEnvVariables sets (the API key secret's ARN made up). */
const DD_ENV = {
  DD_API_KEY_SECRET_ARN: `arn:aws:secretsmanager:${DATADOG_REGION}:${ACCOUNT}:secret:datadog-api-key-AbCdEf`,
  DD_SITE: 'datadoghq.com',
  DD_ENV: 'integration',
  DD_VERSION: '1.0.0',
  DD_SERVERLESS_FLUSH_STRATEGY: 'end',
  DD_SERVERLESS_LOGS_ENABLED: 'true',
  DD_LOG_LEVEL: 'info',
};

function fn(
  scope: Construct, id: string, runtime: lambda.Runtime, handler: string, environment: Record<string, string>, layers: string[],
): lambda.Function {
  const f = new lambda.Function(scope, id, {
    runtime,
    architecture: lambda.Architecture.ARM_64,
    handler,
    code: lambda.Code.fromAsset(HANDLER_DIR),
    environment: { ...DD_ENV, DD_SERVICE: id, ...environment },
  });
  layers.forEach((arn, i) => f.addLayers(lambda.LayerVersion.fromLayerVersionArn(scope, `${id}Layer${i}`, arn)));
  return f;
}

export function datadogApp(app: App): void {
  const env = { account: ACCOUNT, region: DATADOG_REGION };
  const L = DATADOG_LAYERS;

  // 1. Handler redirection.
  const redirect = new Stack(app, 'DatadogRedirect', { env });
  fn(redirect, 'Node', lambda.Runtime.NODEJS_22_X, '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler',
    { DD_TRACE_ENABLED: 'true', DD_LAMBDA_HANDLER: 'index.handler' }, [L.extension, L.node]);
  fn(redirect, 'Python', lambda.Runtime.PYTHON_3_13, 'datadog_lambda.handler.handler',
    { DD_TRACE_ENABLED: 'true', DD_LAMBDA_HANDLER: 'app.handler' }, [L.extension, L.python]);

  // 2. The exec wrapper, on a runtime with a language layer and on a collector-only one.
  const wrapper = new Stack(app, 'DatadogWrapper', { env });
  fn(wrapper, 'Dotnet', lambda.Runtime.DOTNET_8, 'Function::Function.Handler::FunctionHandler',
    { AWS_LAMBDA_EXEC_WRAPPER: '/opt/datadog_wrapper' }, [L.extension, L.dotnet]);
  fn(wrapper, 'Java', lambda.Runtime.JAVA_21, 'example.Handler::handleRequest',
    { AWS_LAMBDA_EXEC_WRAPPER: '/opt/datadog_wrapper' }, [L.extension, L.java]);

  // 3. The extension as an OTLP receiver on the collector's ports.
  const otlp = new Stack(app, 'DatadogOtlp', { env });
  const http = (service: string) => ({
    DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: 'localhost:4318',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: service,
  });
  fn(otlp, 'Node', lambda.Runtime.NODEJS_22_X, 'index.handler', http('node'), [L.extension]);
  fn(otlp, 'NodeGrpc', lambda.Runtime.NODEJS_22_X, 'grpc-handler.handler', {
    DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT: 'localhost:4317',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  }, [L.extension]);
  fn(otlp, 'Python', lambda.Runtime.PYTHON_3_13, 'app.handler', http('python'), [L.extension]);
  fn(otlp, 'Java', lambda.Runtime.JAVA_21, 'example.Handler::handleRequest', http('java'), [L.extension]);
  fn(otlp, 'Dotnet', lambda.Runtime.DOTNET_8, 'Function::Function.Handler::FunctionHandler', http('dotnet'), [L.extension]);
  fn(otlp, 'Go', lambda.Runtime.PROVIDED_AL2023, 'bootstrap', http('go'), [L.extension]);

  // Not instrumented by anyone.
  nodeFunction(otlp, 'Plain');
}
