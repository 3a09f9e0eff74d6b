import { parse } from 'yaml';
import { renderCollectorConfig } from '../src/collector-config';

test('the rendered config has OTLP receivers, batch then decouple, and an otlphttp exporter in every pipeline', () => {
  const config = parse(renderCollectorConfig({ endpoint: 'https://otel.example.com:4318', authorization: '${secretsmanager:arn}' }));
  expect(config).toEqual({
    receivers: { otlp: { protocols: { grpc: { endpoint: 'localhost:4317' }, http: { endpoint: 'localhost:4318' } } } },
    processors: { batch: {}, decouple: {} },
    exporters: { otlphttp: { endpoint: 'https://otel.example.com:4318', compression: 'gzip', headers: { authorization: '${secretsmanager:arn}' } } },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch', 'decouple'], exporters: ['otlphttp'] },
        metrics: { receivers: ['otlp'], processors: ['batch', 'decouple'], exporters: ['otlphttp'] },
        logs: { receivers: ['otlp'], processors: ['batch', 'decouple'], exporters: ['otlphttp'] },
      },
    },
  });
});

test('only components of the upstream Lambda collector build are used', () => {
  const config = parse(renderCollectorConfig({ endpoint: 'https://x' }));
  const used = [...Object.keys(config.receivers), ...Object.keys(config.processors), ...Object.keys(config.exporters)];
  const upstream = ['otlp', 'telemetryapi', 'debug', 'otlphttp', 'prometheusremotewrite', 'batch', 'decouple', 'coldstart', 'memory_limiter', 'filter', 'probabilistic_sampler', 'transform'];
  for (const c of used) expect(upstream).toContain(c);
  for (const p of Object.values<any>(config.service.pipelines)) expect(p.processors[p.processors.length - 1]).toBe('decouple');
});

test('rendering is deterministic', () => {
  expect(renderCollectorConfig({ endpoint: 'https://a' })).toBe(renderCollectorConfig({ endpoint: 'https://a' }));
  expect(renderCollectorConfig({ endpoint: 'https://a' })).not.toBe(renderCollectorConfig({ endpoint: 'https://b' }));
});

test('telemetryapi and debug render plainly, without YAML anchors or aliases', () => {
  const yaml = renderCollectorConfig({ endpoint: 'https://x', telemetryApiTypes: ['platform'], debug: true });
  expect(yaml).not.toMatch(/[&*]a\d/);
  const config = parse(yaml);
  expect(config.service.pipelines.logs).toEqual({ receivers: ['otlp', 'telemetryapi'], processors: ['batch', 'decouple'], exporters: ['otlphttp', 'debug'] });
});
