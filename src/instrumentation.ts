import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClickStackOptions } from './options';
import { instrumentFunction } from './private/instrument';
import { Settings } from './private/settings';
import { validateOptions } from './private/validate';

/**
 * Properties of `ClickStackInstrumentation`.
 */
export interface ClickStackInstrumentationProps extends ClickStackOptions {
  /**
   * Functions to instrument now; more can be added with `addFunction()`.
   *
   * `lambda.Function` rather than `IFunction`: layers and environment variables can only be
   * added to a function defined in this app.
   *
   * @default - none
   */
  readonly functions?: lambda.Function[];
}

/**
 * Instruments Lambda functions with OpenTelemetry and ships their traces, metrics and logs to
 * ClickStack.
 *
 * For each function: the OpenTelemetry language layer of its runtime and the collector layer
 * of its architecture (ARNs checked against the regions each release was published in, or
 * resolved at deploy time in an environment-agnostic stack), a `collector.yaml` in a small
 * config layer (or, as `configDelivery` says, in its code asset or a variable), and the `OTEL_*`,
 * `OPENTELEMETRY_COLLECTOR_CONFIG_URI` and `AWS_LAMBDA_EXEC_WRAPPER` variables.
 *
 * A function that cannot be instrumented is refused at synth with an error that names it and
 * the fix. Instrumenting a function twice with the same options is a no-op.
 *
 * @example
 * import { ClickStackInstrumentation, IngestionKey } from 'cdk-clickstack-lambda';
 *
 * declare const handler: lambda.Function;
 * declare const worker: lambda.Function;
 * declare const keySecret: secretsmanager.ISecret;
 *
 * const clickStack = new ClickStackInstrumentation(this, 'ClickStack', {
 *   endpoint: 'https://clickstack.example.com:4318',
 *   ingestionKey: IngestionKey.fromSecret(keySecret),
 *   serviceName: 'orders',
 *   functions: [handler],
 * });
 * // Functions can be added later, with the same options.
 * clickStack.addFunction(worker);
 */
export class ClickStackInstrumentation extends Construct {
  private readonly settings: Settings;

  constructor(scope: Construct, id: string, props: ClickStackInstrumentationProps) {
    super(scope, id);
    this.settings = validateOptions(props, this.node.path);
    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /**
   * Instrument one more function.
   *
   * @param fn a function defined in this app (not a container image)
   */
  public addFunction(fn: lambda.Function): void {
    instrumentFunction(fn, this.settings, this.node.path, 'construct');
  }
}
