package main

// The Lambda extension lifecycle, written after the upstream one
// (open-telemetry/opentelemetry-lambda@faa4ca46 collector/internal/lifecycle/manager.go:60-183),
// not copied from it: register under the binary's base name for INVOKE and SHUTDOWN (SHUTDOWN only
// on Lambda Managed Instances, manager.go:72-77), on demand subscribe to the Telemetry API's
// platform events and, on each INVOKE, wait for `platform.runtimeDone` of that request before
// asking for the next event (manager.go:86-99, 170-177), the listener on sandbox.localdomain
// (internal/telemetryapi/listener.go:51-68, 71-94); notify the lifecycle listeners (decouple) of
// FunctionInvoked on INVOKE, FunctionFinished once platform.runtimeDone arrived and before the next
// /event/next (manager.go:170-180), EnvironmentShutdown on SHUTDOWN (manager.go:157-159); start the
// collector with the config URI of OPENTELEMETRY_COLLECTOR_CONFIG_URI (then the deprecated _FILE,
// then /opt/collector-config/config.yaml: collector/internal/collector/collector.go:52-72) and the
// converter that turns the exporters' sending queue off (collector.go:80-84, converter.go here),
// report a start failure as an init error (manager.go:117-123), and on SHUTDOWN stop the collector
// and wait until it has stopped, which flushes its pipelines (manager.go:160-169, collector.go:149-156).
// Not reproduced: the account-id symlink (manager.go:207-216), upstream's zap logging.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/otelcol"

	"github.com/clickstack/cdk-clickstack-lambda/test/e2e/collector/standins"
)

type extensionClient struct {
	base string
	id   string
	http *http.Client
}

