import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Role, Stack } from '../cdk';
import { Refusal } from '../plan-model';

export const LAMBDA_AT_EDGE = 'it serves as Lambda@Edge (its role trusts edgelambda.amazonaws.com), and Lambda@Edge accepts neither layers nor environment variables';

/**
 * True when the function serves as Lambda@Edge: its role trusts `edgelambda.amazonaws.com`.
 * aws-cdk-lib adds that trust for every function version given to a CloudFront `Distribution`'s
 * `edgeLambdas` (aws-cloudfront/lib/private/cache-behavior.ts, grantEdgeLambdaFunctionExecutionRole),
 * to `CloudFrontWebDistribution` lambda associations, and to `experimental.EdgeFunction` in us-east-1
 * or in its own `edge-lambda-stack-…` (experimental/edge-function.ts,
 * addEdgeLambdaToRoleTrustStatement). The document is rendered, not resolved, so nothing freezes.
 */
export function servesLambdaAtEdge(fn: lambda.Function): boolean {
  const role = fn.role;
  // A function's own role trusts lambda.amazonaws.com in one statement; each of those aws-cdk-lib
  // APIs adds a statement of its own. So one statement means no edge use, with no rendering
  // (this runs for every function).
  if (!(role instanceof Role) || !role.assumeRolePolicy || role.assumeRolePolicy.statementCount < 2) return false;
  const rendered = Stack.of(role).resolve(role.assumeRolePolicy.toJSON());
  return JSON.stringify(rendered).includes('edgelambda.amazonaws.com');
}

/** Rule: a Lambda@Edge function takes neither layers nor variables. */
export function edgeRule(fn: lambda.Function): Refusal | undefined {
  return servesLambdaAtEdge(fn) ? { kind: 'edge', why: `${LAMBDA_AT_EDGE}; leave it out of the instrumentation` } : undefined;
}
