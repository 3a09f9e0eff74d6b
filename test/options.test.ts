import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { parse } from 'yaml';
import { concreteStack, deliveredConfigYaml, ENDPOINT, fn } from './helpers';
import {
  ClickStackInstrumentation, ClickStackInstrumentationProps, JavaInstrumentation, JavaWrapperLayer, TelemetryApiType,
} from '../src';
import { encodeAttributeValue } from '../src/private/rules/resource-attributes';

function build(options: Partial<ClickStackInstrumentationProps>, fnOpts: Parameters<typeof fn>[2] = {}) {
  const app = new App();
  const stack = concreteStack('eu-west-1', app);
  const f = fn(stack, 'Fn', fnOpts);
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f], ...options });
  const props = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties;
  const config = () => parse(deliveredConfigYaml(app, stack, props));
  return { stack, props, vars: props.Environment.Variables, config };
}

describe('Lambda logs and platform events (telemetryapi)', () => {
  test('off by default', () => {
    const { config } = build({});
    expect(config().receivers.telemetryapi).toBeUndefined();
  });

  test('adds the telemetryapi receiver with the chosen types to the logs pipeline only', () => {
    const { config } = build({ lambdaTelemetry: [TelemetryApiType.FUNCTION, TelemetryApiType.PLATFORM] });
    const c = config();
    expect(c.receivers.telemetryapi).toEqual({ types: ['function', 'platform'] });
    expect(c.service.pipelines.logs.receivers).toEqual(['otlp', 'telemetryapi']);
    expect(c.service.pipelines.traces.receivers).toEqual(['otlp']);
    expect(c.service.pipelines.logs.processors).toEqual(['decouple']);
  });
});

describe('debug mode', () => {
  test('collector logs at debug, a debug exporter in every pipeline, OTEL_LOG_LEVEL=debug for Node.js', () => {
    const { config, vars } = build({ debug: true });
    const c = config();
    expect(c.service.telemetry).toEqual({ logs: { level: 'debug' } });
    expect(c.exporters.debug).toEqual({ verbosity: 'detailed' });
    expect(c.exporters.logging).toBeUndefined();
    for (const p of Object.values<any>(c.service.pipelines)) expect(p.exporters).toEqual(['otlp_http', 'debug']);
    expect(vars.OTEL_LOG_LEVEL).toBe('debug');
  });

  test('off by default', () => {
    const { config, vars } = build({});
    expect(config().exporters.debug).toBeUndefined();
    expect(vars.OTEL_LOG_LEVEL).toBeUndefined();
  });
});

