import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { agnosticStack, concreteStack, deliveredConfigYaml, ENDPOINT, fn, HANDLER_DIR, readFile, stagedAssetDir } from './helpers';
import { ClickStackInstrumentation, CollectorLayer, ConfigDelivery, IngestionKey, NodejsLayer, Propagator, TraceSampler } from '../src';
import { canReadLayersEarly } from '../src/private/rules/existing';

const L = (region: string, name: string) => `arn:aws:lambda:${region}:184161586896:layer:${name}:1`;
/** The stack's config layer, last in a function's layers: where the default puts collector.yaml. */
const CONFIG = { Ref: expect.stringMatching(/^ClickStackSharedConfig/) };

function instrument(stack: Stack, fns: lambda.Function[], extra: object = {}, id = 'Otel') {
  return new ClickStackInstrumentation(stack, id, { endpoint: ENDPOINT, functions: fns, ...extra });
}

function fnProps(stack: Stack, id: string): any {
  const template = Template.fromStack(stack).toJSON();
  const logicalId = Object.keys(template.Resources).find(k => k.startsWith(id) && template.Resources[k].Type === 'AWS::Lambda::Function');
  return template.Resources[logicalId!].Properties;
}

describe('language layer and collector layer by runtime and architecture', () => {
  test('Node.js on x86_64 gets the LATEST Node.js layer, the amd64 collector and the wrapper', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Node')]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Layers: [L('eu-west-1', 'opentelemetry-nodejs-0_23_0'), L('eu-west-1', 'opentelemetry-collector-amd64-0_23_0'), { Ref: Match.stringLikeRegexp('^ClickStackSharedConfig') }],
      Environment: {
        Variables: {
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler',
          OPENTELEMETRY_COLLECTOR_CONFIG_URI: '/opt/clickstack/collector.yaml',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
          OTEL_PROPAGATORS: 'tracecontext,baggage',
          OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        },
      },
    });
  });

  test('Python on arm64 gets the Python layer and the arm64 collector', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Py', { runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.ARM_64 })]);
    expect(fnProps(stack, 'Py').Layers).toEqual([L('eu-west-1', 'opentelemetry-python-0_21_0'), L('eu-west-1', 'opentelemetry-collector-arm64-0_23_0'), CONFIG]);
    expect(fnProps(stack, 'Py').Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBe('/opt/otel-handler');
  });

  test('Java 21 gets the Java agent layer and the wrapper', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Java', { runtime: lambda.Runtime.JAVA_21 })]);
    expect(fnProps(stack, 'Java').Layers).toEqual([L('eu-west-1', 'opentelemetry-javaagent-0_21_0'), L('eu-west-1', 'opentelemetry-collector-amd64-0_23_0'), CONFIG]);
    expect(fnProps(stack, 'Java').Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBe('/opt/otel-handler');
  });

  test('Ruby 3.3 on x86_64 gets the Ruby layer', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Rb', { runtime: lambda.Runtime.RUBY_3_3 })]);
    expect(fnProps(stack, 'Rb').Layers).toEqual([L('eu-west-1', 'opentelemetry-ruby-0_15_0'), L('eu-west-1', 'opentelemetry-collector-amd64-0_23_0'), CONFIG]);
  });

  test('throws for Ruby on arm64, where the upstream layer is broken', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Rb', { runtime: lambda.Runtime.RUBY_3_3, architecture: lambda.Architecture.ARM_64 });
    expect(() => instrument(stack, [f])).toThrow(/Stack-eu-west-1\/Rb: .*broken on arm64.*Architecture.X86_64/);
  });

  test.each([
    ['dotnet8', lambda.Runtime.DOTNET_8, /\.NET: the OpenTelemetry \.NET SDK with OpenTelemetry\.Instrumentation\.AWSLambda.*: Stack-eu-west-1\/Fn$/m, /Go|Rust/],
    ['provided.al2023', lambda.Runtime.PROVIDED_AL2023, /custom runtime \(provided\.\*\): your language's OpenTelemetry SDK.*otellambda.*: Stack-eu-west-1\/Fn$/m, /\.NET/],
  ])('%s gets the collector only, no wrapper, and one summary line per stack about what its code must do (no per-function info)', (_name, runtime, says, never) => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Fn', { runtime })]);
    const props = fnProps(stack, 'Fn');
    expect(props.Layers).toEqual([L('eu-west-1', 'opentelemetry-collector-amd64-0_23_0'), CONFIG]);
    expect(props.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBeUndefined();
    expect(props.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
    const infos = Annotations.fromStack(stack).findInfo('*', Match.anyValue()).map(m => `${m.id} ${m.entry.data}`);
    expect(infos.filter(i => i.startsWith('/Stack-eu-west-1/Fn'))).toEqual([]);
    const summary = infos.filter(i => i.includes('@clickstack/cdk:summary'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(/collector only, 1 function\(s\) with no OpenTelemetry language layer: their code must start an OpenTelemetry SDK whose OTLP exporter keeps its default endpoint \(gRPC to localhost:4317, OTLP\/HTTP to localhost:4318/);
    expect(summary[0]).toMatch(says);
    expect(summary[0]).not.toMatch(never);
  });

  test('collector-only functions of several families share one summary line, each family with its own advice', () => {
    const stack = concreteStack();
    class GoFunction extends lambda.Function {}
    instrument(stack, [
      fn(stack, 'A', { runtime: lambda.Runtime.DOTNET_8 }),
      fn(stack, 'B', { runtime: lambda.Runtime.DOTNET_8 }),
      new GoFunction(stack, 'G', { runtime: lambda.Runtime.PROVIDED_AL2023, handler: 'bootstrap', code: lambda.Code.fromAsset(HANDLER_DIR) }),
      fn(stack, 'C', { runtime: lambda.Runtime.PROVIDED_AL2 }),
    ]);
    const summary = Annotations.fromStack(stack).findInfo('/Stack-eu-west-1', Match.stringLikeRegexp('clickstack/cdk:summary')).map(m => String(m.entry.data));
    expect(summary).toHaveLength(1);
    expect(summary[0].split('\n')).toHaveLength(1);
    expect(summary[0]).toMatch(/collector only, 4 function\(s\)/);
    expect(summary[0]).toMatch(/\.NET: [^;]*: Stack-eu-west-1\/A, Stack-eu-west-1\/B; Go: the OpenTelemetry Go SDK [^;]*otellambda[^;]*: Stack-eu-west-1\/G; custom runtime [^;]*: Stack-eu-west-1\/C/);
  });

  test('throws for container-image functions', () => {
    const stack = concreteStack();
    const f = new lambda.DockerImageFunction(stack, 'Img', { code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(stack, 'Repo', 'x')) });
    expect(() => instrument(stack, [f])).toThrow(/cannot instrument Stack-eu-west-1\/Img: container-image functions cannot use Lambda layers/);
  });

  test('throws for a runtime the layer metadata excludes, naming the supported ones', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Old', { runtime: lambda.Runtime.NODEJS_18_X });
    expect(() => instrument(stack, [f])).toThrow(/Stack-eu-west-1\/Old: runtime nodejs18.x is not among the runtimes of the OpenTelemetry nodejs layer \(nodejs20.x, nodejs22.x, nodejs24.x\)/);
  });

  test('throws for go1.x and says to use provided.al2023', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Go', { runtime: lambda.Runtime.GO_1_X });
    expect(() => instrument(stack, [f])).toThrow(/provided.al2023/);
  });

  test('a custom language layer lifts the runtime check for its language', () => {
    const stack = concreteStack();
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:layer:my-node-otel:3';
    instrument(stack, [fn(stack, 'Old', { runtime: lambda.Runtime.NODEJS_18_X })], { nodejsLayer: NodejsLayer.fromArn(arn) });
    expect(fnProps(stack, 'Old').Layers[0]).toBe(arn);
  });
});

