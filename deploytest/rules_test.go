package deploytest

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ruleFile is the part of a Prometheus rule file these tests read; decoding is strict, so
// a misspelt key is an error here even where Prometheus would only ignore it.
type ruleFile struct {
	Groups []struct {
		Name     string `yaml:"name"`
		Interval string `yaml:"interval"`
		Rules    []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert         string            `yaml:"alert"`
	Record        string            `yaml:"record"`
	Expr          string            `yaml:"expr"`
	For           string            `yaml:"for"`
	KeepFiringFor string            `yaml:"keep_firing_for"`
	Labels        map[string]string `yaml:"labels"`
	Annotations   map[string]string `yaml:"annotations"`
}

// ruleTestFile is the part of a promtool test file these tests read.
type ruleTestFile struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name          string `yaml:"name"`
		AlertRuleTest []struct {
			Alertname string           `yaml:"alertname"`
			ExpAlerts []map[string]any `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// alerts returns every alerting rule of prometheus/rules/*.yml.
func alerts(t *testing.T) []rule {
	t.Helper()
	var out []rule
	for _, path := range glob(t, filepath.Join(prometheusDir, "rules", "*.yml")) {
		var f ruleFile
		dec := yaml.NewDecoder(bytes.NewReader([]byte(readFile(t, path))))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					out = append(out, r)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no alerting rules in prometheus/rules")
	}
	return out
}

func TestRules_EveryAlertHasForSeverityAndWhatToDo(t *testing.T) {
	for _, a := range alerts(t) {
		if a.For == "" {
			t.Errorf("%s: no `for:`; a single bad evaluation would page", a.Alert)
		}
		if s := a.Labels["severity"]; s != "critical" && s != "warning" {
			t.Errorf("%s: severity = %q, want critical or warning", a.Alert, s)
		}
		for _, key := range []string{"summary", "description"} {
			if strings.TrimSpace(a.Annotations[key]) == "" {
				t.Errorf("%s: no %s annotation", a.Alert, key)
			}
		}
	}
}

// ruleTests is what the promtool test files cover: the rule files they load, and per
// alert how many evaluations expect it to fire and how many expect it quiet.
type ruleTests struct {
	ruleFiles     map[string]bool
	firing, quiet map[string]int
}

func readRuleTests(t *testing.T) ruleTests {
	t.Helper()
	rt := ruleTests{ruleFiles: map[string]bool{}, firing: map[string]int{}, quiet: map[string]int{}}
	for _, path := range glob(t, filepath.Join(prometheusDir, "tests", "*.yml")) {
		var f ruleTestFile
		if err := yaml.Unmarshal([]byte(readFile(t, path)), &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, rf := range f.RuleFiles {
			rt.ruleFiles[filepath.Clean(filepath.Join(filepath.Dir(path), rf))] = true
		}
		for _, tc := range f.Tests {
			for _, at := range tc.AlertRuleTest {
				if len(at.ExpAlerts) > 0 {
					rt.firing[at.Alertname]++
				} else {
					rt.quiet[at.Alertname]++
				}
			}
		}
	}
	return rt
}

func TestRules_EveryAlertIsUnitTestedFiringAndQuiet(t *testing.T) {
	rt := readRuleTests(t)
	for _, path := range glob(t, filepath.Join(prometheusDir, "rules", "*.yml")) {
		if !rt.ruleFiles[filepath.Clean(path)] {
			t.Errorf("%s is loaded by no file of prometheus/tests", path)
		}
	}
	for _, a := range alerts(t) {
		if rt.firing[a.Alert] == 0 {
			t.Errorf("%s: no unit test where it fires", a.Alert)
		}
		if rt.quiet[a.Alert] == 0 {
			t.Errorf("%s: no unit test where it stays quiet", a.Alert)
		}
	}
}

func TestRules_EveryAlertIsDocumentedWithWhatToDo(t *testing.T) {
	doc := readFile(t, metricsDoc)
	for _, a := range alerts(t) {
		if !strings.Contains(doc, "| `"+a.Alert+"` | "+a.Labels["severity"]+" |") {
			t.Errorf("%s: no row `| `%s` | %s |` in the alerts table of %s", a.Alert, a.Alert, a.Labels["severity"], metricsDoc)
		}
		if !strings.Contains(doc, "- **`"+a.Alert+"`**:") {
			t.Errorf("%s: no entry under \"What to do\" in %s", a.Alert, metricsDoc)
		}
	}
}

func TestRules_ExprsReadOnlyDocumentedMetrics(t *testing.T) {
	docs := documentedMetrics(t)
	for _, a := range alerts(t) {
		expr, err := promql.ParseExpr(a.Expr)
		if err != nil {
			t.Errorf("%s: %v", a.Alert, err)
			continue
		}
		if missing := undocumentedMetrics(expr, docs); len(missing) > 0 {
			t.Errorf("%s: metrics %v are not in %s", a.Alert, missing, metricsDoc)
		}
	}
}
