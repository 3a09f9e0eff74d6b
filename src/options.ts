import { ConfigDelivery } from './delivery';
import { IngestionKey } from './ingestion-key';
import { CollectorLayer, JavaAgentLayer, JavaWrapperLayer, NodejsLayer, PythonLayer, RubyLayer } from './layers/releases';

/**
 * Trace sampler for the OpenTelemetry SDK (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
 */
export class TraceSampler {
  /** Sample every trace. */
  public static readonly ALWAYS_ON = new TraceSampler('always_on');
  /** Sample no trace. */
  public static readonly ALWAYS_OFF = new TraceSampler('always_off');
  /** Follow the caller's sampling decision; sample every root span (the OpenTelemetry default). */
  public static readonly PARENT_BASED_ALWAYS_ON = new TraceSampler('parentbased_always_on');
  /** Follow the caller's sampling decision; sample no root span. */
  public static readonly PARENT_BASED_ALWAYS_OFF = new TraceSampler('parentbased_always_off');

  /**
   * Sample this fraction of traces by trace id.
   * @param ratio between 0 and 1
   */
  public static traceIdRatio(ratio: number): TraceSampler {
    return new TraceSampler('traceidratio', checkRatio(ratio));
  }

  /**
   * Follow the caller's sampling decision; sample this fraction of root spans.
   * @param ratio between 0 and 1
   */
  public static parentBasedTraceIdRatio(ratio: number): TraceSampler {
    return new TraceSampler('parentbased_traceidratio', checkRatio(ratio));
  }

  /**
   * @param name value of `OTEL_TRACES_SAMPLER`
   * @param argument value of `OTEL_TRACES_SAMPLER_ARG`
   */
  private constructor(public readonly name: string, public readonly argument?: string) {}
}

function checkRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(`sampler ratio must be a number between 0 and 1, got ${ratio}`);
  }
  return String(ratio);
}

/** A context propagator for the OpenTelemetry SDK (`OTEL_PROPAGATORS`). */
export class Propagator {
  /** W3C Trace Context. */
  public static readonly TRACECONTEXT = new Propagator('tracecontext');
  /** W3C Baggage. */
  public static readonly BAGGAGE = new Propagator('baggage');
  /** AWS X-Ray header. */
  public static readonly XRAY = new Propagator('xray');
  /** AWS X-Ray, also reading the Lambda `_X_AMZN_TRACE_ID` environment variable. */
  public static readonly XRAY_LAMBDA = new Propagator('xray-lambda');
  /** B3 single header. */
  public static readonly B3 = new Propagator('b3');
  /** B3 multiple headers. */
  public static readonly B3_MULTI = new Propagator('b3multi');

  /** @param name the propagator's name in `OTEL_PROPAGATORS` */
  private constructor(public readonly name: string) {}
}

/** Lambda Telemetry API event types the collector's `telemetryapi` receiver subscribes to. */
export enum TelemetryApiType {
  /** Platform events: init, invoke start and end, reports. */
  PLATFORM = 'platform',
  /** The function's own stdout and stderr. */
  FUNCTION = 'function',
  /** Logs of extensions. */
  EXTENSION = 'extension',
}

/**
 * How Java functions are instrumented: the Java agent layer (the default), or the Java wrapper
 * layer with one of its handler variants.
 */
export class JavaInstrumentation {
  /** The OpenTelemetry Java agent (`opentelemetry-javaagent`), `/opt/otel-handler`: instruments libraries automatically. */
  public static readonly AGENT = new JavaInstrumentation('agent', '/opt/otel-handler');
  /** The wrapper layer for a `RequestHandler` (`/opt/otel-handler`): lighter, fewer instrumentations. */
  public static readonly WRAPPER = new JavaInstrumentation('wrapper', '/opt/otel-handler');
  /** The wrapper layer for an SQS handler (`/opt/otel-sqs-handler`). */
  public static readonly WRAPPER_SQS = new JavaInstrumentation('wrapper', '/opt/otel-sqs-handler');
  /** The wrapper layer for an API Gateway proxy handler (`/opt/otel-proxy-handler`). */
  public static readonly WRAPPER_PROXY = new JavaInstrumentation('wrapper', '/opt/otel-proxy-handler');
  /** The wrapper layer for a `RequestStreamHandler` (`/opt/otel-stream-handler`). */
  public static readonly WRAPPER_STREAM = new JavaInstrumentation('wrapper', '/opt/otel-stream-handler');

