import { LayerFamily } from './catalog';

/**
 * One release of an upstream OpenTelemetry Lambda layer, or a layer ARN of your own.
 *
 * Use the subclass for the layer you want to pin (`NodejsLayer.V0_23_0`), its `LATEST`
 * member (the default), or its `fromArn()` escape hatch.
 */
export abstract class OtelLayerRelease {
  /**
   * Upstream release version, such as `0.23.0`.
   * @default - none when the release is a layer ARN of your own
   */
  public readonly version?: string;

  /**
   * The layer ARN given to `fromArn()`.
   * @default - none: the ARN is derived from the version, the region and the architecture
   */
  public readonly layerArn?: string;

  /** @internal */
  public readonly _family: LayerFamily;

  protected constructor(family: string, version?: string, layerArn?: string) {
    this._family = family as LayerFamily;
    this.version = version;
    this.layerArn = layerArn;
  }

  /** A short description for messages: `nodejs 0.23.0` or the custom ARN. */
  public toString(): string {
    return this.layerArn ?? `${this._family} ${this.version}`;
  }
}

/** Releases of the OpenTelemetry collector layer (`opentelemetry-collector-{amd64,arm64}-<version>`). */
export class CollectorLayer extends OtelLayerRelease {
  /** Collector layer 0.23.0 (collector v0.157.0), 34 regions. */
  public static readonly V0_23_0 = new CollectorLayer('0.23.0');
  /** Collector layer 0.22.0 (collector v0.151.0), 33 regions. */
  public static readonly V0_22_0 = new CollectorLayer('0.22.0');
  /** Collector layer 0.21.0, 33 regions. */
  public static readonly V0_21_0 = new CollectorLayer('0.21.0');
  /** Collector layer 0.20.0, 17 regions. */
  public static readonly V0_20_0 = new CollectorLayer('0.20.0');
  /** Collector layer 0.19.0, 16 regions. */
  public static readonly V0_19_0 = new CollectorLayer('0.19.0');
  /** Newest release known to this library version. */
  public static readonly LATEST = CollectorLayer.V0_23_0;

  /**
   * A collector layer of your own, used for every architecture. You are responsible for its
   * region and architecture; it must accept `OPENTELEMETRY_COLLECTOR_CONFIG_URI`.
   */
  public static fromArn(layerArn: string): CollectorLayer {
    return new CollectorLayer(undefined, layerArn);
  }

  private constructor(version?: string, layerArn?: string) {
    super('collector', version, layerArn);
  }
}

/** Releases of the OpenTelemetry Node.js layer (`opentelemetry-nodejs-<version>`). */
export class NodejsLayer extends OtelLayerRelease {
  /** Node.js layer 0.23.0, 34 regions. */
  public static readonly V0_23_0 = new NodejsLayer('0.23.0');
  /** Node.js layer 0.22.0, 33 regions. */
  public static readonly V0_22_0 = new NodejsLayer('0.22.0');
  /** Node.js layer 0.21.0, 33 regions. */
  public static readonly V0_21_0 = new NodejsLayer('0.21.0');
  /** Node.js layer 0.20.0, 17 regions. */
  public static readonly V0_20_0 = new NodejsLayer('0.20.0');
  /** Node.js layer 0.19.0, 16 regions. */
  public static readonly V0_19_0 = new NodejsLayer('0.19.0');
  /** Newest release known to this library version. */
  public static readonly LATEST = NodejsLayer.V0_23_0;

  /** A Node.js instrumentation layer of your own; it must provide `/opt/otel-handler`. */
  public static fromArn(layerArn: string): NodejsLayer {
    return new NodejsLayer(undefined, layerArn);
  }

  private constructor(version?: string, layerArn?: string) {
    super('nodejs', version, layerArn);
  }
}

/** Releases of the OpenTelemetry Python layer (`opentelemetry-python-<version>`). */
export class PythonLayer extends OtelLayerRelease {
  /** Python layer 0.21.0, 34 regions. */
  public static readonly V0_21_0 = new PythonLayer('0.21.0');
  /** Python layer 0.20.0, 33 regions. */
  public static readonly V0_20_0 = new PythonLayer('0.20.0');
  /** Python layer 0.19.0, 33 regions. */
  public static readonly V0_19_0 = new PythonLayer('0.19.0');
  /** Python layer 0.18.0, 17 regions. */
  public static readonly V0_18_0 = new PythonLayer('0.18.0');
  /** Newest release known to this library version. */
  public static readonly LATEST = PythonLayer.V0_21_0;

