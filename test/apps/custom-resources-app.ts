/**
 * A stack full of CDK's own handler functions beside the user's: `BucketDeployment`,
 * `AwsCustomResource`, a custom-resources `Provider` (whose `onEvent` is the user's function),
 * a bucket with `autoDeleteObjects` (CDK's low-level `CustomResourceProvider`: a bare
 * `AWS::Lambda::Function` resource, not a `lambda.Function`), and `LogRetention`.
 */
import * as path from 'path';
import { App, CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ACCOUNT, FIXTURES, nodeFunction, pythonFunction } from './common';

export function customResourcesApp(app: App): void {
  const stack = new Stack(app, 'Website', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const site = new s3.Bucket(stack, 'Site', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
  new s3deploy.BucketDeployment(stack, 'DeploySite', {
    sources: [s3deploy.Source.asset(path.join(FIXTURES, 'site'))],
    destinationBucket: site,
  });
  new cr.AwsCustomResource(stack, 'DescribeZone', {
    onCreate: {
      service: 'Route53',
      action: 'getHostedZone',
      parameters: { Id: 'Z0000000000000' },
      physicalResourceId: cr.PhysicalResourceId.of('zone'),
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  const onEvent = nodeFunction(stack, 'SeedOnEvent');
  const provider = new cr.Provider(stack, 'SeedProvider', { onEventHandler: onEvent });
  new CustomResource(stack, 'Seed', { serviceToken: provider.serviceToken });

  const api = nodeFunction(stack, 'Api');
  new logs.LogRetention(stack, 'ApiLogRetention', { logGroupName: `/aws/lambda/${api.functionName}`, retention: logs.RetentionDays.ONE_WEEK });
  pythonFunction(stack, 'Thumbnails', { architecture: lambda.Architecture.ARM_64 });
}
