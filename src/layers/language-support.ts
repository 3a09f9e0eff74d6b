import { COLLECTOR_VERSIONS, LAYER_CATALOG, LayerFamily } from './catalog';

/**
 * What each upstream layer release understands at run time, read from its sources (not run).
 * Used by validation, by the environment and collector config this library emits, and by the
 * table "What each language layer supports" of docs/runtime-support.md (test/runtime-truth.test.ts keeps the
 * two in step, and ties every release of LAYER_CATALOG to an entry here).
 *
 * Citations: `lambda@<commit> <file>:<line>` is open-telemetry/opentelemetry-lambda at the
 * layer's tag (layer-nodejs/0.19.0 = 7acbd17e; 0.20.0 = 3e718c6d; 0.21.0 = c0ac4ce0;
 * 0.22.0 = 247d46c7; 0.23.0 = faa4ca46; layer-python/0.18.0 = 3e718c6d, 0.19.0 = c0ac4ce0,
 * 0.20.0 = 247d46c7, 0.21.0 = faa4ca46; layer-javaagent/0.18.0 = 235abf2d, 0.19.0 = c0ac4ce0,
 * 0.20.0 = 247d46c7, 0.21.0 = faa4ca46 (the Java wrapper layer is released from the same tag);
 * layer-ruby/0.12.0 = 3e718c6d, 0.13.0 = c0ac4ce0, 0.14.0 = 247d46c7, 0.15.0 = faa4ca46;
 * layer-collector/0.19.0 = bda8ac4f, 0.20.0 = 3e718c6d, 0.21.0 = c0ac4ce0, 0.22.0 = 247d46c7,
 * 0.23.0 = faa4ca46). Each fact was read in those sources at those commits. The 0.22.0 line
 * (247d46c7) changes, against 0.21.0: no wrapper.ts, otel-instrument, Java wrapper or
 * disablequeuedretryconverter change (`git diff c0ac4ce0 247d46c7`); @opentelemetry/resources
 * 2.7.0 (nodejs/package-lock.json:2069-2070, the 'strict' EnvDetector of 2.6.0+), Python SDK
 * 1.41.0 (requirements.txt:1), Java agent 2.27.0 (java/dependencyManagement/build.gradle.kts:21),
 * Ruby SDK 1.11 (ruby/src/otel/layer/Gemfile), and the collector gains `transform`
 * (collector/lambdacomponents/default.go:28,73).
 */

/** Language layer families. */
export type LanguageLayerFamily = Exclude<LayerFamily, 'collector'>;

/** How the layer's SDK sends OTLP when `OTEL_EXPORTER_OTLP_PROTOCOL` is not set. */
export type OtlpDefault = 'http/protobuf' | 'grpc' | 'http/json';

/** Node.js instrumentation names (`OTEL_NODE_ENABLED_INSTRUMENTATIONS`). */
export interface NodeInstrumentations {
  /** Names the layer's wrapper looks for; any other name is ignored silently. */
  readonly accepted: readonly string[];
  /** What runs when the variable is not set. */
  readonly defaults: readonly string[];
  /** Always on, whatever the variable says (not selectable names). */
  readonly alwaysOn: readonly string[];
}

/** What one language layer release's SDK understands. */
export interface LanguageLayerSupport {
  /** OTLP protocol when `OTEL_EXPORTER_OTLP_PROTOCOL` is unset. */
  readonly otlpDefault: OtlpDefault;
  /** The layer can only send `otlpDefault` (it bundles no other exporter). */
  readonly otlpOnly: boolean;
  /** `OTEL_PROPAGATORS` names the layer can build; any other breaks or is dropped. */
  readonly propagators: readonly string[];
  /** What an unsupported propagator does at run time, for messages. */
  readonly unknownPropagator: string;
  /** Whether `OTEL_RESOURCE_ATTRIBUTES` keys and values are percent-decoded. */
  readonly decodesResourceAttributes: boolean;
  /** Longest key or value the SDK accepts; a longer one drops the whole variable. */
  readonly attributeMaxLength?: number;
  /** The limit applies to the value as sent (percent-encoded), not to the decoded value. */
  readonly attributeLengthEncoded?: boolean;
  /**
   * What a value must carry percent-encoded besides `%`, `,` and `=`: `plus` (`+` would decode
   * to a space), `non-baggage-octet` (every character outside the W3C baggage-octet set: space,
   * `"`, `;`, `\`, controls and non-ASCII; one raw such character drops the whole variable).
   */
  readonly attributeEncodeAlso?: 'plus' | 'non-baggage-octet';
  /** Variables that turn on the SDK's (or agent's) debug logging, with their value. */
  readonly debugVariables: Readonly<Record<string, string>>;
  /** Node.js only: instrumentation names. */
  readonly nodeInstrumentations?: NodeInstrumentations;
  /** What the layer leaves off and the library turns on, with the variables that do it. */
  readonly switches?: readonly LayerSwitch[];
  /** How the layer's SDK batches log records (Node.js and Python: read; the others not checked). */
  readonly logBatch?: LogBatch;
}

