import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ARM_64 } from '../cdk';
import { l1Property } from '../function-state';
import { Draft, Finding } from '../plan-model';
import { functionBundle } from './api-version';
import { durablePluginAdvice } from './durable-plugins';
import { RUNTIME_NOTE_IDS } from './ids';

/*
 * What the upstream layers lose or change on some Lambda features, said at synth where the
 * library can tell (docs/runtime-notes.md has the whole table and the citations).
 */

/** The Python SDK's switch for `logging` records (src/layers/language-support.ts, PYTHON_LOGS). */
const PYTHON_LOGGING = 'OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED';

/** Node.js instrumentations that send log records through the Logs SDK. */
const NODE_LOG_INSTRUMENTATIONS = ['bunyan', 'pino', 'winston'];

/** Rule: SnapStart, durable functions and upstream losses (runtime notes). */
export function runtimeNotesRule(fn: lambda.Function, draft: Draft): Finding {
  const where = draft.path;
  const support = draft.support;
  const infos: string[] = [];
  const warnings: Array<[string, string]> = [];
  const summary: string[] = [];

  // SnapStart (Java 11+, Python 3.12+, .NET 8+): the layers and the collector start during INIT
  // and are restored from the snapshot. The collector has no restore path: its lifecycle only
  // names the init type (open-telemetry/opentelemetry-lambda@faa4ca46 collector/lambdalifecycle/types.go:24,35-36),
  // the extension registers for INVOKE and SHUTDOWN only (collector/internal/lifecycle/manager.go:72-77),
  // and the telemetryapi receiver leaves the restore events "reserved for future use"
  // (collector/receiver/telemetryapireceiver/receiver.go:300-305; PLATFORM logs still carry them,
  // :570-589). The Java agent has no checkpoint/restore support (open-telemetry/opentelemetry-java-instrumentation#10363).
  const snapStart = l1Property(fn, 'snapStart') as { applyOn?: string } | undefined;
  if (snapStart?.applyOn === 'PublishedVersions') {
    infos.push(`[@clickstack/cdk:snapStart] ${where} uses SnapStart: the collector and the OpenTelemetry SDK start during INIT and every execution environment is restored from that snapshot, so the collector configuration (resolved when the version was published), the SDK's resource attributes and whatever else they computed at INIT are the same in every restored environment; neither has a restore hook (opentelemetry-lambda collector/lambdalifecycle/types.go; opentelemetry-java-instrumentation#10363), and restore events reach ClickStack only as PLATFORM logs with lambdaTelemetry`);
    if (draft.settings.ingestionKey?._secretRegion() !== undefined) {
      warnings.push([RUNTIME_NOTE_IDS.snapStartKey, `${where} uses SnapStart and an ingestion key from Secrets Manager: the collector resolves \${secretsmanager:...} once, during INIT, so the snapshot holds the key, and a rotated key never reaches environments restored from it (their exports are refused once the old key is revoked). Publish a new function version after every rotation (a new snapshot resolves the new key), or keep the old key valid until then`]);
    }
  }

  // Durable functions: every resume or replay of a durable execution is a new invocation; the
  // layers open one span per invocation with the invocation's own parent, and nothing carries a
  // trace across invocations, so one execution shows as one unconnected trace per invocation
  // (described by DataDog/dd-trace-js#8182; the durable execution SDKs' own OpenTelemetry
  // plugins correlate them, where the language has one: durable-plugins.ts).
  if (l1Property(fn, 'durableConfig') !== undefined) {
    warnings.push([RUNTIME_NOTE_IDS.durable, `${where} is a durable function: each invocation of a durable execution (the first, and every resume or replay) becomes its own trace, with no parent linking them, so one execution shows as several unconnected traces (steps already checkpointed are not run again, so their spans appear once). ${durablePluginAdvice(fn, support)}`]);
  }

  if (support.kind === 'language') {
    const release = draft.language!;
    // Logs of the SDK are not flushed at the end of an invocation (opentelemetry-lambda#2537,
    // open; fixes open in opentelemetry-js-contrib#3714 and opentelemetry-python-contrib#4832):
    // the Node.js wrapper builds a LoggerProvider unless OTEL_LOGS_EXPORTER is none
    // (lambda@faa4ca46 nodejs/packages/layer/src/wrapper.ts:453) but only spans and metrics are
    // flushed; the Python SDK sends `logging` records with OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED,
    // which the library sets (language-support.ts, PYTHON_LOGS) unless the function sets it. The
    // records leave on the batch schedule of the layer's SDK (language-support.ts, logBatch).
    const env = support.family === 'nodejs' || support.family === 'python' ? draft.environment() : {};
    const batch = draft.layerSupport?.logBatch;
    if (release.version !== undefined && env.OTEL_LOGS_EXPORTER !== 'none') {
      let why: string | undefined;
      let flush = 'call forceFlush() on the logger provider';
      if (support.family === 'nodejs') {
        const loggers = (draft.settings.nodejsEnabledInstrumentations ?? []).filter(i => NODE_LOG_INSTRUMENTATIONS.includes(i));
        if (loggers.length > 0) why = `its ${loggers.join(', ')} log records go through the Node.js layer's Logs SDK`;
        else if (functionBundle(fn, 'nodejs', draft.code)?.nodeLogsApi) why = 'its bundle has @opentelemetry/api-logs, so its code emits OpenTelemetry logs';
      } else if (support.family === 'python') {
        const own = env[PYTHON_LOGGING];
        flush = 'call opentelemetry._logs.get_logger_provider().force_flush()';
        if (own !== undefined && String(own).toLowerCase() === 'true') {
          why = `${PYTHON_LOGGING} sends its logging records through the Python SDK`;
        } else if (own === undefined) {
          // The library turned the records on (every Python function, unless it says otherwise):
          // said once per stack, in its summary, not as a warning on each function.
          const delay = batch ? `${batch.scheduleDelayMillis} ms after the first record of a batch (${batch.sdk})` : 'on its batch schedule';
          summary.push(`SDK logs: the Python layer (${release}) sends \`logging\` records (${PYTHON_LOGGING}=true, set by the library; set it to false to send none) ${delay}, after the invocation has ended; they leave during the next invocation or at shutdown, and a record not yet exported at shutdown is lost (measured: docs/runtime-notes.md, "Upstream losses the library cannot fix"). To send them within the invocation, ${flush} before the handler returns`);
        }
      }
      // What that means, measured with the layer's collector (layer-collector/0.23.0 built from
      // source, and its stand-in) in the local Lambda (test/e2e/*.languages.e2e.test.ts; Node.js
      // layer 0.23.0, Python layer 0.21.0, both 1000 ms): the SDK exports after the invocation has
      // ended, and decouple forwards only during an invocation or at SHUTDOWN
      // (lambda@faa4ca46 collector/processor/decoupleprocessor/processor.go:79-119), so a record
      // left during the next invocation (three invocations 2 s apart: the first two one invocation
      // late), or at SHUTDOWN when the SDK exported it before; SHUTDOWN within the schedule lost it
      // (the third of those; three invocations back to back, then SHUTDOWN: 0 of 3 arrived, measured
      // by hand). forceFlush() before returning: 3 of 3
      // within their invocation. lambdaTelemetry FUNCTION lost no line, but a line reaches the
      // collector through the Telemetry API's buffer and left within its invocation only when it
      // arrived before platform.runtimeDone (Node.js 1 of 3, Python 0 of 3; the last at SHUTDOWN).
      if (why) {
        const delay = batch ? `${batch.scheduleDelayMillis} ms after the first record of a batch (${batch.sdk})` : 'on its batch schedule';
        warnings.push([RUNTIME_NOTE_IDS.logsNotFlushed, `${where}: ${why}, but the layer (${release}) flushes only spans and metrics when an invocation ends, and its SDK exports log records ${delay}, after the invocation has ended; the collector's decouple processor forwards them only during an invocation or at shutdown, so a record leaves during the next invocation, or when the environment shuts down, and a record not yet exported when it shuts down is lost (measured: of three invocations 2 s apart, then shutdown, two records arrived one invocation late and the last never; opentelemetry-lambda#2537). To send them within the invocation, ${flush} before the handler returns (measured: every record within its invocation). lambdaTelemetry FUNCTION (logs through CloudWatch) loses no line, but sends a line within its invocation only when it reaches the collector before the invocation ends`]);
      }
    }
    // OTEL_BLRP_* on a layer whose SDK does not read them (the Node.js layer 0.20.0 and later
    // builds its BatchLogRecordProcessor from code only: language-support.ts, logBatch).
    const blrp = Object.keys(env).filter(k => k.startsWith('OTEL_BLRP_')).sort();
    if (release.version !== undefined && batch && !batch.readsBlrpVariables && blrp.length > 0) {
      warnings.push([RUNTIME_NOTE_IDS.blrpNotRead, `${where} sets ${blrp.join(', ')}, but the ${support.family} layer ${release.version}'s SDK (${batch.sdk}) does not read ${blrp.length > 1 ? 'them' : 'it'}: the layer builds its log batch processor with settings from code only, which export ${batch.scheduleDelayMillis} ms after a batch's first record. Remove ${blrp.length > 1 ? 'them' : 'it'}; to send log records within an invocation, call forceFlush() on the logger provider before the handler returns`]);
    }

    // Python 3.14 on arm64 with the Python layer 0.21.0 and a protobuf of the function's own:
    // the import of google._upb._message fails at cold start (opentelemetry-lambda#2570, open).
    if (support.family === 'python' && release.version === '0.21.0' && fn.runtime.name === 'python3.14' && fn.architecture.name === ARM_64) {
      const protobuf = functionBundle(fn, 'python', draft.code)?.protobuf;
      if (protobuf !== undefined) {
        warnings.push([RUNTIME_NOTE_IDS.protobuf, `${where} runs Python 3.14 on arm64 with the Python layer 0.21.0 and bundles protobuf ${protobuf}: a second protobuf beside the layer's can fail the import of google._upb._message at cold start (SystemError; opentelemetry-lambda#2570). Pin protobuf to 7.35.1 in the function's dependencies (the issue's workaround), or use PythonLayer.V0_20_0`]);
      }
    }
  }
  return { infos, warnings, summary };
}
