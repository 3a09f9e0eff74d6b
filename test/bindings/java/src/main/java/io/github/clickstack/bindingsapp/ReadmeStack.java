package io.github.clickstack.bindingsapp;

import io.github.clickstack.cdkclickstacklambda.ClickStackAspect;
import io.github.clickstack.cdkclickstacklambda.IngestionKey;
import java.nio.file.Path;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * The README's "Every function of a stack, in one line" in Java, as a stack of the bindings app.
 * The lines between README:start and README:end are the README's Java block, and each of its
 * import lines is one of this file's (scripts/check-readme-languages.ts checks both); run.sh
 * compares the synthesized stack with the TypeScript one.
 */
public final class ReadmeStack extends Stack {
  public ReadmeStack(final Construct scope, final String id, final StackProps props, final Path handlers) {
    super(scope, id, props);
    Function.Builder.create(this, "Handler")
        .runtime(Runtime.NODEJS_22_X)
        .handler("index.handler")
        .code(Code.fromAsset(handlers.resolve("node").toString()))
        .build();

    // README:start
    // In a stack's constructor: every function of this stack, nested stacks included.
    ISecret key = Secret.fromSecretNameV2(this, "ClickStackKey", "clickstack/ingestion-key");
    ClickStackAspect.Builder.create()
        .endpoint("https://clickstack.example.com:4318")
        .ingestionKey(IngestionKey.fromSecret(key))
        .build()
        .applyTo(this);
    // README:end
  }
}
