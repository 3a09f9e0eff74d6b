import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Supported } from '../plan-model';
import { collectorOnlyFamily } from './runtime';

/*
 * What links the invocations of one durable execution into one trace, per language: the durable
 * execution SDKs' OpenTelemetry plugins, all three marked experimental by AWS ("The OpenTelemetry
 * plugin is experimental ... not recommended for production workloads yet", with the install
 * command of each, and "The OpenTelemetry plugin for C# is a work in progress":
 * https://docs.aws.amazon.com/durable-execution/sdk-reference/observability/opentelemetry/).
 *
 * - TypeScript/JavaScript: @aws/durable-execution-sdk-js-otel (aws/aws-durable-execution-sdk-js
 *   release otel-0.1.0, pre-release; aws/aws-durable-execution-sdk-js#640 and
 *   aws/aws-durable-execution-sdk-js#729).
 * - Python: aws-durable-execution-sdk-python-otel (aws/aws-durable-execution-sdk-python@f7cc397
 *   packages/aws-durable-execution-sdk-python-otel/pyproject.toml:6; PyPI, 2.0.0;
 *   aws/aws-durable-execution-sdk-python#417).
 * - Java: software.amazon.lambda.durable:aws-durable-execution-sdk-java-plugin-otel
 *   (aws/aws-durable-execution-sdk-java@0e3a49d9 otel-plugin/pom.xml:13; Maven Central, 2.0.0 and
 *   2.1.0; aws/aws-durable-execution-sdk-java#426).
 * - .NET: none yet (AWS: work in progress). Ruby, Go, Rust and other custom runtimes: no durable
 *   execution SDK with an OpenTelemetry plugin is known.
 */

/** The plugin of each language that has one: the language as users name it, and the package. */
const PLUGINS: Readonly<Record<string, readonly [string, string]>> = {
  nodejs: ['Node.js', 'the npm package @aws/durable-execution-sdk-js-otel'],
  python: ['Python', 'the PyPI package aws-durable-execution-sdk-python-otel'],
  java: ['Java', 'the Maven artifact software.amazon.lambda.durable:aws-durable-execution-sdk-java-plugin-otel'],
};

/** Languages without a plugin, as users name them. */
const WITHOUT: Readonly<Record<string, string>> = {
  ruby: 'Ruby',
  go: 'Go',
  rust: 'Rust',
  custom: 'a custom runtime',
};

/**
 * What the durable-execution warning advises for the function's language: the plugin that links
 * the invocations where one exists, and plainly that nothing does where none exists.
 */
export function durablePluginAdvice(fn: lambda.Function, support: Supported): string {
  const family = support.kind === 'language'
    ? (support.family === 'javaagent' || support.family === 'javawrapper' ? 'java' : support.family)
    : collectorOnlyFamily(fn);
  const plugin = PLUGINS[family];
  if (plugin) {
    return `To see an execution as one trace, add the durable execution SDK's OpenTelemetry plugin for ${plugin[0]} (${plugin[1]}; experimental, AWS says), or acknowledge this warning`;
  }
  if (family === 'dotnet') {
    return 'The durable execution SDK has no OpenTelemetry plugin for .NET yet (AWS lists it as work in progress), so nothing can link the invocations today; acknowledge this warning';
  }
  return `No durable execution SDK OpenTelemetry plugin exists for ${WITHOUT[family] ?? 'this runtime'}, so nothing can link the invocations; acknowledge this warning`;
}
