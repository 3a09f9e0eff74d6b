import { parse } from 'yaml';
import { renderCollectorConfig } from '../src/collector-config';

test('the rendered config has OTLP receivers, decouple alone (no batch before it), and an otlphttp exporter in every pipeline', () => {
  const config = parse(renderCollectorConfig({ endpoint: 'https://otel.example.com:4318', authorization: '${secretsmanager:arn}' }));
  expect(config).toEqual({
    receivers: { otlp: { protocols: { grpc: { endpoint: 'localhost:4317' }, http: { endpoint: 'localhost:4318' } } } },
    processors: { decouple: {} },
    exporters: { otlphttp: { endpoint: 'https://otel.example.com:4318', compression: 'gzip', headers: { authorization: '${secretsmanager:arn}' } } },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['decouple'], exporters: ['otlphttp'] },
        metrics: { receivers: ['otlp'], processors: ['decouple'], exporters: ['otlphttp'] },
        logs: { receivers: ['otlp'], processors: ['decouple'], exporters: ['otlphttp'] },
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
  expect(config.service.pipelines.logs).toEqual({ receivers: ['otlp', 'telemetryapi'], processors: ['decouple'], exporters: ['otlphttp', 'debug'] });
});

test('no batch processor before decouple, with every option: its 200 ms timer would pass an invoke\'s data to decouple after platform.runtimeDone, when decouple forwards nothing until the next invoke', () => {
  const inputs = [
    { endpoint: 'https://x' },
    { endpoint: 'https://x', debug: true, telemetryApiTypes: ['function', 'platform'], logResourceAttributes: [['a', 'b']] as Array<[string, string]> },
    { endpoint: 'https://x', telemetryApiTypes: ['function'], logResourceAttributes: [['a', 'b']] as Array<[string, string]>, logResourceProcessor: 'transform' as const },
  ];
  for (const input of inputs) {
    const config = parse(renderCollectorConfig(input));
    expect(config.processors.batch).toBeUndefined();
    for (const p of Object.values<any>(config.service.pipelines)) {
      expect(p.processors).not.toContain('batch');
      expect(p.processors[p.processors.length - 1]).toBe('decouple');
    }
  }
});
