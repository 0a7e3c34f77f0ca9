package deploytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/tweetflow/tweetflow/deploytest/dashboards"
)

// wantDashboards are the dashboards the monitoring issue asks for; more may follow.
var wantDashboards = []string{"budget.json", "fetch.json", "queue.json"}

func loadDashboards(t *testing.T) []dashboards.File {
	t.Helper()
	files, err := dashboards.LoadDir(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDashboards_DecodeStrictlyIntoTheFoundationSDK(t *testing.T) {
	files := loadDashboards(t)
	have := map[string]bool{}
	for _, f := range files {
		have[f.Name] = true
		if len(dashboards.Panels(f.Dashboard)) == 0 {
			t.Errorf("%s has no panels", f.Name)
		}
	}
	for _, name := range wantDashboards {
		if !have[name] {
			t.Errorf("%s is missing from %s", name, dashboardDir)
		}
	}
}

func TestDashboards_LoadRejectsInvalidStructure(t *testing.T) {
	firstPanel := func(d map[string]any) map[string]any {
		for _, p := range d["panels"].([]any) {
			if p := p.(map[string]any); p["type"] == "timeseries" {
				return p
			}
		}
		panic("no timeseries panel")
	}
	cases := []struct {
		name   string
		mutate func(d map[string]any)
	}{
		{"unknown dashboard field", func(d map[string]any) { d["refersh"] = "30s" }},
		{"unknown panel field", func(d map[string]any) { firstPanel(d)["titel"] = "x" }},
		{"unit of the wrong type", func(d map[string]any) {
			firstPanel(d)["fieldConfig"].(map[string]any)["defaults"].(map[string]any)["unit"] = 5
		}},
		{"unknown timeseries option", func(d map[string]any) {
			firstPanel(d)["options"].(map[string]any)["legendd"] = map[string]any{}
		}},
		{"panel type without a schema", func(d map[string]any) { firstPanel(d)["type"] = "graph" }},
		{"unknown query field", func(d map[string]any) {
			firstPanel(d)["targets"].([]any)[0].(map[string]any)["exp"] = "up"
		}},
		{"query of no known data source", func(d map[string]any) {
			p := firstPanel(d)
			delete(p, "datasource")
			delete(p["targets"].([]any)[0].(map[string]any), "datasource")
		}},
	}
	raw := readFile(t, filepath.Join(dashboardDir, wantDashboards[0]))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal([]byte(raw), &d); err != nil {
				t.Fatal(err)
			}
			c.mutate(d)
			out, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, out, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := dashboards.Load(path); err == nil {
				t.Error("Load accepted the dashboard, want an error")
			}
		})
	}
}

func TestDashboards_EveryPanelHasATitleAndAUnit(t *testing.T) {
	for _, f := range loadDashboards(t) {
		titles := map[string]bool{}
		for i, p := range dashboards.Panels(f.Dashboard) {
			title := deref(p.Title)
			switch {
			case title == "":
				t.Errorf("%s: panel %d has no title", f.Name, i)
			case titles[title]:
				t.Errorf("%s: two panels are titled %q", f.Name, title)
			}
			titles[title] = true
			if p.FieldConfig == nil || deref(p.FieldConfig.Defaults.Unit) == "" {
				t.Errorf("%s: panel %q has no unit (fieldConfig.defaults.unit)", f.Name, title)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no query", f.Name, title)
			}
		}
	}
}

func TestDashboards_EveryQueryUsesTheDatasourceVariable(t *testing.T) {
	for _, f := range loadDashboards(t) {
		if !hasDatasourceVariable(f.Dashboard) {
			t.Errorf("%s: no template variable `datasource` of type datasource for prometheus", f.Name)
		}
		for _, p := range dashboards.Panels(f.Dashboard) {
			if p.Datasource == nil || deref(p.Datasource.Uid) != dashboards.DatasourceVariable {
				t.Errorf("%s: panel %q: datasource is not %s", f.Name, deref(p.Title), dashboards.DatasourceVariable)
			}
		}
	}
	queries, err := dashboards.Queries(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		if q.Datasource != dashboards.DatasourceVariable {
			t.Errorf("%s: panel %q, query %s: datasource uid = %q, want %q",
				q.Dashboard, q.Panel, q.RefID, q.Datasource, dashboards.DatasourceVariable)
		}
	}
}

func hasDatasourceVariable(d *dashboards.Dashboard) bool {
	for _, v := range d.Templating.List {
		if v.Name == "datasource" && v.Type == dashboard.VariableTypeDatasource &&
			v.Query != nil && deref(v.Query.String) == "prometheus" {
			return true
		}
	}
	return false
}

// fixedWindow finds a literal range or subquery window such as [5m], where a panel should
// use $__rate_interval (or $__range for totals over the dashboard's time range).
var fixedWindow = regexp.MustCompile(`\[\s*[0-9]`)

func TestDashboards_EveryQueryIsValidPromQLOverDocumentedMetrics(t *testing.T) {
	queries, err := dashboards.Queries(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) == 0 {
		t.Fatal("the dashboards have no queries")
	}
	docs := documentedMetrics(t)
	for _, q := range queries {
		where := q.Dashboard + ": panel " + q.Panel + ", query " + q.RefID
		if q.RefID == "" || strings.TrimSpace(q.Expr) == "" {
			t.Errorf("%s: empty refId or expr", where)
			continue
		}
		if fixedWindow.MatchString(q.Expr) {
			t.Errorf("%s: fixed window in %q, use $__rate_interval", where, q.Expr)
		}
		expr, err := promql.ParseExpr(dashboards.PromQL(q.Expr))
		if err != nil {
			t.Errorf("%s: %q does not parse: %v", where, q.Expr, err)
			continue
		}
		if missing := undocumentedMetrics(expr, docs); len(missing) > 0 {
			t.Errorf("%s: metrics %v are not in %s", where, missing, metricsDoc)
		}
	}
}

func TestPromQL_SubstitutesGrafanaVariables(t *testing.T) {
	cases := []struct{ in, want string }{
		{`rate(x[$__rate_interval])`, `rate(x[1m])`},
		{`rate(x[${__rate_interval}])`, `rate(x[1m])`},
		{`avg_over_time(x[$__interval])`, `avg_over_time(x[1m])`},
		{`increase(x[$__range])`, `increase(x[1m])`},
		{`up{instance=~"$datasource.*"}`, `up{instance=~".*"}`},
	}
	for _, c := range cases {
		if got := dashboards.PromQL(c.in); got != c.want {
			t.Errorf("PromQL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
