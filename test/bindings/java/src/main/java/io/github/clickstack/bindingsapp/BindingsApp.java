package io.github.clickstack.bindingsapp;

import io.github.clickstack.cdkclickstacklambda.ClickStackAspect;
import io.github.clickstack.cdkclickstacklambda.ClickStackInstrumentation;
import io.github.clickstack.cdkclickstacklambda.CollectorLayer;
import io.github.clickstack.cdkclickstacklambda.ConfigDelivery;
import io.github.clickstack.cdkclickstacklambda.IngestionKey;
import io.github.clickstack.cdkclickstacklambda.NodejsLayer;
import io.github.clickstack.cdkclickstacklambda.Propagator;
import io.github.clickstack.cdkclickstacklambda.PythonLayer;
import io.github.clickstack.cdkclickstacklambda.TelemetryApiType;
import io.github.clickstack.cdkclickstacklambda.TraceSampler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.secretsmanager.Secret;

/** The bindings app in Java: the same stack as test/bindings/typescript/app.ts, line for line. */
public final class BindingsApp {
  public static void main(final String[] args) throws IOException {
    Path handlers = Path.of("..", "handlers").toAbsolutePath().normalize();
    String endpoint = "https://clickstack.example.com:4318";

    // analyticsReporting off: the CDKMetadata resource names the jsii runtime of each language.
    App app = new App(AppProps.builder().analyticsReporting(false).build());
    Stack stack = new Stack(app, "BindingsApp", StackProps.builder()
        .env(Environment.builder().account("123456789012").region("eu-west-1").build())
        .build());
    Secret keySecret = new Secret(stack, "IngestionKeySecret");

    Function api = Function.Builder.create(stack, "Api")
        .runtime(Runtime.NODEJS_22_X)
        .handler("index.handler")
        .code(Code.fromAsset(handlers.resolve("node").toString()))
        .build();
    Function.Builder.create(stack, "Worker")
        .runtime(Runtime.PYTHON_3_12)
        .handler("main.handler")
        .code(Code.fromAsset(handlers.resolve("python").toString()))
        .build();

    ClickStackInstrumentation.Builder.create(stack, "ClickStack")
        .endpoint(endpoint)
        .ingestionKey(IngestionKey.fromSecret(keySecret))
        .functions(List.of(api))
        .serviceName("api")
        .nodejsLayer(NodejsLayer.V0_23_0)
        .collectorLayer(CollectorLayer.V0_23_0)
        .sampler(TraceSampler.parentBasedTraceIdRatio(0.25))
        .propagators(List.of(Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.XRAY))
        .nodejsEnabledInstrumentations(List.of("http"))
        .configDelivery(ConfigDelivery.BUNDLE)
        .build();

    ClickStackAspect.Builder.create()
        .endpoint(endpoint)
        .ingestionKey(IngestionKey.fromSecret(keySecret, "key"))
        .pythonLayer(PythonLayer.V0_21_0)
        .lambdaTelemetry(List.of(TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION))
        .deploymentEnvironment("prod")
        .resourceAttributes(Map.of("team.name", "payments", "cost.center", "a=b,c"))
        .pythonDisabledInstrumentations(List.of("botocore"))
        .configDelivery(ConfigDelivery.ENVIRONMENT)
        .build()
        .applyTo(stack);

    // The README's one-line aspect, in a stack of its own (compared as the stack `Readme`).
    new ReadmeStack(app, "Readme", StackProps.builder()
        .env(Environment.builder().account("123456789012").region("eu-west-1").build())
        .build(), handlers);

    app.synth();

    List<String> versions = new ArrayList<>();
    versions.add("aws-cdk-lib " + mavenVersion("software.amazon.awscdk", "aws-cdk-lib"));
    versions.add("constructs " + mavenVersion("software.constructs", "constructs"));
    versions.add("jsii-runtime " + mavenVersion("software.amazon.jsii", "jsii-runtime"));
    versions.add("cdk-clickstack-lambda " + mavenVersion("io.github.clickstack", "cdk-clickstack-lambda"));
    System.out.println("versions: " + String.join(", ", versions));
  }

  /** The version Maven resolved, from the jar's pom.properties. */
  private static String mavenVersion(final String group, final String artifact) throws IOException {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = BindingsApp.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "(no " + resource + ")";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    }
  }
}
