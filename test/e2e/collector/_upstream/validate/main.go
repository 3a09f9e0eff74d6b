// Command e2e-validate is ours, not upstream's: built only inside a temporary copy of an
// opentelemetry-lambda source tree (test/e2e/upstream.ts copies it to collector/cmd/e2e-validate/,
// with load.go beside it), never in this repository's module (a directory named `_upstream` is
// ignored by the go tool). The layer's own main parses `-v` only (open-telemetry/opentelemetry-lambda@faa4ca46
// collector/main.go:39-45), so the corpus validates each configuration with this command instead:
// otelcol's command (`validate`, `print-config`) and `e2e-load` over the layer's own component
// factories (collector/lambdacomponents/default.go:45), config providers (as
// collector/internal/collector/collector.go:79 after the forced changes) and converter (:80-84).
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/httpprovider"
	"go.opentelemetry.io/collector/confmap/provider/httpsprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"

	"github.com/open-telemetry/opentelemetry-lambda/collector/internal/confmap/converter/disablequeuedretryconverter"
	"github.com/open-telemetry/opentelemetry-lambda/collector/internal/testsecrets"
	"github.com/open-telemetry/opentelemetry-lambda/collector/lambdacomponents"
	"github.com/open-telemetry/opentelemetry-lambda/collector/lambdalifecycle"
)

// No lifecycle outside the extension: decouple refuses to be created without a notifier
// (collector/processor/decoupleprocessor/processor.go:131-135), and service.Validate creates it.
type noLifecycle struct{}

func (noLifecycle) AddListener(lambdalifecycle.Listener) {}

func main() {
	lambdalifecycle.SetNotifier(noLifecycle{})
	set := otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{Command: "otelcol-lambda", Description: "Lambda Collector (e2e validate tool)", Version: "e2e-validate"},
		ConfigProviderSettings: otelcol.ConfigProviderSettings{ResolverSettings: confmap.ResolverSettings{
			ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory(), yamlprovider.NewFactory(), httpsprovider.NewFactory(), httpprovider.NewFactory(), testsecrets.NewFactory()},
			ConverterFactories: []confmap.ConverterFactory{confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter {
				return disablequeuedretryconverter.New()
			})},
		}},
		Factories: func() (otelcol.Factories, error) { return lambdacomponents.Components("validate") },
	}
	if len(os.Args) > 1 && os.Args[1] == "e2e-load" {
		os.Exit(e2eLoad(set, os.Args[2:]))
	}
	if err := otelcol.NewCommand(set).Execute(); err != nil {
		os.Exit(1)
	}
}
