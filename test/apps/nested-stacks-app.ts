/**
 * A stack with two NestedStacks, one inside the other, with functions in each. Every plain function's
 * code is the same local directory (one asset hash); in the inner nested stack two functions share
 * one `Code` object, as `const code = Code.fromAsset('dist')` apps do; one is a `NodejsFunction`
 * (bundled locally with esbuild).
 */
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundledFunction, HANDLER_DIR, nodeFunction, pythonFunction } from './common';

export function nestedStacksApp(app: App): void {
  // Environment-agnostic, as many apps are: layer ARNs come from a per-stack mapping on AWS::Region.
  const stack = new Stack(app, 'Platform');
  nodeFunction(stack, 'Gateway');
  const services = new NestedStack(stack, 'Services');
  nodeFunction(services, 'Users');
  bundledFunction(services, 'Sessions');
  pythonFunction(services, 'Search');
  const jobs = new NestedStack(services, 'Jobs');
  const code = lambda.Code.fromAsset(HANDLER_DIR);
  nodeFunction(jobs, 'Nightly', { code });
  nodeFunction(jobs, 'Hourly', { code, architecture: lambda.Architecture.ARM_64 });
}
