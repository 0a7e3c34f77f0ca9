package config

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// baseEnv is the smallest environment both programs accept.
var baseEnv = map[string]string{
	"RABBITMQ_HOST":        "rabbit",
	"RABBITMQ_USER":        "tweetflow",
	"DATABASE_URL":         "postgres://tweetflow@db/tweetflow",
	"TWITTER_BEARER_TOKEN": "token-value",
}

// environ returns baseEnv changed by edits: "KEY=value" sets KEY, a bare
// "KEY" removes it.
func environ(edits ...string) []string {
	m := maps.Clone(baseEnv)
	for _, e := range edits {
		key, value, ok := strings.Cut(e, "=")
		if !ok {
			delete(m, key)
			continue
		}
		m[key] = value
	}
	list := make([]string, 0, len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		list = append(list, key+"="+m[key])
	}
	return list
}

// mustLoad loads the configuration of p and fails the test on an error.
func mustLoad(t *testing.T, p Program, env []string) *Config {
	t.Helper()
	cfg, err := Load(p, env)
	if err != nil {
		t.Fatalf("Load(%v) error = %v, want none", p, err)
	}
	return cfg
}

// loadError loads the configuration of p and returns the error message,
// failing the test when there is none or when it is not made of *Error.
func loadError(t *testing.T, p Program, env []string) string {
	t.Helper()
	_, err := Load(p, env)
	if err == nil {
		t.Fatalf("Load(%v) error = nil, want one", p)
	}
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("Load(%v) error %T is not a *config.Error: %v", p, err, err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q spans several lines, want one", err)
	}
	return err.Error()
}
