import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { parse } from 'yaml';
import { concreteStack, ENDPOINT, fn } from './helpers';
import { ClickStackAspect, ClickStackInstrumentation, CollectorLayer, ConfigDelivery, TelemetryApiType } from '../src';
import { collectorConfig } from '../src/collector-config';

/** As a user sets it on the L1 (any aws-cdk-lib version: the property is read by name). */
function onCapacityProvider(f: lambda.Function): void {
  (f.node.defaultChild as any).capacityProviderConfig = {
    lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn: 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:cp' },
  };
}

/** The collector.yaml a function gets, followed from its template to the file in the cloud assembly. */
function deliveredConfig(app: App, stack: Stack, id: string): any {
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const [, fnRes] = Object.entries<any>(template.Resources).find(([k, r]) => k.startsWith(id) && r.Type === 'AWS::Lambda::Function')!;
  const uri: string = fnRes.Properties.Environment.Variables.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
  const key = (s3: { S3Key: string }) => path.join(assembly.directory, `asset.${s3.S3Key.replace(/\.zip$/, '')}`);
  if (uri === '/var/task/collector.yaml') return parse(fs.readFileSync(path.join(key(fnRes.Properties.Code), 'collector.yaml'), 'utf8'));
  const layers = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::LayerVersion');
  const ref = fnRes.Properties.Layers.find((l: any) => l.Ref !== undefined).Ref;
  const layer = layers.find(([k]) => k === ref)![1];
  return parse(fs.readFileSync(path.join(key(layer.Properties.Content), 'clickstack', 'collector.yaml'), 'utf8'));
}

function processors(config: any): string[][] {
  return Object.values<any>(config.service.pipelines).map(p => p.processors);
}

