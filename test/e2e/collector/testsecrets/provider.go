// Package testsecrets is a test-only confmap provider for the `secretsmanager` scheme: it answers
// from the environment, never from AWS. Upstream registers the contrib secretsmanagerprovider
// (open-telemetry/opentelemetry-lambda@faa4ca46 collector/internal/collector/collector.go:79);
// this one keeps its URI form `secretsmanager:<id>` and `secretsmanager:<id>#<json-field>`.
//
//	E2E_SECRETS          JSON object: secret id (ARN or name) -> secret string
//	E2E_SECRETS_DEFAULT  secret string for an id not in E2E_SECRETS (unset: such an id is an error)
package testsecrets

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

const scheme = "secretsmanager"

type provider struct{}

// NewFactory returns the test provider's factory.
func NewFactory() confmap.ProviderFactory {
	return confmap.NewProviderFactory(func(confmap.ProviderSettings) confmap.Provider { return provider{} })
}

func (provider) Scheme() string                 { return scheme }
func (provider) Shutdown(context.Context) error { return nil }

func (provider) Retrieve(_ context.Context, uri string, _ confmap.WatcherFunc) (*confmap.Retrieved, error) {
	ref, ok := strings.CutPrefix(uri, scheme+":")
	if !ok {
		return nil, fmt.Errorf("%q uri is not supported by %q provider", uri, scheme)
	}
	id, field, hasField := strings.Cut(ref, "#")
	store := map[string]string{}
	if raw := os.Getenv("E2E_SECRETS"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &store); err != nil {
			return nil, fmt.Errorf("E2E_SECRETS: %w", err)
		}
	}
	secret, found := store[id]
	if !found {
		def, hasDefault := os.LookupEnv("E2E_SECRETS_DEFAULT")
		if !hasDefault {
			return nil, fmt.Errorf("test secretsmanager provider: no secret %q", id)
		}
		secret = def
	}
	if !hasField {
		return confmap.NewRetrieved(secret)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(secret), &fields); err != nil {
		return nil, fmt.Errorf("test secretsmanager provider: secret %q is not a JSON object: %w", id, err)
	}
	v, ok := fields[field]
	if !ok {
		return nil, fmt.Errorf("test secretsmanager provider: secret %q has no field %q", id, field)
	}
	return confmap.NewRetrieved(fmt.Sprint(v))
}
