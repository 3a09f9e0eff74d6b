import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAYER_CLASSES, LayerFamily } from './layers/catalog';
import { ARM_64, Runtime, Token } from './private/cdk';

/** Language layers: every layer family but the collector. */
export type LanguageFamily = Exclude<LayerFamily, 'collector'>;

/** What this library does with a function of a given runtime and architecture. */
export type RuntimeSupport =
  /** A language layer and its exec wrapper, plus the collector. */
  | { readonly kind: 'language'; readonly family: LanguageFamily; readonly wrapper: string }
  /** The collector only: the function's code must use an OpenTelemetry SDK itself. */
  | { readonly kind: 'collectorOnly'; readonly sdkHint: string }
  /** Not instrumentable, with the reason and what to do, and how a summary names it (when more precise than "runtime with no OpenTelemetry layer"). */
  | { readonly kind: 'refused'; readonly reason: string; readonly containerImage: boolean; readonly summary?: string };

/** Exec wrapper of every upstream language layer we use (python: /opt/otel-handler since 0.15.0). */
const OTEL_HANDLER = '/opt/otel-handler';

/**
 * Runtimes each language layer declares (upstream publish workflow metadata; Python declares
 * none, so the runtimes its CI tests are used).
 */
export const LANGUAGE_RUNTIMES: Record<LanguageFamily, readonly string[]> = {
  nodejs: ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'],
  python: ['python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'],
  javaagent: ['java8.al2', 'java11', 'java17', 'java21'],
  javawrapper: ['java8.al2', 'java11', 'java17'],
  ruby: ['ruby3.3', 'ruby3.4'],
};

/** Runtimes that get the collector layer only, with the SDK the code must bring. */
export const COLLECTOR_ONLY_RUNTIMES: Record<string, string> = {
  'dotnet8': 'use the OpenTelemetry .NET SDK with OpenTelemetry.Instrumentation.AWSLambda',
  'dotnet9': 'use the OpenTelemetry .NET SDK with OpenTelemetry.Instrumentation.AWSLambda',
  'dotnet10': 'use the OpenTelemetry .NET SDK with OpenTelemetry.Instrumentation.AWSLambda',
  'provided.al2': 'use your language\'s OpenTelemetry SDK (for Go: go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda)',
  'provided.al2023': 'use your language\'s OpenTelemetry SDK (for Go: go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda)',
};

/** Runtimes refused outright, with the reason and the fix. */
const RETIRED: Record<string, string> = {
  'go1.x': 'go1.x is retired by Lambda and runs on Amazon Linux 1, which has no extensions API; build for provided.al2023, which gets the collector layer',
  'provided': 'provided runs on Amazon Linux 1, which has no extensions API; use provided.al2023',
  'dotnet6': 'dotnet6 is deprecated by Lambda; use dotnet8 or later, which gets the collector layer',
};

const FAMILY_OF: Partial<Record<string, LanguageFamily>> = {
  [lambda.RuntimeFamily.NODEJS]: 'nodejs',
  [lambda.RuntimeFamily.PYTHON]: 'python',
  [lambda.RuntimeFamily.JAVA]: 'javaagent',
  [lambda.RuntimeFamily.RUBY]: 'ruby',
};

/**
 * Decide how a runtime is instrumented.
 *
 * @param runtime the function's runtime
 * @param architecture the function's architecture name (`x86_64` or `arm64`)
 * @param customLanguageLayer true when the user brings their own layer for the runtime's
 *   language: they own its compatibility, so the metadata check is skipped
 * @param javaWrapper the Java wrapper script, when Java functions use the wrapper layer
 *   instead of the agent
 */
export function runtimeSupport(
  runtime: lambda.Runtime,
  architecture: string,
  customLanguageLayer: (family: LanguageFamily) => boolean,
  javaWrapper?: string,
): RuntimeSupport {
  const name = runtime.name;
  if (runtime === Runtime.FROM_IMAGE || name === Runtime.FROM_IMAGE.name) {
    return refused('container-image functions cannot use Lambda layers; build the OpenTelemetry language instrumentation and the collector extension into the image instead', true);
  }
  let family = runtime.family === undefined ? undefined : FAMILY_OF[runtime.family];
  if (family === 'javaagent' && javaWrapper !== undefined) family = 'javawrapper';
  if (family) {
    // A runtime whose name is a token (Runtime.determineLatestNodeRuntime in an
    // environment-agnostic stack) is always a current Node.js runtime.
    const wrapper = family === 'javawrapper' ? javaWrapper! : OTEL_HANDLER;
    if (Token.isUnresolved(name) && family === 'nodejs') return language(family, wrapper);
    if (customLanguageLayer(family)) return language(family, wrapper);
    if (!LANGUAGE_RUNTIMES[family].includes(name)) {
      return refused(`runtime ${name} is not among the runtimes of the OpenTelemetry ${family} layer (${LANGUAGE_RUNTIMES[family].join(', ')}); use one of those, or bring a layer of your own with ${layerClassOf(family)}.fromArn()`,
        false, 'runtime not among its OpenTelemetry layer\'s runtimes (see its warning)');
    }
    if (family === 'ruby' && architecture === ARM_64) {
      return refused('the upstream OpenTelemetry Ruby layer is broken on arm64 (open-telemetry/opentelemetry-lambda#2340); use Architecture.X86_64, or bring a layer of your own with RubyLayer.fromArn()',
        false, 'the OpenTelemetry Ruby layer is broken on arm64 (see its warning)');
    }
    return language(family, wrapper);
  }
  const hint = COLLECTOR_ONLY_RUNTIMES[name];
  if (hint) return { kind: 'collectorOnly', sdkHint: hint };
  const retired = RETIRED[name];
  if (retired) return refused(retired, false, 'runtime retired or deprecated by Lambda (see its warning)');
  return refused(`runtime ${name} is retired by Lambda or has no OpenTelemetry layer; use a current runtime of its language`);
}

function language(family: LanguageFamily, wrapper: string): RuntimeSupport {
  return { kind: 'language', family, wrapper };
}

function refused(reason: string, containerImage = false, summary?: string): RuntimeSupport {
  return { kind: 'refused', reason, containerImage, ...(summary !== undefined ? { summary } : {}) };
}

/** The public class that pins or overrides a family's layer, for messages. */
export function layerClassOf(family: LayerFamily): string {
  return LAYER_CLASSES[family];
}
