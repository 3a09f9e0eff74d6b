/**
 * Other vendors' instrumentation (src/private/rules/vendors.ts): each vendor's marks make the construct
 * refuse and the aspect skip the function, naming the vendor, what was found and how to migrate;
 * look-alikes do not.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENDPOINT, HANDLER_DIR } from './helpers';
import { ClickStackAspect, ClickStackInstrumentation } from '../src';
import { canReadLayersEarly } from '../src/private/rules/existing';
import { findVendors, VENDORS } from '../src/private/rules/vendors';

const REGION = 'us-east-1';
const stack = () => new Stack(new App(), 'S', { env: { account: '123456789012', region: REGION } });
const arn = (account: string, name: string) => `arn:aws:lambda:${REGION}:${account}:layer:${name}:7`;

interface Marks {
  readonly runtime?: lambda.Runtime;
  readonly architecture?: lambda.Architecture;
  readonly handler?: string;
  readonly environment?: Record<string, string>;
  readonly layer?: string;
}

function make(scope: Construct, id: string, marks: Marks): lambda.Function {
  const f = new lambda.Function(scope, id, {
    runtime: marks.runtime ?? lambda.Runtime.NODEJS_22_X,
    architecture: marks.architecture,
    handler: marks.handler ?? 'index.handler',
    code: lambda.Code.fromAsset(HANDLER_DIR),
    environment: marks.environment,
  });
  if (marks.layer) f.addLayers(lambda.LayerVersion.fromLayerVersionArn(scope, `${id}Layer`, marks.layer));
  return f;
}

/** Vendor, a way its instrumentation shows on a function (no layer: seen on every aws-cdk-lib), and what the message must name. */
const CASES: Array<[string, string, Marks, RegExp]> = [
  ['Datadog', 'Node.js handler redirection', { handler: '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler', environment: { DD_LAMBDA_HANDLER: 'index.handler' } }, /the handler \/opt\/nodejs\/node_modules\/datadog-lambda-js\/handler\.handler, DD_LAMBDA_HANDLER/],
  ['Datadog', 'Python handler redirection', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'datadog_lambda.handler.handler' }, /the handler datadog_lambda\.handler\.handler/],
  ['Datadog', 'wrapper on .NET', { runtime: lambda.Runtime.DOTNET_8, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/datadog_wrapper' } }, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/datadog_wrapper/],
  ['Datadog', 'OTLP receiver on a custom runtime', { runtime: lambda.Runtime.PROVIDED_AL2023, environment: { DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: '0.0.0.0:4318' } }, /serves OTLP on the collector's own port \(DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT=0\.0\.0\.0:4318\)/],
  ['New Relic', 'Node.js wrapper handler', { handler: 'newrelic-lambda-wrapper.handler', environment: { NEW_RELIC_LAMBDA_HANDLER: 'index.handler' } }, /the handler newrelic-lambda-wrapper\.handler, NEW_RELIC_LAMBDA_HANDLER/],
  ['New Relic', 'Java handler wrapper', { runtime: lambda.Runtime.JAVA_21, handler: 'com.newrelic.java.HandlerWrapper::handleRequest' }, /the handler com\.newrelic\.java\.HandlerWrapper::handleRequest/],
  ['New Relic', '.NET agent', { runtime: lambda.Runtime.DOTNET_8, environment: { CORECLR_NEWRELIC_HOME: '/opt/lib/newrelic-dotnet-agent' } }, /CORECLR_NEWRELIC_HOME/],
  ['Dynatrace', 'wrapper', { runtime: lambda.Runtime.PYTHON_3_13, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/dynatrace', DT_CONNECTION_BASE_URL: 'https://x.live.dynatrace.com' } }, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/dynatrace, DT_CONNECTION_BASE_URL/],
  ['Lumigo', 'wrapper', { environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/lumigo_wrapper', LUMIGO_TRACER_TOKEN: 't_1' } }, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/lumigo_wrapper, LUMIGO_TRACER_TOKEN/],
  ['Lumigo', 'Node.js auto-instrument handler', { handler: 'lumigo-auto-instrument.handler' }, /the handler lumigo-auto-instrument\.handler/],
  ['Elastic APM', 'Node.js preload', { environment: { NODE_OPTIONS: '-r elastic-apm-node/start', ELASTIC_APM_LAMBDA_APM_SERVER: 'https://apm' } }, /ELASTIC_APM_LAMBDA_APM_SERVER, NODE_OPTIONS="-r elastic-apm-node\/start"/],
  ['Elastic APM', 'wrapper', { runtime: lambda.Runtime.JAVA_21, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/elastic-apm-handler' } }, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/elastic-apm-handler/],
  ['Splunk', 'Node.js wrapper', { environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/nodejs-otel-handler', SPLUNK_REALM: 'us0' } }, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/nodejs-otel-handler, SPLUNK_REALM/],
  ['Honeycomb', 'extension variables', { runtime: lambda.Runtime.PROVIDED_AL2023, environment: { LIBHONEY_API_KEY: 'k', LIBHONEY_DATASET: 'd' } }, /LIBHONEY_API_KEY, LIBHONEY_DATASET/],
  ['Sentry', 'Python handler', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'sentry_sdk.integrations.init_serverless_sdk.sentry_lambda_handler', environment: { SENTRY_INITIAL_HANDLER: 'app.handler' } }, /the handler sentry_sdk\.integrations\.init_serverless_sdk\.sentry_lambda_handler, SENTRY_INITIAL_HANDLER/],
  ['Sentry', 'Node.js preload', { environment: { NODE_OPTIONS: '--import @sentry/aws-serverless/awslambda-auto' } }, /NODE_OPTIONS="--import @sentry\/aws-serverless\/awslambda-auto"/],
  ['Instana', 'auto-wrap handler', { handler: 'instana-aws-lambda-auto-wrap.handler', environment: { INSTANA_ENDPOINT_URL: 'https://instana' } }, /the handler instana-aws-lambda-auto-wrap\.handler, INSTANA_ENDPOINT_URL/],
  ['AWS Application Signals (ADOT)', 'wrapper', { runtime: lambda.Runtime.PYTHON_3_13, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument' } }, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/otel-instrument/],
];

describe.each(CASES)('%s (%s)', (vendor, _how, marks, found) => {
  const named = new RegExp(`cannot instrument S/Fn: it is already instrumented by ${vendor.replace(/[()]/g, '\\$&')}: it has `);

  test('refused by the construct, naming the vendor, what was found and how to migrate', () => {
    const s = stack();
    const f = make(s, 'Fn', marks);
    expect(() => new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] })).toThrow(named);
    expect(() => new ClickStackInstrumentation(s, 'Otel2', { endpoint: ENDPOINT, functions: [f] })).toThrow(found);
    expect(() => new ClickStackInstrumentation(s, 'Otel3', { endpoint: ENDPOINT, functions: [f] })).toThrow(/; to move it to ClickStack, remove /);
  });

  test('skipped, unchanged, by the aspect, with a warning and the vendor in the summary', () => {
    const plain = stack();
    make(plain, 'Fn', marks);
    const s = stack();
    make(s, 'Fn', marks);
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(s);
    expect(Template.fromStack(s).toJSON().Resources).toEqual(Template.fromStack(plain).toJSON().Resources);
    Annotations.fromStack(s).hasWarning('/S/Fn', Match.stringLikeRegexp(`already instrumented by ${vendor.replace(/[()]/g, '\\$&')}`));
    const summary = Annotations.fromStack(s).findInfo('/S', Match.stringLikeRegexp('clickstack/cdk:summary')).map(m => String(m.entry.data));
    expect(summary[0]).toContain(`  - skipped: already instrumented by ${vendor} (see its warning): S/Fn`);
  });
});

describe('vendor layers', () => {
  test.each(VENDORS.map(v => [v.name, v.accounts[0]] as const))('%s: a layer of its account is recognised (account %s)', (name, account) => {
    expect(findVendors({}, undefined, [arn(account, 'anything')]).map(f => f.vendor.name)).toEqual([name]);
  });

  test.each([
    ['Datadog', 'Datadog-Extension-ARM'], ['Datadog', 'dd-trace-dotnet'], ['New Relic', 'NewRelicLambdaExtension'], ['Dynatrace', 'Dynatrace_OneAgent_1_331_3_python'],
    ['Lumigo', 'lumigo-node-tracer'], ['Elastic APM', 'elastic-apm-extension-ver-1-6-0-x86_64'], ['Splunk', 'splunk-apm'], ['Honeycomb', 'honeycomb-lambda-extension-x86_64-v11-0-0'],
    ['Sentry', 'SentryNodeServerlessSDKv9'], ['Instana', 'instana-nodejs'], ['AWS Application Signals (ADOT)', 'AWSOpenTelemetryDistroPython'],
  ])('%s: a layer named %s, republished in another account, is recognised', (name, layer) => {
    expect(findVendors({}, undefined, [arn('999999999999', layer)]).map(f => f.vendor.name)).toEqual([name]);
  });

  test('a Datadog extension layer is refused before any change where layers can be read early, or fails the synth naming Datadog', () => {
    const s = stack();
    const f = make(s, 'Fn', { runtime: lambda.Runtime.PROVIDED_AL2023, layer: arn('464622532012', 'Datadog-Extension') });
    if (canReadLayersEarly()) {
      expect(() => new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] }))
        .toThrow(/already instrumented by Datadog: it has the layer arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Extension:7/);
    } else {
      new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] });
      expect(() => Template.fromStack(s)).toThrow(/S\/Fn got someone else's instrumentation after ClickStack's: it is already instrumented by Datadog: it has the layer/);
    }
  });
});

describe('added after instrumentation: a synth error, even for a function the construct was told to instrument', () => {
  test('a Datadog OTLP receiver on the collector\'s port', () => {
    const s = stack();
    const f = make(s, 'Fn', { runtime: lambda.Runtime.DOTNET_8 });
    new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] });
    f.addEnvironment('DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT', 'localhost:4318');
    expect(() => Template.fromStack(s)).toThrow(/S\/Fn got someone else's instrumentation after ClickStack's: it is already instrumented by Datadog: .*serves OTLP on the collector's own port/);
  });

  test('a handler redirected to a vendor\'s', () => {
    const s = stack();
    const f = make(s, 'Fn', {});
    new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] });
    (f.node.defaultChild as lambda.CfnFunction).handler = 'newrelic-lambda-wrapper.handler';
    expect(() => Template.fromStack(s)).toThrow(/already instrumented by New Relic: it has the handler newrelic-lambda-wrapper\.handler/);
  });
});

