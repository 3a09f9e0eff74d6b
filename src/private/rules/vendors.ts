/**
 * Other vendors' Lambda instrumentation, as data: what each one leaves on a function (layers,
 * handler redirection, exec wrapper, variables only its instrumentation reads), the local ports
 * its extension binds, and how to move the function to ClickStack. Each entry cites where the
 * pattern was read. A function with any of them is refused by `ClickStackInstrumentation` and
 * skipped by `ClickStackAspect` (`existing`); an extension that binds 4317 or 4318 would also take
 * the collector's ports.
 *
 * Variables are chosen among those read by the vendor's instrumentation only (a `DD_API_KEY` or a
 * `SENTRY_DSN` may serve code of the user's own and is not a sign).
 */

/** One vendor's marks on a function. */
export interface Vendor {
  readonly name: string;
  /** AWS accounts that publish the vendor's layers. */
  readonly accounts: readonly string[];
  /** Layer names (the part after `:layer:`), whatever the account. */
  readonly layerName?: RegExp;
  /** Handlers the vendor redirects a function to (its wrapper then calls the original one). */
  readonly handler?: RegExp;
  /** `AWS_LAMBDA_EXEC_WRAPPER` values of the vendor. */
  readonly wrappers?: readonly string[];
  /** Variables only the vendor's instrumentation reads. */
  readonly variables?: readonly string[];
  /** A variable whose value (a substring) is the vendor's: `NODE_OPTIONS` preloading its agent. */
  readonly valueMarks?: ReadonlyArray<readonly [string, RegExp]>;
  /** Variables that make the vendor's extension serve OTLP on the `host:port` they hold. */
  readonly otlpReceiverVariables?: readonly string[];
  /** How to move a function from the vendor to ClickStack. */
  readonly migrate: string;
}