  /** A Python instrumentation layer of your own; it must provide `/opt/otel-handler`. */
  public static fromArn(layerArn: string): PythonLayer {
    return new PythonLayer(undefined, layerArn);
  }

  private constructor(version?: string, layerArn?: string) {
    super('python', version, layerArn);
  }
}

/** Releases of the OpenTelemetry Java agent layer (`opentelemetry-javaagent-<version>`). */
export class JavaAgentLayer extends OtelLayerRelease {
  /** Java agent layer 0.21.0 (agent 2.30.0), 34 regions. */
  public static readonly V0_21_0 = new JavaAgentLayer('0.21.0');
  /** Java agent layer 0.20.0 (agent 2.27.0), 33 regions. */
  public static readonly V0_20_0 = new JavaAgentLayer('0.20.0');
  /** Java agent layer 0.19.0, 33 regions. */
  public static readonly V0_19_0 = new JavaAgentLayer('0.19.0');
  /** Java agent layer 0.18.0, 17 regions. */
  public static readonly V0_18_0 = new JavaAgentLayer('0.18.0');
  /** Newest release known to this library version. */
  public static readonly LATEST = JavaAgentLayer.V0_21_0;

  /** A Java instrumentation layer of your own; it must provide `/opt/otel-handler`. */
  public static fromArn(layerArn: string): JavaAgentLayer {
    return new JavaAgentLayer(undefined, layerArn);
  }

  private constructor(version?: string, layerArn?: string) {
    super('javaagent', version, layerArn);
  }
}

/**
 * Releases of the OpenTelemetry Java wrapper layer (`opentelemetry-javawrapper-<version>`),
 * used with `JavaInstrumentation.wrapper*()`.
 */
export class JavaWrapperLayer extends OtelLayerRelease {
  /** Java wrapper layer 0.21.0, 34 regions. */
  public static readonly V0_21_0 = new JavaWrapperLayer('0.21.0');
  /** Java wrapper layer 0.20.0, 33 regions. */
  public static readonly V0_20_0 = new JavaWrapperLayer('0.20.0');
  /** Java wrapper layer 0.19.0, 33 regions. */
  public static readonly V0_19_0 = new JavaWrapperLayer('0.19.0');
  /** Java wrapper layer 0.18.0, 17 regions. */
  public static readonly V0_18_0 = new JavaWrapperLayer('0.18.0');
  /** Newest release known to this library version. */
  public static readonly LATEST = JavaWrapperLayer.V0_21_0;

  /** A Java wrapper layer of your own; it must provide the wrapper scripts in `/opt`. */
  public static fromArn(layerArn: string): JavaWrapperLayer {
    return new JavaWrapperLayer(undefined, layerArn);
  }

  private constructor(version?: string, layerArn?: string) {
    super('javawrapper', version, layerArn);
  }
}

/** Releases of the OpenTelemetry Ruby layer (`opentelemetry-ruby-<version>`). */
export class RubyLayer extends OtelLayerRelease {
  /** Ruby layer 0.15.0, 34 regions. */
  public static readonly V0_15_0 = new RubyLayer('0.15.0');
  /** Ruby layer 0.14.0, 33 regions. */
  public static readonly V0_14_0 = new RubyLayer('0.14.0');
  /** Ruby layer 0.13.0, 33 regions. */
  public static readonly V0_13_0 = new RubyLayer('0.13.0');
  /** Ruby layer 0.12.0, 17 regions. */
  public static readonly V0_12_0 = new RubyLayer('0.12.0');
  /** Newest release known to this library version. */
  public static readonly LATEST = RubyLayer.V0_15_0;

  /** A Ruby instrumentation layer of your own; it must provide `/opt/otel-handler`. */
  public static fromArn(layerArn: string): RubyLayer {
    return new RubyLayer(undefined, layerArn);
  }

  private constructor(version?: string, layerArn?: string) {
    super('ruby', version, layerArn);
  }
}