describe('Lambda Managed Instances', () => {
  test('the pure config has batch and no decouple in any pipeline, and no decouple processor', () => {
    const config = collectorConfig({ endpoint: ENDPOINT, managedInstances: true, telemetryApiTypes: ['platform'], logResourceAttributes: [['a', 'b']] });
    expect(processors(config)).toEqual([['batch'], ['batch'], ['resource', 'batch']]);
    expect(Object.keys(config.processors)).not.toContain('decouple');
    expect(config.processors.batch).toEqual({});
    // Negative control: elsewhere decouple, alone.
    expect(processors(collectorConfig({ endpoint: ENDPOINT }))).toEqual([['decouple'], ['decouple'], ['decouple']]);
  });

  test('a function on a capacity provider gets a config without decouple; its neighbour keeps decouple', () => {
    // GIVEN one function on Managed Instances, one not
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const mi = fn(stack, 'Mi');
    onCapacityProvider(mi);
    const od = fn(stack, 'Od');
    // WHEN
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi, od] });
    // THEN
    const config = deliveredConfig(app, stack, 'Mi');
    for (const p of processors(config)) expect(p).toEqual(['batch']);
    expect(config.processors.decouple).toBeUndefined();
    for (const p of processors(deliveredConfig(app, stack, 'Od'))) expect(p).toEqual(['decouple']);
  });

  test('the config layer of an inline function on Managed Instances has no decouple', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const mi = fn(stack, 'Mi', { code: 'inline' });
    onCapacityProvider(mi);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], configDelivery: ConfigDelivery.LAYER });
    for (const p of processors(deliveredConfig(app, stack, 'Mi'))) expect(p).toEqual(['batch']);
  });

  test('the aspect decides at synth: a function put on a capacity provider after the aspect was added gets no decouple', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(app);
    const mi = fn(stack, 'Mi');
    onCapacityProvider(mi); // after the aspect
    for (const p of processors(deliveredConfig(app, stack, 'Mi'))) expect(p).toEqual(['batch']);
    const summary = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
    expect(summary[0].entry.data).toMatch(/1 function\(s\) instrumented \(1 on Lambda Managed Instances: no decouple processor\)/);
  });

  test('the summary says nothing of Managed Instances when no function runs there', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(app);
    fn(stack, 'Od');
    app.synth();
    const summary = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
    expect(summary[0].entry.data).not.toMatch(/Managed Instances/);
  });

  test('fails at synth when the construct instrumented the function before it was put on a capacity provider', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const mi = fn(stack, 'Mi');
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi] });
    onCapacityProvider(mi); // too late: the config with decouple is already staged
    expect(() => app.synth()).toThrow(/Stack-eu-west-1\/Mi was put on a capacity provider .* after it was instrumented.*decouple.*call capacityProvider.addFunction\(fn\) before instrumenting it, or instrument it with ClickStackAspect/);
  });

  test('throws for collector layer 0.19.0 on Managed Instances, naming the reason and the fix', () => {
    const stack = concreteStack();
    const mi = fn(stack, 'Mi');
    onCapacityProvider(mi);
    expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], collectorLayer: CollectorLayer.V0_19_0 }))
      .toThrow(/cannot instrument Stack-eu-west-1\/Mi: it runs on Lambda Managed Instances .* collector layer 0.19.0 predates Managed Instances support \(opentelemetry-lambda#2083, first in 0.20.0\).*registers for INVOKE.*use CollectorLayer.LATEST/);
    // Negative controls: 0.20.0 on Managed Instances, 0.19.0 elsewhere.
    const ok = fn(stack, 'Ok');
    onCapacityProvider(ok);
    expect(() => new ClickStackInstrumentation(stack, 'Otel2', { endpoint: ENDPOINT, functions: [ok], collectorLayer: CollectorLayer.V0_20_0 })).not.toThrow();
    expect(() => new ClickStackInstrumentation(stack, 'Otel3', { endpoint: ENDPOINT, functions: [fn(stack, 'Od')], collectorLayer: CollectorLayer.V0_19_0 })).not.toThrow();
  });

  test('collector layer 0.19.0 on a function put on a capacity provider later fails at synth', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const mi = fn(stack, 'Mi');
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], collectorLayer: CollectorLayer.V0_19_0 });
    onCapacityProvider(mi);
    expect(() => app.synth()).toThrow(/collector layer 0.19.0 predates Managed Instances support/);
  });

  test('the aspect skips a Managed Instances function with collector layer 0.19.0, with a warning', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    new ClickStackAspect({ endpoint: ENDPOINT, collectorLayer: CollectorLayer.V0_19_0 }).applyTo(app);
    onCapacityProvider(fn(stack, 'Mi'));
    app.synth();
    Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Mi', Match.stringLikeRegexp('collector layer 0.19.0 predates Managed Instances support'));
    const summary = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
    expect(summary[0].entry.data).toMatch(/skipped: its collector layer cannot run on Lambda Managed Instances/);
    const props = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    expect(JSON.stringify(props)).not.toMatch(/OPENTELEMETRY_COLLECTOR_CONFIG_URI/);
  });

  describe('lambdaTelemetry: the collector subscribes with a schemaVersion Managed Instances refuse', () => {
    // Every catalog collector release subscribes with "2022-12-13" (src/layers/language-support.ts,
    // telemetryApiSchema); AWS's Telemetry API reference: Managed Instances require "2025-01-29".
    const receivers = (config: any) => config.service.pipelines.logs.receivers;

    test('the construct refuses it, naming the schema, the rule, the consequence and the fix', () => {
      const stack = concreteStack();
      const mi = fn(stack, 'Mi');
      onCapacityProvider(mi);
      expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], lambdaTelemetry: [TelemetryApiType.FUNCTION] }))
        .toThrow(/cannot instrument Stack-eu-west-1\/Mi: it runs on Lambda Managed Instances \(a capacity provider\) and has lambdaTelemetry, but the telemetryapi receiver of the collector layer 0\.23\.0 subscribes to the Telemetry API with schemaVersion "2022-12-13", and Lambda Managed Instances \(a capacity provider\) require "2025-01-29" \(AWS Lambda Telemetry API reference\), so the subscription is refused, the collector does not start and the function fails to initialise; instrument it without lambdaTelemetry \(a ClickStackInstrumentation of its own\), or with ClickStackAspect/);
      // Negative controls: the same function without lambdaTelemetry, and lambdaTelemetry off Managed Instances.
      const ok = fn(stack, 'Ok');
      onCapacityProvider(ok);
      expect(() => new ClickStackInstrumentation(stack, 'Otel2', { endpoint: ENDPOINT, functions: [ok] })).not.toThrow();
      expect(() => new ClickStackInstrumentation(stack, 'Otel3', { endpoint: ENDPOINT, functions: [fn(stack, 'Od')], lambdaTelemetry: [TelemetryApiType.FUNCTION] })).not.toThrow();
    });

    test('every catalog collector release is refused there (none subscribes with "2025-01-29")', () => {
      for (const release of [CollectorLayer.V0_20_0, CollectorLayer.V0_21_0, CollectorLayer.V0_22_0, CollectorLayer.V0_23_0]) { // 0.19.0: below
        const stack = concreteStack();
        const mi = fn(stack, 'Mi');
        onCapacityProvider(mi);
        expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], collectorLayer: release, lambdaTelemetry: [TelemetryApiType.PLATFORM] }))
          .toThrow(new RegExp(`collector layer ${release.version!.replace(/\./g, '\\.')} subscribes to the Telemetry API with schemaVersion "2022-12-13"`));
      }
    });

    test('collector 0.19.0 is refused for the real reason: it cannot run there at all', () => {
      const stack = concreteStack();
      const mi = fn(stack, 'Mi');
      onCapacityProvider(mi);
      expect(() => new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], collectorLayer: CollectorLayer.V0_19_0, lambdaTelemetry: [TelemetryApiType.FUNCTION] }))
        .toThrow(/collector layer 0\.19\.0 predates Managed Instances support/);
    });

    test('a collector layer of your own is yours to know: its receiver stays', () => {
      const app = new App();
      const stack = concreteStack('eu-west-1', app);
      const mi = fn(stack, 'Mi');
      onCapacityProvider(mi);
      const collectorLayer = CollectorLayer.fromArn('arn:aws:lambda:eu-west-1:123456789012:layer:my-collector:3');
      new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], lambdaTelemetry: [TelemetryApiType.FUNCTION], collectorLayer });
      expect(receivers(deliveredConfig(app, stack, 'Mi'))).toContain('telemetryapi');
    });

    test('the aspect leaves only the telemetryapi receiver out there, with a warning; its neighbour keeps it', () => {
      const app = new App();
      const stack = concreteStack('eu-west-1', app);
      new ClickStackAspect({ endpoint: ENDPOINT, lambdaTelemetry: [TelemetryApiType.FUNCTION, TelemetryApiType.PLATFORM] }).applyTo(app);
      onCapacityProvider(fn(stack, 'Mi'));
      fn(stack, 'Od');
      const mi = deliveredConfig(app, stack, 'Mi');
      expect(receivers(mi)).toEqual(['otlp']);
      expect(mi.receivers.telemetryapi).toBeUndefined();
      for (const p of processors(mi)) expect(p).toEqual(['batch']);
      expect(receivers(deliveredConfig(app, stack, 'Od'))).toContain('telemetryapi');
      Annotations.fromStack(stack).hasWarning('/Stack-eu-west-1/Mi', Match.stringLikeRegexp(
        'Stack-eu-west-1/Mi runs on Lambda Managed Instances .*, where lambdaTelemetry is left out \\(no telemetryapi receiver: its function, platform Telemetry API records do not reach ClickStack; its spans, metrics and SDK logs do\\): the telemetryapi receiver of the collector layer 0.23.0 subscribes .* schemaVersion "2022-12-13".* require "2025-01-29"'));
      Annotations.fromStack(stack).hasNoWarning('/Stack-eu-west-1/Od', Match.stringLikeRegexp('telemetryApiDroppedOnManagedInstances'));
      const summary = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
      expect(summary[0].entry.data).toMatch(/2 function\(s\) instrumented \(1 on Lambda Managed Instances: no decouple processor\), 0 skipped/);
    });

    test('put on a capacity provider after the construct instrumented it with lambdaTelemetry: the synth error says both', () => {
      const app = new App();
      const stack = concreteStack('eu-west-1', app);
      const mi = fn(stack, 'Mi');
      new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi], lambdaTelemetry: [TelemetryApiType.FUNCTION] });
      onCapacityProvider(mi);
      expect(() => app.synth()).toThrow(/after it was instrumented.*decouple.*, and it has lambdaTelemetry there, but the telemetryapi receiver of the collector layer 0\.23\.0 subscribes to the Telemetry API with schemaVersion "2022-12-13"/);
    });
  });

  // aws-cdk-lib 2.231 and later: the public construct, as the users write it.
  const capacityProvider = (lambda as any).CapacityProvider;
  (capacityProvider ? test : test.skip)('CapacityProvider.addFunction() before the construct: no decouple (aws-cdk-lib >= 2.231)', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const cp = new capacityProvider(stack, 'Cp', {
      subnets: [ec2.Subnet.fromSubnetId(stack, 'Sub', 'subnet-12345678')],
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678')],
    });
    const mi = fn(stack, 'Mi');
    cp.addFunction(mi);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi] });
    for (const p of processors(deliveredConfig(app, stack, 'Mi'))) expect(p).toEqual(['batch']);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { CapacityProviderConfig: Match.anyValue() });
  });
});