/**
 * The layer's log record batching: neither the Node.js nor the Python layer flushes the logger
 * provider when an invocation ends (opentelemetry-lambda#2537), so records leave on this schedule.
 */
export interface LogBatch {
  /** The SDK package and version, for messages. */
  readonly sdk: string;
  /** Milliseconds between a batch's first record and its export, when the batch does not fill. */
  readonly scheduleDelayMillis: number;
  /** `OTEL_BLRP_SCHEDULE_DELAY` and the other `OTEL_BLRP_*` variables reach the processor the layer builds. */
  readonly readsBlrpVariables: boolean;
}

/**
 * Something the layer's SDK can do but does not by default, which the library turns on: all of
 * `variables` are set, or none when the function sets any of them or of `unless` itself (its own
 * configuration wins, and half of a pair could do harm), or (Java) names one of
 * `unlessSystemProperties` in `JAVA_TOOL_OPTIONS` (system properties win over variables).
 */
export interface LayerSwitch {
  /** What it turns on, for messages and docs. */
  readonly what: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly unless?: readonly string[];
  readonly unlessSystemProperties?: readonly string[];
}

/** What one collector layer release understands. */
export interface CollectorLayerSupport {
  /** Upstream collector version (COLLECTOR_VERSIONS, from scripts/layer-releases.json). */
  readonly collectorVersion: string;
  /** The type name to give the OTLP/HTTP exporter. */
  readonly otlpHttpExporter: 'otlp_http' | 'otlphttp';
  /**
   * The collector runs on Lambda Managed Instances. Support came with opentelemetry-lambda#2083
   * (commit 9faf756a, first in layer-collector/0.20.0): from then on the extension registers for
   * SHUTDOWN only there (lambda@3e718c6d collector/internal/lifecycle/manager.go:70-75). Before
   * it, the extension always registers for INVOKE and SHUTDOWN (lambda@bda8ac4f, layer-collector/0.19.0,
   * collector/internal/extensionapi/client.go:96-98), which Managed Instances reject, and the
   * collector stops (`logger.Fatal("Cannot register extension")`, bda8ac4f manager.go:66-68).
   */
  readonly managedInstances: boolean;
  /**
   * The `transform` processor is compiled in: since layer-collector/0.22.0 (lambda@247d46c7
   * collector/lambdacomponents/default.go:28,73, added against 0.21.0; also faa4ca46 :28,73),
   * when the layer's README started calling `resource` deprecated (faa4ca46 collector/README.md:6-8).
   * Not in 0.19.0-0.21.0 (bda8ac4f, 3e718c6d, c0ac4ce0 default.go: no transformprocessor import).
   */
  readonly transformProcessor: boolean;
  /**
   * The Telemetry API `schemaVersion` the `telemetryapi` receiver subscribes with: its
   * `Subscribe` sends `SchemaVersionLatest` (lambda@<tag> collector/internal/telemetryapi/client.go:34,68),
   * called from the receiver's `Start` (receiver.go: bda8ac4f :75, 3e718c6d :100, c0ac4ce0 and
   * 247d46c7 :131, faa4ca46 :132), which returns the error when the subscription is refused
   * (faa4ca46 :132-136), so the collector does not start and the extension reports an init error
   * (faa4ca46 collector/internal/lifecycle/manager.go:116-123). `"2022-12-13"` at every catalog
   * release (client.go:33-34 at bda8ac4f, 3e718c6d, c0ac4ce0, 247d46c7, faa4ca46); no commit of
   * the repository names `"2025-01-29"` up to c72580eb (2026-08-22; `git log --all -S2025-01-29`). See TELEMETRY_SCHEMAS_ON_MANAGED_INSTANCES.
   */
  readonly telemetryApiSchema: string;
}

// Node.js: the layer's wrapper builds propagators from its own map and drops unknown names with
// a diag warning: lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:52-57 (propagatorMap),
// :311-316 (unknown name: "Invalid propagator"); same map at 0.19.0 (7acbd17e) :66-71,
// 0.20.0/0.21.0 :52-57.
const NODE_PROPAGATORS = ['tracecontext', 'baggage', 'xray', 'xray-lambda'];
// Names the wrapper's defaultConfigureInstrumentations() tests with activeInstrumentations.has():
// lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:114-263 (0.21.0: the same; 0.20.0: :114-292;
// 0.19.0: :128-306). aws-sdk and aws-lambda are created unconditionally in
// createInstrumentations(): lambda@faa4ca46 wrapper.ts:267-278.
const NODE_ACCEPTED = [
  'amqplib', 'bunyan', 'cassandra-driver', 'connect', 'dataloader', 'dns', 'express', 'fs', 'graphql', 'grpc',
  'hapi', 'http', 'ioredis', 'kafkajs', 'knex', 'koa', 'memcached', 'mongodb', 'mongoose', 'mysql', 'mysql2',
  'nestjs-core', 'net', 'pg', 'pino', 'redis', 'restify', 'socket.io', 'undici', 'winston',
];
const NODE_ALWAYS_ON = ['aws-sdk', 'aws-lambda'];

