package deploytest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// The repository files under test, relative to this module's folder.
var (
	dashboardDir    = filepath.Join("..", "grafana", "dashboards")
	provisioningDir = filepath.Join("..", "grafana", "provisioning")
	prometheusDir   = filepath.Join("..", "prometheus")
	metricsDoc      = filepath.Join("..", "docs", "metrics.md")
)

// promql parses with the options Prometheus itself runs with by default.
var promql = parser.NewParser(parser.Options{})

// docRow matches a table row of docs/metrics.md that documents a metric: its name in
// backticks, then its type.
var docRow = regexp.MustCompile("^\\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \\| (counter|gauge|histogram|summary) \\|")

// documentedMetrics returns the metrics docs/metrics.md lists, name → type.
func documentedMetrics(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(readFile(t, metricsDoc), "\n") {
		if m := docRow.FindStringSubmatch(line); m != nil {
			out[m[1]] = m[2]
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s documents no metrics (no rows like | `name` | counter | ...)", metricsDoc)
	}
	return out
}

// undocumentedMetrics returns the metric names expr selects that docs lacks; a histogram's
// _bucket, _sum and _count series count as the histogram.
func undocumentedMetrics(expr parser.Expr, docs map[string]string) []string {
	var missing []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if ok && !documented(vs.Name, docs) {
			missing = append(missing, vs.Name)
		}
		return nil
	})
	return missing
}

func documented(name string, docs map[string]string) bool {
	if _, ok := docs[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		if ok && (docs[base] == "histogram" || docs[base] == "summary" && suffix != "_bucket") {
			return true
		}
	}
	return false
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	return paths
}
