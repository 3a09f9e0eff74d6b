/**
 * How the collector configuration (`collector.yaml`) reaches an instrumented function.
 *
 * | mode | where the function reads it | costs |
 * |---|---|---|
 * | `BUNDLE` | `/var/task/collector.yaml`, in a copy of the function's code asset that shares the original's files | one more code asset (linked, not copied, in `cdk.out`); the function's code is uploaded twice at deploy, the original asset staying in the manifest, and again whenever the config changes |
 * | `LAYER` | `/opt/clickstack/collector.yaml`, in one small config layer per stack and distinct config | one of Lambda's 5 layer slots; a few hundred bytes uploaded |
 * | `ENVIRONMENT` | the `CLICKSTACK_COLLECTOR_CONFIG` environment variable (`OPENTELEMETRY_COLLECTOR_CONFIG_URI=env:CLICKSTACK_COLLECTOR_CONFIG`) | a few hundred bytes of Lambda's 4 KB of environment variables |
 */
export class ConfigDelivery {
  /**
   * `LAYER` wherever the function has a layer slot free (what a deployment costs least with:
   * docs/config-delivery.md has the measured cost of each mode). Where the function's own layers
   * are known, before synth, to leave no slot for the config layer: `BUNDLE` for a local
   * directory asset, `ENVIRONMENT` for any other code. aws-cdk-lib releases that cache a
   * function's layer list (2.189) let the layers be counted at synth only: there a function
   * whose layers leave no slot fails the synth, naming `BUNDLE` and `ENVIRONMENT`.
   */
  public static readonly AUTO = new ConfigDelivery('auto');

  /**
   * `collector.yaml` added at the root of the function's code asset, as a new asset that shares
   * the original's files (hard links in the cloud assembly). Only for functions whose code is a
   * local directory asset: any other function is refused. A bundle that already has a
   * `collector.yaml` at its root is refused (it is never overwritten). The original code asset
   * stays in the asset manifest (aws-cdk-lib has no public API to drop it), so a deployment
   * uploads the function's code twice, and every instrumented bundle again when the
   * configuration changes.
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
