import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/*
 * The aws-cdk-lib exports read on every instrumented function, bound once.
 *
 * aws-cdk-lib's index files export lazily: each read of `cdk.Stack` or `lambda.Architecture`
 * runs one getter per index level, each calling require() (module resolution included), about
 * 1 to 3 µs a read. The per-function code of this library reads such exports dozens of times
 * per function, which made the getters a third of its own synth-time cost (CPU profile, 500
 * inline functions). Every class bound here is one that an app with a stack and a Lambda
 * function loads anyway, so binding them when this library loads loads nothing synth would not.
 * Types keep coming from aws-cdk-lib.
 */
export const { Aspects, Lazy, Stack, Stage, Token } = cdk;
export const { Role } = iam;
export const { Architecture, Function: LambdaFunction, Runtime } = lambda;

/** `Architecture.ARM_64.name`, read once. */
export const ARM_64 = Architecture.ARM_64.name;