function nodejs(defaults: readonly string[], envDetector: 'strict' | 'baggage', logBatch: LogBatch): LanguageLayerSupport {
  return {
    // The layer bundles only the OTLP/HTTP exporters: lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:34
    // (exporter-trace-otlp-http), :420 (exporter-metrics-otlp-http), :465 (exporter-logs-otlp-http),
    // which send JSON (opentelemetry-js experimental/v0.221.0 exporter-trace-otlp-http
    // src/platform/node/OTLPTraceExporter.ts:30-32); OTEL_EXPORTER_OTLP_PROTOCOL is not consulted.
    otlpDefault: 'http/json',
    otlpOnly: true,
    propagators: NODE_PROPAGATORS,
    unknownPropagator: 'the Node.js layer drops it with a warning',
    // EnvDetector (@opentelemetry/resources, nodejs/package-lock.json: 2.2.0 at layer 0.19.0,
    // 2.5.1 at 0.20.0, 2.6.0 at 0.21.0, 2.10.0 at 0.23.0) percent-decodes; any error discards the
    // whole variable (the handler's service.name with it).
    // 'strict' (2.6.0+): open-telemetry/opentelemetry-js@v2.10.0 packages/opentelemetry-resources/src/detectors/EnvDetector.ts
    // :19 (_MAX_LENGTH = 255), :41-46 (catch: nothing kept), :87-92 (stray '='), :106-114
    // (decodeURIComponent: a stray '%' throws), :116-126 (decoded key or value over 255).
    // 'baggage' (2.2.0, 2.5.1): @v2.2.0 EnvDetector.ts:110-115 and :128-140 (_isValid) check the
    // RAW value before decoding: at most 255 characters and W3C baggage-octets only (no space,
    // ',', ';', '\\', control or non-ASCII character), else the whole variable is discarded.
    decodesResourceAttributes: true,
    attributeMaxLength: 255,
    ...(envDetector === 'baggage' ? { attributeLengthEncoded: true, attributeEncodeAlso: 'non-baggage-octet' as const } : {}),
    // lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:599-600: diag logger level from OTEL_LOG_LEVEL.
    debugVariables: { OTEL_LOG_LEVEL: 'debug' },
    nodeInstrumentations: { accepted: NODE_ACCEPTED, defaults, alwaysOn: NODE_ALWAYS_ON },
    logBatch,
  };
}

/**
 * The Node.js layer's log batching. The wrapper builds one BatchLogRecordProcessor with the
 * exporter only and no settings (lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:478-484;
 * 247d46c7 and c0ac4ce0 :479, 3e718c6d :512, 7acbd17e :526), unless a `configureLogger` hook of the
 * function's own gives processors (:473-478). @opentelemetry/sdk-logs (nodejs/package-lock.json:
 * 0.208.0 at 7acbd17e, 0.212.0 at 3e718c6d, 0.213.0 at c0ac4ce0, 0.215.0 at 247d46c7, 0.221.0 at
 * faa4ca46) reads OTEL_BLRP_* only at 0.208.0 (build/src/export/BatchLogRecordProcessorBase.js:33-48,
 * getNumberFromEnv, default 5000 ms); from 0.212.0 on, the constructor takes its settings from code
 * alone (0.212.0 :31-36 and 0.213.0 :20-25 and 0.215.0 :95-100: 5000 ms; 0.221.0 :101-106: 1000 ms),
 * so OTEL_BLRP_SCHEDULE_DELAY in the environment changes nothing (issue 27 saw this by running).
 */
const NODE_LOG_BATCH_0_19: LogBatch = { sdk: '@opentelemetry/sdk-logs 0.208.0', scheduleDelayMillis: 5000, readsBlrpVariables: true };
const nodeLogBatch = (version: string, scheduleDelayMillis: number): LogBatch => ({ sdk: `@opentelemetry/sdk-logs ${version}`, scheduleDelayMillis, readsBlrpVariables: false });
// lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:50 (same line at 0.20.0 and 0.21.0).
const NODE_DEFAULTS = ['dns', 'http', 'net'];
// lambda@7acbd17e (layer-nodejs/0.19.0) nodejs/packages/layer/src/wrapper.ts:50-64.
const NODE_DEFAULTS_0_19 = ['dns', 'express', 'graphql', 'grpc', 'hapi', 'http', 'ioredis', 'koa', 'mongodb', 'mysql', 'net', 'pg', 'redis'];

