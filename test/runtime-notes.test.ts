import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ENDPOINT } from './helpers';
import { ClickStackInstrumentation, ClickStackOptions, IngestionKey, NodejsLayer, PythonLayer } from '../src';

function bundle(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-notes-'));
  for (const [name, content] of Object.entries({ 'index.js': 'exports.handler = async () => 1;\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

interface Setup {
  readonly runtime?: lambda.Runtime;
  readonly architecture?: lambda.Architecture;
  readonly dir?: string;
  readonly environment?: Record<string, string>;
  readonly snapStart?: boolean;
  readonly durable?: boolean;
  readonly options?: Partial<ClickStackOptions>;
}

function setup(s: Setup = {}): Stack {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const f = new lambda.Function(stack, 'Fn', {
    runtime: s.runtime ?? lambda.Runtime.NODEJS_22_X,
    architecture: s.architecture,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(s.dir ?? bundle()),
    environment: s.environment,
    snapStart: s.snapStart ? lambda.SnapStartConf.ON_PUBLISHED_VERSIONS : undefined,
  });
  // As a user sets it on the L1 (aws-cdk-lib versions before durable functions have no prop).
  if (s.durable) (f.node.defaultChild as any).durableConfig = { executionTimeout: 3600 };
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f], ...s.options });
  return stack;
}

const warnings = (stack: Stack, id: string) => Annotations.fromStack(stack).findWarning('/S/Fn', Match.stringLikeRegexp(id)).map(w => String(w.entry.data));
const infos = (stack: Stack, id: string) => Annotations.fromStack(stack).findInfo('/S/Fn', Match.stringLikeRegexp(id)).map(w => String(w.entry.data));
/** The stack's summary annotation. */
const summaryOf = (stack: Stack) => Annotations.fromStack(stack).findInfo('/S', Match.stringLikeRegexp('clickstack/cdk:summary')).map(w => String(w.entry.data))[0];

describe('SnapStart', () => {
  const key = (stack: Stack) => IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'K', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstack-AbCdEf'));

  test('a SnapStart function gets an info on what the snapshot holds', () => {
    const stack = setup({ runtime: lambda.Runtime.JAVA_21, snapStart: true });
    expect(infos(stack, '@clickstack/cdk:snapStart')[0]).toMatch(/S\/Fn uses SnapStart: the collector and the OpenTelemetry SDK start during INIT .* neither has a restore hook .*opentelemetry-java-instrumentation#10363/);
    // Negative control: no SnapStart, no note.
    expect(infos(setup({ runtime: lambda.Runtime.JAVA_21 }), '@clickstack/cdk:snapStart')).toEqual([]);
  });

  test('SnapStart with a key from Secrets Manager warns that a rotated key never reaches restored environments, with the fix', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const f = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromAsset(bundle()), snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS });
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f], ingestionKey: key(stack) });
    expect(warnings(stack, 'snapStartIngestionKey')[0]).toMatch(/the snapshot holds the key, and a rotated key never reaches environments restored from it.*Publish a new function version after every rotation/);
    // Negative controls: a plain-text key (nothing to rotate in Secrets Manager), or no SnapStart.
    expect(warnings(setup({ runtime: lambda.Runtime.PYTHON_3_12, snapStart: true, options: { ingestionKey: IngestionKey.unsafePlainText('k') } }), 'snapStartIngestionKey')).toEqual([]);
    const plain = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const g = new lambda.Function(plain, 'Fn', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromAsset(bundle()) });
    new ClickStackInstrumentation(plain, 'Otel', { endpoint: ENDPOINT, functions: [g], ingestionKey: key(plain) });
    expect(warnings(plain, 'snapStartIngestionKey')).toEqual([]);
  });
});

