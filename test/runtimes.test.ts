import { CfnParameter } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { agnosticStack, ENDPOINT } from './helpers';
import { ClickStackInstrumentation } from '../src';
import { runtimeSupport } from '../src/runtimes';

/** Every Runtime constant of the installed aws-cdk-lib, by name (aliases included). */
const ALL_RUNTIMES: Array<[string, lambda.Runtime]> = Object.getOwnPropertyNames(lambda.Runtime)
  .map(k => [k, (lambda.Runtime as any)[k]] as [string, unknown])
  .filter((e): e is [string, lambda.Runtime] => e[1] instanceof lambda.Runtime);

const X86 = lambda.Architecture.X86_64.name;
const ARM = lambda.Architecture.ARM_64.name;
const none = () => false;

/** The support table, by runtime name; runtimes not listed must be refused. */
const EXPECTED: Record<string, string> = {
  'nodejs20.x': 'language:nodejs',
  'nodejs22.x': 'language:nodejs',
  'nodejs24.x': 'language:nodejs',
  'python3.10': 'language:python',
  'python3.11': 'language:python',
  'python3.12': 'language:python',
  'python3.13': 'language:python',
  'python3.14': 'language:python',
  'java8.al2': 'language:javaagent',
  'java11': 'language:javaagent',
  'java17': 'language:javaagent',
  'java21': 'language:javaagent',
  'ruby3.3': 'language:ruby',
  'ruby3.4': 'language:ruby',
  'dotnet8': 'collectorOnly',
  'dotnet9': 'collectorOnly',
  'dotnet10': 'collectorOnly',
  'provided.al2': 'collectorOnly',
  'provided.al2023': 'collectorOnly',
};

function describeSupport(runtime: lambda.Runtime, arch: string): string {
  const s = runtimeSupport(runtime, arch, none);
  return s.kind === 'language' ? `language:${s.family}` : s.kind;
}

test('the installed aws-cdk-lib offers the runtimes this table was written for', () => {
  const names = ALL_RUNTIMES.map(([, r]) => r.name);
  for (const n of ['nodejs22.x', 'python3.13', 'java21', 'ruby3.3', 'dotnet8', 'provided.al2023']) expect(names).toContain(n);
});

test.each(ALL_RUNTIMES)('Runtime.%s lands somewhere definite on x86_64', (_key, runtime) => {
  const s = runtimeSupport(runtime, X86, none);
  const expected = EXPECTED[runtime.name] ?? 'refused';
  expect(describeSupport(runtime, X86)).toBe(expected);
  if (s.kind === 'refused') {
    // A reason that names the runtime (or container images) and says what to do.
    expect(s.reason).toMatch(runtime === lambda.Runtime.FROM_IMAGE ? /container-image/ : new RegExp(runtime.name.replace(/\./g, '\\.')));
    expect(s.reason).toMatch(/use|build|bring/);
  }
  if (s.kind === 'language') expect(s.wrapper).toBe('/opt/otel-handler');
});

test.each(ALL_RUNTIMES)('Runtime.%s on arm64 matches x86_64 except Ruby, refused', (_key, runtime) => {
  const expected = EXPECTED[runtime.name] === 'language:ruby' ? 'refused' : (EXPECTED[runtime.name] ?? 'refused');
  expect(describeSupport(runtime, ARM)).toBe(expected);
});

test('a runtime whose name is a token (latest Node.js in an agnostic stack) gets the Node.js layer', () => {
  const stack = agnosticStack();
  const f = new lambda.Function(stack, 'Fn', {
    // What Runtime.determineLatestNodeRuntime() gives in an agnostic stack on newer aws-cdk-lib.
    runtime: new lambda.Runtime(new CfnParameter(stack, 'NodeRuntime').valueAsString, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }),
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f] });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' } },
  });
});