describe('look-alikes are not taken for a vendor (negative controls)', () => {
  test.each<[string, Marks]>([
    ['DD_API_KEY and DD_SITE alone (the code may call Datadog\'s API)', { environment: { DD_API_KEY: 'k', DD_SITE: 'datadoghq.com', DD_ENV: 'prod' } }],
    ['SENTRY_DSN alone (Sentry in the code is the user\'s)', { environment: { SENTRY_DSN: 'https://k@o1.ingest.sentry.io/1' } }],
    ['a NODE_OPTIONS of the user\'s', { environment: { NODE_OPTIONS: '--enable-source-maps' } }],
    ['a handler that merely mentions a vendor', { handler: 'datadog_report.handler' }],
    ['a Datadog receiver on another port', { environment: { DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: 'localhost:14318' } }],
  ])('%s', (_name, marks) => {
    const s = stack();
    const f = make(s, 'Fn', marks);
    const findings = findVendors(marks.environment ?? {}, marks.handler ?? 'index.handler', []);
    if (marks.environment?.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT) {
      // Still Datadog's extension, but no port conflict.
      expect(findings.map(v => [v.vendor.name, v.portConflicts])).toEqual([['Datadog', []]]);
      return;
    }
    expect(findings).toEqual([]);
    new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] });
    expect(Template.fromStack(s).toJSON().Resources.Fn9270CBC0.Properties.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBeDefined();
  });
});

