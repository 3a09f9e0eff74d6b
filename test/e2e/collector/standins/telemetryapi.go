package standins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
)

// TelemetryAPIConfig mirrors open-telemetry/opentelemetry-lambda@faa4ca46
// collector/receiver/telemetryapireceiver/config.go:23-30 (keys) and factory.go:46-52 (defaults:
// port 0, all three types, export_interval_ms 60000).
type TelemetryAPIConfig struct {
	extensionID        string
	Port               int      `mapstructure:"port"`
	Types              []string `mapstructure:"types"`
	LogReport          bool     `mapstructure:"log_report"`
	MetricsTemporality string   `mapstructure:"metrics_temporality"`
	ExportInterval     int      `mapstructure:"export_interval_ms"`
}

// Validate: the upstream rules (config.go:32-49).
func (cfg *TelemetryAPIConfig) Validate() error {
	if cfg.ExportInterval < 0 {
		return fmt.Errorf("export_interval_ms must be non-negative: %d", cfg.ExportInterval)
	}
	for _, t := range cfg.Types {
		if t != "platform" && t != "function" && t != "extension" {
			return fmt.Errorf("unknown extension type: %s", t)
		}
	}
	if cfg.MetricsTemporality != "" {
		t := strings.ToLower(cfg.MetricsTemporality)
		if t != "delta" && t != "cumulative" {
			return fmt.Errorf("unknown metrics temporality: %s", cfg.MetricsTemporality)
		}
	}
	return nil
}

// NewTelemetryAPIFactory: type `telemetryapi`, logs only (upstream also makes metrics and an init
// span: receiver/telemetryapireceiver/factory.go:54-56; the library puts it in logs pipelines only).
// Like upstream:
//   - it listens on sandbox.localdomain:<port> (all interfaces when AWS_SAM_LOCAL=true) and
//     subscribes with that address as the destination (receiver.go:93-101, 108-132, 830-836);
//   - it subscribes as upstream's client does (PUT /2022-07-01/telemetry, schema 2022-12-13,
//     buffering 1000 items / 256 KiB / 25 ms: internal/telemetryapi/client.go:29-34, 52-72), and a
//     refused subscription fails its Start, so the collector's start (receiver.go:131-136);
//   - `platform.report` records become no log record unless `log_report: true` (receiver.go:435-437);
//   - each other record becomes one log record with the resource upstream builds from the
//     environment (receiver.go:768-799) and the invocation id (receiver.go:449-469, 528-530).
//
// Not reproduced: upstream's platform message texts (createPlatformMessage), metrics, the init span.
func NewTelemetryAPIFactory(extensionID string) receiver.Factory {
	return receiver.NewFactory(
		component.MustNewType("telemetryapi"),
		func() component.Config {
			return &TelemetryAPIConfig{extensionID: extensionID, Types: []string{"platform", "function", "extension"}, ExportInterval: 60000}
		},
		receiver.WithLogs(func(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
			return &telemetryReceiver{cfg: cfg.(*TelemetryAPIConfig), next: next, set: set, stopCh: make(chan struct{})}, nil
		}, component.StabilityLevelDevelopment),
	)
}

type telemetryReceiver struct {
	cfg       *TelemetryAPIConfig
	next      consumer.Logs
	set       receiver.Settings
	server    *http.Server
	mu        sync.Mutex
	requestID string
	stopCh    chan struct{}
}

type telemetryEvent struct {
	Time   string `json:"time"`
	Type   string `json:"type"`
	Record any    `json:"record"`
}

func (r *telemetryReceiver) resource() pcommon.Resource {
	res := pcommon.NewResource()
	a := res.Attributes()
	a.PutStr("faas.invoked_provider", "aws")
	if v, ok := os.LookupEnv("AWS_LAMBDA_FUNCTION_NAME"); ok {
		a.PutStr("service.name", v)
		a.PutStr("faas.name", v)
	} else {
		a.PutStr("service.name", "unknown_service")
	}
	if v, ok := os.LookupEnv("OTEL_SERVICE_NAME"); ok {
		a.PutStr("service.name", v)
	}
	for env, key := range map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "faas.max_memory", "AWS_LAMBDA_FUNCTION_VERSION": "faas.version", "AWS_REGION": "faas.invoked_region"} {
		if v, ok := os.LookupEnv(env); ok {
			a.PutStr(key, v)
		}
	}
	return res
}

