import * as fs from 'fs';
import * as path from 'path';
import { Annotations as CoreAnnotations, App, AspectPriority, Aspects, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { agnosticStack, concreteStack, deliveredConfigYaml, ENDPOINT, fn } from './helpers';
import {
  ClickStackAspect, ClickStackInstrumentation, ClickStackInstrumentationProps, CollectorLayer, IngestionKey,
  JavaAgentLayer, JavaInstrumentation, NodejsLayer, Propagator, PythonLayer, RubyLayer, TelemetryApiType,
} from '../src';
import { COLLECTOR_VERSIONS, LAYER_CATALOG } from '../src/layers/catalog';
import {
  collectorAcceptsOtlpHttp, COLLECTOR_SUPPORT, LANGUAGE_SUPPORT, LanguageLayerFamily, renderSupportTable,
} from '../src/layers/language-support';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clickstack-key-AbCdEf';

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly vars: Record<string, string>;
  readonly config: () => any;
}

/** One function in a concrete stack (eu-west-1), instrumented with `options`. */
function build(options: Partial<ClickStackInstrumentationProps>, fnOpts: Parameters<typeof fn>[2] = {}, stack?: Stack): Built {
  const s = stack ?? concreteStack();
  const app = s.node.root as App;
  const f = fn(s, 'Fn', fnOpts);
  new ClickStackInstrumentation(s, 'Otel', { endpoint: ENDPOINT, functions: [f], ...options });
  const props = Object.values(Template.fromStack(s).findResources('AWS::Lambda::Function'))[0].Properties;
  const config = () => parse(deliveredConfigYaml(app, s, props));
  return { app, stack: s, vars: props.Environment.Variables, config };
}

function aspectStack(options: Partial<ClickStackInstrumentationProps>, fnOpts: Parameters<typeof fn>[2] = {}): Stack {
  const stack = concreteStack();
  fn(stack, 'Fn', fnOpts);
  Aspects.of(stack).add(new ClickStackAspect({ endpoint: ENDPOINT, ...options }), { priority: AspectPriority.MUTATING });
  return stack;
}

const NODE = {};
const PYTHON = { runtime: lambda.Runtime.PYTHON_3_13 };
const JAVA = { runtime: lambda.Runtime.JAVA_17 };
const RUBY = { runtime: lambda.Runtime.RUBY_3_3 };
const DOTNET = { runtime: lambda.Runtime.DOTNET_8 };

describe('the support data covers every catalog release', () => {
  test('every language layer release of LAYER_CATALOG has an entry, and no entry is for an unknown release', () => {
    for (const family of Object.keys(LANGUAGE_SUPPORT) as LanguageLayerFamily[]) {
      expect(Object.keys(LANGUAGE_SUPPORT[family]).sort()).toEqual(Object.keys(LAYER_CATALOG[family]).sort());
    }
    expect(Object.keys(LAYER_CATALOG).filter(f => f !== 'collector').sort()).toEqual(Object.keys(LANGUAGE_SUPPORT).sort());
  });

  test('every collector release has its collector version, and otlp_http only where that collector has the type', () => {
    expect(Object.keys(COLLECTOR_SUPPORT).sort()).toEqual(Object.keys(LAYER_CATALOG.collector).sort());
    expect(Object.keys(COLLECTOR_VERSIONS).sort()).toEqual(Object.keys(LAYER_CATALOG.collector).sort());
    for (const [version, support] of Object.entries(COLLECTOR_SUPPORT)) {
      expect(support.collectorVersion).toBe(COLLECTOR_VERSIONS[version]);
      if (support.otlpHttpExporter === 'otlp_http') expect(collectorAcceptsOtlpHttp(support.collectorVersion)).toBe(true);
    }
    expect(COLLECTOR_VERSIONS['0.23.0']).toBe('0.157.0');
    expect(collectorAcceptsOtlpHttp('0.143.0')).toBe(false);
    expect(collectorAcceptsOtlpHttp('0.144.0')).toBe(true);
  });

  test('the table "What each language layer supports" of docs/runtime-support.md is the one the data renders', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'runtime-support.md'), 'utf8');
    const section = doc.split('\n## What each language layer supports\n')[1];
    expect(section).toBeDefined();
    // The table is the first contiguous block of rows in the section.
    const lines = section.split('\n');
    const first = lines.findIndex(l => l.startsWith('|'));
    let end = first;
    while (end < lines.length && lines[end].startsWith('|')) end++;
    const block = lines.slice(first, end);
    expect(block.join('\n')).toBe(renderSupportTable());
  });
});

