import { App, AspectPriority, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { agnosticStack, concreteStack, ENDPOINT, fn } from './helpers';
import { ClickStackAspect, ClickStackInstrumentation } from '../src';

/** Asset hashes change with the fixture bytes and the aws-cdk-lib version; the shape must not. */
function normalized(template: object): unknown {
  return JSON.parse(JSON.stringify(template)
    .replace(/[0-9a-f]{64}(\.zip)?/g, 'ASSET_HASH$1')
    .replace(/ClickStackShared(Config|Code)[0-9a-f]{8}[0-9A-F]{8}/g, 'ClickStackShared$1_ID'));
}

test('snapshot: ClickStackInstrumentation on asset, inline and arm64 functions in a concrete region', () => {
  const stack = concreteStack('eu-west-1', new App());
  new ClickStackInstrumentation(stack, 'Otel', {
    endpoint: ENDPOINT,
    functions: [
      fn(stack, 'Node'),
      fn(stack, 'Python', { runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.ARM_64, code: 'inline' }),
    ],
  });
  expect(normalized(Template.fromStack(stack).toJSON())).toMatchSnapshot();
});

test('snapshot: ClickStackAspect on an environment-agnostic stack', () => {
  const stack = agnosticStack();
  fn(stack, 'Node');
  fn(stack, 'Java', { runtime: lambda.Runtime.JAVA_21, architecture: lambda.Architecture.ARM_64, code: 's3' });
  Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT }), { priority: AspectPriority.MUTATING });
  expect(normalized(Template.fromStack(stack).toJSON())).toMatchSnapshot();
});
