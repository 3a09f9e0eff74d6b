package main

// The component factories of the upstream Lambda collector layer 0.23.0, as far as the Go module
// proxy serves them. Upstream list: open-telemetry/opentelemetry-lambda@faa4ca46
// collector/lambdacomponents/default.go:44-113 (`Components`). Each factory below is the upstream
// module at the version that layer's collector/lambdacomponents/go.mod pins (collector core
// v0.157.0 / v1.63.0, contrib v0.157.0). Differences, because the proxy refuses the
// opentelemetry-lambda modules (403) and has no contrib sigv4authextension v0.157.0 (404):
//   - telemetryapi, decouple, coldstart: test stand-ins of ours (package standins), with the
//     upstream configuration schema and Validate rules, not upstream behaviour.
//   - sigv4auth: missing (the library never emits it).

import (
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusremotewriteexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/basicauthextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/attributesprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/filterprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/probabilisticsamplerprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/spanprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/processor/memorylimiterprocessor"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"
	"go.uber.org/multierr"

	"github.com/clickstack/cdk-clickstack-lambda/test/e2e/collector/standins"
)

func components(extensionID string) (otelcol.Factories, error) {
	var errs []error
	receivers, err := otelcol.MakeFactoryMap(
		otlpreceiver.NewFactory(),
		standins.NewTelemetryAPIFactory(extensionID),
	)
	errs = append(errs, err)
	exporters, err := otelcol.MakeFactoryMap(
		debugexporter.NewFactory(),
		otlpexporter.NewFactory(),
		otlphttpexporter.NewFactory(),
		prometheusremotewriteexporter.NewFactory(),
	)
	errs = append(errs, err)
	processors, err := otelcol.MakeFactoryMap[processor.Factory](
		attributesprocessor.NewFactory(),
		filterprocessor.NewFactory(),
		memorylimiterprocessor.NewFactory(),
		probabilisticsamplerprocessor.NewFactory(),
		resourceprocessor.NewFactory(),
		spanprocessor.NewFactory(),
		transformprocessor.NewFactory(),
		standins.NewColdstartFactory(),
		standins.NewDecoupleFactory(),
		batchprocessor.NewFactory(),
	)
	errs = append(errs, err)
	extensions, err := otelcol.MakeFactoryMap(
		basicauthextension.NewFactory(),
	)
	errs = append(errs, err)
	return otelcol.Factories{
		Receivers:  receivers,
		Exporters:  exporters,
		Processors: processors,
		Extensions: extensions,
		Telemetry:  otelconftelemetry.NewFactory(),
	}, multierr.Combine(errs...)
}
