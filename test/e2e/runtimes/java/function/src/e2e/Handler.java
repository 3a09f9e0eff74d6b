// The e2e Java function: takes an API Gateway proxy event (the agent reads a traceparent from its
// headers), reads the active span the agent's aws-lambda instrumentation opened, records one
// counter point through the OpenTelemetry API and logs one line through java.util.logging.
package e2e;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.logging.Logger;

public class Handler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
  private static final LongCounter COUNTER = GlobalOpenTelemetry.getMeter("e2e-function").counterBuilder("e2e.invocations").build();
  private static final Logger LOG = Logger.getLogger("e2e-function");

  @Override
  public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
    SpanContext sc = Span.current().getSpanContext();
    String marker = event.getBody();
    COUNTER.add(1, Attributes.of(AttributeKey.stringKey("marker"), String.valueOf(marker)));
    LOG.info("invoked " + context.getAwsRequestId() + " marker=" + marker);
    String body = sc.isValid()
        ? String.format("{\"marker\":\"%s\",\"traceId\":\"%s\",\"spanId\":\"%s\",\"sampled\":%s}", marker, sc.getTraceId(), sc.getSpanId(), sc.isSampled())
        : String.format("{\"marker\":\"%s\"}", marker);
    return new APIGatewayProxyResponseEvent().withStatusCode(200).withBody(body);
  }
}
