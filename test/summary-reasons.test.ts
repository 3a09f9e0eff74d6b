/**
 * The aspect's summary names each skip with the same reason as the function's warning, in a few
 * words: one row per way the aspect skips a function (a refusal it can skip), each with the words
 * both must say (issue 27: a java21 function with JavaInstrumentation.WRAPPER was summarized as
 * "runtime with no OpenTelemetry layer", which the agent layer contradicts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { concreteStack, ENDPOINT, fn } from './helpers';
import { ClickStackAspect, ClickStackOptions, CollectorLayer, ConfigDelivery, JavaInstrumentation, Propagator } from '../src';

interface Row {
  readonly name: string;
  readonly options?: Partial<ClickStackOptions>;
  /** Makes the one function the aspect skips, `Fn`. */
  readonly make: (scope: Construct) => void;
  /** The summary's reason, exactly. */
  readonly summary: string;
  /** What the warning and the summary both say. */
  readonly both: readonly RegExp[];
}

const TEMP_DIRS: string[] = [];
afterAll(() => TEMP_DIRS.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

const onCapacityProvider = (f: lambda.Function) => {
  (f.node.defaultChild as any).capacityProviderConfig = { lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn: 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:cp' } };
};

const ROWS: readonly Row[] = [
  {
    name: 'java21 with JavaInstrumentation.WRAPPER: the wrapper layer does not list it, the agent layer does',
    options: { javaInstrumentation: JavaInstrumentation.WRAPPER },
    make: s => fn(s, 'Fn', { runtime: lambda.Runtime.JAVA_21 }),
    summary: 'runtime java21 not among the Java wrapper layer\'s runtimes (JavaInstrumentation.AGENT supports it; see its warning)',
    both: [/java21/, /Java wrapper layer/, /JavaInstrumentation\.AGENT/],
  },
  {
    name: 'a Node.js runtime the layer does not list',
    make: s => fn(s, 'Fn', { runtime: lambda.Runtime.NODEJS_18_X }),
    summary: 'runtime nodejs18.x not among the nodejs layer\'s runtimes (see its warning)',
    both: [/nodejs18\.x/, /nodejs layer/],
  },
  {
    name: 'Ruby on arm64',
    make: s => fn(s, 'Fn', { runtime: lambda.Runtime.RUBY_3_3, architecture: lambda.Architecture.ARM_64 }),
    summary: 'Ruby on arm64, where the upstream Ruby layer is broken (see its warning)',
    both: [/Ruby layer is broken/, /arm64/],
  },
  {
    name: 'a retired runtime',
    make: s => fn(s, 'Fn', { runtime: lambda.Runtime.GO_1_X }),
    summary: 'runtime go1.x retired by Lambda, on Amazon Linux 1 without the extensions API (see its warning)',
    both: [/go1\.x/, /retired by Lambda/, /Amazon Linux 1/, /extensions API/],
  },
  {
    name: 'a container image',
    make: s => new lambda.DockerImageFunction(s, 'Fn', { code: lambda.DockerImageCode.fromEcr(ecr.Repository.fromRepositoryName(s, 'R', 'r')) }),
    summary: 'container image',
    both: [/container.image/],
  },
  {
    name: 'a propagator the layer lacks',
    options: { propagators: [Propagator.TRACECONTEXT, Propagator.B3] },
    make: s => fn(s, 'Fn', { runtime: lambda.Runtime.PYTHON_3_13 }),
    summary: 'propagators b3 not in its python layer (see its warning)',
    both: [/propagators b3/, /python layer/],
  },
  {
    name: 'a resource attribute over the Node.js limit',
    options: { resourceAttributes: { 'team.name': 'x'.repeat(300) } },
    make: s => fn(s, 'Fn'),
    summary: 'resource attribute team.name over the 255 characters its nodejs layer accepts (see its warning)',
    both: [/resource attribute team\.name/, /255 characters/, /nodejs layer/],
  },
  {
    name: 'collector 0.19.0 on Managed Instances',
    options: { collectorLayer: CollectorLayer.V0_19_0 },
    make: s => onCapacityProvider(fn(s, 'Fn')),
    summary: 'its collector layer cannot run on Lambda Managed Instances (see its warning)',
    both: [/collector layer/, /Lambda Managed Instances/],
  },
  {
    name: 'someone else\'s instrumentation',
    make: s => fn(s, 'Fn', { environment: { DD_LAMBDA_HANDLER: 'index.handler' } }),
    summary: 'already instrumented by Datadog (see its warning)',
    both: [/Datadog/],
  },
  {
    name: 'a collector.yaml of its own, with ConfigDelivery.BUNDLE',
    options: { configDelivery: ConfigDelivery.BUNDLE },
    make: s => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-reasons-'));
      TEMP_DIRS.push(dir);
      fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => 1;');
      fs.writeFileSync(path.join(dir, 'collector.yaml'), 'receivers: {}\n');
      new lambda.Function(s, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
    },
    summary: 'its bundle has a collector.yaml of its own (see its warning)',
    both: [/collector\.yaml/],
  },
];

/** The summary's line for the skipped function, and the warning on it. */
function skip(row: Row): { summary: string; warning: string } {
  const app = new App();
  const stack = concreteStack('eu-west-1', app);
  new ClickStackAspect({ endpoint: ENDPOINT, ...row.options }).applyTo(app);
  row.make(stack);
  app.synth();
  const summary = Annotations.fromStack(stack).findInfo(`/${stack.node.path}`, Match.stringLikeRegexp('@clickstack/cdk:summary'));
  expect(summary).toHaveLength(1);
  const line = (summary[0].entry.data as string).split('\n').find(l => l.endsWith(`: ${Stack.of(stack).stackName}/Fn`));
  const warnings = Annotations.fromStack(stack).findWarning(`/${stack.node.path}/Fn`, Match.stringLikeRegexp('@clickstack/cdk:skipped'));
  expect(warnings).toHaveLength(1);
  return { summary: line ?? '', warning: warnings[0].entry.data as string };
}

describe('every summary reason says what its warning says', () => {
  test.each(ROWS.map(r => [r.name, r] as const))('%s', (_, row) => {
    const { summary, warning } = skip(row);
    expect(summary).toBe(`  - skipped: ${row.summary}: Stack-eu-west-1/Fn`);
    for (const words of row.both) {
      expect(summary).toMatch(words);
      expect(warning).toMatch(words);
    }
    // "No OpenTelemetry layer" only where the warning says so.
    if (/no OpenTelemetry layer/.test(summary)) expect(warning).toMatch(/no OpenTelemetry layer/);
  });

  test('the java21 warning gives the fix: JavaInstrumentation.AGENT, or a wrapper layer of your own', () => {
    const { warning } = skip(ROWS[0]);
    expect(warning).toMatch(/runtime java21 is not among the runtimes of the OpenTelemetry Java wrapper layer \(java8\.al2, java11, java17\), which javaInstrumentation JavaInstrumentation\.WRAPPER chose; the Java agent layer lists java21: use JavaInstrumentation\.AGENT \(the default\), or bring a wrapper layer of your own with JavaWrapperLayer\.fromArn\(\)/);
  });
});