describe('region', () => {
  test('throws in a region the pinned release was not published in, listing where it is', () => {
    const stack = concreteStack('ca-west-1');
    const f = fn(stack, 'Fn');
    expect(() => instrument(stack, [f], { collectorLayer: CollectorLayer.V0_19_0 }))
      .toThrow(/Stack-ca-west-1\/Fn: the OpenTelemetry collector layer 0.19.0 is not published in ca-west-1 \(a newer release may be.*\); it is published in: ap-northeast-1, /);
  });

  test('the newest releases cover ap-northeast-3', () => {
    const stack = concreteStack('ap-northeast-3');
    instrument(stack, [fn(stack, 'Fn')]);
    expect(fnProps(stack, 'Fn').Layers).toEqual([L('ap-northeast-3', 'opentelemetry-nodejs-0_23_0'), L('ap-northeast-3', 'opentelemetry-collector-amd64-0_23_0'), CONFIG]);
  });

  test.each(['cn-north-1', 'us-gov-west-1'])('throws in the partition of %s', region => {
    const stack = concreteStack(region);
    const f = fn(stack, 'Fn');
    expect(() => instrument(stack, [f])).toThrow(/partition, where the OpenTelemetry Lambda layers are not published/);
  });

  test('throws in a region no release was published in', () => {
    const stack = concreteStack('xx-nowhere-1');
    const f = fn(stack, 'Fn');
    expect(() => instrument(stack, [f])).toThrow(/is not published in xx-nowhere-1; it is published in/);
  });

  test('an environment-agnostic stack resolves layers with one lazy mapping and Fn::FindInMap on AWS::Region', () => {
    const stack = agnosticStack();
    instrument(stack, [fn(stack, 'A'), fn(stack, 'B', { architecture: lambda.Architecture.ARM_64 }), fn(stack, 'C')]);
    const template = Template.fromStack(stack);
    const find = (key: string) => ({ 'Fn::FindInMap': ['ClickStackLayerArns', { Ref: 'AWS::Region' }, key] });
    expect(fnProps(stack, 'A').Layers).toEqual([find('nodejs0x23x0'), find('collectoramd640x23x0'), CONFIG]);
    expect(fnProps(stack, 'B').Layers).toEqual([find('nodejs0x23x0'), find('collectorarm640x23x0'), CONFIG]);
    const mappings = template.toJSON().Mappings;
    expect(Object.keys(mappings)).toEqual(['ClickStackLayerArns']);
    const table = mappings.ClickStackLayerArns;
    expect(Object.keys(table)).toHaveLength(34);
    expect(table['us-east-1']).toEqual({
      nodejs0x23x0: L('us-east-1', 'opentelemetry-nodejs-0_23_0'),
      collectoramd640x23x0: L('us-east-1', 'opentelemetry-collector-amd64-0_23_0'),
      collectorarm640x23x0: L('us-east-1', 'opentelemetry-collector-arm64-0_23_0'),
    });
    expect(table['cn-north-1']).toBeUndefined();
  });

  test('a stack without instrumented functions gets no mapping', () => {
    const stack = agnosticStack();
    fn(stack, 'A');
    expect(Template.fromStack(stack).toJSON().Mappings).toBeUndefined();
  });
});

