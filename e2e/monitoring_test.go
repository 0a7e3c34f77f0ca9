package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tweetflow/tweetflow/internal/testenv"
)

// monitored is a pipeline with metrics on: a producer and two workers, each on its own
// METRICS_ADDR, and a Prometheus scraping them and RabbitMQ's plugin.
type monitored struct {
	*stack
	workers  []*proc
	producer *proc
	addrs    map[string]string // process name → metrics address
	rabbit   string            // RabbitMQ's Prometheus endpoint, host:15692
	prom     *promServer
}

func TestMonitoring_PrometheusSeesThePipelineAsTheDocsAndDashboardsSay(t *testing.T) {
	m := startMonitored(t)
	t.Run("MetricsMatchTheDocs", m.checkMetricsMatchTheDocs)
	t.Run("EveryDashboardQueryReturnsData", m.checkDashboardQueriesReturnData)
	t.Run("RulesEvaluateAndNothingAlerts", m.checkRules)
	t.Run("CountsAgreeWithTheLogsAndTheDatabase", m.checkCountsAfterSettling)
}

func startMonitored(t *testing.T) *monitored {
	t.Helper()
	s := newStack(t, stackOptions{
		accounts: "alice:700ms,bob:1500ms,carol:1s", sources: pipelineSources,
		schedule: "@every 2s", backfill: "20s",
	})
	u, err := url.Parse(testenv.RabbitURL())
	if err != nil {
		t.Fatal(err)
	}
	m := &monitored{stack: s, addrs: map[string]string{}, rabbit: net.JoinHostPort(u.Hostname(), "15692")}
	for _, name := range []string{"worker-1", "worker-2"} {
		m.workers = append(m.workers, m.startWithMetrics(name, "worker"))
	}
	m.prom = startPrometheus(t, map[string][]string{
		"worker":   {m.addrs["worker-1"], m.addrs["worker-2"]},
		"producer": {freeAddrFor(m, "producer")}, "rabbitmq": {m.rabbit}, "rabbitmq-detailed": {m.rabbit},
	})
	m.producer = m.startWithMetrics("producer", "producer", "run")
	waitTicks(t, m.producer, 3)
	eventually(t, 20*time.Second, "every target scraped", func() (bool, string) {
		up, err := m.prom.query(`up == 1`)
		return err == nil && len(up) == 5, fmt.Sprintf("%d of 5 targets up, %v", len(up), err)
	})
	return m
}

// freeAddrFor reserves a metrics address for the process name, for startWithMetrics.
func freeAddrFor(m *monitored, name string) string {
	if _, ok := m.addrs[name]; !ok {
		m.addrs[name] = freeAddr(m.t)
	}
	return m.addrs[name]
}

// startWithMetrics starts program with METRICS_ADDR on a free port and waits until the
// program says it listens there, which proves the address reached it.
func (m *monitored) startWithMetrics(name, program string, args ...string) *proc {
	addr := freeAddrFor(m, name)
	p := start(m.t, name, program, withEnv(m.env, "METRICS_ADDR="+addr), args...)
	eventually(m.t, 20*time.Second, name+" serves metrics on "+addr, func() (bool, string) {
		for _, ev := range p.events("metrics listening") {
			if ev["addr"] == addr {
				return true, ""
			}
		}
		return false, fmt.Sprint(p.events("metrics listening"))
	})
	return p
}

// withEnv returns env with the KEY=value entries of kv replacing those of the same keys.
// (os/exec would use the last of duplicate keys too, but one entry per key says so plainly.)
func withEnv(env []string, kv ...string) []string {
	out := make([]string, 0, len(env)+len(kv))
	for _, e := range env {
		key, _, _ := strings.Cut(e, "=")
		if !slices.ContainsFunc(kv, func(s string) bool { return strings.HasPrefix(s, key+"=") }) {
			out = append(out, e)
		}
	}
	return append(out, kv...)
}

