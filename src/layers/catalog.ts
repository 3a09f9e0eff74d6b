/**
 * Upstream OpenTelemetry Lambda layer releases known to this library: per layer, per version,
 * the regions it was published in. Source: open-telemetry/opentelemetry-lambda release matrix
 * (see shared/reference/otel-lambda-layers.md). One release is one new layer name with
 * layer version `:1` in account 184161586896, commercial partition only.
 *
 * Keep versions newest first. Only versions whose region set is known are listed.
 */

/** AWS account that publishes the OpenTelemetry Lambda layers. */
export const OTEL_LAYER_ACCOUNT = '184161586896';

/** The 16 regions of the first releases. */
const REGIONS_16 = [
  'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2',
  'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
];
/** collector 0.20, nodejs 0.20, python 0.18, ruby 0.12, javaagent 0.18 added ca-west-1. */
const REGIONS_17 = [...REGIONS_16, 'ca-west-1'];
/** collector 0.21, nodejs 0.21, python 0.19, ruby 0.13, javaagent 0.19 added 16 opt-in regions. */
const REGIONS_33 = [
  ...REGIONS_17,
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'eu-central-2', 'eu-south-1',
  'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
];
/** collector 0.23, nodejs 0.23, python 0.21, ruby 0.15, javaagent 0.21 added ap-northeast-3. */
const REGIONS_34 = [...REGIONS_33, 'ap-northeast-3'];

/** Layer families, as named in the upstream layer names. */
export type LayerFamily = 'collector' | 'nodejs' | 'python' | 'javaagent' | 'javawrapper' | 'ruby';

/** version -> sorted regions, per layer family, newest version first. */
export const LAYER_CATALOG: Record<LayerFamily, Record<string, readonly string[]>> = {
  collector: {
    '0.23.0': REGIONS_34.slice().sort(),
    '0.21.0': REGIONS_33.slice().sort(),
    '0.20.0': REGIONS_17.slice().sort(),
    '0.19.0': REGIONS_16.slice().sort(),
  },
  nodejs: {
    '0.23.0': REGIONS_34.slice().sort(),
    '0.21.0': REGIONS_33.slice().sort(),
    '0.20.0': REGIONS_17.slice().sort(),
    '0.19.0': REGIONS_16.slice().sort(),
  },
  python: {
    '0.21.0': REGIONS_34.slice().sort(),
    '0.19.0': REGIONS_33.slice().sort(),
    '0.18.0': REGIONS_17.slice().sort(),
  },
  javaagent: {
    '0.21.0': REGIONS_34.slice().sort(),
    '0.19.0': REGIONS_33.slice().sort(),
    '0.18.0': REGIONS_17.slice().sort(),
  },
  // Released from the same tag as the Java agent layer.
  javawrapper: {
    '0.21.0': REGIONS_34.slice().sort(),
    '0.19.0': REGIONS_33.slice().sort(),
    '0.18.0': REGIONS_17.slice().sort(),
  },
  ruby: {
    '0.15.0': REGIONS_34.slice().sort(),
    '0.13.0': REGIONS_33.slice().sort(),
    '0.12.0': REGIONS_17.slice().sort(),
  },
};

/** Every region any known release was published in, sorted. */
export const ALL_PUBLISHED_REGIONS: readonly string[] = REGIONS_34.slice().sort();