export const VENDORS: readonly Vendor[] = [
  {
    // DataDog/datadog-cdk-constructs src/constants.ts (DD_ACCOUNT_ID, DD_GOV_ACCOUNT_ID, DD_HANDLER_ENV_VAR,
    // AWS_LAMBDA_EXEC_WRAPPER, PYTHON_HANDLER, JS_HANDLER_WITH_LAYERS, JS_HANDLER) and src/redirect.ts
    // (the handler is redirected for Node.js and Python, the wrapper set for Java and .NET);
    // layer names: DataDog/datadog-lambda-extension releases (Datadog-Extension, -ARM, -FIPS) and
    // integration-tests/lib/util.ts (Datadog-Node24-x, Datadog-Python313-ARM, dd-trace-java,
    // dd-trace-dotnet-ARM, Datadog-Ruby3-4-ARM); OTLP receiver: integration-tests/lib/stacks/otlp.ts
    // (DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT=localhost:4318, _GRPC_ENDPOINT=localhost:4317).
    name: 'Datadog',
    accounts: ['464622532012', '002406178527'],
    layerName: /^(Datadog-|dd-trace-)/,
    handler: /(^|\/)(node_modules\/datadog-lambda-js\/(dist\/)?handler\.handler|datadog_lambda\.handler\.handler)$/,
    wrappers: ['/opt/datadog_wrapper'],
    variables: ['DD_LAMBDA_HANDLER', 'DD_API_KEY_SECRET_ARN', 'DD_KMS_API_KEY'],
    otlpReceiverVariables: ['DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT', 'DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT'],
    migrate: 'remove the Datadog layers (tracer and Datadog-Extension), the DD_* variables and AWS_LAMBDA_EXEC_WRAPPER=/opt/datadog_wrapper if set, and where the handler was redirected give the function back its own (the value of DD_LAMBDA_HANDLER); with datadog-cdk-constructs, leave the function out of its lambdaFunctions',
  },
  {
    // newrelic/newrelic-lambda-layers README.md ("Manual Instrumentation using Layers": handlers
    // newrelic_lambda_wrapper.handler, newrelic-lambda-wrapper.handler,
    // com.newrelic.java.HandlerWrapper::handleRequest|handleStreamsRequest; NEW_RELIC_LAMBDA_HANDLER;
    // .NET: CORECLR_NEWRELIC_HOME); account 451483290750 and NewRelicLambdaExtension, NewRelicPython38,
    // NewRelicJava17: newrelic/newrelic-lambda-extension examples/terraform/python/main.tf and public
    // Terraform using https://layers.newrelic-external.com/.
    name: 'New Relic',
    accounts: ['451483290750'],
    layerName: /^NewRelic/,
    handler: /(^|\/)(newrelic[-_]lambda[-_]wrapper\.handler|com\.newrelic\.java\.HandlerWrapper::\w+)$/,
    variables: ['NEW_RELIC_LAMBDA_HANDLER', 'NEW_RELIC_LAMBDA_EXTENSION_ENABLED', 'CORECLR_NEWRELIC_HOME'],
    migrate: 'remove the New Relic layers (NewRelic<runtime> and NewRelicLambdaExtension) and the NEW_RELIC_* (and, for .NET, CORECLR_*) variables, and where the handler was redirected give the function back its own (the value of NEW_RELIC_LAMBDA_HANDLER)',
  },
  {
    // https://docs.dynatrace.com/docs/shortlink/aws-lambda-container (AWS_LAMBDA_EXEC_WRAPPER=/opt/dynatrace,
    // DT_TENANT, DT_CLUSTER_ID, DT_CONNECTION_BASE_URL, DT_CONNECTION_AUTH_TOKEN); layers
    // Dynatrace_OneAgent_<version>_<runtime> of account 725887861453 (dynatrace-oss/dt-awslayertool
    // README examples; 657959507023 in newer public Terraform).
    name: 'Dynatrace',
    accounts: ['725887861453', '657959507023'],
    layerName: /^Dynatrace_OneAgent/,
    wrappers: ['/opt/dynatrace'],
    variables: ['DT_CONNECTION_BASE_URL', 'DT_CONNECTION_AUTH_TOKEN'],
    migrate: 'remove the Dynatrace_OneAgent layer, AWS_LAMBDA_EXEC_WRAPPER=/opt/dynatrace and the DT_* variables',
  },
  {
    // lumigo-io/serverless-lumigo-plugin src/index.js (account 114300393969, lumigo-node-tracer,
    // lumigo-python-tracer, LUMIGO_ORIGINAL_HANDLER, LUMIGO_TRACER_TOKEN, handlers
    // lumigo-auto-instrument.handler and /opt/python/lumigo_tracer._handler); AWS_LAMBDA_EXEC_WRAPPER=/opt/lumigo_wrapper:
    // lumigo-io/lumigo-cdk-constructs (AWS_LAMBDA_EXEC_WRAPPER_ENV_VAR_VALUE); lumigo-extension, lumigo-tracer-extension layers:
    // lumigo-io/lumigo-go-tracer README.md.
    name: 'Lumigo',
    accounts: ['114300393969', '724777057400'],
    layerName: /^lumigo-/,
    handler: /(^|\/)(lumigo-auto-instrument\.handler|lumigo_tracer\._handler)$/,
    wrappers: ['/opt/lumigo_wrapper'],
    variables: ['LUMIGO_TRACER_TOKEN', 'LUMIGO_ORIGINAL_HANDLER'],
    migrate: 'remove the lumigo-* layers, AWS_LAMBDA_EXEC_WRAPPER=/opt/lumigo_wrapper and the LUMIGO_* variables, and give the function back its own handler (the value of LUMIGO_ORIGINAL_HANDLER, if set)',
  },
  {
    // https://elastic.co/docs/reference/apm/agents/python/lambda-support and .../nodejs/lambda
    // (account 267093732750, elastic-apm-extension-ver-*, elastic-apm-python-ver-*, elastic-apm-node-ver-*);
    // elastic/apm-aws-lambda docs (AWS_LAMBDA_EXEC_WRAPPER=/opt/elastic-apm-handler, ELASTIC_APM_LAMBDA_APM_SERVER);
    // the Node.js agent is preloaded with NODE_OPTIONS=-r elastic-apm-node/start.
    name: 'Elastic APM',
    accounts: ['267093732750'],
    layerName: /^elastic-apm-/,
    wrappers: ['/opt/elastic-apm-handler'],
    variables: ['ELASTIC_APM_LAMBDA_APM_SERVER'],
    valueMarks: [['NODE_OPTIONS', /elastic-apm-node/]],
    migrate: 'remove the elastic-apm-* layers, AWS_LAMBDA_EXEC_WRAPPER=/opt/elastic-apm-handler (or the elastic-apm-node preload in NODE_OPTIONS) and the ELASTIC_APM_* variables; Elastic APM Server accepts OTLP, so ClickStack can take over without code changes',
  },
  {
    // signalfx/lambda-layer-versions splunk-apm/splunk-apm.md and splunk-apm-arm.md (account 254067382080,
    // splunk-apm, splunk-apm-arm); https://help.splunk.com/.../instrument-your-lambda-function (SPLUNK_REALM,
    // SPLUNK_ACCESS_TOKEN; wrappers /opt/nodejs-otel-handler, /opt/otel-instrument, /opt/otel-handler).
    // Only the wrappers no other layer uses are Splunk's marks.
    name: 'Splunk',
    accounts: ['254067382080'],
    layerName: /^splunk-/,
    wrappers: ['/opt/nodejs-otel-handler', '/opt/ruby-otel-handler'],
    variables: ['SPLUNK_ACCESS_TOKEN', 'SPLUNK_REALM'],
    migrate: 'remove the splunk-apm layer, AWS_LAMBDA_EXEC_WRAPPER and the SPLUNK_* variables; the Splunk layer is OpenTelemetry, so the OTEL_* settings carry over',
  },
  {
    // honeycombio/honeycomb-lambda-extension README.md (account 702835727665,
    // honeycomb-lambda-extension-<arch>-<version>, LIBHONEY_API_KEY, LIBHONEY_DATASET).
    name: 'Honeycomb',
    accounts: ['702835727665'],
    layerName: /^honeycomb-/,
    variables: ['LIBHONEY_API_KEY', 'LIBHONEY_DATASET'],
    migrate: 'remove the honeycomb-lambda-extension layer and the LIBHONEY_* variables; ClickStack takes the function\'s logs through the collector (lambdaTelemetry) instead',
  },
  {
    // getsentry/sentry-release-registry aws-lambda-layers/node/*.json (account 943013980633,
    // SentryNodeServerlessSDK); https://docs.sentry.io/platforms/python/integrations/aws-lambda/manual-layer
    // (handler sentry_sdk.integrations.init_serverless_sdk.sentry_lambda_handler, SENTRY_INITIAL_HANDLER,
    // layer SentryPythonServerlessSDK); @sentry/aws-serverless README (NODE_OPTIONS preloading
    // @sentry/aws-serverless/awslambda-auto; @sentry/serverless before v8).
    name: 'Sentry',
    accounts: ['943013980633'],
    layerName: /^Sentry\w*ServerlessSDK/,
    handler: /(^|\/)sentry_sdk\.integrations\.init_serverless_sdk\.sentry_lambda_handler$/,
    variables: ['SENTRY_INITIAL_HANDLER'],
    valueMarks: [['NODE_OPTIONS', /@sentry\/(aws-)?serverless/]],
    migrate: 'remove the Sentry layer and its NODE_OPTIONS preload, and give the function back its own handler (the value of SENTRY_INITIAL_HANDLER, if set); Sentry set up in your own code can stay, but its tracing would compete with the OpenTelemetry layer\'s',
  },
  {
    // https://www.ibm.com/docs/en/instana-observability/current?topic=lambda-aws-native-tracing-nodejs
    // (handler instana-aws-lambda-auto-wrap.handler and -esm.handler, INSTANA_ENDPOINT_URL, INSTANA_AGENT_KEY);
    // layer arn:aws:lambda:<region>:410797082306:layer:instana-nodejs (public examples and Instana's
    // instana/nodejs release script).
    name: 'Instana',
    accounts: ['410797082306'],
    layerName: /^instana-/,
    handler: /(^|\/)instana-aws-lambda-auto-wrap(-esm)?\.handler$/,
    variables: ['INSTANA_ENDPOINT_URL', 'INSTANA_AGENT_KEY'],
    migrate: 'remove the instana-* layer and the INSTANA_* variables, and give the function back its own handler (the value of LAMBDA_HANDLER, or index.handler)',
  },
  {
    // AWS Application Signals for Lambda (an ADOT distribution): layers AWSOpenTelemetryDistro{Python,Js,Java,DotNet}
    // of account 615299751070 (412664885777 in ap-east-2), AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument
    // (https://aws-otel.github.io/docs/getting-started/lambda and public templates using them).
    name: 'AWS Application Signals (ADOT)',
    accounts: ['615299751070', '412664885777'],
    layerName: /^AWSOpenTelemetryDistro/,
    wrappers: ['/opt/otel-instrument'],
    migrate: 'remove the AWSOpenTelemetryDistro layer and AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument (and turn Application Signals off for the function)',
  },
];

