/**
 * The ClickStack stand-in: a loopback OTLP/HTTP server that accepts what ClickStack's OTLP/HTTP
 * endpoint accepts (POST /v1/traces, /v1/metrics, /v1/logs; protobuf or JSON; gzip or not),
 * records every request with its headers, and decodes resources, spans, data points and log
 * records for assertions. Protobuf is decoded with the OTLP messages that
 * @opentelemetry/otlp-transformer generates with protobufjs (build/src/generated/root.js).
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import * as zlib from 'zlib';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const proto = root.opentelemetry.proto;

export type Signal = 'traces' | 'metrics' | 'logs';
const MESSAGES: Record<Signal, any> = {
  traces: proto.collector.trace.v1.ExportTraceServiceRequest,
  metrics: proto.collector.metrics.v1.ExportMetricsServiceRequest,
  logs: proto.collector.logs.v1.ExportLogsServiceRequest,
};

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface RecordedRequest {
  readonly signal: Signal;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** `protobuf` or `json`. */
  readonly format: 'protobuf' | 'json';
  readonly gzip: boolean;
  /** Date.now() when the body had been read. */
  readonly receivedAt: number;
  /** Date.now() when the sink answered (after `responseDelayMs`); undefined until then. */
  respondedAt?: number;
  /** The decoded request, as plain objects (ids as hex strings, 64-bit integers as strings). */
  readonly body: any;
}

export interface DecodedSpan { readonly resource: Attributes; readonly name: string; readonly traceId: string; readonly attributes: Attributes }
export interface DecodedLogRecord { readonly resource: Attributes; readonly body: AttributeValue; readonly attributes: Attributes }
export interface DecodedDataPoint {
  readonly resource: Attributes;
  readonly metric: string;
  readonly value: number | string | undefined;
  readonly attributes: Attributes;
}

/** OTLP AnyValue (proto3 JSON or protobufjs toObject form) to a plain value. */
export function anyValue(v: any): AttributeValue {
  if (v === undefined || v === null) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributes(v.kvlistValue.values);
  if ('bytesValue' in v) return String(v.bytesValue);
  return null;
}

export function attributes(kvs: any[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const toObjectOptions = { longs: String, enums: Number, bytes: Array, defaults: false, arrays: true };

function hexIds(value: any): any {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value !== null && typeof value === 'object') {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = (k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && Array.isArray(v)
        ? Buffer.from(v as number[]).toString('hex')
        : hexIds(v);
    }
    return out;
  }
  return value;
}

/** Decode an OTLP/HTTP request body (already gunzipped). */
export function decodeOtlp(signal: Signal, format: 'protobuf' | 'json', bytes: Buffer): any {
  if (format === 'json') return JSON.parse(bytes.toString('utf8'));
  const message = MESSAGES[signal];
  return hexIds(message.toObject(message.decode(bytes), toObjectOptions));
}

/** Encode an OTLP request (plain object in the protobufjs/JSON shape) as protobuf, for clients. */
export function encodeOtlp(signal: Signal, body: any): Buffer {
  const message = MESSAGES[signal];
  return Buffer.from(message.encode(message.fromObject(body)).finish());
}

export class OtlpSink {
  public readonly requests: RecordedRequest[] = [];
  /** Requests the sink refused (bad path, bad body), with the reason. */
  public readonly rejected: Array<{ path: string; reason: string }> = [];
  /** Answer each accepted request this many milliseconds after reading it (a slow ClickStack). */
  public responseDelayMs = 0;
  private server?: http.Server;
  private waiters: Array<() => void> = [];

  /** Listen on 127.0.0.1 (port 0: a free port). Returns the base URL. */
  public async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  public get url(): string {
    const address = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  public async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>(resolve => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Wait until `predicate` holds over the recorded requests, or fail after `timeoutMs`. */
  public async waitFor(predicate: (sink: OtlpSink) => boolean, timeoutMs: number, what = 'the expected data'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`sink: no ${what} within ${timeoutMs} ms (${this.requests.length} requests: ${this.requests.map(r => r.path).join(', ')})`);
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  public spans(): DecodedSpan[] {
    return this.of('traces').flatMap(r => (r.body.resourceSpans ?? []).flatMap((rs: any) =>
      (rs.scopeSpans ?? []).flatMap((ss: any) => (ss.spans ?? []).map((s: any) => ({
        resource: attributes(rs.resource?.attributes), name: s.name, traceId: s.traceId, attributes: attributes(s.attributes),
      })))));
  }

  public logRecords(): DecodedLogRecord[] {
    return this.of('logs').flatMap(r => (r.body.resourceLogs ?? []).flatMap((rl: any) =>
      (rl.scopeLogs ?? []).flatMap((sl: any) => (sl.logRecords ?? []).map((l: any) => ({
        resource: attributes(rl.resource?.attributes), body: anyValue(l.body), attributes: attributes(l.attributes),
      })))));
  }

  public dataPoints(): DecodedDataPoint[] {
    return this.of('metrics').flatMap(r => (r.body.resourceMetrics ?? []).flatMap((rm: any) =>
      (rm.scopeMetrics ?? []).flatMap((sm: any) => (sm.metrics ?? []).flatMap((m: any) => {
        const points = m.sum?.dataPoints ?? m.gauge?.dataPoints ?? m.histogram?.dataPoints ?? [];
        return points.map((p: any) => ({
          resource: attributes(rm.resource?.attributes),
          metric: m.name,
          value: p.asDouble ?? p.asInt ?? p.sum,
          attributes: attributes(p.attributes),
        }));
      }))));
  }

  public of(signal: Signal): RecordedRequest[] {
    return this.requests.filter(r => r.signal === signal);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const signal = ({ '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' } as Record<string, Signal>)[path];
      const refuse = (status: number, reason: string) => {
        this.rejected.push({ path, reason });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
      };
      if (req.method !== 'POST' || !signal) return refuse(404, `no route ${req.method} ${path}`);
      const contentType = String(req.headers['content-type'] ?? '');
      const format = contentType.startsWith('application/x-protobuf') ? 'protobuf' : contentType.startsWith('application/json') ? 'json' : undefined;
      if (!format) return refuse(415, `unsupported content-type ${contentType}`);
      const gzip = req.headers['content-encoding'] === 'gzip';
      let body: any;
      try {
        const raw = Buffer.concat(chunks);
        body = decodeOtlp(signal, format, gzip ? zlib.gunzipSync(raw) : raw);
      } catch (e) {
        return refuse(400, `cannot decode ${signal} ${format}${gzip ? ' (gzip)' : ''}: ${(e as Error).message}`);
      }
      const recorded: RecordedRequest = { signal, path, headers: req.headers, format, gzip, receivedAt: Date.now(), body };
      this.requests.push(recorded);
      const answer = () => {
        recorded.respondedAt = Date.now();
        if (format === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        const waiters = this.waiters; this.waiters = [];
        waiters.forEach(w => w());
      };
      if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
      else answer();
    });
  }
}