describe('collector.yaml delivery', () => {
  test('by default, asset code is left as it is and collector.yaml is in the stack\'s config layer', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const f = fn(stack, 'Fn');
    const originalKey = stack.resolve((f.node.defaultChild as lambda.CfnFunction).code).s3Key;
    instrument(stack, [f]);
    const props = fnProps(stack, 'Fn');
    expect(props.Code.S3Key).toBe(originalKey);
    expect(props.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
    expect(props.Layers[2]).toEqual(CONFIG);
    expect(fs.existsSync(path.join(stagedAssetDir(app, props.Code.S3Key), 'collector.yaml'))).toBe(false);
    const layer = Template.fromStack(stack).toJSON().Resources[props.Layers[2].Ref];
    expect(readFile(stagedAssetDir(app, layer.Properties.Content.S3Key), 'clickstack', 'collector.yaml')).toMatch(/processors:\n\s+- decouple\n/);
  });

  test('with ConfigDelivery.BUNDLE, asset code gets collector.yaml in a re-staged copy of its asset', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    instrument(stack, [fn(stack, 'Fn')], { configDelivery: ConfigDelivery.BUNDLE });
    const props = fnProps(stack, 'Fn');
    const dir = stagedAssetDir(app, props.Code.S3Key);
    expect(readFile(dir, 'index.js')).toContain('exports.handler');
    const yaml = readFile(dir, 'collector.yaml');
    expect(yaml).toContain('endpoint: https://otel.example.com:4318');
    expect(yaml).toMatch(/processors:\n\s+- decouple\n/);
    expect(yaml).not.toMatch(/batch/);
  });

  test('with ConfigDelivery.BUNDLE, functions that share code and options share one instrumented asset', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    instrument(stack, [fn(stack, 'A'), fn(stack, 'B'), fn(stack, 'C', { architecture: lambda.Architecture.ARM_64 })], { configDelivery: ConfigDelivery.BUNDLE });
    const keys = new Set(['A', 'B', 'C'].map(id => fnProps(stack, id).Code.S3Key));
    expect(keys.size).toBe(1);
  });

  test('inline code gets one config layer per stack and distinct config', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    instrument(stack, [fn(stack, 'A', { code: 'inline' }), fn(stack, 'B', { code: 'inline', runtime: lambda.Runtime.PYTHON_3_12 })]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    const layer = Object.values(template.findResources('AWS::Lambda::LayerVersion'))[0] as any;
    const a = fnProps(stack, 'A');
    expect(a.Code.ZipFile).toContain('exports.handler');
    expect(a.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
    expect(a.Layers).toHaveLength(3);
    expect(a.Layers[2]).toEqual({ Ref: expect.stringMatching(/^ClickStackSharedConfig/) });
    const dir = stagedAssetDir(app, layer.Properties.Content.S3Key);
    expect(readFile(dir, 'clickstack', 'collector.yaml')).toContain('endpoint: https://otel.example.com:4318');
  });

  test('a .zip file asset gets the config layer (its bundle cannot be rewritten as a directory)', () => {
    const stack = concreteStack();
    const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-test-')), 'handler.zip');
    fs.writeFileSync(zip, 'PK\u0005\u0006' + '\u0000'.repeat(18)); // an empty zip archive
    const f = new lambda.Function(stack, 'Zip', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(zip) });
    instrument(stack, [f]);
    expect(fnProps(stack, 'Zip').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 1);
  });

  test('S3 code gets the config layer', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'S3Fn', { code: 's3' })]);
    expect(fnProps(stack, 'S3Fn').Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI).toBe('/opt/clickstack/collector.yaml');
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 1);
  });

  test('a token endpoint goes through an environment variable the config references', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const endpoint = new CfnParameter(stack, 'Endpoint').valueAsString;
    new ClickStackInstrumentation(stack, 'Otel', { endpoint, functions: [fn(stack, 'Fn')] });
    const props = fnProps(stack, 'Fn');
    expect(props.Environment.Variables.CLICKSTACK_OTLP_ENDPOINT).toEqual({ Ref: 'Endpoint' });
    expect(deliveredConfigYaml(app, stack, props)).toContain('endpoint: ${env:CLICKSTACK_OTLP_ENDPOINT}');
  });
});