/**
 * Python logs: the SDK attaches its `LoggingHandler` to the root logger only with
 * OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true (open-telemetry/opentelemetry-python@v1.44.0
 * opentelemetry-sdk/src/opentelemetry/sdk/_configuration/__init__.py:647-655 reads it, default
 * "false"; :320-332 adds the handler; v1.41.0 :638-645, v1.40.0 :560-567, v1.39.1 :472-479: layers
 * 0.20.0, 0.19.0, 0.18.0), reached through the layer's opentelemetry-instrument and the distro's
 * configurator (`_OTelSDKConfigurator._configure`, :740), whose logs exporter defaults to otlp
 * (opentelemetry-distro 0.65b0 distro/__init__.py:30). Neither the layer's otel-instrument
 * (lambda@faa4ca46 python/src/otel/otel_sdk/otel-instrument) nor its requirements
 * (opentelemetry-instrumentation-logging is not among them) turn it on, at any catalog release.
 * SDK 1.44.0 calls this handler deprecated in favour of opentelemetry-instrumentation-logging
 * (:321-325, a DeprecationWarning, hidden by Python's default filters), which the layer does not ship.
 */
const PYTHON_LOGS: LayerSwitch = {
  what: 'logs (the logging module\'s records)',
  variables: { OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true' },
};

/**
 * The Java agent's Lambda resource (cloud.provider, cloud.platform, cloud.region, faas.name,
 * faas.version) on spans, metrics and logs. The agent bundles the contrib AWS resource providers
 * (open-telemetry/opentelemetry-java-instrumentation@v2.30.0 javaagent-tooling/build.gradle.kts:50,
 * contrib 1.58.0-alpha: dependencyManagement/build.gradle.kts:9) but turns them off by default
 * (sdk-autoconfigure-support/.../resources/internal/ResourceProviderPropertiesCustomizer.java:41-50,
 * group "aws"); `otel.resource.providers.aws.enabled=true` turns the group on (:80-87), and
 * `otel.java.disabled.resource.providers` is added to what stays off (:101-102). Same customizer at
 * agents 2.25.0, 2.26.1 and 2.27.0 (layers 0.18.0-0.20.0). The group holds Beanstalk, EC2, ECS and
 * EKS providers too, loaded before Lambda's (open-telemetry/opentelemetry-java-contrib@v1.58.0
 * aws-resources/src/main/resources/META-INF/services/io.opentelemetry.sdk.autoconfigure.spi.ResourceProvider;
 * same at 1.53.0-1.55.0), each applied while no cloud.provider is set (CloudResourceProvider.java:16-18).
 * The EC2 one asks the instance metadata endpoint for a token and the identity document at every
 * cold start (Ec2Resource.java:44,79-87; SimpleHttpClient.java:36,46-48: 2 s timeouts each), and
 * where that endpoint answers (`sam local invoke` on an EC2 instance) it would put the instance's
 * identity first and keep Lambda's out; so it is named off (on this project's machine the
 * endpoint fails at once: no cold-start difference measured, agent init 4.9-6.0 s either way); Beanstalk, ECS and EKS look for a file or variable Lambda does not have
 * (BeanstalkResource.java:57-60, EcsResource.java:74-87, EksResource.java:71-72,92-112) and stay. Lambda's
 * then applies (LambdaResource.java:41-64: from AWS_REGION, AWS_LAMBDA_FUNCTION_NAME and
 * AWS_LAMBDA_FUNCTION_VERSION). Not with OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS of the function's own:
 * that list keeps only the providers it names, the environment's too (opentelemetry-java@v1.64.0
 * sdk-extensions/autoconfigure/.../ResourceConfiguration.java:66-82).
 */
const JAVA_AGENT_RESOURCE: LayerSwitch = {
  what: 'the Lambda resource (cloud.provider, cloud.region, faas.name, faas.version) on every signal',
  variables: {
    OTEL_RESOURCE_PROVIDERS_AWS_ENABLED: 'true',
    OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS: 'io.opentelemetry.contrib.aws.resource.Ec2ResourceProvider',
  },
  unless: ['OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS'],
  unlessSystemProperties: ['otel.resource.providers.aws.enabled', 'otel.java.disabled.resource.providers', 'otel.java.enabled.resource.providers'],
};

/**
 * The Python layer's SDK at `sdk`. Its BatchLogRecordProcessor reads OTEL_BLRP_SCHEDULE_DELAY
 * (opentelemetry-python@v1.44.0 opentelemetry-sdk/src/opentelemetry/sdk/_logs/_internal/export/__init__.py:378-384,
 * default 1000 ms :53; v1.41.0 :351-357, 1000 ms :55; v1.40.0 :322-328, 5000 ms :47; v1.39.1
 * :274-280, 5000 ms :45); the layer's aws-lambda instrumentation flushes the tracer and meter
 * providers only (opentelemetry-instrumentation-aws-lambda 0.65b0 aws_lambda/__init__.py:415-437).
 */
function python(sdk: string, scheduleDelayMillis: number): LanguageLayerSupport {
  return { ...PYTHON_COMMON, logBatch: { sdk: `opentelemetry-sdk ${sdk}`, scheduleDelayMillis, readsBlrpVariables: true } };
}

const PYTHON_COMMON: LanguageLayerSupport = {
  // lambda@faa4ca46 python/src/otel/otel_sdk/otel-instrument:96-98 sets OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  // when unset (same lines at 0.18.0 and 0.19.0); only the HTTP exporter is bundled
  // (python/src/otel/otel_sdk/requirements.txt:2 opentelemetry-exporter-otlp-proto-http).
  otlpDefault: 'http/protobuf',
  otlpOnly: true,
  // tracecontext and baggage from opentelemetry-api (v1.44.0 opentelemetry-api/pyproject.toml:43-45),
  // xray and xray-lambda from opentelemetry-propagator-aws-xray 1.0.2 (requirements.txt:6;
  // opentelemetry-python-contrib propagator/opentelemetry-propagator-aws-xray/pyproject.toml:31-33);
  // no B3 package. An unknown name raises "Propagator b3 not found" at import of
  // opentelemetry.propagate (opentelemetry-python@v1.44.0 opentelemetry-api/src/opentelemetry/propagate/__init__.py:152-155,162),
  // which the layer's opentelemetry-instrument launcher imports at its top level
  // (opentelemetry-python-contrib v0.65b0 auto_instrumentation/__init__.py:21 -> instrumentation/utils.py:29):
  // the launcher exits before the runtime starts. Same at SDK 1.39.1 / 1.40.0 (layers 0.18.0, 0.19.0).
  propagators: ['tracecontext', 'baggage', 'xray', 'xray-lambda'],
  unknownPropagator: 'the Python layer\'s launcher fails at import, so the function fails to initialise',
  // OTELResourceDetector: opentelemetry-python@v1.44.0 opentelemetry-sdk/src/opentelemetry/sdk/resources/__init__.py
  // :321 (split on the first '='), :322-328 (a bad entry is skipped alone), :329 (parse.unquote
  // of the value); no length limit. Same at v1.39.1 :345/:353 and v1.40.0 :349/:357.
  decodesResourceAttributes: true,
  // OTEL_LOG_LEVEL is defined (opentelemetry-python@v1.44.0 opentelemetry-sdk/.../environment_variables/__init__.py:59)
  // but read nowhere in the SDK or the contrib packages the layer ships; the layer has no debug switch of its own.
  debugVariables: {},
  switches: [PYTHON_LOGS],
};

function java(agent: boolean, decoder: 'custom' | 'urlDecoder'): LanguageLayerSupport {
  return {
    // Agent: open-telemetry/opentelemetry-java-instrumentation@v2.30.0 javaagent-tooling/.../config/OtlpProtocolPropertiesSupplier.java:20
    // (http/protobuf). Wrapper: TracingRequestWrapperBase.java:37-41 calls
    // AutoConfiguredOpenTelemetrySdk.initialize() with no customizer, and the SDK defaults to
    // grpc: open-telemetry/opentelemetry-java@v1.64.0 exporters/otlp/all/.../OtlpConfigUtil.java:41,45-50
    // (same default in SDK 1.59.0 and 1.60.1, wrapper 0.18.0 and 0.19.0).
    otlpDefault: agent ? 'http/protobuf' : 'grpc',
    otlpOnly: false,
    // Agent: opentelemetry-java-instrumentation@v2.30.0 javaagent-tooling/build.gradle.kts:26
    // (opentelemetry-extension-trace-propagators: b3, b3multi), :47 (contrib aws-xray-propagator:
    // xray, xray-lambda). Wrapper: lambda@faa4ca46 java/layer-wrapper/build.gradle.kts:11
    // (trace-propagators), :8 aws-lambda-events-3.11 -> aws-lambda-events-common-2.2
    // build.gradle.kts:30 (aws-xray-propagator). W3C ones are in the SDK
    // (opentelemetry-java@v1.64.0 PropagatorConfiguration.java:59-63); an unknown name throws
    // ConfigurationException (:70-73). Same jars in agent 2.25.0 and 2.26.1 (layers 0.18.0, 0.19.0).
    propagators: ['tracecontext', 'baggage', 'xray', 'xray-lambda', 'b3', 'b3multi'],
    unknownPropagator: 'the Java SDK refuses to start',
    // Autoconfigure percent-decodes values: opentelemetry-java@v1.64.0 sdk-extensions/autoconfigure/.../EnvironmentResource.java:42-48
    // (custom decoder, '+' kept; same in SDK 1.60.1, ResourceConfiguration.java:74,142). SDK 1.59.0
    // (layer 0.18.0) uses URLDecoder (ResourceConfiguration.java:77): '+' becomes a space. No length limit.
    decodesResourceAttributes: true,
    ...(decoder === 'urlDecoder' ? { attributeEncodeAlso: 'plus' as const } : {}),
    // Agent: otel.javaagent.debug (OTEL_JAVAAGENT_DEBUG), opentelemetry-java-instrumentation@v2.30.0
    // javaagent-tooling/.../config/EarlyInitAgentConfig.java:42. The wrapper's SDK has no debug
    // variable (java.util.logging configuration only; no OTEL_LOG_LEVEL in autoconfigure).
    debugVariables: agent ? { OTEL_JAVAAGENT_DEBUG: 'true' } : {},
    // The wrapper's SDK loads the AWS providers without the agent's customizer (not run here:
    // its layer cannot be assembled from Maven Central, test/e2e/runtimes/README.md).
    ...(agent ? { switches: [JAVA_AGENT_RESOURCE] } : {}),
  };
}

const RUBY: LanguageLayerSupport = {
  // opentelemetry-exporter-otlp (lambda@faa4ca46 ruby/src/otel/layer/Gemfile:4) speaks
  // http/protobuf only; the SDK warns and exports nothing for another protocol
  // (open-telemetry/opentelemetry-ruby opentelemetry-sdk/v1.13.0 sdk/lib/opentelemetry/sdk/configurator.rb:186-198;
  // same at v1.10.0, layers 0.12.0/0.13.0).
  otlpDefault: 'http/protobuf',
  otlpOnly: true,
  // configurator.rb:209-225: tracecontext and baggage are built in; b3, b3multi, jaeger, xray and
  // ottrace need a propagator gem the layer's Gemfile does not list (:228-231 warns and skips);
  // any other name (xray-lambda) is "unknown" (:221). No gem of instrumentation-all 0.94.0 depends
  // on a propagator gem; the layer's otel-handler does not set OTEL_PROPAGATORS.
  propagators: ['tracecontext', 'baggage'],
  unknownPropagator: 'the Ruby SDK skips it with a warning',
  // opentelemetry-sdk/v1.13.0 (and v1.10.0, layers 0.12.0/0.13.0) sdk/lib/opentelemetry/sdk/resources/resource.rb:44-49:
  // split on ',' then '=', no decoding: `payments%20EU` arrives as it is, `a=b` loses `=b`.
  decodesResourceAttributes: false,
  // configurator.rb:56: ForwardingLogger level from OTEL_LOG_LEVEL.
  debugVariables: { OTEL_LOG_LEVEL: 'debug' },
};

/** Per language family, per catalog release (every release of LAYER_CATALOG has one). */
export const LANGUAGE_SUPPORT: Record<LanguageLayerFamily, Readonly<Record<string, LanguageLayerSupport>>> = {
  nodejs: {
    '0.23.0': nodejs(NODE_DEFAULTS, 'strict', nodeLogBatch('0.221.0', 1000)),
    '0.22.0': nodejs(NODE_DEFAULTS, 'strict', nodeLogBatch('0.215.0', 5000)),
    '0.21.0': nodejs(NODE_DEFAULTS, 'strict', nodeLogBatch('0.213.0', 5000)),
    '0.20.0': nodejs(NODE_DEFAULTS, 'baggage', nodeLogBatch('0.212.0', 5000)),
    '0.19.0': nodejs(NODE_DEFAULTS_0_19, 'baggage', NODE_LOG_BATCH_0_19),
  },
  python: { '0.21.0': python('1.44.0', 1000), '0.20.0': python('1.41.0', 1000), '0.19.0': python('1.40.0', 5000), '0.18.0': python('1.39.1', 5000) },
  javaagent: { '0.21.0': java(true, 'custom'), '0.20.0': java(true, 'custom'), '0.19.0': java(true, 'custom'), '0.18.0': java(true, 'urlDecoder') },
  javawrapper: { '0.21.0': java(false, 'custom'), '0.20.0': java(false, 'custom'), '0.19.0': java(false, 'custom'), '0.18.0': java(false, 'urlDecoder') },
  ruby: { '0.15.0': RUBY, '0.14.0': RUBY, '0.13.0': RUBY, '0.12.0': RUBY },
};

/**
 * The OpenTelemetry API each language layer release ships, which the function's own API must
 * not be newer than (the ClickStack guide's first troubleshooting rule: manual spans go nowhere
 * otherwise). Checked at synth against the API package a bundle carries (src/private/rules/api-version.ts).
 *
 * - Node.js `@opentelemetry/api`: lambda@<tag> nodejs/package-lock.json, `node_modules/@opentelemetry/api`
 *   (1.9.0 at 7acbd17e :3232-3233, 3e718c6d :3231-3232, c0ac4ce0 :2960-2961; 1.9.1 at 247d46c7
 *   :1325-1326, faa4ca46 :998-999). The API a function's code imports looks the layer's global
 *   tracer provider up and takes it only with the same major and a minor not above the
 *   registering API's (@opentelemetry/api 1.9.1 build/src/internal/semver.js:77-90); otherwise
 *   it gets nothing (build/src/internal/global-utils.js:46-47) and uses no-op tracers.
 * - Python `opentelemetry-api`: lambda@<tag> python/src/otel/otel_sdk/requirements.txt:1
 *   `opentelemetry-sdk==<v>` (1.39.1, 1.40.0, 1.41.0, 1.44.0), which requires
 *   `opentelemetry-api==<v>` (opentelemetry_sdk-1.44.0.dist-info/METADATA:22, PyPI). The layer
 *   puts /opt/python on PYTHONPATH (faa4ca46 python/src/otel/otel_sdk/otel-instrument:77-83): a
 *   bundled API is a second copy beside the layer's SDK.
 * - Java `opentelemetry-api` (agent and wrapper layers, one tag): the opentelemetry-bom that
 *   lambda@<tag> java/dependencyManagement/build.gradle.kts:12 imports through
 *   `opentelemetry-instrumentation-bom-alpha` (2.25.0-alpha -> 1.59.0, 2.26.1-alpha -> 1.60.1,
 *   2.27.0-alpha -> 1.61.0, 2.30.0-alpha -> 1.64.0: the bom-alpha poms on Maven Central, the
 *   `opentelemetry-bom` import).
 * - Ruby: not checked (the issue's rule names Node.js, Python and Java).
 */
export const OTEL_API_VERSIONS: Readonly<Record<'nodejs' | 'python' | 'javaagent' | 'javawrapper', Readonly<Record<string, string>>>> = {
  nodejs: { '0.23.0': '1.9.1', '0.22.0': '1.9.1', '0.21.0': '1.9.0', '0.20.0': '1.9.0', '0.19.0': '1.9.0' },
  python: { '0.21.0': '1.44.0', '0.20.0': '1.41.0', '0.19.0': '1.40.0', '0.18.0': '1.39.1' },
  javaagent: { '0.21.0': '1.64.0', '0.20.0': '1.61.0', '0.19.0': '1.60.1', '0.18.0': '1.59.0' },
  javawrapper: { '0.21.0': '1.64.0', '0.20.0': '1.61.0', '0.19.0': '1.60.1', '0.18.0': '1.59.0' },
};

/**
 * The exporter type the collector accepts since open-telemetry/opentelemetry-collector v0.144.0
 * (commit 02f2e05b52, PR #14397; exporter/otlphttpexporter/factory.go:31
 * `WithDeprecatedTypeAlias("otlphttp")`): `otlphttp` still loads but logs a deprecation warning
 * at every cold start. Before v0.144.0 only `otlphttp` exists (v0.138.0 metadata.yaml:1).
 */
const OTLP_HTTP_RENAMED_IN = '0.144.0';

/**
 * Per collector layer release. `otlp_http` also needs the layer's disablequeuedretryconverter to
 * know the new name, or the exporter keeps its sending queue (exports lost when Lambda freezes
 * the environment): it lists only "otlphttp" at lambda@3e718c6d (layer-collector/0.20.0)
 * collector/internal/confmap/converter/disablequeuedretryconverter/converter.go:46, and both
 * names from layer-collector/0.21.0 (lambda@c0ac4ce0 converter.go:47-48; faa4ca46 :47-48).
 */
export const COLLECTOR_SUPPORT: Readonly<Record<string, CollectorLayerSupport>> = {
  '0.23.0': { collectorVersion: COLLECTOR_VERSIONS['0.23.0'], otlpHttpExporter: 'otlp_http', managedInstances: true, transformProcessor: true, telemetryApiSchema: '2022-12-13' },
  '0.22.0': { collectorVersion: COLLECTOR_VERSIONS['0.22.0'], otlpHttpExporter: 'otlp_http', managedInstances: true, transformProcessor: true, telemetryApiSchema: '2022-12-13' },
  '0.21.0': { collectorVersion: COLLECTOR_VERSIONS['0.21.0'], otlpHttpExporter: 'otlp_http', managedInstances: true, transformProcessor: false, telemetryApiSchema: '2022-12-13' },
  '0.20.0': { collectorVersion: COLLECTOR_VERSIONS['0.20.0'], otlpHttpExporter: 'otlphttp', managedInstances: true, transformProcessor: false, telemetryApiSchema: '2022-12-13' },
  '0.19.0': { collectorVersion: COLLECTOR_VERSIONS['0.19.0'], otlpHttpExporter: 'otlphttp', managedInstances: false, transformProcessor: false, telemetryApiSchema: '2022-12-13' },
};

/**
 * The Telemetry API `schemaVersion` values Lambda Managed Instances accept. AWS Lambda Telemetry
 * API reference, Subscribe, `schemaVersion`: valid values "2025-01-29", "2022-12-13" and
 * "2022-07-01"; "Lambda Managed Instances require "2025-01-29". This version is backward
 * compatible with Lambda (default) functions."
 * (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html).
 */
export const TELEMETRY_SCHEMAS_ON_MANAGED_INSTANCES: readonly string[] = ['2025-01-29'];

/**
 * The schema the collector release's `telemetryapi` receiver subscribes with, when Managed
 * Instances refuse it; undefined when they accept it, and for a layer of your own
 * (`CollectorLayer.fromArn()`, version unknown: yours to know).
 */
export function telemetrySchemaRefusedOnManagedInstances(collectorLayerVersion: string | undefined): string | undefined {
  const schema = collectorLayerVersion === undefined ? undefined : COLLECTOR_SUPPORT[collectorLayerVersion]?.telemetryApiSchema;
  return schema === undefined || TELEMETRY_SCHEMAS_ON_MANAGED_INSTANCES.includes(schema) ? undefined : schema;
}

/** Whether `version` (MAJOR.MINOR.PATCH) is at least `min`. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** The collector release's collector version accepts `otlp_http`. */
export function collectorAcceptsOtlpHttp(collectorVersion: string): boolean {
  return versionAtLeast(collectorVersion, OTLP_HTTP_RENAMED_IN);
}

/**
 * The OTLP/HTTP exporter type for a collector layer version; `otlphttp` for a layer of your own
 * (`CollectorLayer.fromArn()`, version unknown): every collector release accepts it.
 */
export function otlpHttpExporterType(collectorLayerVersion: string | undefined): 'otlp_http' | 'otlphttp' {
  if (collectorLayerVersion === undefined) return 'otlphttp';
  return COLLECTOR_SUPPORT[collectorLayerVersion]?.otlpHttpExporter ?? 'otlphttp';
}

/**
 * The processor that adds the Telemetry API logs' resource attributes: `transform` where the
 * collector layer ships it, `resource` (deprecated there, still compiled in) before, and for a
 * layer of your own (`CollectorLayer.fromArn()`, version unknown).
 */
export function logResourceProcessor(collectorLayerVersion: string | undefined): 'resource' | 'transform' {
  if (collectorLayerVersion === undefined) return 'resource';
  return COLLECTOR_SUPPORT[collectorLayerVersion]?.transformProcessor ? 'transform' : 'resource';
}

/** What a language layer release supports; undefined for a layer of your own (`fromArn()`). */
export function languageSupport(family: LanguageLayerFamily, version: string | undefined): LanguageLayerSupport | undefined {
  return version === undefined ? undefined : LANGUAGE_SUPPORT[family][version];
}

const FAMILY_TITLES: Record<LanguageLayerFamily, string> = {
  nodejs: 'Node.js',
  python: 'Python',
  javaagent: 'Java agent',
  javawrapper: 'Java wrapper',
  ruby: 'Ruby',
};

/**
 * The table "What each language layer supports" of docs/runtime-support.md, one row per family and
 * group of releases with the same support, newest first. test/runtime-truth.test.ts checks that
 * docs/runtime-support.md holds exactly this text.
 */
export function renderSupportTable(): string {
  const lines = [
    '| layer (releases) | OTLP when `OTEL_EXPORTER_OTLP_PROTOCOL` is unset | propagators | `OTEL_RESOURCE_ATTRIBUTES` | SDK debug (`debug: true`) | Node.js instrumentations | SDK log records leave | the library turns on |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const family of Object.keys(LANGUAGE_SUPPORT) as LanguageLayerFamily[]) {
    const versions = Object.keys(LAYER_CATALOG[family]);
    const groups: Array<{ versions: string[]; support: LanguageLayerSupport }> = [];
    for (const v of versions) {
      const support = LANGUAGE_SUPPORT[family][v];
      const same = groups.find(g => JSON.stringify(g.support) === JSON.stringify(support));
      if (same) same.versions.push(v);
      else groups.push({ versions: [v], support });
    }
    for (const { versions: vs, support: s } of groups) {
      const code = (names: readonly string[]) => names.map(n => `\`${n}\``).join(', ');
      const attributes = [
        s.decodesResourceAttributes ? 'percent-decoded' : 'not decoded: values with `,` `=` `%` refused',
        ...(s.attributeEncodeAlso === 'plus' ? ['`+` encoded too (it decodes to a space)'] : []),
        ...(s.attributeEncodeAlso === 'non-baggage-octet' ? ['space, `"`, `;`, `\\` and non-ASCII encoded too'] : []),
        ...(s.attributeMaxLength !== undefined ? [`values ≤ ${s.attributeMaxLength} characters${s.attributeLengthEncoded ? ' encoded' : ''}`] : []),
      ].join('; ');
      const debug = Object.keys(s.debugVariables).length > 0
        ? Object.entries(s.debugVariables).map(([k, v]) => `\`${k}=${v}\``).join(', ')
        : 'none';
      const instrumentations = s.nodeInstrumentations
        ? `default ${code(s.nodeInstrumentations.defaults)}; always on ${code(s.nodeInstrumentations.alwaysOn)}`
        : '-';
      const otlp = `\`${s.otlpDefault}\`${s.otlpOnly ? ' only' : ''}`;
      const batch = s.logBatch
        ? `${s.logBatch.scheduleDelayMillis} ms after a batch's first record, not at the end of the invocation (${s.logBatch.sdk}; \`OTEL_BLRP_*\` ${s.logBatch.readsBlrpVariables ? 'read' : 'not read'})`
        : 'not checked';
      const switches = s.switches?.length
        ? s.switches.map(w => `${w.what}: ${Object.entries(w.variables).map(([k, v]) => `\`${k}=${v}\``).join(', ')}`).join('; ')
        : '-';
      lines.push(`| ${FAMILY_TITLES[family]} (${vs.join(', ')}) | ${otlp} | ${code(s.propagators)} | ${attributes} | ${debug} | ${instrumentations} | ${batch} | ${switches} |`);
    }
  }
  return lines.join('\n');
}
