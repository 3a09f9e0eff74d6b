import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { concreteStack, deliveredConfigYaml, ENDPOINT, fn } from './helpers';
import { ClickStackInstrumentation, IngestionKey } from '../src';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstack-key-AbCdEf';

function setup(key: (stack: Stack) => IngestionKey | undefined, fnOpts = {}) {
  const app = new App();
  const stack = concreteStack('eu-west-1', app);
  const f = fn(stack, 'Fn', fnOpts);
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, ingestionKey: key(stack), functions: [f] });
  const template = Template.fromStack(stack);
  const props = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties;
  const yaml = deliveredConfigYaml(app, stack, props);
  return { app, stack, template, props, yaml };
}

test('no key: no authorization header', () => {
  const { yaml } = setup(() => undefined);
  expect(yaml).not.toContain('authorization');
  expect(yaml).not.toContain('headers');
});

test('an imported secret with a concrete ARN is referenced in collector.yaml and granted GetSecretValue only', () => {
  const { yaml, template, props } = setup(s => IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(s, 'K', SECRET_ARN)));
  expect(yaml).toContain(`authorization: \${secretsmanager:${SECRET_ARN}}`);
  expect(props.Environment.Variables.CLICKSTACK_INGESTION_KEY_SECRET_ARN).toBeUndefined();
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARN }] },
  });
});

test('a secret created in the stack goes through an environment variable and a nested reference, with a JSON field', () => {
  const { yaml, props, template } = setup(s => IngestionKey.fromSecret(new secretsmanager.Secret(s, 'Key'), 'apiKey'));
  expect(yaml).toContain('authorization: ${secretsmanager:${env:CLICKSTACK_INGESTION_KEY_SECRET_ARN}#apiKey}');
  expect(props.Environment.Variables.CLICKSTACK_INGESTION_KEY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^Key/) });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [{ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: Match.stringLikeRegexp('^Key') } }] },
  });
});

test('a secret imported by name is granted with the random suffix matched', () => {
  const { template } = setup(s => IngestionKey.fromSecret(secretsmanager.Secret.fromSecretNameV2(s, 'K', 'clickstack/key')));
  const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  expect(policy).toContain(':secret:clickstack/key-??????');
});

test('a secret with a customer-managed key also grants kms:Decrypt on that key', () => {
  const { template } = setup(s => IngestionKey.fromSecret(new secretsmanager.Secret(s, 'Key', { encryptionKey: new kms.Key(s, 'Cmk') })));
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cmk'), 'Arn'] } })]) },
  });
});

test('unsafePlainText writes the key into collector.yaml and leaves a warning', () => {
  const { yaml, stack } = setup(() => IngestionKey.unsafePlainText('k3y-$ecret'));
  expect(yaml).toContain('authorization: k3y-$$ecret');
  Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('plain text'));
});

test('an imported role that cannot be changed gets a warning naming the permission', () => {
  const app = new App();
  const stack = concreteStack('eu-west-1', app);
  const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/fixed', { mutable: false });
  const f = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), role });
  new ClickStackInstrumentation(stack, 'Otel', {
    endpoint: ENDPOINT,
    ingestionKey: IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'K', SECRET_ARN)),
    functions: [f],
  });
  Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp(`make sure it has secretsmanager:GetSecretValue on ${SECRET_ARN}`));
});

/** Every file of the cloud assembly, concatenated. */
function wholeAssembly(app: App): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else files.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(app.synth().directory);
  return files.join('\n');
}

test('the whole cloud assembly holds a plain-text key, and only a reference for a fromSecret key', () => {
  // Control: the search finds a key that is there.
  const plain = setup(() => IngestionKey.unsafePlainText('PLAINTEXT-KEY-0123456789'));
  expect(wholeAssembly(plain.app)).toContain('PLAINTEXT-KEY-0123456789');

  const secret = setup(s => IngestionKey.fromSecret(new secretsmanager.Secret(s, 'Key')));
  const all = wholeAssembly(secret.app);
  expect(all).toContain('authorization: ${secretsmanager:${env:CLICKSTACK_INGESTION_KEY_SECRET_ARN}}');
  expect(all).not.toMatch(/authorization: (?!\$\{secretsmanager:)/);
});

test('throws for a JSON field that would break the reference', () => {
  const stack = concreteStack();
  expect(() => IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'K', SECRET_ARN), 'a}b')).toThrow(/JSON field 'a}b'/);
});
