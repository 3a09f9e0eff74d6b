import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack } from './cdk';

/*
 * What a function holds now, read through its L1 resource and resolved: the planner reads it
 * before instrumenting, the synth-time validation reads it again once the app is complete.
 */

/** The function's current environment variables, resolved. */
export function currentEnvironment(fn: lambda.Function): Record<string, unknown> {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  return (Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
}

/** The function's handler, resolved (undefined for a container image). */
export function handlerOf(fn: lambda.Function): unknown {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  return cfn.handler === undefined ? undefined : Stack.of(fn).resolve(cfn.handler);
}

/** An L1 property by name, resolved: it may not exist in the oldest aws-cdk-lib this library supports. */
export function l1Property(fn: lambda.Function, name: string): unknown {
  const value = (fn.node.defaultChild as unknown as Record<string, unknown>)[name];
  return value === undefined || value === null ? undefined : Stack.of(fn).resolve(value);
}
