import { LanguageLayerSupport, OtlpDefault } from '../../layers/language-support';
import { RuntimeSupport } from '../../runtimes';

/**
 * Which OTLP port the SDK in a function reaches, and whether it speaks that port's protocol.
 *
 * The collector extension serves OTLP/gRPC on localhost:4317 and OTLP/HTTP on localhost:4318
 * (src/collector-config.ts, the `otlp` receiver). An SDK picks its protocol from
 * `OTEL_EXPORTER_OTLP_PROTOCOL` (or from the exporter package the code imports) and its port from
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, or from its protocol's default when no endpoint is set:
 * - .NET: OpenTelemetry.Exporter.OpenTelemetryProtocol `OtlpExporterOptions` reads both variables
 *   (`EndpointEnvVarName`, `ProtocolEnvVarName`); protocol default `OtlpExportProtocol.Grpc`;
 *   endpoint default `http://localhost:4317` for gRPC, `http://localhost:4318` for http/protobuf
 *   (`DefaultGrpcEndpoint`, `DefaultHttpEndpoint`, the `Endpoint` getter).
 * - Go: `otlptracegrpc` and `otlptracehttp` read `OTEL_EXPORTER_OTLP_ENDPOINT` but not the
 *   protocol (the package is the protocol); an `http://` endpoint makes either plaintext, so gRPC
 *   then goes to whatever port the endpoint names (open-telemetry/opentelemetry-go
 *   exporters/otlp/otlptrace/otlptracegrpc/internal/otlpconfig/envconfig.go, `getOptionsFromEnv`:
 *   `WithURL("ENDPOINT")`, `withEndpointScheme`, `WithBool("INSECURE")`). Without an endpoint:
 *   `localhost:4317` (gRPC) and `localhost:4318` (HTTP), with TLS unless `OTEL_EXPORTER_OTLP_INSECURE`
 *   is true (otlpconfig/options.go, `NewGRPCConfig`, `NewHTTPConfig`).
 * - Rust: opentelemetry-otlp src/exporter/mod.rs `OTEL_EXPORTER_OTLP_GRPC_ENDPOINT_DEFAULT`
 *   (`http://localhost:4317`) and `OTEL_EXPORTER_OTLP_HTTP_ENDPOINT_DEFAULT` (`http://localhost:4318`);
 *   the transport is chosen in code (`with_tonic()` or `with_http()`).
 * - Java SDK: opentelemetry-java exporters/otlp/all OtlpConfigUtil.java: protocol default grpc,
 *   endpoint default per protocol (4317 / 4318).
 * So a function whose code brings its own SDK gets no endpoint from us: every SDK's default port
 * matches the protocol it speaks. Language layers get `http://localhost:4318` with
 * `http/protobuf` (src/private/rules/environment.ts).
 */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;

const SIGNALS = ['TRACES', 'METRICS', 'LOGS'] as const;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** The variables that name an OTLP endpoint: the general one and the per-signal ones. */
export const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', ...SIGNALS.map(s => `OTEL_EXPORTER_OTLP_${s}_ENDPOINT`)];

/** The protocol a runtime's SDK speaks when no variable says otherwise, where it is known. */
function defaultProtocol(support: RuntimeSupport, runtime: string, data: LanguageLayerSupport | undefined): OtlpDefault | undefined {
  if (support.kind === 'language') return data?.otlpDefault;
  // .NET: OtlpExporterOptions `DefaultOtlpExportProtocol = OtlpExportProtocol.Grpc`. Go, Rust and
  // custom runtimes: chosen in code, unknown here.
  if (runtime.startsWith('dotnet')) return 'grpc';
  return undefined;
}

/**
 * The mismatches between the OTLP protocol and the local port of a function's final environment:
 * one message per signal (or one for all, when the signals agree), naming the port that speaks
 * the protocol. Only loopback endpoints on 4317 or 4318 are judged; anything else is the user's.
 */
export function otlpPortMismatches(
  env: Readonly<Record<string, string>>,
  support: RuntimeSupport,
  runtime: string,
  data: LanguageLayerSupport | undefined,
): string[] {
  const fallback = defaultProtocol(support, runtime, data);
  const found = new Map<string, string[]>();
  for (const signal of SIGNALS) {
    const endpointVar = env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`] !== undefined ? `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT` : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    const endpoint = env[endpointVar];
    const port = endpoint === undefined ? undefined : localPort(endpoint);
    if (port === undefined) continue;
    // A layer that bundles one exporter sends that protocol whatever the variable says (Node.js).
    const protocolVar = env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] !== undefined ? `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL` : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    const set = data?.otlpOnly ? undefined : env[protocolVar];
    const protocol = set ?? fallback;
    if (protocol === undefined) continue;
    const grpc = protocol === 'grpc';
    if (grpc === (port === OTLP_GRPC_PORT)) continue;
    const said = set !== undefined ? `${protocolVar}=${set}` : `its SDK's default protocol ${protocol}`;
    const message = `${endpointVar}=${endpoint} with ${said}: port ${port} speaks ${port === OTLP_GRPC_PORT ? 'OTLP/gRPC' : 'OTLP/HTTP'}, and ${grpc ? 'gRPC' : 'OTLP/HTTP'} is served on localhost:${grpc ? OTLP_GRPC_PORT : OTLP_HTTP_PORT}`;
    found.set(message, [...found.get(message) ?? [], signal.toLowerCase()]);
  }
  return [...found].map(([message, signals]) => signals.length === SIGNALS.length ? message : `${message} (${signals.join(', ')})`);
}

const ports = new Map<string, number | undefined>();

/**
 * The port of a loopback http(s) URL, when it is one of the collector's OTLP ports; remembered per
 * endpoint text (every function with a language layer has the same one).
 */
function localPort(endpoint: string): number | undefined {
  if (ports.has(endpoint)) return ports.get(endpoint);
  let port: number | undefined;
  try {
    const url = new URL(endpoint);
    const n = Number(url.port);
    if (LOOPBACK.test(url.hostname) && (n === OTLP_GRPC_PORT || n === OTLP_HTTP_PORT)) port = n;
  } catch {
    // Not a URL: nothing to judge.
  }
  ports.set(endpoint, port);
  return port;
}
