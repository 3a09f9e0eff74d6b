package main

// `e2e-load --config=URI`: what the corpus runs for each configuration, in one process. It loads
// the configuration as the collector does (providers and converters of the build), validates it
// like otelcol's `validate` command (Collector.DryRun: confmap.Validate of every component config,
// then service.Validate, which builds the pipeline graph and so creates every component), and
// prints the resolved configuration as JSON, unredacted, like `print-config --mode=unredacted
// --format=json` (which runs confmap.Validate only). Exit 1 with the error on stderr when either
// step fails. The same file is built into the upstream tree's validate tool (_upstream/validate).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/xconfmap"
	"go.opentelemetry.io/collector/otelcol"
)

func e2eLoad(set otelcol.CollectorSettings, args []string) int {
	var uri string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			uri = v
		}
	}
	if uri == "" {
		fmt.Fprintln(os.Stderr, "e2e-load: --config=URI is required")
		return 2
	}
	set.ConfigProviderSettings.ResolverSettings.URIs = []string{uri}
	ctx := context.Background()
	col, err := otelcol.NewCollector(set)
	if err == nil {
		err = col.DryRun(ctx)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e-load: invalid configuration: %v\n", err)
		return 1
	}
	provider, err := otelcol.NewConfigProvider(set.ConfigProviderSettings)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e-load: %v\n", err)
		return 1
	}
	factories, err := set.Factories()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e-load: %v\n", err)
		return 1
	}
	cfg, err := provider.Get(ctx, factories)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e-load: %v\n", err)
		return 1
	}
	conf := confmap.New()
	if err := conf.Marshal(cfg, xconfmap.WithUnredacted()); err != nil {
		fmt.Fprintf(os.Stderr, "e2e-load: %v\n", err)
		return 1
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(conf.ToStringMap()); err != nil {
		fmt.Fprintf(os.Stderr, "e2e-load: %v\n", err)
		return 1
	}
	return 0
}
