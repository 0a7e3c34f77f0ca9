package deploytest

import (
	"bytes"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes the YAML file at path into v, refusing keys v does not have.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(readFile(t, path))))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestProvisioning_DatasourceIsPrometheusWithAFixedUID(t *testing.T) {
	var f struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string         `yaml:"name"`
			UID       string         `yaml:"uid"`
			Type      string         `yaml:"type"`
			Access    string         `yaml:"access"`
			URL       string         `yaml:"url"`
			IsDefault bool           `yaml:"isDefault"`
			Editable  bool           `yaml:"editable"`
			JSONData  map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	decodeStrict(t, filepath.Join(provisioningDir, "datasources", "prometheus.yml"), &f)
	if f.APIVersion != 1 || len(f.Datasources) != 1 {
		t.Fatalf("apiVersion %d with %d data sources, want 1 and 1", f.APIVersion, len(f.Datasources))
	}
	ds := f.Datasources[0]
	got := [4]string{ds.Name, ds.UID, ds.Type, ds.URL}
	want := [4]string{"Prometheus", "prometheus", "prometheus", "http://prometheus:9090"}
	if got != want {
		t.Errorf("name, uid, type, url = %q, want %q", got, want)
	}
}

func TestProvisioning_DashboardProviderReadsTheMountedDashboards(t *testing.T) {
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name                  string `yaml:"name"`
			OrgID                 int    `yaml:"orgId"`
			Folder                string `yaml:"folder"`
			Type                  string `yaml:"type"`
			DisableDeletion       bool   `yaml:"disableDeletion"`
			AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
			UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
			Options               struct {
				Path                      string `yaml:"path"`
				FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeStrict(t, filepath.Join(provisioningDir, "dashboards", "dashboards.yml"), &f)
	if f.APIVersion != 1 || len(f.Providers) != 1 {
		t.Fatalf("apiVersion %d with %d providers, want 1 and 1", f.APIVersion, len(f.Providers))
	}
	p := f.Providers[0]
	if p.Type != "file" || p.Options.Path != "/etc/grafana/dashboards" {
		t.Errorf("provider type %q, path %q; want file, /etc/grafana/dashboards (as docs/metrics.md says)",
			p.Type, p.Options.Path)
	}
}