describe('a capacity provider set with addPropertyOverride (DataDog/datadog-lambda-extension\'s setCapacityProvider())', () => {
  // DataDog/datadog-lambda-extension@5bf63162 integration-tests/lib/util.ts:103-115: the
  // capacity provider of the App's own CapacityProviderStack (bin/app.ts:25-27), set on the L1
  // with raw overrides, which aws-cdk-lib's public API does not show before synth.
  const capacityProviderArn = 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:integ-default-capacity-provider-cp';
  function setCapacityProvider(lambdaFunction: lambda.Function) {
    const cfnFunction = lambdaFunction.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addPropertyOverride('CapacityProviderConfig', {
      LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: capacityProviderArn },
    });
    cfnFunction.addPropertyOverride('FunctionScalingConfig', { MinExecutionEnvironments: 1, MaxExecutionEnvironments: 1 });
  }

  /** The App's capacity provider stack, as a raw resource (aws-cdk-lib 2.189 has neither its L1 nor its L2). */
  function capacityProviderStack(app: App): void {
    const stack = new Stack(app, 'integ-default-capacity-provider', { env: { account: '123456789012', region: 'eu-west-1' } });
    new CfnResource(stack, 'Cp', {
      type: 'AWS::Lambda::CapacityProvider',
      properties: {
        CapacityProviderName: 'integ-default-capacity-provider-cp',
        VpcConfig: { SubnetIds: ['subnet-12345678'], SecurityGroupIds: ['sg-12345678'] },
      },
    });
  }

  /**
   * Synthesize and say what the user sees: newer aws-cdk-lib throws the failed validation's report
   * in an App run in memory; older ones print it and set the exit code.
   */
  function synth(app: App): { failed: boolean; said: string } {
    const said: string[] = [];
    const capture = (...args: unknown[]) => { said.push(args.map(String).join(' ')); };
    const spies = [jest.spyOn(console, 'log').mockImplementation(capture), jest.spyOn(console, 'error').mockImplementation(capture)];
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    try {
      app.synth();
      return { failed: process.exitCode === 1, said: said.join('\n') };
    } catch (e) {
      return { failed: true, said: [(e as Error).message, ...said].join('\n') };
    } finally {
      process.exitCode = exitCode;
      for (const spy of spies) spy.mockRestore();
    }
  }

  const NAMED = /Stack-eu-west-1\/Mi runs on Lambda Managed Instances \(a capacity provider\): its template has CapacityProviderConfig, set where the instrumentation cannot see it \(addPropertyOverride or addOverride on its CfnFunction\), so (Stack-eu-west-1\/Otel|ClickStackAspect \(added at the App\)) instrumented it for standard Lambda\. Its collector configuration has the decouple processor/;
  const FIX = /\(aws-cdk-lib 2\.231 or later\): capacityProvider\.addFunction\(fn\), or cfnFunction\.capacityProviderConfig = .* instead of addPropertyOverride\('CapacityProviderConfig', \.\.\.\)/;

  test.each(['construct', 'aspect'])('%s: the synth fails, naming the function, the decouple processor and the fix', kind => {
    const app = new App();
    capacityProviderStack(app);
    const stack = concreteStack('eu-west-1', app);
    const mi = fn(stack, 'Mi');
    setCapacityProvider(mi);
    const od = fn(stack, 'Od');
    if (kind === 'construct') new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi, od] });
    else new ClickStackAspect({ endpoint: ENDPOINT }).applyTo(app);
    const { failed, said } = synth(app);
    expect(failed).toBe(true);
    expect(said).toMatch(NAMED);
    expect(said).toMatch(FIX);
    expect(said).toMatch(/clickstack-managed-instances-override/);
    // Only the function on the capacity provider is named.
    expect(said).not.toMatch(/Stack-eu-west-1\/Od runs on/);
  });

  test('negative control: the same App without the override synthesizes, and the check names nothing', () => {
    const app = new App();
    capacityProviderStack(app);
    const stack = concreteStack('eu-west-1', app);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [fn(stack, 'Mi'), fn(stack, 'Od')] });
    const { failed, said } = synth(app);
    expect(failed).toBe(false);
    expect(said).not.toMatch(/runs on Lambda Managed Instances/);
  });

  test('a capacity provider defined outside the App is not recognised, on any aws-cdk-lib: no plugin is added to an App without one', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    const mi = fn(stack, 'Mi');
    setCapacityProvider(mi);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [mi] });
    // Without an AWS::Lambda::CapacityProvider in the App, no plugin is added: on older
    // aws-cdk-lib a plugin prints its report on stdout at every synth (aws/aws-cdk#25331), and
    // with Validations any plugin makes aws-cdk-lib build a tree of every construct after
    // synthesis. docs/runtime-notes.md names this limit.
    expect(synth(app)).toEqual({ failed: false, said: '' });
  });

  test('an App that uses no Managed Instances: the check prints nothing on any aws-cdk-lib', () => {
    const app = new App();
    const stack = concreteStack('eu-west-1', app);
    new ClickStackInstrumentation(stack, 'Otel', { endpoint: ENDPOINT, functions: [fn(stack, 'A'), fn(stack, 'B', { code: 'inline' })] });
    expect(synth(app)).toEqual({ failed: false, said: '' });
  });
});
