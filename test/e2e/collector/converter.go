package main

// The configuration converter upstream's collector always runs (open-telemetry/opentelemetry-lambda@faa4ca46
// collector/internal/collector/collector.go:80-84): written after
// collector/internal/confmap/converter/disablequeuedretryconverter/converter.go:24-84, not imported
// (the module is not served). Despite its package name it sets only
// `exporters::<name>::sending_queue::enabled: false` for the exporter types of its list
// (converter.go:28-57, matched on the type before any `/`), so those exporters send synchronously:
// decouple's forwarder (and so the end of each invoke) waits for the export; retries stay as configured.

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

var queueDisabledExporters = map[string]struct{}{
	"awskinesis": {}, "coralogix": {}, "datadog": {}, "dynatrace": {}, "googlecloud": {},
	"googlecloudpubsub": {}, "googlemanagedprometheus": {}, "humio": {}, "influxdb": {}, "jaeger": {},
	"kafka": {}, "logzio": {}, "loki": {}, "mezmo": {}, "observiq": {}, "opencensus": {}, "otlp": {},
	"otlp_grpc": {}, "otlp_http": {}, "otlphttp": {}, "pulsar": {}, "sapm": {}, "signalfx": {},
	"skywalking": {}, "splunkhec": {}, "sumologic": {}, "tanzuobservability": {}, "zipkin": {},
}

type disableQueueConverter struct{}

func (disableQueueConverter) Convert(_ context.Context, conf *confmap.Conf) error {
	out := map[string]any{}
	if exps, ok := conf.Get("exporters").(map[string]any); ok {
		for name := range exps {
			if _, ok := queueDisabledExporters[strings.Split(name, "/")[0]]; ok {
				out[fmt.Sprintf("exporters::%s::sending_queue::enabled", name)] = false
			}
		}
	}
	return conf.Merge(confmap.NewFromStringMap(out))
}

func converters() []confmap.ConverterFactory {
	return []confmap.ConverterFactory{confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return disableQueueConverter{} })}
}
