/**
 * The README's "Every function of a stack, in one line" in TypeScript, as a stack of the bindings
 * app: the reference the Python, Java and Go stacks of the same name are compared with. The lines
 * between README:start and README:end are the README's TypeScript block (which jsii-rosetta also
 * compiles, and translates into the README's C# block); scripts/check-readme-languages.ts checks
 * them, and the same region of each other language's ReadmeStack.
 */
import * as path from 'path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ClickStackAspect, IngestionKey } from '../../../lib';

export class ReadmeStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps, handlers: string) {
    super(scope, id, props);
    new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(handlers, 'node')),
    });

    // README:start
    // In a stack's constructor: every function of this stack, nested stacks included.
    const key = secretsmanager.Secret.fromSecretNameV2(this, 'ClickStackKey', 'clickstack/ingestion-key');
    new ClickStackAspect({
      endpoint: 'https://clickstack.example.com:4318',
      ingestionKey: IngestionKey.fromSecret(key),
    }).applyTo(this);
    // README:end
  }
}
