/**
 * Plain Stages, no CDK Pipelines: a stack in the App, a Stage `Dev` with a stack, and a Stage
 * `Dev/Preview` nested in it. aws-cdk-lib synthesizes nested Stages before it runs the App's
 * aspects, and does not carry the App's aspects into them.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import { ACCOUNT, nodeFunction, pythonFunction } from './common';

export function stagesApp(app: App): void {
  const env = { account: ACCOUNT, region: 'eu-west-1' };
  const shared = new Stack(app, 'Shared', { env });
  nodeFunction(shared, 'Audit');
  const dev = new Stage(app, 'Dev', { env });
  const api = new Stack(dev, 'Api');
  nodeFunction(api, 'Handler');
  pythonFunction(api, 'Reports');
  const preview = new Stage(dev, 'Preview');
  nodeFunction(new Stack(preview, 'Api'), 'Handler');
}
