// Package standins holds test stand-ins for the three components of the upstream Lambda collector
// that live in the open-telemetry/opentelemetry-lambda Go modules, which the Go module proxy does
// not serve (403): `decouple`, `coldstart` and the `telemetryapi` receiver. Each has the upstream
// type name, configuration schema, Validate rules and signals, and behaves like upstream wherever
// an end-to-end test depends on it (each rule cited beside it, at
// open-telemetry/opentelemetry-lambda@faa4ca46 = layer-collector/0.23.0, paths under collector/).
// test/e2e/collector.e2e.test.ts checks each behaviour against this build and the real collector.
package standins

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// DecoupleConfig mirrors processor/decoupleprocessor/config.go:21-32 (one key, max_queue_size > 0)
// and its default, factory.go:48-52 (200).
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

// ColdstartConfig mirrors processor/coldstartprocessor/config.go:17 (no keys).
type ColdstartConfig struct{}

// decouple, after processor/decoupleprocessor/processor.go:
//   - every batch goes into a channel of max_queue_size (processor.go:57-62, 129), and the pipeline
//     is told to stop there (ErrSkipProcessingData, :64-77): the receiver answers at once, and
//     blocks when the channel is full (a send on a full Go channel blocks);
//   - a forwarder drains the channel into the next consumer, one batch at a time, only from
//     FunctionInvoked (INVOKE) until FunctionFinished (platform.runtimeDone), which queues a stop
//     mark and waits for the forwarder to reach it (:79-114), and again from EnvironmentShutdown
//     (SHUTDOWN) until the processor's shutdown (:102-105, 116-119);
//   - creating one without a lifecycle notifier fails (:131-135).
type decouple struct {
	forward func(context.Context, any) error
	data    chan decoupled
	wg      sync.WaitGroup
}

type decoupled struct {
	info client.Info
	data any
}

var errNoNotifier = errors.New("no lifecycle notifier set")

func newDecouple(cfg *DecoupleConfig, forward func(context.Context, any) error) (*decouple, error) {
	d := &decouple{forward: forward, data: make(chan decoupled, cfg.MaxQueueSize)}
	n := GetNotifier()
	if n == nil {
		return nil, errNoNotifier
	}
	n.AddListener(d)
	return d, nil
}

func (d *decouple) queue(ctx context.Context, data any) {
	d.data <- decoupled{info: client.FromContext(ctx), data: data}
}

func (d *decouple) start() {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for {
			x := <-d.data
			if x.data == nil {
				return
			}
			_ = d.forward(client.NewContext(context.Background(), x.info), x.data)
		}
	}()
}

func (d *decouple) stop() {
	d.data <- decoupled{}
	d.wg.Wait()
}

func (d *decouple) FunctionInvoked()               { d.start() }
func (d *decouple) FunctionFinished()              { d.stop() }
func (d *decouple) EnvironmentShutdown()           { d.start() }
func (d *decouple) shutdown(context.Context) error { d.stop(); return nil }

// NewDecoupleFactory: type `decouple` (decoupleprocessor/factory.go:29, 38-46: traces, metrics, logs).
func NewDecoupleFactory() processor.Factory {
	caps := processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: false})
	return processor.NewFactory(
		component.MustNewType("decouple"),
		func() component.Config { return &DecoupleConfig{MaxQueueSize: 200} },
		processor.WithTraces(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
			d, err := newDecouple(cfg.(*DecoupleConfig), func(ctx context.Context, x any) error { return next.ConsumeTraces(ctx, *x.(*ptrace.Traces)) })
			if err != nil {
				return nil, err
			}
			return processorhelper.NewTraces(ctx, set, cfg, next, func(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
				d.queue(ctx, &td)
				return td, processorhelper.ErrSkipProcessingData
			}, caps, processorhelper.WithShutdown(d.shutdown))
		}, component.StabilityLevelDevelopment),
		processor.WithMetrics(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
			d, err := newDecouple(cfg.(*DecoupleConfig), func(ctx context.Context, x any) error { return next.ConsumeMetrics(ctx, *x.(*pmetric.Metrics)) })
			if err != nil {
				return nil, err
			}
			return processorhelper.NewMetrics(ctx, set, cfg, next, func(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
				d.queue(ctx, &md)
				return md, processorhelper.ErrSkipProcessingData
			}, caps, processorhelper.WithShutdown(d.shutdown))
		}, component.StabilityLevelDevelopment),
		processor.WithLogs(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
			d, err := newDecouple(cfg.(*DecoupleConfig), func(ctx context.Context, x any) error { return next.ConsumeLogs(ctx, *x.(*plog.Logs)) })
			if err != nil {
				return nil, err
			}
			return processorhelper.NewLogs(ctx, set, cfg, next, func(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
				d.queue(ctx, &ld)
				return ld, processorhelper.ErrSkipProcessingData
			}, caps, processorhelper.WithShutdown(d.shutdown))
		}, component.StabilityLevelDevelopment),
	)
}

// NewColdstartFactory: type `coldstart`, traces only (coldstartprocessor/factory.go:38-44), passing
// them through: upstream moves the cold-start span onto the first invocation's trace
// (processor.go), which no test here depends on (the library never configures it).
func NewColdstartFactory() processor.Factory {
	return processor.NewFactory(
		component.MustNewType("coldstart"),
		func() component.Config { return &ColdstartConfig{} },
		processor.WithTraces(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
			return processorhelper.NewTraces(ctx, set, cfg, next, func(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) { return td, nil },
				processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
		}, component.StabilityLevelDevelopment),
	)
}