func (r *telemetryReceiver) Start(ctx context.Context, _ component.Host) error {
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		return fmt.Errorf("telemetryapi stand-in: AWS_LAMBDA_RUNTIME_API is not set")
	}
	host := ListenOnAddress()
	ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, r.cfg.Port))
	if err != nil {
		return fmt.Errorf("failed to find available port: %w", err)
	}
	address := fmt.Sprintf("%s:%d", host, ln.Addr().(*net.TCPAddr).Port)
	r.server = &http.Server{Handler: http.HandlerFunc(r.handle), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.server.Serve(ln) }()
	body, _ := json.Marshal(map[string]any{
		"schemaVersion": "2022-12-13",
		"types":         r.cfg.Types,
		"buffering":     map[string]int{"maxItems": 1000, "maxBytes": 256 * 1024, "timeoutMs": 25},
		"destination":   map[string]string{"protocol": "HTTP", "URI": "http://" + address + "/"},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+api+"/2022-07-01/telemetry", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Extension-Identifier", r.cfg.extensionID)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		_ = r.Shutdown(ctx)
		return fmt.Errorf("telemetryapi stand-in: subscribe: %w", err)
	}
	defer resp.Body.Close()
	// client.go:89-99: 202 is logged and let through, any other status but 200 is an error.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		_ = r.Shutdown(ctx)
		return fmt.Errorf("telemetryapi stand-in: subscribe: %s %s", resp.Status, b)
	}
	return nil
}

func (r *telemetryReceiver) handle(w http.ResponseWriter, req *http.Request) {
	var events []telemetryEvent
	if err := json.NewDecoder(req.Body).Decode(&events); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	r.resource().CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("e2e/telemetryapi-standin")
	r.mu.Lock()
	for _, ev := range events {
		if ev.Type == "platform.report" && !r.cfg.LogReport {
			continue
		}
		lr := sl.LogRecords().AppendEmpty()
		lr.Attributes().PutStr("type", ev.Type)
		if t, err := time.Parse(time.RFC3339, ev.Time); err == nil {
			lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
		}
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		id := ""
		switch rec := ev.Record.(type) {
		case string:
			lr.Body().SetStr(rec)
		case map[string]any:
			// receiver.go:449-459: the record's own requestId, platform.start sets the current one.
			id, _ = rec["requestId"].(string)
			if id != "" && ev.Type == "platform.start" {
				r.requestID = id
			}
			if msg, ok := rec["message"].(string); ok {
				lr.Body().SetStr(msg)
			} else {
				b, _ := json.Marshal(rec)
				lr.Body().SetStr(string(b))
			}
		}
		if id == "" {
			id = r.requestID
		}
		if id != "" {
			lr.Attributes().PutStr("faas.invocation_id", id)
		}
		if ev.Type == "platform.runtimeDone" {
			r.requestID = ""
		}
	}
	// receiver.go:321-331: consumed (under the receiver's lock) only when there is a record; an
	// error is logged, and the Telemetry API gets 200 whatever happened.
	if logs.LogRecordCount() > 0 {
		_ = r.next.ConsumeLogs(context.Background(), logs)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// ListenOnAddress is where upstream's Telemetry API listeners bind: sandbox.localdomain, or every
// interface when AWS_SAM_LOCAL=true (receiver.go:830-836, internal/telemetryapi/listener.go:61-68).
func ListenOnAddress() string {
	if v, ok := os.LookupEnv("AWS_SAM_LOCAL"); ok && v == "true" {
		return ""
	}
	return "sandbox.localdomain"
}

// Shutdown closes stopCh first, as upstream does (receiver.go:141-143). Upstream's Start calls
// Shutdown itself when the subscription is refused (receiver.go:131-136), and the collector then
// shuts every component down again (otelcol's failed start), so the second close panics ("close
// of closed channel"): the extension crashes during init instead of reporting an init error
// through manager.go:117-123. Reproduced here on purpose: the local Lambda must see what Lambda
// would see with the layer (collector.e2e.test.ts).
func (r *telemetryReceiver) Shutdown(ctx context.Context) error {
	close(r.stopCh)
	if r.server != nil {
		return r.server.Shutdown(ctx)
	}
	return nil
}
