// Command collector is the collector the end-to-end tests run: the upstream Lambda collector
// layer's component factories (components.go) behind a Lambda extension lifecycle of ours
// (lambda.go), since the upstream main package and its lifecycle manager live in the
// opentelemetry-lambda Go modules that the Go module proxy does not serve.
//
//	collector                      Lambda extension mode (register, run, flush on SHUTDOWN)
//	collector validate --config=F  load F like the collector does and exit (otelcol's validate)
//	collector e2e-load --config=F  validate F as `validate` does and print it resolved (load.go)
//	collector -v                   print the version
package main

import (
	"fmt"
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/httpprovider"
	"go.opentelemetry.io/collector/confmap/provider/httpsprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"

	"github.com/clickstack/cdk-clickstack-lambda/test/e2e/collector/standins"
	"github.com/clickstack/cdk-clickstack-lambda/test/e2e/collector/testsecrets"
)

// Version names the upstream release whose components this binary carries.
const Version = "e2e-0.23.0"

func providers() []confmap.ProviderFactory {
	// Upstream: file, env, yaml, https, http, s3, secretsmanager (collector.go:79). s3 is left out
	// (the library never emits it); secretsmanager is the test provider.
	return []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory(), yamlprovider.NewFactory(), httpsprovider.NewFactory(), httpprovider.NewFactory(), testsecrets.NewFactory()}
}

func settings(uris []string, extensionID string) otelcol.CollectorSettings {
	return otelcol.CollectorSettings{
		BuildInfo:              component.BuildInfo{Command: "otelcol-lambda", Description: "Lambda Collector (e2e build)", Version: Version},
		ConfigProviderSettings: otelcol.ConfigProviderSettings{ResolverSettings: confmap.ResolverSettings{URIs: uris, ProviderFactories: providers(), ConverterFactories: converters()}},
		Factories:              func() (otelcol.Factories, error) { return components(extensionID) },
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println(Version)
		return
	}
	if len(os.Args) > 1 {
		// Outside the extension nothing notifies lifecycle events; decouple needs a notifier to be
		// created (service.Validate creates every component), as upstream's does.
		standins.SetNotifier(&standins.Listeners{})
		if os.Args[1] == "e2e-load" {
			os.Exit(e2eLoad(settings(nil, "validate"), os.Args[2:]))
		}
		// otelcol's own command: `validate --config=...`, `components`, or a run with --config.
		cmd := otelcol.NewCommand(settings(nil, "validate"))
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
		return
	}
	if err := runExtension(); err != nil {
		fmt.Fprintln(os.Stderr, "collector:", err)
		os.Exit(1)
	}
}