describe('1. the SDKs speak OTLP/HTTP to the collector', () => {
  test.each([
    ['Node.js', NODE, {}],
    ['Python', PYTHON, {}],
    ['Java agent', JAVA, {}],
    ['Java wrapper (its SDK defaults to gRPC)', JAVA, { javaInstrumentation: JavaInstrumentation.WRAPPER }],
    ['Ruby', RUBY, {}],
  ])('a %s function gets OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf', (_name, fnOpts, options) => {
    const { vars } = build(options, fnOpts);
    expect(vars.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(vars.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://localhost:4318');
  });

  test('a collector-only function gets no endpoint (its SDK\'s default port speaks its default protocol) and is told so in its stack\'s summary (test/otlp-ports.test.ts)', () => {
    const { stack, vars } = build({}, DOTNET);
    expect(vars.OTEL_EXPORTER_OTLP_PROTOCOL).toBeUndefined();
    expect(vars.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    Annotations.fromStack(stack).hasInfo('/Stack-eu-west-1',
      Match.stringLikeRegexp('keeps its default endpoint \\(gRPC to localhost:4317, OTLP/HTTP to localhost:4318.*\\.NET: .*its OTLP exporter \\(gRPC by default\\): Stack-eu-west-1/Fn'));
  });
});

describe('2. propagators the layer lacks', () => {
  test('the construct refuses b3 on Python, naming the function, the layer and what it has', () => {
    expect(() => build({ propagators: [Propagator.TRACECONTEXT, Propagator.B3] }, PYTHON))
      .toThrow(/cannot instrument Stack-eu-west-1\/Fn: propagators b3 are not in the OpenTelemetry python layer 0\.21\.0 \(it has tracecontext, baggage, xray, xray-lambda; the Python layer's launcher fails at import, so the function fails to initialise\); remove them from propagators, or bring a layer of your own with PythonLayer\.fromArn\(\)/);
  });

  test('the construct refuses xray and xray-lambda on Ruby, b3multi on Node.js', () => {
    expect(() => build({ propagators: [Propagator.XRAY, Propagator.XRAY_LAMBDA] }, RUBY)).toThrow(/propagators xray, xray-lambda are not in the OpenTelemetry ruby layer 0\.15\.0/);
    expect(() => build({ propagators: [Propagator.B3_MULTI] }, NODE)).toThrow(/propagators b3multi are not in the OpenTelemetry nodejs layer 0\.23\.0/);
  });

  test('Java (agent and wrapper) accepts all six', () => {
    const all = [Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.XRAY, Propagator.XRAY_LAMBDA, Propagator.B3, Propagator.B3_MULTI];
    expect(build({ propagators: all }, JAVA).vars.OTEL_PROPAGATORS).toBe('tracecontext,baggage,xray,xray-lambda,b3,b3multi');
    expect(build({ propagators: all, javaInstrumentation: JavaInstrumentation.WRAPPER }, JAVA).vars.OTEL_PROPAGATORS).toBe('tracecontext,baggage,xray,xray-lambda,b3,b3multi');
  });

  test('a layer of your own (fromArn) is not checked', () => {
    const { vars } = build({ propagators: [Propagator.B3], pythonLayer: PythonLayer.fromArn('arn:aws:lambda:eu-west-1:123456789012:layer:my-python:3') }, PYTHON);
    expect(vars.OTEL_PROPAGATORS).toBe('b3');
  });

  test('the aspect warns and skips the function, and says why in the summary', () => {
    const stack = aspectStack({ propagators: [Propagator.B3] }, PYTHON);
    const template = Template.fromStack(stack);
    const props = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(props.Environment).toBeUndefined();
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('propagators b3 are not in the OpenTelemetry python layer'));
    annotations.hasInfo('/Stack-eu-west-1', Match.stringLikeRegexp('- skipped: propagators b3 not in its python layer \\(see its warning\\): Stack-eu-west-1/Fn'));
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('3. Ruby does not percent-decode OTEL_RESOURCE_ATTRIBUTES', () => {
  test.each([',', '=', '%'])('a Ruby function refuses an attribute value with %s, naming the attribute', c => {
    expect(() => build({ resourceAttributes: { 'team.name': `payments${c}eu` } }, RUBY))
      .toThrow(new RegExp(`resource attribute team\\.name is "payments\\${c}eu", but the OpenTelemetry ruby layer 0\\.15\\.0 does not percent-decode`));
  });

  test('a value with spaces or non-ASCII reaches every SDK as it is (not encoded)', () => {
    expect(build({ deploymentEnvironment: 'payments EU', serviceVersion: 'ü' }, RUBY).vars.OTEL_RESOURCE_ATTRIBUTES)
      .toBe('deployment.environment.name=payments EU,service.version=ü');
    expect(build({ resourceAttributes: { a: '50%,x=y' } }, PYTHON).vars.OTEL_RESOURCE_ATTRIBUTES).toBe('a=50%25%2Cx%3Dy');
  });

  test('Node.js layers 0.19.0 and 0.20.0 (JS resources 2.2/2.5 accept baggage-octets only) get space, ; \\ " and non-ASCII encoded too', () => {
    const options = { deploymentEnvironment: 'payments EU', resourceAttributes: { a: 'x;y\\z"ü+' } };
    expect(build({ ...options, nodejsLayer: NodejsLayer.V0_20_0 }).vars.OTEL_RESOURCE_ATTRIBUTES)
      .toBe('deployment.environment.name=payments%20EU,a=x%3By%5Cz%22%C3%BC+');
    expect(build({ ...options, nodejsLayer: NodejsLayer.V0_19_0 }).vars.OTEL_RESOURCE_ATTRIBUTES)
      .toBe('deployment.environment.name=payments%20EU,a=x%3By%5Cz%22%C3%BC+');
    expect(build(options).vars.OTEL_RESOURCE_ATTRIBUTES).toBe('deployment.environment.name=payments EU,a=x;y\\z"ü+');
  });

  test('Java layers 0.18.0 (SDK 1.59 URLDecoder turns + into a space) get + encoded', () => {
    const options = { serviceVersion: '1.0+build.5' };
    expect(build({ ...options, javaAgentLayer: JavaAgentLayer.V0_18_0 }, JAVA).vars.OTEL_RESOURCE_ATTRIBUTES).toBe('service.version=1.0%2Bbuild.5');
    expect(build(options, JAVA).vars.OTEL_RESOURCE_ATTRIBUTES).toBe('service.version=1.0+build.5');
  });
});

describe('4. Node.js drops OTEL_RESOURCE_ATTRIBUTES with a value over 255 characters', () => {
  function deep(depth: number): { stack: Stack; f: lambda.Function } {
    const app = new App();
    const stack = new Stack(app, 'Deep', { env: { account: '123456789012', region: 'eu-west-1' } });
    let scope: Construct = stack;
    for (let i = 0; i < depth; i++) scope = new Construct(scope, `Level${i}WithALongishConstructName`);
    return { stack, f: fn(scope, 'Handler') };
  }

  test('a construct path over 255 characters is shortened for Node.js, deterministically, with an info annotation', () => {
    const { stack, f } = deep(12);
    expect(f.node.path.length).toBeGreaterThan(255);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, includeCdkMetadata: true, functions: [f] });
    const vars = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
    const value = /cdk\.construct\.path=([^,]*)/.exec(vars.OTEL_RESOURCE_ATTRIBUTES)![1];
    expect(value.length).toBe(255);
    expect(value).toMatch(/^[0-9a-f]{8}\.\.\./);
    expect(f.node.path.endsWith(value.slice(11))).toBe(true);
    Annotations.fromStack(stack).hasInfo(`/${f.node.path}`, Match.stringLikeRegexp(`attributeShortened.*is ${f.node.path.length} characters, over the 255`));
    // Same input, same value.
    const again = deep(12);
    new ClickStackInstrumentation(again.stack, 'Otel', { endpoint: ENDPOINT, includeCdkMetadata: true, functions: [again.f] });
    expect(Object.values(Template.fromStack(again.stack).findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables.OTEL_RESOURCE_ATTRIBUTES)
      .toBe(vars.OTEL_RESOURCE_ATTRIBUTES);
  });

  test('a Python function keeps the whole path', () => {
    const { stack, f } = deep(12);
    const py = fn(f.node.scope!, 'Py', PYTHON);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, includeCdkMetadata: true, functions: [py] });
    const attributes = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .map(r => r.Properties.Environment?.Variables?.OTEL_RESOURCE_ATTRIBUTES).filter(Boolean);
    expect(py.node.path.length).toBeGreaterThan(255);
    expect(attributes).toEqual([`cdk.stack.name=Deep,cdk.construct.path=${py.node.path}`]);
  });

  test('for Node.js 0.20.0 the limit applies to the encoded value', () => {
    expect(() => build({ resourceAttributes: { 'team.description': 'é'.repeat(50) }, nodejsLayer: NodejsLayer.V0_20_0 }))
      .toThrow(/resource attribute team\.description is 300 characters long percent-encoded, but the OpenTelemetry nodejs layer 0\.20\.0 discards/);
    expect(build({ resourceAttributes: { 'team.description': 'é'.repeat(50) } }).vars.OTEL_RESOURCE_ATTRIBUTES).toBe(`team.description=${'é'.repeat(50)}`);
  });

  test('a user value over 255 characters is refused for Node.js, naming the attribute', () => {
    expect(() => build({ resourceAttributes: { 'team.description': 'x'.repeat(256) } }, NODE))
      .toThrow(/resource attribute team\.description is 256 characters long, but the OpenTelemetry nodejs layer 0\.23\.0 discards all of OTEL_RESOURCE_ATTRIBUTES/);
    expect(build({ resourceAttributes: { 'team.description': 'x'.repeat(256) } }, PYTHON).vars.OTEL_RESOURCE_ATTRIBUTES).toContain('x'.repeat(256));
  });
});

describe('5. EXTENSION logs and debug', () => {
  test('EXTENSION together with debug is refused: the debug exporter output would be read back forever', () => {
    expect(() => build({ debug: true, lambdaTelemetry: [TelemetryApiType.EXTENSION] }))
      .toThrow(/Stack-eu-west-1\/Otel: debug with lambdaTelemetry EXTENSION would loop/);
  });

  test('EXTENSION alone warns, with an id that can be acknowledged', () => {
    const { stack } = build({ lambdaTelemetry: [TelemetryApiType.EXTENSION] });
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('receives EXTENSION logs.*\\[ack: @clickstack/cdk:extensionLogsReingested\\]'));
    const quiet = build({ lambdaTelemetry: [TelemetryApiType.FUNCTION] });
    expect(Annotations.fromStack(quiet.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('6. Telemetry API logs carry the resource identity', () => {
  const identity = {
    lambdaTelemetry: [TelemetryApiType.FUNCTION, TelemetryApiType.PLATFORM],
    deploymentEnvironment: 'prod',
    serviceVersion: '1.2$3',
    resourceAttributes: { 'team.name': 'a,"b"\\c' },
    includeCdkMetadata: true,
  };

  test('on collector layers with transform (0.22.0+, LATEST), the transform processor sets absent attributes in the logs pipeline only, before decouple', () => {
    const c = build(identity).config();
    expect(c.processors.resource).toBeUndefined();
    expect(c.processors.transform).toEqual({
      log_statements: [{
        context: 'resource',
        statements: [
          'set(attributes["deployment.environment.name"], "prod") where attributes["deployment.environment.name"] == nil',
          'set(attributes["service.version"], "1.2$$3") where attributes["service.version"] == nil',
          'set(attributes["team.name"], "a,\\"b\\"\\\\c") where attributes["team.name"] == nil',
          'set(attributes["cdk.stack.name"], "Stack-eu-west-1") where attributes["cdk.stack.name"] == nil',
          'set(attributes["cdk.construct.path"], "Stack-eu-west-1/Fn") where attributes["cdk.construct.path"] == nil',
        ],
      }],
    });
    expect(c.service.pipelines.logs.processors).toEqual(['transform', 'decouple']);
    expect(c.service.pipelines.traces.processors).toEqual(['decouple']);
    expect(build({ ...identity, collectorLayer: CollectorLayer.V0_22_0 }).config().service.pipelines.logs.processors).toEqual(['transform', 'decouple']);
  });

  test.each([
    ['0.21.0', CollectorLayer.V0_21_0],
    ['0.19.0', CollectorLayer.V0_19_0],
    ['fromArn (version unknown)', CollectorLayer.fromArn('arn:aws:lambda:eu-west-1:123456789012:layer:my-collector:1')],
  ])('on collector layer %s (no transform), the resource processor inserts the attributes', (_name, collectorLayer) => {
    const c = build({ ...identity, collectorLayer }).config();
    expect(c.processors.transform).toBeUndefined();
    expect(c.processors.resource).toEqual({
      attributes: [
        { key: 'deployment.environment.name', value: 'prod', action: 'insert' },
        { key: 'service.version', value: '1.2$$3', action: 'insert' },
        { key: 'team.name', value: 'a,"b"\\c', action: 'insert' },
        { key: 'cdk.stack.name', value: 'Stack-eu-west-1', action: 'insert' },
        { key: 'cdk.construct.path', value: 'Stack-eu-west-1/Fn', action: 'insert' },
      ],
    });
    expect(c.service.pipelines.logs.processors).toEqual(['resource', 'decouple']);
  });

  test('no resource or transform processor without the receiver or without attributes', () => {
    for (const c of [build({ deploymentEnvironment: 'prod' }).config(), build({ lambdaTelemetry: [TelemetryApiType.FUNCTION] }).config()]) {
      expect(c.processors.resource).toBeUndefined();
      expect(c.processors.transform).toBeUndefined();
    }
  });

  test('an attribute known only at deploy time is left out of the processor, with an info annotation', () => {
    const stack = concreteStack();
    const env = new CfnParameter(stack, 'Env').valueAsString;
    const { config } = build({ lambdaTelemetry: [TelemetryApiType.FUNCTION], deploymentEnvironment: env, serviceVersion: '2' }, {}, stack);
    expect(config().processors.transform.log_statements[0].statements).toEqual(['set(attributes["service.version"], "2") where attributes["service.version"] == nil']);
    Annotations.fromStack(stack).hasInfo('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('deployment.environment.name of Stack-eu-west-1/Fn are known only at deploy time'));
  });
});

describe('7. the OTLP/HTTP exporter name follows the collector release', () => {
  test.each([
    ['0.23.0 (collector 0.157.0)', CollectorLayer.V0_23_0, 'otlp_http'],
    ['0.21.0 (collector 0.148.0)', CollectorLayer.V0_21_0, 'otlp_http'],
    ['0.20.0 (its queue converter knows only otlphttp)', CollectorLayer.V0_20_0, 'otlphttp'],
    ['0.19.0 (collector 0.138.0, before the rename)', CollectorLayer.V0_19_0, 'otlphttp'],
    ['fromArn (version unknown)', CollectorLayer.fromArn('arn:aws:lambda:eu-west-1:123456789012:layer:my-collector:1'), 'otlphttp'],
  ])('collector layer %s: %s', (_name, collectorLayer, type) => {
    const c = build({ collectorLayer }).config();
    expect(Object.keys(c.exporters)).toEqual([type]);
    for (const p of Object.values<any>(c.service.pipelines)) expect(p.exporters).toEqual([type]);
  });
});

describe('8. debug turns on what each SDK reads', () => {
  test.each([
    ['Node.js', NODE, {}, { OTEL_LOG_LEVEL: 'debug' }],
    ['Ruby', RUBY, {}, { OTEL_LOG_LEVEL: 'debug' }],
    ['Java agent', JAVA, {}, { OTEL_JAVAAGENT_DEBUG: 'true' }],
    ['Java wrapper', JAVA, { javaInstrumentation: JavaInstrumentation.WRAPPER }, {}],
    ['Python', PYTHON, {}, {}],
    ['.NET (collector only)', DOTNET, {}, {}],
  ])('%s', (_name, fnOpts, options, expected: Record<string, string>) => {
    const { vars } = build({ debug: true, ...options }, fnOpts);
    expect(vars.OPENTELEMETRY_EXTENSION_LOG_LEVEL).toBe('debug');
    const sdk = Object.fromEntries(Object.entries(vars).filter(([k]) => k === 'OTEL_LOG_LEVEL' || k === 'OTEL_JAVAAGENT_DEBUG'));
    expect(sdk).toEqual(expected);
  });

  test('nothing without debug', () => {
    const { vars } = build({}, JAVA);
    expect(vars.OPENTELEMETRY_EXTENSION_LOG_LEVEL).toBeUndefined();
    expect(vars.OTEL_JAVAAGENT_DEBUG).toBeUndefined();
  });
});

describe('9. nodejsEnabledInstrumentations is checked against the layer', () => {
  test('an unknown name is refused, naming it and the valid ones', () => {
    expect(() => build({ nodejsEnabledInstrumentations: ['http', 'postgres'] }))
      .toThrow(/nodejsEnabledInstrumentations entry 'postgres' is not an instrumentation of the Node.js layer 0\.23\.0, which would ignore it; valid names: amqplib, .*pg, .*winston/);
  });

  test('aws-sdk and aws-lambda are refused as needless: always on', () => {
    expect(() => build({ nodejsEnabledInstrumentations: ['http', 'aws-sdk'] }))
      .toThrow(/entry 'aws-sdk' is not needed: the Node.js layer 0\.23\.0 always turns on aws-sdk and aws-lambda/);
  });

  test('the data says what the layer runs by default: dns, http, net since 0.20.0', () => {
    expect(LANGUAGE_SUPPORT.nodejs['0.23.0'].nodeInstrumentations!.defaults).toEqual(['dns', 'http', 'net']);
    expect(LANGUAGE_SUPPORT.nodejs['0.19.0'].nodeInstrumentations!.defaults).toContain('express');
  });

  test('a layer of your own is not checked', () => {
    const { vars } = build({ nodejsEnabledInstrumentations: ['my-own'], nodejsLayer: NodejsLayer.fromArn('arn:aws:lambda:eu-west-1:123456789012:layer:my-node:1') });
    expect(vars.OTEL_NODE_ENABLED_INSTRUMENTATIONS).toBe('my-own');
  });
});

describe('10. the ingestion key secret must be in the function\'s region', () => {
  test('a concrete secret ARN in another region than a concrete stack is refused, naming both regions and the fix', () => {
    const stack = concreteStack('eu-west-1');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
    expect(() => build({ ingestionKey: IngestionKey.fromSecret(secret) }, {}, stack))
      .toThrow(/cannot instrument Stack-eu-west-1\/Fn: the ingestion key secret is in us-east-1, but the function is in eu-west-1.*replicate the secret to eu-west-1.*Secret\.fromSecretNameV2/);
  });

  test('the same region is accepted silently', () => {
    const stack = concreteStack('us-east-1');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
    build({ ingestionKey: IngestionKey.fromSecret(secret) }, {}, stack);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ingestionKeyRegion'))).toEqual([]);
  });

  test('a concrete secret ARN in an environment-agnostic stack warns', () => {
    const stack = agnosticStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(secret), functions: [fn(stack, 'Fn')] });
    Annotations.fromStack(stack).hasWarning('/Agnostic/Fn', Match.stringLikeRegexp('region of the ingestion key secret \\(us-east-1\\) or of Agnostic/Fn \\(known at deploy time\\).*\\[ack: @clickstack/cdk:ingestionKeyRegion\\]'));
  });

  test('a secret created in the same agnostic stack does not warn', () => {
    const stack = agnosticStack();
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, ingestionKey: IngestionKey.fromSecret(new secretsmanager.Secret(stack, 'Key')), functions: [fn(stack, 'Fn')] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ingestionKeyRegion'))).toEqual([]);
  });
});

describe('11. an ingestion key over plain HTTP', () => {
  const key = () => IngestionKey.unsafePlainText('k');
  test('warns with an id the user can acknowledge', () => {
    const { stack } = build({ endpoint: 'http://otel.internal:4318', ingestionKey: key() });
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn',
      Match.stringLikeRegexp('sends the ClickStack ingestion key in clear over plain HTTP to otel.internal:4318.*\\[ack: @clickstack/cdk:plainHttpIngestionKey\\]'));
  });

  test('no warning for https, for loopback, or without a key', () => {
    const quiet = (options: Partial<ClickStackInstrumentationProps>) =>
      expect(Annotations.fromStack(build(options).stack).findWarning('*', Match.stringLikeRegexp('plainHttpIngestionKey'))).toEqual([]);
    quiet({ endpoint: 'https://otel.example.com', ingestionKey: key() });
    quiet({ endpoint: 'http://localhost:4318', ingestionKey: key() });
    quiet({ endpoint: 'http://127.0.0.1:4318', ingestionKey: key() });
    quiet({ endpoint: 'http://otel.internal:4318' });
  });

  test('an acknowledged warning is gone', () => {
    const stack = concreteStack();
    CoreAnnotations.of(stack).acknowledgeWarning('@clickstack/cdk:plainHttpIngestionKey', 'collector in the same VPC');
    build({ endpoint: 'http://otel.internal:4318', ingestionKey: key() }, {}, stack);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('plain HTTP'))).toEqual([]);
  });
});

describe('12. what the layer leaves off and the library turns on (issue 27)', () => {
  const AWS_ON = 'OTEL_RESOURCE_PROVIDERS_AWS_ENABLED';
  const DISABLED = 'OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS';
  const EC2 = 'io.opentelemetry.contrib.aws.resource.Ec2ResourceProvider';
  const PY_LOGS = 'OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED';

  test('Python: the logging module\'s records are sent (the SDK attaches its handler only with the variable)', () => {
    expect(build({}, PYTHON).vars[PY_LOGS]).toBe('true');
    for (const release of [PythonLayer.V0_18_0, PythonLayer.V0_19_0, PythonLayer.V0_20_0]) expect(build({ pythonLayer: release }, PYTHON).vars[PY_LOGS]).toBe('true');
  });

  test('Python: the function\'s own value wins, false too', () => {
    expect(build({}, { ...PYTHON, environment: { [PY_LOGS]: 'false' } }).vars[PY_LOGS]).toBe('false');
  });

  test('Java agent: the Lambda resource provider on, the EC2 one (instance metadata queries) named off', () => {
    const { vars } = build({}, JAVA);
    expect(vars[AWS_ON]).toBe('true');
    expect(vars[DISABLED]).toBe(EC2);
    for (const release of [JavaAgentLayer.V0_18_0, JavaAgentLayer.V0_19_0, JavaAgentLayer.V0_20_0]) expect(build({ javaAgentLayer: release }, JAVA).vars[AWS_ON]).toBe('true');
  });

  test('Java agent: neither variable when the function configures its resource providers itself', () => {
    const neither = (environment: Record<string, string>) => {
      const { vars } = build({}, { ...JAVA, environment });
      expect([vars[AWS_ON] === 'true' && !(AWS_ON in environment), vars[DISABLED] === EC2]).toEqual([false, false]);
    };
    neither({ [DISABLED]: 'com.example.MyProvider' }); // ours alone would turn EC2's on
    neither({ [AWS_ON]: 'false' });
    neither({ OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS: 'com.example.MyProvider' });
    neither({ JAVA_TOOL_OPTIONS: '-Dotel.java.disabled.resource.providers=com.example.MyProvider' });
  });

  test('not for the Java wrapper, Node.js, Ruby or collector-only functions', () => {
    for (const [fnOpts, options] of [[JAVA, { javaInstrumentation: JavaInstrumentation.WRAPPER }], [NODE, {}], [RUBY, {}], [DOTNET, {}]] as const) {
      const { vars } = build(options, fnOpts);
      expect([vars[AWS_ON], vars[DISABLED], vars[PY_LOGS]]).toEqual([undefined, undefined, undefined]);
    }
  });
});

test('RubyLayer releases all share the same support', () => {
  expect(new Set(Object.values(LANGUAGE_SUPPORT.ruby)).size).toBe(1);
  expect(RubyLayer.LATEST.version).toBe('0.15.0');
});