describe('environment', () => {
  test('serviceName, sampler and propagators are set as given', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Fn')], {
      serviceName: 'checkout',
      sampler: TraceSampler.parentBasedTraceIdRatio(0.25),
      propagators: [Propagator.TRACECONTEXT, Propagator.XRAY],
    });
    expect(fnProps(stack, 'Fn').Environment.Variables).toMatchObject({
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_PROPAGATORS: 'tracecontext,xray',
    });
  });

  test('OTEL_SERVICE_NAME is not set by default, and nothing references the function itself', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Fn')]);
    const vars = fnProps(stack, 'Fn').Environment.Variables;
    expect(vars.OTEL_SERVICE_NAME).toBeUndefined();
    expect(JSON.stringify(vars)).not.toMatch(/"Ref"|Fn::GetAtt/);
  });

  test("a user's own OTEL_* value wins", () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Fn', { environment: { OTEL_PROPAGATORS: 'b3', OTEL_SERVICE_NAME: 'mine' } })], { serviceName: 'ours' });
    expect(fnProps(stack, 'Fn').Environment.Variables).toMatchObject({ OTEL_PROPAGATORS: 'b3', OTEL_SERVICE_NAME: 'mine' });
  });

  test("throws on a user's own AWS_LAMBDA_EXEC_WRAPPER, even one equal to ours", () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn', { environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/my-wrapper' } });
    expect(() => instrument(stack, [f])).toThrow(/Stack-eu-west-1\/Fn: it is already instrumented by someone else: it has AWS_LAMBDA_EXEC_WRAPPER="\/opt\/my-wrapper"; to move it to ClickStack, remove/);
    const same = fn(stack, 'Same', { environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' } });
    expect(() => instrument(stack, [same], {}, 'Otel2')).toThrow(/Stack-eu-west-1\/Same: it is already instrumented by someone else: it has AWS_LAMBDA_EXEC_WRAPPER="\/opt\/otel-handler"/);
  });

  test.each([
    ['provided.al2023', lambda.Runtime.PROVIDED_AL2023],
    ['dotnet8', lambda.Runtime.DOTNET_8],
  ])("throws for a user's wrapper on a collector-only runtime (%s) too: someone else's instrumentation", (_name, runtime) => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn', { runtime, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/my-wrapper' } });
    expect(() => instrument(stack, [f])).toThrow(/cannot instrument Stack-eu-west-1\/Fn: it is already instrumented by someone else: it has AWS_LAMBDA_EXEC_WRAPPER="\/opt\/my-wrapper"/);
  });

  test('fails synth when a wrapper is set on a collector-only function after instrumentation', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn', { runtime: lambda.Runtime.DOTNET_8 });
    instrument(stack, [f]);
    f.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', '/opt/datadog_wrapper');
    expect(() => Template.fromStack(stack)).toThrow(/AWS_LAMBDA_EXEC_WRAPPER of Stack-eu-west-1\/Fn was set to "\/opt\/datadog_wrapper" after instrumentation/);
  });

  test('fails synth when the wrapper is changed after instrumentation', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn');
    instrument(stack, [f]);
    f.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', '/opt/other');
    expect(() => Template.fromStack(stack)).toThrow(/AWS_LAMBDA_EXEC_WRAPPER of Stack-eu-west-1\/Fn was changed to "\/opt\/other"/);
  });

  test('a refused function is left unchanged: no grant, no layer, no variable', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn', { environment: { BIG: 'x'.repeat(3900) } });
    const key = IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'K', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf'));
    expect(() => instrument(stack, [f], { ingestionKey: key })).toThrow(/over Lambda's 4096/);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(fnProps(stack, 'Fn').Layers).toBeUndefined();
    expect(Object.keys(fnProps(stack, 'Fn').Environment.Variables)).toEqual(['BIG']);
  });

  test("throws when the environment would exceed Lambda's 4 KB", () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn', { environment: { BIG: 'x'.repeat(3900) } });
    expect(() => instrument(stack, [f])).toThrow(/Stack-eu-west-1\/Fn: its environment variables would take \d+ bytes with instrumentation, over Lambda's 4096/);
  });
});