describe('the vendor table', () => {
  test.each(VENDORS.map(v => [v.name, v] as const))('%s has a layer account, at least one other mark and a migration', (_name, v) => {
    expect(v.accounts.every(a => /^\d{12}$/.test(a))).toBe(true);
    const marks = [v.layerName, v.handler, ...(v.wrappers ?? []), ...(v.variables ?? []), ...(v.valueMarks ?? [])];
    expect(marks.filter(x => x !== undefined).length).toBeGreaterThan(0);
    expect(v.migrate).toMatch(/^remove /);
  });
});

/** The stack's summary annotation. */
function summaryOf(s: Stack): string {
  return Annotations.fromStack(s).findInfo('/S', Match.stringLikeRegexp('clickstack/cdk:summary')).map(m => String(m.entry.data))[0];
}

/** Every warning of the function, as `id: message`. */
function warningsOf(s: Stack, path: string): string[] {
  return Annotations.fromStack(s).findWarning(path, Match.anyValue()).map(m => String(m.entry.data));
}

describe('another vendor is judged before any runtime or architecture rule', () => {
  // DataDog/datadog-lambda-extension@5bf63162 integration-tests/lib/stacks/oom.ts:145-162 (Ruby 3.4 on
  // arm64, the user's own handler, the DD_* variables of lib/util.ts:26-34, the Datadog-Ruby3-4-ARM
  // layer of lib/util.ts:24): Datadog's, not the upstream Ruby layer's arm64 problem.
  const datadogRuby: Marks = {
    runtime: lambda.Runtime.RUBY_3_4,
    architecture: lambda.Architecture.ARM_64,
    handler: 'lambda_function.handler',
    environment: { DD_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dd-api-key', DD_SITE: 'datadoghq.com', DD_SERVERLESS_FLUSH_STRATEGY: 'end' },
    layer: arn('464622532012', 'Datadog-Ruby3-4-ARM'),
  };
  const cases: Array<[string, Marks, string]> = [
    ['a Datadog Ruby function on arm64 (the Ruby layer is broken there)', datadogRuby, 'Datadog'],
    ['a Datadog Node.js 18 function (not among the Node.js layer\'s runtimes)', { runtime: lambda.Runtime.NODEJS_18_X, environment: { DD_LAMBDA_HANDLER: 'index.handler' }, handler: '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler' }, 'Datadog'],
    ['a New Relic go1.x function (a retired runtime)', { runtime: lambda.Runtime.GO_1_X, environment: { NEW_RELIC_LAMBDA_EXTENSION_ENABLED: 'true' } }, 'New Relic'],
  ];

  test.each(cases)('%s: the construct names the vendor', (_name, marks, vendor) => {
    const s = stack();
    const f = make(s, 'Fn', marks);
    const thrown = (() => {
      try {
        new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f] });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(thrown).toMatch(new RegExp(`^cannot instrument S/Fn: it is already instrumented by ${vendor}: it has `));
    expect(thrown).not.toMatch(/arm64|Architecture|not among the runtimes|retired/);
  });

  test.each(cases)('%s: the aspect\'s warning and summary name the vendor', (_name, marks, vendor) => {
    const s = stack();
    make(s, 'Fn', marks);
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(s);
    const warnings = warningsOf(s, '/S/Fn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`already instrumented by ${vendor}: .*\\[ack: @clickstack/cdk:skipped:existing\\]$`));
    expect(warnings[0]).not.toMatch(/arm64|Architecture\.X86_64|not among the runtimes|retired/);
    expect(summaryOf(s)).toContain(`  - skipped: already instrumented by ${vendor} (see its warning): S/Fn`);
  });

  test('without a vendor, a Ruby function on arm64 is the layer\'s arm64 problem, in its warning and its summary alike', () => {
    const s = stack();
    make(s, 'Fn', { ...datadogRuby, environment: {}, layer: undefined });
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(s);
    expect(warningsOf(s, '/S/Fn')[0]).toMatch(/the upstream OpenTelemetry Ruby layer is broken on arm64 .*use Architecture\.X86_64.*\[ack: @clickstack\/cdk:skipped:runtime\]$/);
    const line = summaryOf(s).split('\n').find(l => l.startsWith('  - skipped: '));
    for (const said of [/Ruby/, /arm64/, /layer is broken/, /: S\/Fn$/]) expect(line).toMatch(said);
  });
});

describe('every skip\'s summary reason says what its warning says', () => {
  // What the summary line and the warning both say, per way a function is skipped (the words,
  // not one wording).
  const cases: Array<[string, Marks, RegExp[]]> = [
    ['Ruby on arm64', { runtime: lambda.Runtime.RUBY_3_4, architecture: lambda.Architecture.ARM_64 }, [/Ruby/, /arm64/, /layer is broken/]],
    ['a runtime its layer does not list', { runtime: lambda.Runtime.NODEJS_18_X }, [/not among/, /layer/, /runtimes/]],
    ['a retired runtime', { runtime: lambda.Runtime.GO_1_X }, [/retired by Lambda|retired or deprecated by Lambda/]],
    ['a deprecated runtime', { runtime: lambda.Runtime.DOTNET_6 }, [/deprecated by Lambda/]],
    ['a vendor', { environment: { LUMIGO_TRACER_TOKEN: 't' } }, [/already instrumented by Lumigo/]],
    ['an exec wrapper of someone else', { environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/mine' } }, [/already instrumented by someone else/]],
  ];
  test.each(cases)('%s', (_name, marks, both) => {
    const s = stack();
    make(s, 'Fn', marks);
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(s);
    const line = summaryOf(s).split('\n').find(l => l.startsWith('  - skipped: '));
    const warning = warningsOf(s, '/S/Fn')[0];
    for (const said of both) {
      expect(line).toMatch(said);
      expect(warning).toMatch(said);
    }
    // Not the generic reason, where the warning gives a precise one.
    if (!/someone else|Lumigo/.test(both[0].source)) expect(line).not.toMatch(/runtime with no OpenTelemetry layer/);
  });
});
