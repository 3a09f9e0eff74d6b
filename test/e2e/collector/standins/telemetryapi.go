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

// NewTelemetryAPIFactory: type `telemetryapi`, logs only. The stand-in subscribes to the Telemetry
// API like upstream (PUT /2022-07-01/telemetry, schema 2022-12-13, buffering 1000 items / 25 ms:
// collector/internal/telemetryapi/client.go:53-70) and turns each record into one log record with
// the resource upstream builds from the environment (receiver.go:768-799). It does not reproduce
// upstream's platform message texts, metrics, spans or report handling.
func NewTelemetryAPIFactory(extensionID string) receiver.Factory {
	return receiver.NewFactory(
		component.MustNewType("telemetryapi"),
		func() component.Config {
			return &TelemetryAPIConfig{extensionID: extensionID, Types: []string{"platform", "function", "extension"}, ExportInterval: 60000}
		},
		receiver.WithLogs(func(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
			return &telemetryReceiver{cfg: cfg.(*TelemetryAPIConfig), next: next, set: set}, nil
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
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", r.cfg.Port))
	if err != nil {
		return err
	}
	r.server = &http.Server{Handler: http.HandlerFunc(r.handle), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.server.Serve(ln) }()
	body, _ := json.Marshal(map[string]any{
		"schemaVersion": "2022-12-13",
		"types":         r.cfg.Types,
		"buffering":     map[string]int{"maxItems": 1000, "maxBytes": 256 * 1024, "timeoutMs": 25},
		"destination":   map[string]string{"protocol": "HTTP", "URI": "http://" + ln.Addr().String() + "/"},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+api+"/2022-07-01/telemetry", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Extension-Identifier", r.cfg.extensionID)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("telemetryapi stand-in: subscribe: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
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
		lr := sl.LogRecords().AppendEmpty()
		lr.Attributes().PutStr("type", ev.Type)
		if t, err := time.Parse(time.RFC3339, ev.Time); err == nil {
			lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
		}
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		switch rec := ev.Record.(type) {
		case string:
			lr.Body().SetStr(rec)
		case map[string]any:
			if id, ok := rec["requestId"].(string); ok && ev.Type == "platform.start" {
				r.requestID = id
			}
			if msg, ok := rec["message"].(string); ok {
				lr.Body().SetStr(msg)
			} else {
				b, _ := json.Marshal(rec)
				lr.Body().SetStr(string(b))
			}
		}
		if r.requestID != "" {
			lr.Attributes().PutStr("faas.invocation_id", r.requestID)
		}
		if ev.Type == "platform.runtimeDone" {
			r.requestID = ""
		}
	}
	r.mu.Unlock()
	if err := r.next.ConsumeLogs(req.Context(), logs); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (r *telemetryReceiver) Shutdown(ctx context.Context) error {
	if r.server != nil {
		return r.server.Shutdown(ctx)
	}
	return nil
}
