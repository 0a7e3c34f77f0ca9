package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// promConfig is the committed Prometheus configuration, relative to the e2e folder.
var promConfig = filepath.Join("..", "prometheus", "prometheus.yml")

// promServer is a real Prometheus started by a test.
type promServer struct {
	base string // http://127.0.0.1:port
}

// startPrometheus runs /usr/bin/prometheus (or the one on PATH) with promConfig, its
// targets rewritten to targets (job name → addresses) and every interval one second.
func startPrometheus(t *testing.T, targets map[string][]string) *promServer {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, localPromConfig(t, targets), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	start(t, "prometheus", linkProgram(t, "prometheus"), nil, "--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	ps := &promServer{base: "http://" + addr}
	eventually(t, 20*time.Second, "prometheus ready", func() (bool, string) {
		body, err := httpGet(ps.base + "/-/ready")
		return err == nil, fmt.Sprint(err, body)
	})
	return ps
}

// linkProgram makes the installed program name runnable by start, which runs programs
// from the build folder, and returns name. It fails the test when it is not installed.
func linkProgram(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (scripts/tools.sh installs it): %v", name, err)
	}
	link := filepath.Join(bin, name)
	if _, err := os.Lstat(link); errors.Is(err, fs.ErrNotExist) {
		if err := os.Symlink(path, link); err != nil {
			t.Fatal(err)
		}
	}
	return name
}

// localPromConfig returns promConfig with the scrape targets of each job replaced by
// targets[job], its rule files made absolute and all intervals one second. Everything else
// stays as committed, so the jobs, paths, parameters and rules under test are the real
// ones. A job without local targets, or targets for a job the file lacks, fail the test.
func localPromConfig(t *testing.T, targets map[string][]string) []byte {
	t.Helper()
	raw, err := os.ReadFile(promConfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", promConfig, err)
	}
	cfg["global"] = map[string]any{"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
	cfg["rule_files"] = absRuleFiles(t, cfg["rule_files"])
	jobs, _ := cfg["scrape_configs"].([]any)
	seen := map[string]bool{}
	for _, j := range jobs {
		job, _ := j.(map[string]any)
		name, _ := job["job_name"].(string)
		addrs, ok := targets[name]
		if !ok {
			t.Fatalf("%s: job %q has no local targets in the test", promConfig, name)
		}
		seen[name] = true
		for _, key := range []string{"dns_sd_configs", "static_configs", "file_sd_configs", "scrape_interval", "scrape_timeout"} {
			delete(job, key)
		}
		job["static_configs"] = []any{map[string]any{"targets": addrs}}
	}
	for name := range targets {
		if !seen[name] {
			t.Fatalf("%s has no job %q", promConfig, name)
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// absRuleFiles resolves rule_files relative to promConfig, as Prometheus does, and checks
// that each pattern matches a file.
func absRuleFiles(t *testing.T, v any) []any {
	t.Helper()
	list, _ := v.([]any)
	if len(list) == 0 {
		t.Fatalf("%s: no rule_files", promConfig)
	}
	out := make([]any, 0, len(list))
	for _, item := range list {
		pattern, _ := item.(string)
		if !filepath.IsAbs(pattern) {
			abs, err := filepath.Abs(filepath.Join(filepath.Dir(promConfig), pattern))
			if err != nil {
				t.Fatal(err)
			}
			pattern = abs
		}
		if m, _ := filepath.Glob(pattern); len(m) == 0 {
			t.Fatalf("%s: rule_files pattern %s matches nothing", promConfig, pattern)
		}
		out = append(out, pattern)
	}
	return out
}

// alertNames returns the sorted names of the alerting rules of prometheus/rules/*.yml.
func alertNames(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(filepath.Dir(promConfig), "rules", "*.yml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no rule files in prometheus/rules: %v", err)
	}
	var names []string
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Groups []struct {
				Rules []struct {
					Alert string `yaml:"alert"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					names = append(names, r.Alert)
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// promSample is one element of an instant vector.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"` // unix time, value as a string
}

func (s promSample) float() float64 {
	v, _ := s.Value[1].(string)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return f
}

// query runs an instant query now. A scalar result comes back as one sample without labels.
func (ps *promServer) query(expr string) ([]promSample, error) {
	body, err := httpGet(ps.base + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, body)
	}
	var resp struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		return nil, fmt.Errorf("decode query answer: %w", err)
	}
	if resp.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, resp.Error)
	}
	switch resp.Data.ResultType {
	case "vector":
		var v []promSample
		err := json.Unmarshal(resp.Data.Result, &v)
		return v, err
	case "scalar":
		var s promSample
		err := json.Unmarshal(resp.Data.Result, &s.Value)
		return []promSample{s}, err
	default:
		return nil, fmt.Errorf("query %s: result type %s, want vector or scalar", expr, resp.Data.ResultType)
	}
}

// value runs a query that must give exactly one sample and returns its value.
func (ps *promServer) value(expr string) (float64, error) {
	v, err := ps.query(expr)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("query %s: %d samples, want 1", expr, len(v))
	}
	return v[0].float(), nil
}

// promRule is a rule as /api/v1/rules reports it.
type promRule struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

// rules returns the loaded rules.
func (ps *promServer) rules() ([]promRule, error) {
	body, err := httpGet(ps.base + "/api/v1/rules")
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data struct {
			Groups []struct {
				Rules []promRule `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		return nil, fmt.Errorf("decode rules: %w", err)
	}
	var out []promRule
	for _, g := range resp.Data.Groups {
		out = append(out, g.Rules...)
	}
	return out, nil
}

// promAlert is an active (pending or firing) alert as /api/v1/alerts reports it.
type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func (ps *promServer) alerts() ([]promAlert, error) {
	body, err := httpGet(ps.base + "/api/v1/alerts")
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		return nil, fmt.Errorf("decode alerts: %w", err)
	}
	return resp.Data.Alerts, nil
}

// httpGet returns the body of a 200 answer to GET url.
func httpGet(u string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return string(body), nil
}
