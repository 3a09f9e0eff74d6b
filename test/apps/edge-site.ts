/**
 * A static site on CloudFront with Lambda@Edge, in the three layouts of issue 10, plus an API
 * function that is an ordinary one.
 *
 * - `SiteUsEast1` (us-east-1): an S3-origin Distribution; `ViewerAuth`, a plain `lambda.Function`
 *   used in `edgeLambdas` (through `currentVersion`), defined before or after the Distribution;
 *   `OriginRewrite`, a `cloudfront.experimental.EdgeFunction` in the same stack.
 * - `SiteEuWest1` (eu-west-1): a Distribution and `SecurityHeaders`, an `EdgeFunction` defined
 *   outside us-east-1, which puts its function in a stack of its own, `edge-lambda-stack-…`, in
 *   us-east-1 (and reads its ARN back with a CDK-internal custom resource).
 * - `Api` (eu-west-1): `Orders`, an ordinary function.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ACCOUNT, HANDLER_DIR, nodeFunction } from './common';

export interface EdgeSiteProps {
  /** Where the plain `lambda.Function` used at the edge is defined, relative to its Distribution. */
  readonly edgeFunctionOrder: 'beforeDistribution' | 'afterDistribution';
}

const edgeCode = () => lambda.Code.fromAsset(HANDLER_DIR);

export function edgeSite(app: App, props: EdgeSiteProps): void {
  const us = new Stack(app, 'SiteUsEast1', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const bucket = new s3.Bucket(us, 'Content');
  const origin = origins.S3BucketOrigin.withOriginAccessControl(bucket);
  const viewerAuth = () => nodeFunction(us, 'ViewerAuth', { code: edgeCode() });
  const originRewrite = new cloudfront.experimental.EdgeFunction(us, 'OriginRewrite', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: edgeCode(),
  });
  const edgeLambdas = (auth: lambda.IFunction): cloudfront.EdgeLambda[] => [
    { functionVersion: (auth as lambda.Function).currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST },
    { functionVersion: originRewrite.currentVersion, eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST },
  ];
  if (props.edgeFunctionOrder === 'beforeDistribution') {
    const auth = viewerAuth();
    new cloudfront.Distribution(us, 'Cdn', { defaultBehavior: { origin, edgeLambdas: edgeLambdas(auth) } });
  } else {
    const distribution = new cloudfront.Distribution(us, 'Cdn', { defaultBehavior: { origin } });
    distribution.addBehavior('/app/*', origin, { edgeLambdas: edgeLambdas(viewerAuth()) });
  }

  const eu = new Stack(app, 'SiteEuWest1', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const headers = new cloudfront.experimental.EdgeFunction(eu, 'SecurityHeaders', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: edgeCode(),
  });
  new cloudfront.Distribution(eu, 'Cdn', {
    defaultBehavior: {
      origin: new origins.HttpOrigin('origin.example.com'),
      edgeLambdas: [{ functionVersion: headers.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE }],
    },
  });

  const api = new Stack(app, 'Api', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  nodeFunction(api, 'Orders');
}
