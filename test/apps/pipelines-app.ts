/**
 * A CDK Pipelines app: a `pipelines.CodePipeline` in its own stack, deploying two Stages (Beta,
 * and Prod with a nested Stage `Canary` inside), each holding an API stack and a worker stack.
 */
import { App, Aspects, AspectPriority, Duration, IAspect, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventsources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ACCOUNT, nodeFunction, pythonFunction } from './common';

export const PIPELINE_REGION = 'eu-west-1';

/** Where the aspect is added. */
export type PipelineAspectMode =
  /** `Aspects.of(app).add(aspect)` only: the way that reaches no function of a Pipelines app. */
  | 'app'
  /** `Aspects.of(stage).add(aspect)` on each Stage given to `pipeline.addStage()`, before the call (not on `Prod/Canary`). */
  | 'stage'
  /** As `stage`, and on every Stage nested in it (`Prod/Canary`) too: the pattern of docs/real-apps.md. */
  | 'stageTree';

export interface PipelinesAppProps {
  /** The aspect under test; none: the app without instrumentation. */
  readonly aspect?: IAspect;
  /** @default 'stageTree' */
  readonly mode?: PipelineAspectMode;
}

class ApiStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const orders = nodeFunction(this, 'Orders');
    // Served through an alias of its current version, as apps with provisioned concurrency do.
    const live = new lambda.Alias(this, 'OrdersLive', { aliasName: 'live', version: orders.currentVersion });
    const reports = pythonFunction(this, 'Reports', { timeout: Duration.seconds(30) });
    const api = new apigateway.RestApi(this, 'Api', { deploy: true });
    api.root.addResource('orders').addMethod('GET', new apigateway.LambdaIntegration(live));
    api.root.addResource('reports').addMethod('GET', new apigateway.LambdaIntegration(reports));
    // A CDK-internal handler: AwsCustomResource's SingletonFunction (code inside aws-cdk-lib).
    new cr.AwsCustomResource(this, 'LookupConfig', {
      onUpdate: {
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: '/app/config' },
        physicalResourceId: cr.PhysicalResourceId.of('app-config'),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
  }
}

class WorkerStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const queue = new sqs.Queue(this, 'Jobs', { visibilityTimeout: Duration.seconds(60) });
    const worker = nodeFunction(this, 'Worker', { timeout: Duration.seconds(30), architecture: lambda.Architecture.ARM_64 });
    worker.addEventSource(new eventsources.SqsEventSource(queue));
  }
}

/** The application: what every Stage of the pipeline deploys. */
export class ServiceStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    new ApiStack(this, 'Api', { env: props.env });
    new WorkerStack(this, 'Worker', { env: props.env });
  }
}

/** Prod: the service, and a canary Stage nested inside. */
export class ProdStage extends ServiceStage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const canary = new Stage(this, 'Canary', { env: props.env });
    new WorkerStack(canary, 'Probe', { env: props.env });
  }
}

export function pipelinesApp(app: App, props: PipelinesAppProps = {}): void {
  const env = { account: ACCOUNT, region: PIPELINE_REGION };
  const mode = props.mode ?? 'stageTree';
  const aspect = props.aspect;
  if (aspect && mode === 'app') Aspects.of(app).add(aspect, { priority: AspectPriority.MUTATING });

  const stack = new Stack(app, 'PipelineStack', { env });
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection('example-org/service', 'main', {
        connectionArn: `arn:aws:codestar-connections:${PIPELINE_REGION}:${ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`,
      }),
      commands: ['npm ci', 'npm run build', 'npx cdk synth'],
    }),
  });
  const stages: Stage[] = [new ServiceStage(app, 'Beta', { env }), new ProdStage(app, 'Prod', { env })];
  for (const stage of stages) {
    if (aspect && mode !== 'app') {
      const targets = mode === 'stageTree' ? stage.node.findAll().filter(Stage.isStage) : [stage];
      for (const target of targets) Aspects.of(target).add(aspect, { priority: AspectPriority.MUTATING });
    }
    pipeline.addStage(stage);
  }
}
