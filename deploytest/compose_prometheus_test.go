package deploytest_test

import (
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// rabbitmqMetricsPort is where the rabbitmq_prometheus plugin serves /metrics.
const rabbitmqMetricsPort = 15692

// promConfig is the part of a Prometheus configuration that names what is scraped.
type promConfig struct {
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
		DNSSDConfigs []struct {
			Names []string `yaml:"names"`
			Type  string   `yaml:"type"`
			Port  int      `yaml:"port"`
		} `yaml:"dns_sd_configs"`
	} `yaml:"scrape_configs"`
}

// prometheusConfig returns the configuration the prometheus service runs with, read
// from the repository file mounted where its --config.file flag points, and that path.
func prometheusConfig(t *testing.T, p *types.Project) (promConfig, string) {
	t.Helper()
	s := service(t, p, "prometheus")
	var file string
	for _, arg := range s.Command {
		if v, ok := strings.CutPrefix(arg, "--config.file="); ok {
			file = v
		}
	}
	if file == "" {
		t.Fatalf("prometheus command %q has no --config.file", s.Command)
	}
	var c promConfig
	b, err := os.ReadFile(hostPath(t, p, s, file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c, file
}

// metricsPort returns the port service name serves /metrics on, 0 when it serves none:
// the METRICS_ADDR a program runs with, or the RabbitMQ plugin's port when the mounted
// plugin list enables it.
func metricsPort(t *testing.T, p *types.Project, name string) int {
	t.Helper()
	s := p.Services[name]
	if prog, ok := programOf[name]; ok {
		addr := loadProgramConfig(t, p, name).MetricsAddr
		if addr == "" {
			return 0
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("%s (%s): METRICS_ADDR %q: %v", name, prog, addr, err)
		}
		n, _ := strconv.Atoi(port) // checked by config.Load
		return n
	}
	if name == "rabbitmq" {
		plugins, err := os.ReadFile(hostPath(t, p, s, "/etc/rabbitmq/enabled_plugins"))
		if err == nil && regexp.MustCompile(`\brabbitmq_prometheus\b`).Match(plugins) {
			return rabbitmqMetricsPort
		}
	}
	return 0
}

// scrapeTarget is one host and port a job scrapes.
type scrapeTarget struct {
	job, host string
	port      int
}

// scrapeTargets returns the static and DNS-discovered targets of every job.
func scrapeTargets(t *testing.T, c promConfig) []scrapeTarget {
	t.Helper()
	var out []scrapeTarget
	for _, sc := range c.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				host, port, err := net.SplitHostPort(target)
				n, convErr := strconv.Atoi(port)
				if err != nil || convErr != nil {
					t.Errorf("job %s: target %q is not host:port", sc.JobName, target)
					continue
				}
				out = append(out, scrapeTarget{sc.JobName, host, n})
			}
		}
		for _, sd := range sc.DNSSDConfigs {
			if sd.Type != "A" {
				t.Errorf("job %s: DNS discovery type %q, want A (compose serves a service's replicas as A records)",
					sc.JobName, sd.Type)
			}
			for _, name := range sd.Names {
				out = append(out, scrapeTarget{sc.JobName, name, sd.Port})
			}
		}
	}
	return out
}

func TestCompose_PrometheusTargetsAreServicesOnTheirMetricsPorts(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		c, _ := prometheusConfig(t, p)
		scraped := map[string]bool{}
		for _, st := range scrapeTargets(t, c) {
			scraped[st.host] = true
			if _, ok := p.Services[st.host]; !ok {
				t.Errorf("job %s scrapes %s, which is not a compose service", st.job, st.host)
			} else if want := metricsPort(t, p, st.host); st.port != want {
				t.Errorf("job %s scrapes %s on port %d, the service serves metrics on %d", st.job, st.host, st.port, want)
			}
		}
		for _, name := range []string{"worker", "producer", "rabbitmq"} {
			if !scraped[name] {
				t.Errorf("no job scrapes %s", name)
			}
		}
	})
}

func TestCompose_PrometheusRuleFilesAreMounted(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		c, file := prometheusConfig(t, p)
		if len(c.RuleFiles) == 0 {
			t.Fatal("prometheus.yml loads no rule files")
		}
		for _, pattern := range c.RuleFiles {
			if !path.IsAbs(pattern) {
				pattern = path.Join(path.Dir(file), pattern)
			}
			dir := hostPath(t, p, service(t, p, "prometheus"), path.Dir(pattern))
			matches, err := filepath.Glob(filepath.Join(dir, path.Base(pattern)))
			if err != nil || len(matches) == 0 {
				t.Errorf("rule_files %s: no mounted file matches (%v)", pattern, err)
			}
		}
	})
}
