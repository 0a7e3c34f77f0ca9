// Package dashboards loads tweetflow's Grafana dashboards strictly into the Grafana
// Foundation SDK's types and lists the PromQL queries of their panels, so that the
// deployment tests and any tool checking the dashboards work from the same list.
package dashboards

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// DatasourceVariable is how every panel and query names its data source: the dashboard's
// template variable of type datasource, so that no dashboard depends on a fixed uid.
const DatasourceVariable = "${datasource}"

// Dashboard is the SDK's type of the classic dashboard JSON model, the one Grafana's file
// provisioning reads and these files are written in. The SDK marks it deprecated in favour
// of dashboardv2, which describes a different resource format.
type Dashboard = dashboard.Dashboard //nolint:staticcheck // the files are classic dashboard JSON, see above

// File is one dashboard file, decoded.
type File struct {
	Name      string // base name, e.g. fetch.json
	Dashboard *Dashboard
}

// Query is one PromQL target of one panel.
type Query struct {
	Dashboard string // file base name
	Panel     string // panel title
	RefID     string
	Expr      string // as written in the dashboard, Grafana variables included
	// Datasource is the uid the target names, or its panel's when the target names none.
	Datasource string
}

// registerPlugins makes the SDK decode panel options and Prometheus targets into their
// own types, so that strict decoding reaches inside them.
var registerPlugins = sync.OnceFunc(plugins.RegisterDefaultPlugins)

// Load decodes the dashboard JSON at path strictly: unknown or misspelt fields, values of
// the wrong type, missing required fields, panel types the SDK does not know and targets
// that are not Prometheus queries are all errors.
func Load(path string) (*Dashboard, error) {
	registerPlugins()
	raw, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("read dashboard: %w", err)
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("dashboard %s: not valid JSON", path)
	}
	var strict Dashboard
	if err := noBuildErrors(strict.UnmarshalJSONStrict(raw)); err != nil {
		return nil, fmt.Errorf("decode dashboard %s: %w", path, err)
	}
	// The strict decoder of SDK v0.0.22 checks every panel but keeps none of them: it
	// mistakes the empty error list of a panel it decoded for a failure. The lenient
	// decoder keeps them; after the strict pass it has nothing left to be lenient about.
	var d Dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode dashboard %s: %w", path, err)
	}
	if err := noBuildErrors(d.Validate()); err != nil {
		return nil, fmt.Errorf("validate dashboard %s: %w", path, err)
	}
	if err := checkKnownTypes(&d); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", path, err)
	}
	return &d, nil
}

// noBuildErrors turns the SDK's empty cog.BuildErrors, which it returns as a non-nil
// error when decoding succeeded, into nil.
func noBuildErrors(err error) error {
	var be cog.BuildErrors
	if errors.As(err, &be) && len(be) == 0 {
		return nil
	}
	return err
}

// checkKnownTypes rejects what strict decoding lets through undecoded: a panel type
// without an SDK schema (its options stay a map) and a target of no known data source.
func checkKnownTypes(d *Dashboard) error {
	var errs []error
	for _, p := range Panels(d) {
		if _, ok := cog.ConfigForPanelcfgVariant(p.Type); !ok {
			errs = append(errs, fmt.Errorf("panel %q: unknown panel type %q", title(p), p.Type))
		}
		for i, t := range p.Targets {
			if _, ok := t.(*prometheus.Dataquery); !ok {
				errs = append(errs, fmt.Errorf("panel %q: target %d is not a Prometheus query", title(p), i))
			}
		}
	}
	return errors.Join(errs...)
}

// LoadDir loads every *.json file of dir, sorted by name. A folder without dashboards is
// an error.
func LoadDir(dir string) ([]File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no dashboards (*.json) in %s", dir)
	}
	sort.Strings(paths)
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		d, err := Load(p)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: filepath.Base(p), Dashboard: d})
	}
	return files, nil
}

// Panels returns the dashboard's panels in order, those of collapsed rows included; the
// rows themselves are left out.
func Panels(d *Dashboard) []dashboard.Panel {
	var out []dashboard.Panel
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			out = append(out, *p.Panel)
		case p.RowPanel != nil:
			out = append(out, p.RowPanel.Panels...)
		}
	}
	return out
}

// Queries lists every target of every panel of the dashboards in dir, in order.
func Queries(dir string) ([]Query, error) {
	files, err := LoadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Query
	for _, f := range files {
		for _, p := range Panels(f.Dashboard) {
			out = append(out, panelQueries(f.Name, p)...)
		}
	}
	return out, nil
}

func panelQueries(file string, p dashboard.Panel) []Query {
	var out []Query
	for _, t := range p.Targets {
		q, ok := t.(*prometheus.Dataquery)
		if !ok {
			continue // Load has already refused it
		}
		ds := uid(q.Datasource)
		if q.Datasource == nil {
			ds = uid(p.Datasource)
		}
		out = append(out, Query{
			Dashboard: file, Panel: title(p), RefID: deref(q.RefId), Expr: q.Expr, Datasource: ds,
		})
	}
	return out
}

// grafanaVariables are the variables a dashboard query may use, with the value they get
// for checking the query against Prometheus: one minute for every window.
var grafanaVariables = strings.NewReplacer(
	"${__rate_interval}", "1m", "$__rate_interval", "1m",
	"${__interval}", "1m", "$__interval", "1m",
	"${__range}", "1m", "$__range", "1m",
	"${datasource}", "", "$datasource", "",
)

// PromQL returns expr with Grafana's variables replaced, ready for Prometheus to parse or
// run: every window ($__rate_interval, $__interval, $__range) becomes 1m and the
// datasource variable is removed.
func PromQL(expr string) string { return grafanaVariables.Replace(expr) }

func title(p dashboard.Panel) string { return deref(p.Title) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func uid(ref *common.DataSourceRef) string {
	if ref == nil {
		return ""
	}
	return deref(ref.Uid)
}