func (m *monitored) checkMetricsMatchTheDocs(t *testing.T) {
	docs := readMetricsDoc(t)
	worker := map[string]*dto.MetricFamily{}
	for _, name := range []string{"worker-1", "worker-2"} {
		text := scrape(t, m.addrs[name])
		promtoolCheckMetrics(t, name, text)
		mergeFamilies(worker, parseMetrics(t, text))
	}
	producer := scrape(t, m.addrs["producer"])
	promtoolCheckMetrics(t, "producer", producer)
	rabbit := parseMetrics(t, scrapePath(t, m.rabbit, "/metrics"))
	mergeFamilies(rabbit, parseMetrics(t, scrapePath(t, m.rabbit,
		"/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count")))

	checkFamilies(t, "worker", docs.sections["worker"], worker)
	checkFamilies(t, "producer", docs.sections["producer"], parseMetrics(t, producer))
	checkFamilies(t, "RabbitMQ", docs.sections["rabbitmq"], rabbit)
	checkLabelValues(t, "worker", docs, worker)
	checkLabelValues(t, "producer", docs, parseMetrics(t, producer))
}

func (m *monitored) checkDashboardQueriesReturnData(t *testing.T) {
	remaining := dashboardQueries(t)
	eventually(t, 40*time.Second, "every dashboard query returns data", func() (bool, string) {
		var still []panelQuery
		var problems []string
		for _, q := range remaining {
			v, err := m.prom.query(grafanaToPromQL(q.expr))
			if err != nil || len(v) == 0 {
				still = append(still, q)
				problems = append(problems, fmt.Sprintf("%s: panel %q query %s %q: no data %v",
					q.dashboard, q.panel, q.refID, q.expr, err))
			}
		}
		remaining = still
		return len(still) == 0, "\n" + strings.Join(problems, "\n")
	})
}

func (m *monitored) checkRules(t *testing.T) {
	want := alertNames(t)
	eventually(t, 20*time.Second, "every rule loaded and evaluated", func() (bool, string) {
		rules, err := m.prom.rules()
		if err != nil {
			return false, err.Error()
		}
		var got, bad []string
		for _, r := range rules {
			got = append(got, r.Name)
			if r.Health != "ok" {
				bad = append(bad, fmt.Sprintf("%s: health %q %s", r.Name, r.Health, r.LastError))
			}
		}
		slices.Sort(got)
		return slices.Equal(got, want) && len(bad) == 0, fmt.Sprintf("rules %v, want %v; %v", got, want, bad)
	})
	vhost := m.vhost(t)
	eventually(t, 15*time.Second, "no alert pending or firing for this pipeline", func() (bool, string) {
		alerts, err := m.prom.alerts()
		var ours []string
		for _, a := range alerts {
			if v, ok := a.Labels["vhost"]; !ok || v == vhost { // other vhosts are other tests'
				ours = append(ours, a.Labels["alertname"]+" "+a.State)
			}
		}
		return err == nil && len(ours) == 0, fmt.Sprint(ours, err)
	})
}

// vhost is the test's own RabbitMQ virtual host, from its RABBITMQ_URL.
func (m *monitored) vhost(t *testing.T) string {
	t.Helper()
	for _, e := range m.env {
		if raw, ok := strings.CutPrefix(e, "RABBITMQ_URL="); ok {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimPrefix(u.Path, "/")
		}
	}
	t.Fatal("stack has no RABBITMQ_URL")
	return ""
}