describe('budgets and conflicts', () => {
  test("a function's own layers are kept, ours come after them, and layers added later count", () => {
    const stack = concreteStack();
    const mine = lambda.LayerVersion.fromLayerVersionArn(stack, 'Mine', 'arn:aws:lambda:eu-west-1:123456789012:layer:mine:1');
    const later = lambda.LayerVersion.fromLayerVersionArn(stack, 'Later', 'arn:aws:lambda:eu-west-1:123456789012:layer:later:1');
    const f = fn(stack, 'Fn', { layers: [mine] });
    instrument(stack, [f]);
    f.addLayers(later);
    expect(fnProps(stack, 'Fn').Layers).toEqual([
      'arn:aws:lambda:eu-west-1:123456789012:layer:mine:1',
      'arn:aws:lambda:eu-west-1:123456789012:layer:later:1',
      L('eu-west-1', 'opentelemetry-nodejs-0_23_0'),
      L('eu-west-1', 'opentelemetry-collector-amd64-0_23_0'),
      CONFIG,
    ]);
  });


  test('fails synth when the function would exceed 5 layers, naming the layers it has', () => {
    const stack = concreteStack();
    const layers = [1, 2, 3, 4].map(i => lambda.LayerVersion.fromLayerVersionArn(stack, `L${i}`, `arn:aws:lambda:eu-west-1:123456789012:layer:mine-${i}:1`));
    const f = fn(stack, 'Fn', { layers });
    instrument(stack, [f], { configDelivery: ConfigDelivery.BUNDLE });
    expect(() => Template.fromStack(stack)).toThrow(/\[Stack-eu-west-1\/Fn\] Lambda allows 5 layers; Stack-eu-west-1\/Fn has 4 of its own \(arn:aws:lambda:eu-west-1:123456789012:layer:mine-1:1, .*mine-4:1\) and instrumentation adds 2. Remove 1 of its layers$/);
  });

  test('a config layer over the budget: the error names the modes that take no layer slot', () => {
    const stack = concreteStack();
    const layers = [1, 2, 3].map(i => lambda.LayerVersion.fromLayerVersionArn(stack, `L${i}`, `arn:aws:lambda:eu-west-1:123456789012:layer:mine-${i}:1`));
    instrument(stack, [fn(stack, 'Fn', { layers })], { configDelivery: ConfigDelivery.LAYER });
    expect(() => Template.fromStack(stack)).toThrow(/Stack-eu-west-1\/Fn has 3 of its own .* and instrumentation adds 3 \(the collector\.yaml config layer among them\)\. Remove 1 of its layers; or set configDelivery to ConfigDelivery\.BUNDLE \(for code from a local directory\) or ConfigDelivery\.ENVIRONMENT/);
  });

  test('refuses a function that already has an OpenTelemetry layer: at once where layers can be read early, else at synth', () => {
    const stack = concreteStack();
    const otel = lambda.LayerVersion.fromLayerVersionArn(stack, 'Otel0', L('eu-west-1', 'opentelemetry-nodejs-0_21_0'));
    const f = fn(stack, 'Fn', { layers: [otel] });
    if (canReadLayersEarly()) {
      expect(() => instrument(stack, [f])).toThrow(/Stack-eu-west-1\/Fn: it is already instrumented by someone else: it has an OpenTelemetry layer \(arn:aws:lambda:eu-west-1:184161586896:layer:opentelemetry-nodejs-0_21_0:1\)/);
      return;
    }
    instrument(stack, [f]);
    expect(() => Template.fromStack(stack)).toThrow(/Stack-eu-west-1\/Fn already has an OpenTelemetry layer \(arn:aws:lambda:eu-west-1:184161586896:layer:opentelemetry-nodejs-0_21_0:1\) besides the instrumentation's/);
  });

  test('an OpenTelemetry layer added after instrumentation fails the synth', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn');
    instrument(stack, [f]);
    f.addLayers(lambda.LayerVersion.fromLayerVersionArn(stack, 'Adot', 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-amd64-ver-1-30-1:1'));
    expect(() => Template.fromStack(stack)).toThrow(/Stack-eu-west-1\/Fn already has an AWS Distro for OpenTelemetry \(ADOT\) layer .* besides the instrumentation's: it would run two SDKs and two collectors; to move it to ClickStack, drop adotInstrumentation/);
  });

  test('instrumenting twice with the same options is a no-op', () => {
    const once = concreteStack();
    instrument(once, [fn(once, 'Fn')]);
    const twice = concreteStack();
    const f = fn(twice, 'Fn');
    instrument(twice, [f]);
    instrument(twice, [f], {}, 'Again');
    expect(Template.fromStack(twice).toJSON()).toEqual(Template.fromStack(once).toJSON());
  });

  test('throws when instrumenting twice with different options, naming both', () => {
    const stack = concreteStack();
    const f = fn(stack, 'Fn');
    instrument(stack, [f], {}, 'First');
    expect(() => instrument(stack, [f], { serviceName: 'other' }, 'Second'))
      .toThrow(/Stack-eu-west-1\/Fn: it is already instrumented by Stack-eu-west-1\/First with other options than Stack-eu-west-1\/Second/);
  });

  test('addFunction instruments functions added later', () => {
    const stack = concreteStack();
    const otel = instrument(stack, []);
    otel.addFunction(fn(stack, 'Later'));
    expect(fnProps(stack, 'Later').Layers).toHaveLength(3);
  });
});

describe('options validation', () => {
  test.each([
    ['not a url', /is not a URL/],
    ['ftp://otel.example.com', /must use https:\/\/ or http:\/\//],
    ['https://user:secret@otel.example.com', /must not contain credentials/],
    ['https://otel.example.com:4318/v1/traces', /ends in a signal path/],
    ['https://otel.example.com?x=1', /must not have a query/],
    ['', /endpoint is required/],
  ])('throws for endpoint %p', (endpoint, message) => {
    const stack = concreteStack();
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint })).toThrow(message);
  });

  test('accepts an endpoint with a path prefix and a plain http endpoint', () => {
    const stack = concreteStack();
    expect(() => new ClickStackInstrumentation(stack, 'A', { endpoint: 'https://gw.example.com/otel' })).not.toThrow();
    expect(() => new ClickStackInstrumentation(stack, 'B', { endpoint: 'http://10.0.0.5:4318' })).not.toThrow();
  });

  test.each([-0.1, 1.5, NaN])('throws for sampler ratio %p', ratio => {
    expect(() => TraceSampler.traceIdRatio(ratio)).toThrow(/between 0 and 1/);
  });

  test('throws for a malformed custom layer ARN and for one of another region', () => {
    const stack = concreteStack();
    expect(() => instrument(stack, [fn(stack, 'A')], { nodejsLayer: NodejsLayer.fromArn('my-layer') }, 'A1')).toThrow(/is not a Lambda layer version ARN/);
    expect(() => instrument(stack, [fn(stack, 'B')], { collectorLayer: CollectorLayer.fromArn('arn:aws:lambda:us-east-1:123456789012:layer:c:1') }, 'B1'))
      .toThrow(/a layer in us-east-1, but the function is in eu-west-1/);
  });

  test('a pinned version gives its exact ARN', () => {
    const stack = concreteStack();
    instrument(stack, [fn(stack, 'Fn')], { nodejsLayer: NodejsLayer.V0_21_0, collectorLayer: CollectorLayer.V0_21_0 });
    expect(fnProps(stack, 'Fn').Layers).toEqual([L('eu-west-1', 'opentelemetry-nodejs-0_21_0'), L('eu-west-1', 'opentelemetry-collector-amd64-0_21_0'), CONFIG]);
  });

  test('a layer of the wrong family is refused', () => {
    const stack = concreteStack();
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, nodejsLayer: CollectorLayer.LATEST as any }))
      .toThrow(/got a collector layer release where a NodejsLayer is expected/);
  });
});

test('the pseudo region is never guessed', () => {
  const stack = agnosticStack();
  instrument(stack, [fn(stack, 'Fn')]);
  expect(JSON.stringify(fnProps(stack, 'Fn').Layers)).not.toMatch(/us-east-1/);
  expect(Aws.REGION).toBeDefined();
});
