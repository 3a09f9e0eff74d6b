import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { concreteStack, ENDPOINT, fn } from './helpers';
import { ClickStackInstrumentation, IngestionKey } from '../src';

/** A stack with asset, inline and arm64 functions and a key secret; instrumented or not. */
function appWith(instrumented: boolean): { app: App; stack: Stack } {
  const app = new App();
  const stack = concreteStack('eu-west-1', app);
  const secret = new secretsmanager.Secret(stack, 'Key');
  const fns = [
    fn(stack, 'Node'),
    fn(stack, 'Py', { runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.ARM_64, code: 'inline' }),
    fn(stack, 'Java', { runtime: lambda.Runtime.JAVA_21, code: 's3' }),
  ];
  if (instrumented) {
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(secret), functions: fns });
  }
  return { app, stack };
}

/** cdk-nag AwsSolutions findings as `rule @ resource kind`, counted. */
function nagFindings(instrumented: boolean): string[] {
  const { stack } = appWith(instrumented);
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const annotations = Annotations.fromStack(stack);
  const messages = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-'))];
  return messages.map(m => `${String(m.entry.data).split(':')[0]} @ ${m.id.replace(/\/(Node|Py|Java)\b.*/, '/<fn>')}`).sort();
}

test('instrumentation adds no cdk-nag AwsSolutions finding', () => {
  const before = nagFindings(false);
  const after = nagFindings(true);
  // Same findings on the same resources: the functions' own (IAM4 managed policy, L1 runtime) and the secret's.
  expect(after).toEqual(before);
  expect(before.length).toBeGreaterThan(0); // the checks did run
});

/** Findings of the CloudFormation validation newer aws-cdk-lib runs at synth, if it runs. */
function validationFindings(instrumented: boolean): string[] | undefined {
  const previous = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    const { app } = appWith(instrumented);
    const dir = app.synth().directory;
    const report = fs.readdirSync(dir).find(f => /validation.*report.*\.json$/i.test(f) || /report.*validation.*\.json$/i.test(f));
    if (!report) return undefined;
    const text = fs.readFileSync(path.join(dir, report), 'utf8');
    const json = JSON.parse(text);
    const violations: string[] = [];
    const walk = (v: any) => {
      if (Array.isArray(v)) {v.forEach(walk);} else if (v && typeof v === 'object') {
        if (typeof v.ruleName === 'string') violations.push(`${v.ruleName}`);
        Object.values(v).forEach(walk);
      }
    };
    walk(json);
    return violations.sort();
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION; else process.env.CDK_VALIDATION = previous;
  }
}

test('instrumentation adds no finding to the CloudFormation validation aws-cdk-lib runs at synth', () => {
  const before = validationFindings(false);
  const after = validationFindings(true);
  // aws-cdk-lib versions without this validation write no report: nothing to compare.
  expect(after).toEqual(before);
});

