import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as YAML from 'yaml';
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

describe('asBearerToken(): `Bearer <key>` for the managed OTLP endpoint', () => {
  /** The exporter's authorization header, read from the YAML as the collector reads it. */
  const header = (yamlText: string) => {
    const config = YAML.parse(yamlText);
    const exporters = Object.values(config.exporters) as any[];
    const withHeaders = exporters.filter(e => e?.headers);
    expect(withHeaders).toHaveLength(1);
    return withHeaders[0].headers.authorization as string;
  };

  test('a secret with a concrete ARN: the header is `Bearer ` and the reference; the same grant, no key in the template', () => {
    const { yaml, template, props } = setup(s => IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(s, 'K', SECRET_ARN)).asBearerToken());
    expect(header(yaml)).toBe(`Bearer \${secretsmanager:${SECRET_ARN}}`);
    expect(props.Environment.Variables.CLICKSTACK_INGESTION_KEY_SECRET_ARN).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARN }] },
    });
  });

  test('a secret of the stack with a JSON field: the nested reference behind the prefix, and its variable', () => {
    const { yaml, props } = setup(s => IngestionKey.fromSecret(new secretsmanager.Secret(s, 'Key'), 'apiKey').asBearerToken());
    expect(header(yaml)).toBe('Bearer ${secretsmanager:${env:CLICKSTACK_INGESTION_KEY_SECRET_ARN}#apiKey}');
    expect(props.Environment.Variables.CLICKSTACK_INGESTION_KEY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^Key/) });
  });

  test('a plain-text key: `Bearer ` and the key ($ escaped), still with the plain-text warning; a token key goes through its variable', () => {
    const plain = setup(() => IngestionKey.unsafePlainText('k3y-$ecret').asBearerToken());
    expect(header(plain.yaml)).toBe('Bearer k3y-$$ecret');
    Annotations.fromStack(plain.stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('plain text'));
    const token = setup(s => IngestionKey.unsafePlainText(new CfnParameter(s, 'Key', { noEcho: true }).valueAsString).asBearerToken());
    expect(header(token.yaml)).toBe('Bearer ${env:CLICKSTACK_INGESTION_KEY}');
    expect(token.props.Environment.Variables.CLICKSTACK_INGESTION_KEY).toEqual({ Ref: 'Key' });
  });

  test('the key it was made from is unchanged, and a second asBearerToken() is refused', () => {
    const key = IngestionKey.unsafePlainText('k3y');
    const bearer = key.asBearerToken();
    expect(key._reference().headerValue).toBe('k3y');
    expect(bearer._reference().headerValue).toBe('Bearer k3y');
    expect(() => bearer.asBearerToken()).toThrow('asBearerToken() was called on a key that is already sent as a Bearer token; call it once');
  });

  test('the whole cloud assembly holds only the reference for a Bearer key from a secret', () => {
    const secret = setup(s => IngestionKey.fromSecret(new secretsmanager.Secret(s, 'Key')).asBearerToken());
    const all = wholeAssembly(secret.app);
    expect(all).toContain('Bearer ${secretsmanager:${env:CLICKSTACK_INGESTION_KEY_SECRET_ARN}}');
    expect(all).not.toMatch(/authorization: (?!(['"]?Bearer )?\$\{secretsmanager:)/);
  });

  test('idempotence tells the two forms apart: the same function with the key as it is and as Bearer is a conflict', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const f = fn(stack, 'Fn');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'K', SECRET_ARN);
    new ClickStackInstrumentation(stack, 'AsIs', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(secret), functions: [f] });
    // The same form again is a no-op ...
    new ClickStackInstrumentation(stack, 'AsIsAgain', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(secret), functions: [f] });
    // ... the other form is refused.
    expect(() => new ClickStackInstrumentation(stack, 'Bearer', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(secret).asBearerToken(), functions: [f] }))
      .toThrow(/already instrumented by Stack-eu-west-1\/AsIs with other options than Stack-eu-west-1\/Bearer/);
  });
});