func (c *extensionClient) do(ctx context.Context, method, path string, body any, header map[string]string) (*http.Response, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, nil, err
	}
	if c.id != "" {
		req.Header.Set("Lambda-Extension-Identifier", c.id)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// runtimeDoneListener receives the platform events the extension subscribed to.
type runtimeDoneListener struct {
	mu   sync.Mutex
	cond *sync.Cond
	done map[string]bool
}

func (l *runtimeDoneListener) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var events []struct {
		Type   string         `json:"type"`
		Record map[string]any `json:"record"`
	}
	_ = json.NewDecoder(req.Body).Decode(&events)
	l.mu.Lock()
	for _, ev := range events {
		if ev.Type == "platform.runtimeDone" {
			if id, ok := ev.Record["requestId"].(string); ok {
				l.done[id] = true
			}
		}
	}
	l.cond.Broadcast()
	l.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (l *runtimeDoneListener) wait(id string, deadline time.Time) bool {
	timer := time.AfterFunc(time.Until(deadline), func() { l.mu.Lock(); l.cond.Broadcast(); l.mu.Unlock() })
	defer timer.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.done[id] && time.Now().Before(deadline) {
		l.cond.Wait()
	}
	return l.done[id]
}

func configURI() string {
	if v, ok := os.LookupEnv("OPENTELEMETRY_COLLECTOR_CONFIG_URI"); ok {
		return v
	}
	if v, ok := os.LookupEnv("OPENTELEMETRY_COLLECTOR_CONFIG_FILE"); ok {
		return v
	}
	return "/opt/collector-config/config.yaml"
}

func runExtension() error {
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		return fmt.Errorf("AWS_LAMBDA_RUNTIME_API is not set")
	}
	managed := os.Getenv("AWS_LAMBDA_INITIALIZATION_TYPE") == "lambda-managed-instances"
	events := []string{"INVOKE", "SHUTDOWN"}
	if managed {
		events = []string{"SHUTDOWN"}
	}
	c := &extensionClient{base: "http://" + api, http: &http.Client{}}
	name := filepath.Base(os.Args[0])
	resp, body, err := c.do(ctx, http.MethodPost, "/2020-01-01/extension/register", map[string]any{"events": events}, map[string]string{"Lambda-Extension-Name": name})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("register: %s %s", resp.Status, body)
	}
	c.id = resp.Header.Get("Lambda-Extension-Identifier")
	fmt.Printf("collector: registered as %q (%s) for %v\n", name, c.id, events)

	// main.go:53-54: the lifecycle is the notifier of every component (decouple).
	lifecycle := &standins.Listeners{}
	standins.SetNotifier(lifecycle)

	var listener *runtimeDoneListener
	if !managed {
		listener = &runtimeDoneListener{done: map[string]bool{}}
		listener.cond = sync.NewCond(&listener.mu)
		host := standins.ListenOnAddress()
		ln, err := net.Listen("tcp", host+":0")
		if err != nil {
			return fmt.Errorf("cannot start the Telemetry API listener: %w", err)
		}
		address := fmt.Sprintf("%s:%d", host, ln.Addr().(*net.TCPAddr).Port)
		srv := &http.Server{Handler: listener, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		sub := map[string]any{
			"schemaVersion": "2022-12-13", "types": []string{"platform"},
			"buffering":   map[string]int{"maxItems": 1000, "maxBytes": 256 * 1024, "timeoutMs": 25},
			"destination": map[string]string{"protocol": "HTTP", "URI": "http://" + address + "/"},
		}
		resp, body, err := c.do(ctx, http.MethodPut, "/2022-07-01/telemetry", sub, map[string]string{"Content-Type": "application/json"})
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("telemetry subscribe: %v %s", err, body)
		}
	}

	col, err := otelcol.NewCollector(settings([]string{configURI()}, c.id))
	var stopped <-chan error
	if err == nil {
		stopped, err = startCollector(ctx, col)
	}
	if err != nil {
		_, _, _ = c.do(ctx, http.MethodPost, "/2020-01-01/extension/init/error", map[string]string{"errorMessage": err.Error(), "errorType": "Extension.CollectorStart"}, map[string]string{"Lambda-Extension-Function-Error-Type": "Extension.CollectorStart"})
		return fmt.Errorf("failed to start the collector: %w", err)
	}
	fmt.Println("collector: started")

	for {
		resp, body, err := c.do(ctx, http.MethodGet, "/2020-01-01/extension/event/next", nil, nil)
		if err != nil {
			col.Shutdown()
			<-stopped
			return fmt.Errorf("next event: %w", err)
		}
		var ev struct {
			EventType  string `json:"eventType"`
			RequestID  string `json:"requestId"`
			DeadlineMs int64  `json:"deadlineMs"`
		}
		if err := json.Unmarshal(body, &ev); err != nil || resp.StatusCode != http.StatusOK {
			col.Shutdown()
			<-stopped
			return fmt.Errorf("next event: %s %s", resp.Status, body)
		}
		switch ev.EventType {
		case "SHUTDOWN":
			fmt.Println("collector: SHUTDOWN, flushing")
			lifecycle.EnvironmentShutdown()
			col.Shutdown()
			<-stopped
			fmt.Println("collector: stopped")
			return nil
		case "INVOKE":
			if listener == nil {
				continue
			}
			lifecycle.FunctionInvoked()
			if !listener.wait(ev.RequestID, time.UnixMilli(ev.DeadlineMs)) {
				fmt.Printf("collector: no platform.runtimeDone for %s before the deadline\n", ev.RequestID)
			}
			lifecycle.FunctionFinished()
		}
	}
}

// startCollector runs the collector in the background and returns once it is running, with a
// channel that yields once Run has returned (after Shutdown, the pipelines flushed).
func startCollector(ctx context.Context, col *otelcol.Collector) (<-chan error, error) {
	errc := make(chan error, 1)
	done := make(chan error, 1)
	go func() { err := col.Run(ctx); errc <- err; done <- err }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			if err == nil {
				err = fmt.Errorf("collector stopped during start")
			}
			return nil, err
		default:
		}
		if col.GetState() == otelcol.StateRunning {
			return done, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, fmt.Errorf("collector did not start within 30 s")
}