// checkCountsAfterSettling stops the run, waits until the workers are idle and Prometheus
// has scraped them since, and compares its counters with the logs and the database.
func (m *monitored) checkCountsAfterSettling(t *testing.T) {
	m.stopAndDrain(t)
	var fetches int
	for _, w := range m.workers {
		fetches += len(w.events("fetch done")) + len(w.events("fetch failed"))
	}
	histCount, err := m.prom.value(`sum(tweetflow_fetch_duration_seconds_count)`)
	if err != nil {
		t.Fatal(err)
	}
	if fetches == 0 || int(histCount) != fetches {
		t.Errorf("sum of tweetflow_fetch_duration_seconds_count = %v, want %d (the workers' fetch done and fetch failed events)",
			histCount, fetches)
	}
	t.Logf("%d fetch tasks ran; the histogram counted %v", fetches, histCount)
	var rows int
	if err := m.db.QueryRow(context.Background(), `SELECT count(*) FROM tweets`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	stored, err := m.prom.value(`sum(tweetflow_tweets_stored_total{result="new"})`)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows in tweets; the counter says %v new", rows, stored)
	if rows == 0 || int(stored) != rows {
		t.Errorf(`sum of tweetflow_tweets_stored_total{result="new"} = %v, want %d (rows in tweets)`, stored, rows)
	}
}

// stopAndDrain pauses the simulator and stops the producer, waits until the workers have
// received every task published (and every retry) and run none, and then until Prometheus
// has scraped both workers.
func (m *monitored) stopAndDrain(t *testing.T) {
	t.Helper()
	if err := m.sim.Pause(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code := m.producer.stop(); code != 0 {
		t.Fatalf("producer exited %d after SIGTERM, want 0", code)
	}
	var published float64
	for _, ev := range m.producer.events("tick published") {
		n, _ := ev["published"].(float64)
		published += n
	}
	eventually(t, 30*time.Second, "workers idle with every published task received", func() (bool, string) {
		var received, retried, running float64
		for _, name := range []string{"worker-1", "worker-2"} {
			fams := parseMetrics(t, scrape(t, m.addrs[name]))
			received += sumOf(fams["tweetflow_tasks_received_total"])
			retried += sumOf(fams["tweetflow_tasks_retried_total"])
			running += sumOf(fams["tweetflow_tasks_in_progress"])
		}
		return received >= published+retried && running == 0,
			fmt.Sprintf("%v tasks received of %v published and %v retried, %v running", received, published, retried, running)
	})
	settled := float64(time.Now().UnixMilli()) / 1000
	eventually(t, 10*time.Second, "a scrape of both workers after they settled", func() (bool, string) {
		v, err := m.prom.query(fmt.Sprintf(`timestamp(up{job="worker"}) > %f`, settled))
		return err == nil && len(v) == 2, fmt.Sprintf("%d of 2 workers scraped since, %v", len(v), err)
	})
}

// docMetric is a metric row of docs/metrics.md.
type docMetric struct {
	name, typ string
	labels    []string
}

// metricsDoc is what docs/metrics.md says: metrics by section (worker, producer, rabbitmq,
// prometheus) and the values of each label.
type metricsDoc struct {
	sections map[string][]docMetric
	values   map[string][]string
}

var backticked = regexp.MustCompile("`([^`]+)`")

func ticks(cell string) []string {
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

func readMetricsDoc(t *testing.T) metricsDoc {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := metricsDoc{sections: map[string][]docMetric{}, values: map[string][]string{}}
	section := ""
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			section = strings.ToLower(strings.Fields(line)[1])
		case strings.HasPrefix(line, "## "):
			section = ""
		case strings.HasPrefix(line, "| `") && section != "":
			cells := strings.Split(strings.Trim(line, "|"), "|")
			name := ticks(cells[0])
			if section == "label" && len(name) == 1 {
				doc.values[name[0]] = ticks(cells[1])
			} else if len(name) == 1 && len(cells) >= 4 {
				typ := strings.TrimSpace(cells[1])
				doc.sections[section] = append(doc.sections[section], docMetric{name[0], typ, ticks(cells[2])})
			}
		}
	}
	for _, s := range []string{"worker", "producer", "rabbitmq"} {
		if len(doc.sections[s]) == 0 {
			t.Fatalf("docs/metrics.md: no metrics under a heading ### %s", s)
		}
	}
	return doc
}

// checkFamilies checks that every documented metric is exported with the documented type
// and label names, and that every tweetflow metric exported is documented.
func checkFamilies(t *testing.T, what string, docs []docMetric, fams map[string]*dto.MetricFamily) {
	t.Helper()
	documented := map[string]bool{}
	for _, d := range docs {
		documented[d.name] = true
		fam, ok := fams[d.name]
		if !ok {
			t.Errorf("%s: %s is documented but not exported", what, d.name)
			continue
		}
		if typ := strings.ToLower(fam.GetType().String()); typ != d.typ {
			t.Errorf("%s: %s is a %s, documented as a %s", what, d.name, typ, d.typ)
		}
		want := slices.Sorted(slices.Values(d.labels))
		if got := labelNames(fam); !slices.Equal(got, want) {
			t.Errorf("%s: %s has labels %v, documented %v", what, d.name, got, want)
		}
	}
	for name := range fams {
		if strings.HasPrefix(name, "tweetflow_") && !documented[name] {
			t.Errorf("%s: %s is exported but not in docs/metrics.md", what, name)
		}
	}
}

// checkLabelValues checks that the tweetflow metrics use only documented label values, and
// every documented value of the labels they have.
func checkLabelValues(t *testing.T, what string, doc metricsDoc, fams map[string]*dto.MetricFamily) {
	t.Helper()
	seen := map[string]map[string]bool{} // label → values
	for name, fam := range fams {
		if strings.HasPrefix(name, "tweetflow_") {
			checkValuesDocumented(t, what, fam, doc, seen)
		}
	}
	for label, values := range seen {
		for _, v := range doc.values[label] {
			if !values[v] {
				t.Errorf("%s: label %s=%q is documented but no metric has it", what, label, v)
			}
		}
	}
}

// checkValuesDocumented checks the label values of one family and adds them to seen.
func checkValuesDocumented(t *testing.T, what string, fam *dto.MetricFamily, doc metricsDoc,
	seen map[string]map[string]bool,
) {
	t.Helper()
	for _, metric := range fam.GetMetric() {
		for _, lp := range metric.GetLabel() {
			name, value := lp.GetName(), lp.GetValue()
			if !slices.Contains(doc.values[name], value) {
				t.Errorf("%s: %s{%s=%q}: value not documented (docs: %v)", what, fam.GetName(), name, value, doc.values[name])
			}
			if seen[name] == nil {
				seen[name] = map[string]bool{}
			}
			seen[name][value] = true
		}
	}
}

func labelNames(fam *dto.MetricFamily) []string {
	var names []string
	for _, metric := range fam.GetMetric() {
		for _, lp := range metric.GetLabel() {
			if !slices.Contains(names, lp.GetName()) {
				names = append(names, lp.GetName())
			}
		}
	}
	slices.Sort(names)
	return names
}

func sumOf(fam *dto.MetricFamily) float64 {
	var sum float64
	for _, m := range fam.GetMetric() {
		sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	return sum
}

func mergeFamilies(into, from map[string]*dto.MetricFamily) {
	for name, fam := range from {
		if have, ok := into[name]; ok {
			have.Metric = append(have.Metric, fam.Metric...)
		} else {
			into[name] = fam
		}
	}
}

func parseMetrics(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

func scrape(t *testing.T, addr string) string { t.Helper(); return scrapePath(t, addr, "/metrics") }

func scrapePath(t *testing.T, addr, path string) string {
	t.Helper()
	body, err := httpGet("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// promtoolCheckMetrics runs `promtool check metrics` on a scrape. Exit status 3 means
// naming findings only: they are logged, and fail the test for tweetflow's own metrics.
func promtoolCheckMetrics(t *testing.T, what, text string) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), "promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if strings.HasPrefix(line, "tweetflow_") {
				t.Errorf("promtool check metrics (%s): %s", what, line)
			} else {
				t.Logf("promtool check metrics (%s), not ours: %s", what, line)
			}
		}
	default:
		t.Errorf("promtool check metrics (%s): %v\n%s", what, err, out)
	}
}

