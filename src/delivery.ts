/**
 * How the collector configuration (`collector.yaml`) reaches an instrumented function.
 *
 * | mode | where the function reads it | costs |
 * |---|---|---|
 * | `BUNDLE` | `/var/task/collector.yaml`, in a copy of the function's code asset that shares the original's files | one more code asset (linked, not copied, in `cdk.out`; uploaded at deploy) |
 * | `LAYER` | `/opt/clickstack/collector.yaml`, in one small config layer per stack and distinct config | one of Lambda's 5 layer slots |
 * | `ENVIRONMENT` | the `CLICKSTACK_COLLECTOR_CONFIG` environment variable (`OPENTELEMETRY_COLLECTOR_CONFIG_URI=env:CLICKSTACK_COLLECTOR_CONFIG`) | a few hundred bytes of Lambda's 4 KB of environment variables |
 */
export class ConfigDelivery {
  /**
   * `BUNDLE` for a function whose code is a local directory asset (`Code.fromAsset(dir)`,
   * `NodejsFunction`, `PythonFunction`), `LAYER` for every other function (inline code, S3 code,
   * a `.zip` file asset).
   */
  public static readonly AUTO = new ConfigDelivery('auto');

  /**
   * `collector.yaml` added at the root of the function's code asset, as a new asset that shares
   * the original's files (hard links in the cloud assembly). Only for functions whose code is a
   * local directory asset: any other function is refused. A bundle that already has a
   * `collector.yaml` at its root is refused (it is never overwritten).
   */
  public static readonly BUNDLE = new ConfigDelivery('bundle');

  /**
   * `collector.yaml` in a small config layer (`/opt/clickstack/collector.yaml`), one per stack and
   * distinct configuration. The function's code asset is left as it is; the layer takes one of
   * Lambda's 5 layer slots.
   */
  public static readonly LAYER = new ConfigDelivery('layer');

  /**
   * The configuration, in compact YAML, in the function's `CLICKSTACK_COLLECTOR_CONFIG`
   * environment variable, read by the collector's `env` config provider. No asset and no layer;
   * the value counts toward Lambda's 4 KB of environment variables, and a function it does not
   * fit is refused with the byte count.
   */
  public static readonly ENVIRONMENT = new ConfigDelivery('environment');

  /**
   * @param mode `auto`, `bundle`, `layer` or `environment`
   */
  private constructor(public readonly mode: string) {}
}
