import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { concreteStack, ENDPOINT, fn } from './helpers';
import { ClickStackInstrumentation, ClickStackInstrumentationProps } from '../src';
import { otlpPortMismatches } from '../src/private/rules/otlp-ports';

const MISMATCH = '@clickstack/cdk:otlpPortMismatch';

function build(fnOpts: Parameters<typeof fn>[2] = {}, after?: (f: lambda.Function) => void, options: Partial<ClickStackInstrumentationProps> = {}) {
  const stack = concreteStack('eu-west-1', new App());
  const f = fn(stack, 'Fn', { code: 's3', ...fnOpts });
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [f], ...options });
  after?.(f);
  const vars = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
  return { stack, vars: vars as Record<string, string> };
}

const mismatches = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${MISMATCH}\\]`));

describe('collector-only functions: every SDK reaches the port of the protocol it speaks', () => {
  test.each([
    ['dotnet8', lambda.Runtime.DOTNET_8],
    ['provided.al2023', lambda.Runtime.PROVIDED_AL2023],
    ['provided.al2', lambda.Runtime.PROVIDED_AL2],
  ])('%s: no endpoint and no protocol (the SDK defaults: gRPC 4317, HTTP 4318), plaintext for Go\'s exporters', (_name, runtime) => {
    const { stack, vars } = build({ runtime });
    expect(vars.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(vars.OTEL_EXPORTER_OTLP_PROTOCOL).toBeUndefined();
    expect(vars.OTEL_EXPORTER_OTLP_INSECURE).toBe('true');
    expect(mismatches(stack)).toEqual([]);
    Annotations.fromStack(stack).hasInfo('/Stack-eu-west-1',
      Match.stringLikeRegexp('keeps its default endpoint \\(gRPC to localhost:4317, OTLP/HTTP to localhost:4318, both served by the collector'));
  });

  test('an endpoint of the function\'s own is kept, and then no OTEL_EXPORTER_OTLP_INSECURE (it would make an https:// endpoint plaintext in Go)', () => {
    for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
      const { vars } = build({ runtime: lambda.Runtime.PROVIDED_AL2023, environment: { [name]: 'https://collector.example.com:4318' } });
      expect(vars[name]).toBe('https://collector.example.com:4318');
      expect(vars.OTEL_EXPORTER_OTLP_INSECURE).toBeUndefined();
    }
  });

  test('the function\'s own OTEL_EXPORTER_OTLP_INSECURE wins', () => {
    const { vars } = build({ runtime: lambda.Runtime.PROVIDED_AL2023, environment: { OTEL_EXPORTER_OTLP_INSECURE: 'false' } });
    expect(vars.OTEL_EXPORTER_OTLP_INSECURE).toBe('false');
  });
});

describe('language-layer functions keep OTLP/HTTP on 4318', () => {
  test.each([
    ['Node.js', lambda.Runtime.NODEJS_22_X],
    ['Python', lambda.Runtime.PYTHON_3_13],
    ['Java', lambda.Runtime.JAVA_17],
  ])('%s: http://localhost:4318 with http/protobuf, no INSECURE', (_name, runtime) => {
    const { stack, vars } = build({ runtime });
    expect(vars.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://localhost:4318');
    expect(vars.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(vars.OTEL_EXPORTER_OTLP_INSECURE).toBeUndefined();
    expect(mismatches(stack)).toEqual([]);
  });
});

describe('a protocol and a port that do not match are flagged at synth, naming the port that speaks it', () => {
  test('the user\'s grpc with our HTTP endpoint (Java agent): flagged, pointing at 4317', () => {
    const { stack, vars } = build({ runtime: lambda.Runtime.JAVA_17, environment: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } });
    expect(vars.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('grpc'); // the user's value still wins
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp(
      'Stack-eu-west-1/Fn sends nothing the collector accepts: OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 with OTEL_EXPORTER_OTLP_PROTOCOL=grpc: port 4318 speaks OTLP/HTTP, and gRPC is served on localhost:4317'));
  });

  test('the user\'s endpoint on 4317 with our http/protobuf (Java): flagged, pointing at 4318', () => {
    const { stack } = build({ runtime: lambda.Runtime.JAVA_17, environment: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' } });
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp(
      'OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: port 4317 speaks OTLP/gRPC, and OTLP/HTTP is served on localhost:4318'));
  });

  test('.NET with an endpoint on 4318 and no protocol: its SDK defaults to gRPC, flagged', () => {
    const { stack } = build({ runtime: lambda.Runtime.DOTNET_8, environment: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' } });
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp(
      "OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 with its SDK's default protocol grpc: port 4318 speaks OTLP/HTTP"));
  });

  test('a variable added after instrumentation is judged too (the check runs at synth)', () => {
    const { stack } = build({ runtime: lambda.Runtime.PROVIDED_AL2023 }, f => {
      f.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:4318');
      f.addEnvironment('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    });
    expect(mismatches(stack)).toHaveLength(1);
  });

  test('a per-signal protocol is judged for its signal only', () => {
    const { stack } = build({ runtime: lambda.Runtime.JAVA_17, environment: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' } });
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc: .* \\(traces\\)'));
  });

  test.each([
    ['a matching pair (.NET, 4318 with http/protobuf)', lambda.Runtime.DOTNET_8, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }],
    ['a matching pair (Java agent, 4317 with grpc)', lambda.Runtime.JAVA_17, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }],
    ['Python with grpc (its layer bundles only the OTLP/HTTP exporter)', lambda.Runtime.PYTHON_3_13, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }],
    ['Node.js with grpc (its layer sends http/json whatever the variable says)', lambda.Runtime.NODEJS_22_X, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }],
    ['Go with an endpoint and no protocol (the package decides, unknown here)', lambda.Runtime.PROVIDED_AL2023, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }],
    ['a remote endpoint (not the collector\'s ports)', lambda.Runtime.DOTNET_8, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318' }],
  ])('not flagged: %s', (_name, runtime, environment) => {
    expect(mismatches(build({ runtime, environment }).stack)).toEqual([]);
  });

  test('Node.js with an endpoint on 4317: flagged (its layer only sends OTLP/HTTP)', () => {
    const { stack } = build({ environment: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' } });
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Fn', Match.stringLikeRegexp("with its SDK's default protocol http/json: port 4317 speaks OTLP/gRPC"));
  });
});

describe('otlpPortMismatches', () => {
  const collectorOnly = { kind: 'collectorOnly', sdkHint: '' } as const;
  test('one message for all signals when they agree; none for a token or an unparsable value', () => {
    expect(otlpPortMismatches({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://[::1]:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, collectorOnly, 'provided.al2023', undefined))
      .toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT=http://[::1]:4318 with OTEL_EXPORTER_OTLP_PROTOCOL=grpc: port 4318 speaks OTLP/HTTP, and gRPC is served on localhost:4317']);
    expect(otlpPortMismatches({ OTEL_EXPORTER_OTLP_ENDPOINT: '${Token[TOKEN.1]}', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, collectorOnly, 'provided.al2023', undefined)).toEqual([]);
    expect(otlpPortMismatches({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, collectorOnly, 'provided.al2023', undefined)).toEqual([]);
  });
});