  /**
   * @param kind `agent` or `wrapper`
   * @param wrapper the `AWS_LAMBDA_EXEC_WRAPPER` script
   */
  private constructor(public readonly kind: string, public readonly wrapper: string) {}
}

/**
 * Options shared by `ClickStackInstrumentation` and `ClickStackAspect`.
 */
export interface ClickStackOptions {
  /**
   * ClickStack OTLP/HTTP endpoint, such as `https://otel.example.com:4318`. The collector appends
   * `/v1/traces`, `/v1/metrics` and `/v1/logs`. A token (a parameter, an imported value) is
   * accepted and resolved at deploy time. An `http://` endpoint other than loopback with an
   * ingestion key warns (`@clickstack/cdk:plainHttpIngestionKey`): the key would travel in clear.
   */
  readonly endpoint: string;

  /**
   * The ClickStack ingestion key, sent as the `authorization` header (as it is, or as
   * `Bearer <key>` with `IngestionKey.asBearerToken()`). A key in Secrets Manager must be in the
   * function's region, where the collector reads it.
   * @default - no `authorization` header (only for a collector that accepts data without a key)
   */
  readonly ingestionKey?: IngestionKey;

  /**
   * `OTEL_SERVICE_NAME` of every instrumented function.
   * @default - not set: the language layers report the function name (`AWS_LAMBDA_FUNCTION_NAME`)
   */
  readonly serviceName?: string;

  /**
   * Trace sampler.
   * @default TraceSampler.PARENT_BASED_ALWAYS_ON
   */
  readonly sampler?: TraceSampler;

  /**
   * Context propagators, in order. A propagator the function's layer lacks is refused (the
   * Python layer has no B3, the Ruby layer only the W3C ones); a layer of your own
   * (`fromArn()`) is not checked.
   * @default [Propagator.TRACECONTEXT, Propagator.BAGGAGE]
   */
  readonly propagators?: Propagator[];

  /**
   * Collector layer release.
   * @default CollectorLayer.LATEST
   */
  readonly collectorLayer?: CollectorLayer;

  /**
   * Node.js instrumentation layer release.
   * @default NodejsLayer.LATEST
   */
  readonly nodejsLayer?: NodejsLayer;

  /**
   * Python instrumentation layer release.
   * @default PythonLayer.LATEST
   */
  readonly pythonLayer?: PythonLayer;

  /**
   * Java agent instrumentation layer release.
   * @default JavaAgentLayer.LATEST
   */
  readonly javaAgentLayer?: JavaAgentLayer;

  /**
   * Ruby instrumentation layer release.
   * @default RubyLayer.LATEST
   */
  readonly rubyLayer?: RubyLayer;

  /**
   * How Java functions are instrumented.
   * @default JavaInstrumentation.AGENT
   */
  readonly javaInstrumentation?: JavaInstrumentation;

  /**
   * Java wrapper layer release, used with `JavaInstrumentation.WRAPPER*`.
   * @default JavaWrapperLayer.LATEST
   */
  readonly javaWrapperLayer?: JavaWrapperLayer;

  // The wrapper's flags: open-telemetry/opentelemetry-lambda@faa4ca46
  // java/layer-javaagent/scripts/otel-handler:22-29. Lambda's default for java17 and java21:
  // https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html (tiered compilation).
  /**
   * Turn on the Java agent's fast startup (`OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED`): the layer's
   * wrapper starts the JVM with `-Xverify:none -XX:+TieredCompilation -XX:TieredStopAtLevel=1`.
   * Lambda's `java17` and `java21` already stop tiered compilation at level 1, so there it turns
   * off bytecode verification only. What it saves, measured: docs/options.md, "Cold start". Only
   * with `JavaInstrumentation.AGENT`.
   * @default false
   */
  readonly javaAgentFastStartup?: boolean;

  /**
   * Node.js instrumentations to enable, such as `http`, `pg`, `undici`
   * (`OTEL_NODE_ENABLED_INSTRUMENTATIONS`): it replaces the layer's default list, and the names
   * are checked against the layer's. `aws-sdk` and `aws-lambda` are always on and not accepted.
   * @default - the layer's default: `dns`, `http` and `net` (Node.js layer 0.20.0 and later)
   */
  readonly nodejsEnabledInstrumentations?: string[];

