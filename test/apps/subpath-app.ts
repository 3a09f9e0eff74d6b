/**
 * An app that imports only aws-cdk-lib submodules (`aws-cdk-lib/core`, `aws-cdk-lib/aws-lambda`),
 * as the serverless-patterns apps do: ten functions in one stack, inline code, half Node.js and
 * half Python. The type-check benchmark (scripts/bench-typecheck.ts) runs this file with ts-node
 * and type-checking, with and without the library: keep its imports to those two submodules.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { App, Stack } from 'aws-cdk-lib/core';

export const SUBPATH_FUNCTIONS = 10;

export function subpathApp(app: App): Stack {
  const stack = new Stack(app, 'Subpath', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (let i = 0; i < SUBPATH_FUNCTIONS; i++) {
    const node = i % 2 === 0;
    new lambda.Function(stack, `Fn${i}`, {
      runtime: node ? lambda.Runtime.NODEJS_22_X : lambda.Runtime.PYTHON_3_13,
      architecture: i % 4 < 2 ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      handler: 'index.handler', // index.js or index.py
      code: lambda.Code.fromInline(node ? 'exports.handler = async () => ({ statusCode: 200 });' : 'def handler(event, context):\n    return {"statusCode": 200}\n'),
    });
  }
  return stack;
}