describe('resource identity', () => {
  test('environment, version and attributes go into OTEL_RESOURCE_ATTRIBUTES with only %, comma and = encoded', () => {
    const { vars } = build({
      deploymentEnvironment: 'prod eu',
      serviceVersion: '1.2.3',
      resourceAttributes: { 'team.name': 'a,b=c%d', 'cost.center': 'ü' },
    });
    expect(vars.OTEL_RESOURCE_ATTRIBUTES).toBe('deployment.environment.name=prod eu,service.version=1.2.3,cost.center=ü,team.name=a%2Cb%3Dc%25d');
  });

  test('includeCdkMetadata adds the stack name and the construct path', () => {
    const { vars } = build({ includeCdkMetadata: true });
    expect(vars.OTEL_RESOURCE_ATTRIBUTES).toBe('cdk.stack.name=Stack-eu-west-1,cdk.construct.path=Stack-eu-west-1/Fn');
  });

  test("the user's own OTEL_RESOURCE_ATTRIBUTES wins, with an info annotation", () => {
    const { vars, stack } = build({ serviceVersion: '2' }, { environment: { OTEL_RESOURCE_ATTRIBUTES: 'mine=1' } });
    expect(vars.OTEL_RESOURCE_ATTRIBUTES).toBe('mine=1');
    Annotations.fromStack(stack).hasInfo('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('keeps its own OTEL_RESOURCE_ATTRIBUTES'));
  });

  test('encoding round-trips through decodeURIComponent', () => {
    for (const v of ['a,b', 'x=y', '100%', 'é è', "it's (ok)*!"]) expect(decodeURIComponent(encodeAttributeValue(v))).toBe(v);
  });
});

describe('Java variants', () => {
  test.each([
    [JavaInstrumentation.WRAPPER, '/opt/otel-handler'],
    [JavaInstrumentation.WRAPPER_SQS, '/opt/otel-sqs-handler'],
    [JavaInstrumentation.WRAPPER_PROXY, '/opt/otel-proxy-handler'],
    [JavaInstrumentation.WRAPPER_STREAM, '/opt/otel-stream-handler'],
  ])('the wrapper layer with %o sets its handler', (java, wrapper) => {
    const { props, vars } = build({ javaInstrumentation: java }, { runtime: lambda.Runtime.JAVA_17 });
    expect(props.Layers[0]).toBe('arn:aws:lambda:eu-west-1:184161586896:layer:opentelemetry-javawrapper-0_21_0:1');
    expect(vars.AWS_LAMBDA_EXEC_WRAPPER).toBe(wrapper);
  });

  test('a pinned wrapper layer release is used', () => {
    const { props } = build(
      { javaInstrumentation: JavaInstrumentation.WRAPPER, javaWrapperLayer: JavaWrapperLayer.V0_19_0 },
      { runtime: lambda.Runtime.JAVA_11 },
    );
    expect(props.Layers[0]).toMatch(/opentelemetry-javawrapper-0_19_0/);
  });

  test('throws for the wrapper on java21, which the wrapper layer does not declare', () => {
    expect(() => build({ javaInstrumentation: JavaInstrumentation.WRAPPER }, { runtime: lambda.Runtime.JAVA_21 }))
      .toThrow(/runtime java21 is not among the runtimes of the OpenTelemetry Java wrapper layer \(java8.al2, java11, java17\), which javaInstrumentation JavaInstrumentation.WRAPPER chose; the Java agent layer lists java21: use JavaInstrumentation.AGENT/);
  });

  test('fast startup sets OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED on Java agent functions only', () => {
    expect(build({ javaAgentFastStartup: true }, { runtime: lambda.Runtime.JAVA_21 }).vars.OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED).toBe('true');
    expect(build({ javaAgentFastStartup: true }).vars.OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED).toBeUndefined();
  });
});

describe('cold-start controls', () => {
  test('Node.js enabled instrumentations apply to Node.js functions only', () => {
    expect(build({ nodejsEnabledInstrumentations: ['http', 'pg'] }).vars.OTEL_NODE_ENABLED_INSTRUMENTATIONS).toBe('http,pg');
    expect(build({ nodejsEnabledInstrumentations: ['http'] }, { runtime: lambda.Runtime.PYTHON_3_13 }).vars.OTEL_NODE_ENABLED_INSTRUMENTATIONS).toBeUndefined();
  });

  test('Python disabled instrumentations apply to Python functions only', () => {
    expect(build({ pythonDisabledInstrumentations: ['botocore'] }, { runtime: lambda.Runtime.PYTHON_3_13 }).vars.OTEL_PYTHON_DISABLED_INSTRUMENTATIONS).toBe('botocore');
    expect(build({ pythonDisabledInstrumentations: ['botocore'] }).vars.OTEL_PYTHON_DISABLED_INSTRUMENTATIONS).toBeUndefined();
  });
});

describe('hostile input is refused with the construct, the value and the fix', () => {
  const cases: Array<[string, Partial<ClickStackInstrumentationProps>, RegExp]> = [
    ['a service name with a newline', { serviceName: 'a\nb' }, /Stack-eu-west-1\/Otel: serviceName "a\\nb" contains control characters/],
    ['an empty service name', { serviceName: ' ' }, /serviceName must not be empty/],
    ['an empty deployment environment', { deploymentEnvironment: '' }, /deploymentEnvironment must not be empty/],
    ['an attribute key with a comma', { resourceAttributes: { 'a,b': 'x' } }, /resource attribute key "a,b" must be a dotted name/],
    ['an attribute key with =', { resourceAttributes: { 'a=b': 'x' } }, /resource attribute key "a=b"/],
    ['an attribute value with a control character', { resourceAttributes: { a: 'x\u0001' } }, /resource attribute a must be a string without control characters/],
    ['an empty lambdaTelemetry', { lambdaTelemetry: [] }, /lambdaTelemetry is empty/],
    ['an empty Node.js instrumentation list', { nodejsEnabledInstrumentations: [] }, /nodejsEnabledInstrumentations is empty, which the Node.js layer reads as unset/],
    ['an instrumentation name with a comma', { pythonDisabledInstrumentations: ['a,b'] }, /entry "a,b" is not an instrumentation name/],
    ['fast startup with the wrapper', { javaAgentFastStartup: true, javaInstrumentation: JavaInstrumentation.WRAPPER }, /only applies to JavaInstrumentation.AGENT/],
    ['a wrapper layer without the wrapper', { javaWrapperLayer: JavaWrapperLayer.LATEST }, /javaWrapperLayer is set but javaInstrumentation/],
    ['an endpoint with a space', { endpoint: 'https://otel.example.com/a b' }, /white space/],
  ];
  test.each(cases)('%s', (_name, options, message) => {
    const stack: Stack = concreteStack();
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, ...options })).toThrow(message);
  });
});
