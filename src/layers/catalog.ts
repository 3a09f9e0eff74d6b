/**
 * Upstream OpenTelemetry Lambda layer releases known to this library: per layer, per version,
 * the regions it was published in (see shared/reference/otel-lambda-layers.md). One release is
 * one new layer name with layer version `:1` in OTEL_LAYER_ACCOUNT, commercial partition only.
 *
 * The data is generated: edit scripts/layer-releases.json and run
 * `npx projen update-layer-catalog` (CONTRIBUTING.md, "Updating the layer catalog").
 */
export * from './catalog.generated';
