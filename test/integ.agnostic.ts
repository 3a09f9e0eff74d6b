/**
 * Integration test: an environment-agnostic stack where the values are known only at deploy
 * time: the endpoint is a stack parameter, the Node.js runtime is `determineLatestNodeRuntime()`
 * (a token of the Node.js family) and the ingestion key is the `key` field of a JSON secret
 * created by the stack (its ARN is a token).
 *
 * The layer ARNs come from the stack's `ClickStackLayerArns` mapping with `Fn::FindInMap` on
 * `AWS::Region`; the collector reads the endpoint and the secret ARN from environment variables.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClickStackInstrumentation, IngestionKey } from '../src';

const app = new App();
const stack = new Stack(app, 'ClickStackIntegAgnostic');

const endpoint = new CfnParameter(stack, 'ClickStackEndpoint', {
  type: 'String',
  default: 'https://clickstack.example.com:4318',
  description: 'ClickStack OTLP/HTTP endpoint',
});
const key = new secretsmanager.Secret(stack, 'IngestionKey', {
  generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'key', excludePunctuation: true },
});

const latestNode = new lambda.Function(stack, 'LatestNode', {
  runtime: lambda.determineLatestNodeRuntime(stack),
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'integ-handlers', 'node')),
});
const pythonArm = new lambda.Function(stack, 'PythonArm', {
  runtime: lambda.Runtime.PYTHON_3_12,
  architecture: lambda.Architecture.ARM_64,
  handler: 'index.handler',
  code: lambda.Code.fromInline('def handler(event, context):\n    return {"statusCode": 200}\n'),
});

new ClickStackInstrumentation(stack, 'ClickStack', {
  endpoint: endpoint.valueAsString,
  ingestionKey: IngestionKey.fromSecret(key, 'key'),
  functions: [latestNode, pythonArm],
});

// A config layer is replaced whenever the collector config changes: expected, not a regression.
const integ = new IntegTest(app, 'ClickStackAgnosticInteg', { testCases: [stack], allowDestroy: ['AWS::Lambda::LayerVersion'] });
integ.assertions
  .invokeFunction({ functionName: latestNode.functionName })
  .expect(ExpectedResult.objectLike({ StatusCode: 200 }));

app.synth();
