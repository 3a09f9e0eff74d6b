// Package standins holds test stand-ins for the three components of the upstream Lambda collector
// that live in the open-telemetry/opentelemetry-lambda Go modules, which the Go module proxy does
// not serve (403). Each has the upstream type name, configuration schema and Validate rules (cited
// beside it), so that a configuration the upstream collector rejects is rejected here too, but NOT
// the upstream behaviour: decouple and coldstart pass data through unchanged.
package standins

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// DecoupleConfig mirrors open-telemetry/opentelemetry-lambda@faa4ca46
// collector/processor/decoupleprocessor/config.go:21-32 (one key, max_queue_size > 0) and its
// default, factory.go:50-54 (200).
type DecoupleConfig struct {
	MaxQueueSize uint32 `mapstructure:"max_queue_size"`
}

// Validate: the upstream rule (config.go:27-32).
func (cfg *DecoupleConfig) Validate() error {
	if cfg.MaxQueueSize == 0 {
		return errors.New("max_queue_size must be greater than 0")
	}
	return nil
}

// ColdstartConfig mirrors collector/processor/coldstartprocessor/config.go:17 (no keys).
type ColdstartConfig struct{}

func passThroughFactory(name string, defaults func() component.Config) processor.Factory {
	caps := processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: false})
	return processor.NewFactory(
		component.MustNewType(name),
		defaults,
		processor.WithTraces(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
			return processorhelper.NewTraces(ctx, set, cfg, next, func(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) { return td, nil }, caps)
		}, component.StabilityLevelDevelopment),
		processor.WithMetrics(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
			return processorhelper.NewMetrics(ctx, set, cfg, next, func(_ context.Context, md pmetric.Metrics) (pmetric.Metrics, error) { return md, nil }, caps)
		}, component.StabilityLevelDevelopment),
		processor.WithLogs(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
			return processorhelper.NewLogs(ctx, set, cfg, next, func(_ context.Context, ld plog.Logs) (plog.Logs, error) { return ld, nil }, caps)
		}, component.StabilityLevelDevelopment),
	)
}

// NewDecoupleFactory: type `decouple` (decoupleprocessor/factory.go:29), pass-through.
func NewDecoupleFactory() processor.Factory {
	return passThroughFactory("decouple", func() component.Config { return &DecoupleConfig{MaxQueueSize: 200} })
}

// NewColdstartFactory: type `coldstart` (coldstartprocessor/factory.go), pass-through.
func NewColdstartFactory() processor.Factory {
	return passThroughFactory("coldstart", func() component.Config { return &ColdstartConfig{} })
}
