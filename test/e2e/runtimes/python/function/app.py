# The e2e Python function: reads the active span the layer's aws-lambda instrumentation opened,
# records one counter point and logs one line through the OpenTelemetry API. An event with
# `flushLogs` calls force_flush() on the global logger provider before returning (the
# sdkLogsNotFlushed warning's advice).
import logging

from opentelemetry import _logs, metrics, trace

counter = metrics.get_meter("e2e-function").create_counter("e2e.invocations")
logger = logging.getLogger("e2e-function")


def handler(event, context):
    sc = trace.get_current_span().get_span_context()
    counter.add(1, {"marker": str(event.get("marker"))})
    logger.warning("invoked %s marker=%s", context.aws_request_id, event.get("marker"))
    if event.get("flushLogs"):
        _logs.get_logger_provider().force_flush()
    return {
        "marker": event.get("marker"),
        "traceId": format(sc.trace_id, "032x") if sc.is_valid else None,
        "spanId": format(sc.span_id, "016x") if sc.is_valid else None,
        "sampled": sc.trace_flags.sampled if sc.is_valid else None,
    }