  // The Python layer 0.21.0 ships opentelemetry-instrumentation-botocore and -boto3sqs 0.65b0
  // (lambda@faa4ca46 python/src/otel/otel_sdk/nodeps-requirements.txt:4, requirements.txt:13).
  // Their wheels' entry points: `botocore` and `aiobotocore` (the same module, which imports
  // botocore at its top: opentelemetry/instrumentation/botocore/__init__.py:113), and `boto3`
  // (boto3sqs/__init__.py:24-25 imports boto3 and botocore). The SDK skips by entry point name:
  // opentelemetry-instrumentation 0.65b0 opentelemetry/instrumentation/auto_instrumentation/_load.py:91.
  /**
   * Python instrumentations to disable, by entry point name, such as `botocore`
   * (`OTEL_PYTHON_DISABLED_INSTRUMENTATIONS`). To keep botocore and boto3 out of the cold start,
   * disable `botocore`, `aiobotocore` and `boto3` together: with the Python layer 0.21.0 the last
   * two import them as well (measured: docs/options.md, "Cold start").
   * @default - none disabled
   */
  readonly pythonDisabledInstrumentations?: string[];

  /**
   * Send the function's logs and Lambda platform events to ClickStack as logs, through the
   * collector's `telemetryapi` receiver, with no code change. Upstream reports 3.5–4 s of extra
   * init for it on Lambda (open-telemetry/opentelemetry-lambda#2100); our local benchmark
   * measured no cost beyond the collector's own (docs/options.md, "Cold start"). The logs get the
   * function's resource attributes through the collector's `resource` processor. `EXTENSION`
   * warns: the collector's own log lines are received and exported again. Not on Lambda Managed
   * Instances: every catalog collector release subscribes with Telemetry API schema
   * "2022-12-13" and Managed Instances require "2025-01-29", so `ClickStackInstrumentation`
   * refuses such a function and `ClickStackAspect` leaves only the receiver out there, with a
   * warning (docs/runtime-notes.md).
   * @default - off
   */
  readonly lambdaTelemetry?: TelemetryApiType[];

  /**
   * Debug mode: the collector logs at debug level (`OPENTELEMETRY_EXTENSION_LOG_LEVEL=debug`),
   * every pipeline also writes to the `debug` exporter (CloudWatch Logs), and the SDK logs at
   * debug level where its layer has a switch (`OTEL_LOG_LEVEL=debug` for Node.js and Ruby,
   * `OTEL_JAVAAGENT_DEBUG=true` for the Java agent; the Python layer and the Java wrapper have
   * none). Refused together with `TelemetryApiType.EXTENSION` (an endless loop).
   * @default false
   */
  readonly debug?: boolean;

  /**
   * `deployment.environment.name` resource attribute, such as `production`.
   * @default - none
   */
  readonly deploymentEnvironment?: string;

  /**
   * `service.version` resource attribute.
   * @default - none
   */
  readonly serviceVersion?: string;

  /**
   * More resource attributes (`OTEL_RESOURCE_ATTRIBUTES`); `%`, `,` and `=` in values are
   * percent-encoded (and more where the layer's SDK needs it: "What each language layer supports" in
   * docs/runtime-support.md). Ruby functions refuse values with those characters (the Ruby SDK does not
   * decode), Node.js functions values over 255 characters. A value known only at deploy time
   * must not contain `,`, `=` or `%`.
   * @default - none
   */
  readonly resourceAttributes?: { [key: string]: string };

  /**
   * Add the `cdk.stack.name` and `cdk.construct.path` resource attributes, so that a span in
   * ClickStack leads back to the code that defined the function.
   * @default false
   */
  readonly includeCdkMetadata?: boolean;

  /**
   * How the collector configuration reaches each function: in its code bundle
   * (`/var/task/collector.yaml`), in a config layer (`/opt/clickstack/collector.yaml`, one of the
   * 5 layer slots), or in an environment variable (part of the 4 KB of environment variables).
   * @default ConfigDelivery.AUTO - a config layer wherever a layer slot is free; where the
   * function's own layers are known to leave none, the bundle for a local directory asset and
   * the environment otherwise
   */
  readonly configDelivery?: ConfigDelivery;
}
