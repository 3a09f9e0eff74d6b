/** Pieces shared by the app builders of the "apps like yours" set. */
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

export const ACCOUNT = '111111111111';
export const FIXTURES = path.join(__dirname, '..', 'fixtures');
/** `index.js` (Node.js, `index.handler`) and `app.py` (Python, `app.handler`). */
export const HANDLER_DIR = path.join(FIXTURES, 'handler');

export function nodeFunction(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(HANDLER_DIR),
    ...props,
  });
}

export function pythonFunction(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'app.handler',
    code: lambda.Code.fromAsset(HANDLER_DIR),
    ...props,
  });
}

/** A TypeScript handler bundled locally with esbuild (no Docker). */
export function bundledFunction(scope: Construct, id: string): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, id, {
    entry: path.join(FIXTURES, 'nodejs', 'index.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    bundling: { forceDockerBundling: false },
  });
}