// panelQuery is one query of one dashboard panel.
type panelQuery struct {
	dashboard, panel, refID, expr string
}

// dashboardPanel is the part of a Grafana panel the test reads; rows nest panels.
type dashboardPanel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"`
}

func dashboardQueries(t *testing.T) []panelQuery {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "grafana", "dashboards", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards in grafana/dashboards: %v", err)
	}
	var out []panelQuery
	var walk func(file string, panels []dashboardPanel)
	walk = func(file string, panels []dashboardPanel) {
		for _, p := range panels {
			for _, tg := range p.Targets {
				out = append(out, panelQuery{file, p.Title, tg.RefID, tg.Expr})
			}
			walk(file, p.Panels)
		}
	}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []dashboardPanel `json:"panels"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		walk(filepath.Base(path), d.Panels)
	}
	return out
}

// grafanaToPromQL replaces the Grafana variables the dashboards use, as deploytest's
// dashboards.PromQL does: every window becomes 1m, the datasource variable goes.
var grafanaToPromQL = strings.NewReplacer(
	"${__rate_interval}", "1m", "$__rate_interval", "1m",
	"${__interval}", "1m", "$__interval", "1m",
	"${__range}", "1m", "$__range", "1m",
	"${datasource}", "", "$datasource", "",
).Replace