/** The ports the collector's OTLP receivers bind (collector-config.ts). */
export const COLLECTOR_PORTS = ['4317', '4318'];

/** What was found of one vendor on a function. */
export interface VendorFinding {
  readonly vendor: Vendor;
  readonly found: string[];
  /** The layers (as given) that are the vendor's. */
  readonly layers: unknown[];
  /** `VARIABLE=host:port` entries through which the vendor's extension binds a port of the collector. */
  readonly portConflicts: string[];
}

/** The layer name in an ARN-like text, and its account: `arn:aws:lambda:r:ACCOUNT:layer:NAME:1`. */
function layerParts(text: string): { account?: string; name?: string } {
  const m = /:(\d{12}|\$\{[^}]*\}|[^:]*):layer:([A-Za-z0-9_-]+)/.exec(text);
  return m ? { account: m[1], name: m[2] } : {};
}

/**
 * Vendors whose marks are on a function: its resolved environment variables, its handler (when a
 * plain string), and its layers (resolved, as far as they can be read).
 */
export function findVendors(env: Record<string, unknown>, handler: unknown, layers: readonly unknown[]): VendorFinding[] {
  const findings: VendorFinding[] = [];
  const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
  for (const vendor of VENDORS) {
    const found: string[] = [];
    const portConflicts: string[] = [];
    const own: unknown[] = [];
    for (const layer of layers) {
      const text = typeof layer === 'string' ? layer : JSON.stringify(layer);
      const { account, name } = layerParts(text);
      if ((account !== undefined && vendor.accounts.includes(account)) || (name !== undefined && vendor.layerName?.test(name))) {
        found.push(`the layer ${text.length > 160 ? `${text.slice(0, 157)}...` : text}`);
        own.push(layer);
      }
    }
    if (typeof handler === 'string' && vendor.handler?.test(handler)) found.push(`the handler ${handler}`);
    if (typeof wrapper === 'string' && vendor.wrappers?.includes(wrapper)) found.push(`AWS_LAMBDA_EXEC_WRAPPER=${wrapper}`);
    for (const name of vendor.variables ?? []) if (env[name] !== undefined) found.push(name);
    for (const [name, mark] of vendor.valueMarks ?? []) {
      const value = env[name];
      if (typeof value === 'string' && mark.test(value)) found.push(`${name}=${JSON.stringify(value)}`);
    }
    for (const name of vendor.otlpReceiverVariables ?? []) {
      const value = env[name];
      if (value === undefined) continue;
      found.push(`${name}=${JSON.stringify(value)}`);
      const port = typeof value === 'string' ? /:(\d+)\/?$/.exec(value)?.[1] : undefined;
      if (port !== undefined && COLLECTOR_PORTS.includes(port)) portConflicts.push(`${name}=${value}`);
    }
    if (found.length > 0) findings.push({ vendor, found, layers: own, portConflicts });
  }
  return findings;
}

/** One sentence per vendor found: who, what, the port conflict, and how to migrate. */
export function describeVendors(findings: readonly VendorFinding[]): string {
  return findings.map(f => {
    const ports = f.portConflicts.length > 0
      ? `; its extension serves OTLP on the collector's own port (${f.portConflicts.join(', ')}), so the two cannot run in one function (the function's own OpenTelemetry SDK can keep sending to localhost: the ClickStack collector listens on 4317 and 4318)`
      : '';
    return `it is already instrumented by ${f.vendor.name}: it has ${f.found.join(', ')}${ports}; to move it to ClickStack, ${f.vendor.migrate}`;
  }).join('; and ');
}