describe('durable functions', () => {
  test('a durable function warns that each invocation is its own trace, with the fix', () => {
    expect(warnings(setup({ durable: true }), 'durableExecutionTraces')[0]).toMatch(/S\/Fn is a durable function: each invocation of a durable execution .* becomes its own trace.*@aws\/durable-execution-sdk-js-otel/);
    expect(warnings(setup(), 'durableExecutionTraces')).toEqual([]);
  });

  // Each language's plugin where one exists (src/private/rules/durable-plugins.ts cites them), and
  // plainly nothing where none does; never another language's plugin.
  test.each<[string, lambda.Runtime, RegExp]>([
    ['Node.js', lambda.Runtime.NODEJS_22_X, /OpenTelemetry plugin for Node\.js \(the npm package @aws\/durable-execution-sdk-js-otel; experimental/],
    ['Python', lambda.Runtime.PYTHON_3_13, /OpenTelemetry plugin for Python \(the PyPI package aws-durable-execution-sdk-python-otel; experimental/],
    ['Java', lambda.Runtime.JAVA_21, /OpenTelemetry plugin for Java \(the Maven artifact software\.amazon\.lambda\.durable:aws-durable-execution-sdk-java-plugin-otel; experimental/],
    ['.NET', lambda.Runtime.DOTNET_8, /has no OpenTelemetry plugin for \.NET yet \(AWS lists it as work in progress\), so nothing can link the invocations today; acknowledge this warning/],
    ['Ruby', lambda.Runtime.RUBY_3_4, /No durable execution SDK OpenTelemetry plugin exists for Ruby, so nothing can link the invocations; acknowledge this warning/],
    ['a custom runtime', lambda.Runtime.PROVIDED_AL2023, /No durable execution SDK OpenTelemetry plugin exists for a custom runtime/],
  ])('%s: the warning names what exists for its language', (_name, runtime, advice) => {
    const [warning] = warnings(setup({ runtime, durable: true }), 'durableExecutionTraces');
    expect(warning).toMatch(advice);
    const others = ['durable-execution-sdk-js-otel', 'durable-execution-sdk-python-otel', 'durable-execution-sdk-java-plugin-otel'].filter(p => !advice.source.includes(p.replace(/\./g, '\\.')));
    for (const other of others) expect(warning).not.toContain(other);
  });
});

describe('SDK logs not flushed at the end of an invocation (opentelemetry-lambda#2537)', () => {
  test('Node.js with a log instrumentation on warns', () => {
    expect(warnings(setup({ options: { nodejsEnabledInstrumentations: ['http', 'pino'] } }), 'sdkLogsNotFlushed')[0]).toMatch(/its pino log records go through the Node.js layer's Logs SDK.*opentelemetry-lambda#2537.*forceFlush\(\)/);
  });

  test('Node.js with @opentelemetry/api-logs in its bundle warns', () => {
    const dir = bundle({ 'node_modules/@opentelemetry/api-logs/package.json': '{"version":"0.200.0"}' });
    expect(warnings(setup({ dir }), 'sdkLogsNotFlushed')[0]).toMatch(/its bundle has @opentelemetry\/api-logs/);
  });

  test('quiet without OpenTelemetry logs, or with OTEL_LOGS_EXPORTER=none', () => {
    expect(warnings(setup(), 'sdkLogsNotFlushed')).toEqual([]);
    expect(warnings(setup({ options: { nodejsEnabledInstrumentations: ['pino'] }, environment: { OTEL_LOGS_EXPORTER: 'none' } }), 'sdkLogsNotFlushed')).toEqual([]);
  });

  test('Python with logging auto-instrumentation on warns', () => {
    expect(warnings(setup({ runtime: lambda.Runtime.PYTHON_3_13, environment: { OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true' } }), 'sdkLogsNotFlushed')[0]).toMatch(/OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED/);
  });

  // The library turns Python's SDK logs on, so every Python function sends them late: said once
  // per stack, in the summary, with the functions' paths; a warning only where the function's own
  // setting turned them on.
  test('Python by default: the summary says once that the SDK logs the library turned on leave late, with the fix; no warning per function; nothing with them off', () => {
    const on = setup({ runtime: lambda.Runtime.PYTHON_3_13 });
    expect(warnings(on, 'sdkLogsNotFlushed')).toEqual([]);
    expect(summaryOf(on)).toMatch(
      /^\[@clickstack\/cdk:summary\] ClickStack: SDK logs: the Python layer \(python 0\.21\.0\) sends `logging` records \(OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true, set by the library; set it to false to send none\) 1000 ms after the first record of a batch \(opentelemetry-sdk 1\.44\.0\), after the invocation has ended; they leave during the next invocation or at shutdown, and a record not yet exported at shutdown is lost .*call opentelemetry\._logs\.get_logger_provider\(\)\.force_flush\(\) before the handler returns: S\/Fn$/);
    expect(summaryOf(setup({ runtime: lambda.Runtime.PYTHON_3_13, options: { pythonLayer: PythonLayer.V0_19_0 } }))).toMatch(/5000 ms after the first record of a batch \(opentelemetry-sdk 1\.40\.0\)/);
    for (const environment of [{ OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'false' }, { OTEL_LOGS_EXPORTER: 'none' }] as Array<Record<string, string>>) {
      const off = setup({ runtime: lambda.Runtime.PYTHON_3_13, environment });
      expect(warnings(off, 'sdkLogsNotFlushed')).toEqual([]);
      expect(summaryOf(off)).toBeUndefined();
    }
  });

  test('the SDK-logs line is said once for every Python function of a stack that has it', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const fns = ['A', 'B', 'C'].map(id => new lambda.Function(stack, id, { runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code: lambda.Code.fromInline('x') }));
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: fns });
    const summary = summaryOf(stack);
    expect(summary.match(/SDK logs:/g)).toHaveLength(1);
    expect(summary).toMatch(/: S\/A, S\/B, S\/C$/);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  // Issue 27: the delay as measured with the layer's collector (test/e2e/*.languages.e2e.test.ts).
  test('the warning states the measured delay: the next invocation or shutdown, lost at a shutdown before the export, forceFlush within; FUNCTION loses nothing but is not within either', () => {
    for (const w of [
      warnings(setup({ options: { nodejsEnabledInstrumentations: ['pino'] } }), 'sdkLogsNotFlushed')[0],
      warnings(setup({ runtime: lambda.Runtime.PYTHON_3_13, environment: { OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true' } }), 'sdkLogsNotFlushed')[0],
    ]) {
      expect(w).toMatch(/exports log records 1000 ms after the first record of a batch \(.*\), after the invocation has ended; the collector's decouple processor forwards them only during an invocation or at shutdown, so a record leaves during the next invocation, or when the environment shuts down, and a record not yet exported when it shuts down is lost \(measured: of three invocations 2 s apart, then shutdown, two records arrived one invocation late and the last never/);
      expect(w).toMatch(/before the handler returns \(measured: every record within its invocation\)/);
      expect(w).toMatch(/lambdaTelemetry FUNCTION \(logs through CloudWatch\) loses no line, but sends a line within its invocation only when it reaches the collector before the invocation ends/);
    }
  });

  test('the Node.js warning names the batch schedule of the layer\'s SDK', () => {
    expect(warnings(setup({ options: { nodejsEnabledInstrumentations: ['pino'] } }), 'sdkLogsNotFlushed')[0]).toMatch(/1000 ms after the first record of a batch \(@opentelemetry\/sdk-logs 0\.221\.0\)/);
    expect(warnings(setup({ options: { nodejsEnabledInstrumentations: ['pino'], nodejsLayer: NodejsLayer.V0_22_0 } }), 'sdkLogsNotFlushed')[0]).toMatch(/5000 ms after the first record of a batch \(@opentelemetry\/sdk-logs 0\.215\.0\)/);
  });
});

describe('OTEL_BLRP_* where the layer\'s SDK does not read them (issue 27: they changed nothing)', () => {
  test('Node.js 0.20.0 and later: a warning naming the variables, the SDK and its fixed schedule', () => {
    expect(warnings(setup({ environment: { OTEL_BLRP_SCHEDULE_DELAY: '0', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '1' } }), 'blrpVariablesNotRead')[0]).toMatch(
      /S\/Fn sets OTEL_BLRP_MAX_EXPORT_BATCH_SIZE, OTEL_BLRP_SCHEDULE_DELAY, but the nodejs layer 0\.23\.0's SDK \(@opentelemetry\/sdk-logs 0\.221\.0\) does not read them: the layer builds its log batch processor with settings from code only, which export 1000 ms after a batch's first record/);
    expect(warnings(setup({ environment: { OTEL_BLRP_SCHEDULE_DELAY: '0' }, options: { nodejsLayer: NodejsLayer.V0_20_0 } }), 'blrpVariablesNotRead')).toHaveLength(1);
  });

  test('quiet where the SDK reads them (Node.js 0.19.0, Python), and without them', () => {
    expect(warnings(setup({ environment: { OTEL_BLRP_SCHEDULE_DELAY: '0' }, options: { nodejsLayer: NodejsLayer.V0_19_0 } }), 'blrpVariablesNotRead')).toEqual([]);
    expect(warnings(setup({ runtime: lambda.Runtime.PYTHON_3_13, environment: { OTEL_BLRP_SCHEDULE_DELAY: '0' } }), 'blrpVariablesNotRead')).toEqual([]);
    expect(warnings(setup(), 'blrpVariablesNotRead')).toEqual([]);
  });
});

describe('Python 3.14 on arm64 with layer 0.21.0 and a bundled protobuf (opentelemetry-lambda#2570)', () => {
  const py314 = new lambda.Runtime('python3.14', lambda.RuntimeFamily.PYTHON);
  const withProtobuf = () => bundle({ 'index.py': 'def handler(e, c): return 1\n', 'protobuf-7.36.1.dist-info/METADATA': '' });

  test('warns, naming the protobuf version and the fix', () => {
    expect(warnings(setup({ runtime: py314, architecture: lambda.Architecture.ARM_64, dir: withProtobuf() }), 'pythonProtobufConflict')[0])
      .toMatch(/runs Python 3.14 on arm64 with the Python layer 0.21.0 and bundles protobuf 7.36.1.*opentelemetry-lambda#2570.*Pin protobuf to 7.35.1.*PythonLayer.V0_20_0/);
  });

  test('quiet on x86_64, on layer 0.20.0, on Python 3.13, or without protobuf', () => {
    expect(warnings(setup({ runtime: py314, dir: withProtobuf() }), 'pythonProtobufConflict')).toEqual([]);
    expect(warnings(setup({ runtime: py314, architecture: lambda.Architecture.ARM_64, dir: withProtobuf(), options: { pythonLayer: PythonLayer.V0_20_0 } }), 'pythonProtobufConflict')).toEqual([]);
    expect(warnings(setup({ runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.ARM_64, dir: withProtobuf() }), 'pythonProtobufConflict')).toEqual([]);
    expect(warnings(setup({ runtime: py314, architecture: lambda.Architecture.ARM_64 }), 'pythonProtobufConflict')).toEqual([]);
  });
});
