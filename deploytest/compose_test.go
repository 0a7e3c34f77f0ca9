package deploytest_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository, relative to this module's folder, where go test runs.
const repoRoot = ".."

// The depends_on conditions the stack uses.
const (
	healthy   = types.ServiceConditionHealthy
	completed = types.ServiceConditionCompletedSuccessfully
)

// composeEnvs are the two ways the stack is started: with no .env at all, when the file's
// own defaults apply, and with .env.example's values as .env.
var composeEnvs = []struct{ name, envFile string }{
	{name: "without .env"},
	{name: "with .env.example", envFile: ".env.example"},
}

// repoPath returns the absolute path of rel, a slash-separated path in the repository.
func repoPath(t *testing.T, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// loadCompose loads docker-compose.yml with the Compose Specification's loader, from the
// repository as project folder, with envFile (relative to it) as the .env or none. The
// process environment is not used, so neither a developer's variables nor a local .env
// change the result.
func loadCompose(t *testing.T, envFile string) *types.Project {
	t.Helper()
	root := repoPath(t, ".")
	opts := []cli.ProjectOptionsFn{cli.WithWorkingDirectory(root)}
	if envFile != "" {
		opts = append(opts, cli.WithEnvFiles(filepath.Join(root, envFile)), cli.WithDotEnv)
	}
	o, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	return p
}

// forEachEnv runs check on the project as each of composeEnvs loads it.
func forEachEnv(t *testing.T, check func(t *testing.T, p *types.Project)) {
	t.Helper()
	for _, e := range composeEnvs {
		t.Run(e.name, func(t *testing.T) { check(t, loadCompose(t, e.envFile)) })
	}
}

// service returns the named service, failing the test when the file lacks it.
func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q", name)
	}
	return s
}

// env returns a service's variable, "" when it is unset or has no value.
func env(s types.ServiceConfig, name string) string {
	if v := s.Environment[name]; v != nil {
		return *v
	}
	return ""
}

// imagePinned returns "" when ref names one version of an image (a version tag other than
// latest, or a digest), else why not.
func imagePinned(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return err.Error()
	}
	if _, ok := named.(reference.Digested); ok {
		return ""
	}
	tagged, ok := named.(reference.Tagged)
	switch {
	case !ok:
		return "no tag, which means latest"
	case tagged.Tag() == "latest" || !strings.ContainsAny(tagged.Tag(), "0123456789"):
		return "tag " + tagged.Tag() + " names no version"
	}
	return ""
}

func TestCompose_LoadsWithoutEnvFileAndWithTheExample(t *testing.T) {
	want := []string{"grafana", "migrate", "postgres", "producer", "prometheus", "rabbitmq", "twittersim", "worker"}
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		if p.Name != "tweetflow" {
			t.Errorf("project name %q, want tweetflow", p.Name)
		}
		if got := p.ServiceNames(); !slices.Equal(got, want) {
			t.Errorf("services %v, want %v", got, want)
		}
	})
}

// envExampleNames returns the variables .env.example sets or shows commented out.
func envExampleNames(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^#? ?([A-Z][A-Z0-9_]*)=`)
	names := map[string]bool{}
	for _, m := range line.FindAllStringSubmatch(string(b), -1) {
		names[m[1]] = true
	}
	return names
}

// unsetReferences loads docker-compose.yml with no .env and returns every variable
// reference that interpolated to nothing because it is unset and has no default.
func unsetReferences(t *testing.T) []string {
	t.Helper()
	var unset []string
	record := func(substring string, mapping template.Mapping, cfg *template.Config) (string, error) {
		value, applied, err := template.DefaultReplacementAppliedFunc(substring, mapping, cfg)
		if !applied {
			unset = append(unset, substring)
		}
		return value, err
	}
	root := repoPath(t, ".")
	o, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithLoadOptions(func(o *loader.Options) {
			if o.Interpolate == nil { // the options of reading the files, before loading
				return
			}
			o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
				return template.SubstituteWithOptions(s, m, template.WithReplacementFunction(record), template.WithoutLogging)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.LoadProject(t.Context()); err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	return unset
}

func TestCompose_EveryVariableHasADefault(t *testing.T) {
	for _, ref := range unsetReferences(t) {
		t.Errorf("%s has no default (write ${NAME:-value}): without .env it is empty", ref)
	}
}

func TestCompose_EveryVariableIsInEnvExample(t *testing.T) {
	b, err := os.ReadFile(repoPath(t, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var model map[string]any
	if err := yaml.Unmarshal(b, &model); err != nil {
		t.Fatal(err)
	}
	vars := template.ExtractVariables(model, template.DefaultPattern)
	if len(vars) == 0 {
		t.Fatal("docker-compose.yml interpolates no variable; the test reads the wrong file")
	}
	documented := envExampleNames(t)
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if !documented[name] {
			t.Errorf("${%s} is read from .env but .env.example neither sets nor shows it", name)
		}
	}
}

func TestCompose_ExternalImagesArePinnedAndBuiltImagesTaggedLocally(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		for _, name := range p.ServiceNames() {
			s := p.Services[name]
			if s.Build != nil {
				if !strings.HasPrefix(s.Image, "tweetflow/") || !strings.HasSuffix(s.Image, ":dev") {
					t.Errorf("%s builds its image but tags it %q, want tweetflow/...:dev", name, s.Image)
				}
				continue
			}
			if why := imagePinned(s.Image); why != "" {
				t.Errorf("%s: image %q is not pinned: %s", name, s.Image, why)
			}
		}
	})
}

// wantHealthcheck is the start of each service's health check command.
var wantHealthcheck = map[string][]string{
	"rabbitmq":   {"rabbitmq-diagnostics"},
	"postgres":   {"pg_isready"},
	"twittersim": {"/twittersim", "healthcheck"},
	"worker":     {"/worker", "healthcheck"},
	"producer":   {"/producer", "healthcheck"},
}

// healthCommand returns the words of a health check's command, CMD or CMD-SHELL form.
func healthCommand(hc *types.HealthCheckConfig) []string {
	if hc == nil || hc.Disable || len(hc.Test) < 2 {
		return nil
	}
	switch hc.Test[0] {
	case "CMD":
		return hc.Test[1:]
	case "CMD-SHELL":
		return strings.Fields(strings.Join(hc.Test[1:], " "))
	}
	return nil
}

func TestCompose_HealthchecksAreWhatStartupWaitsOn(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		for _, name := range slices.Sorted(maps.Keys(wantHealthcheck)) {
			hc, want := service(t, p, name).HealthCheck, wantHealthcheck[name]
			if got := healthCommand(hc); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
				t.Errorf("%s: health check runs %q, want it to start with %q", name, got, want)
				continue
			}
			if hc.Interval == nil || hc.Timeout == nil || hc.Retries == nil || hc.StartPeriod == nil {
				t.Errorf("%s: health check lacks interval, timeout, retries or start_period", name)
			}
		}
		checkDependencies(t, p)
	})
}

// waitFor is the condition every dependency on these services must use.
var waitFor = map[string]string{"rabbitmq": healthy, "postgres": healthy, "migrate": completed}

// checkDependencies checks every depends_on condition against its target, and that the
// programs wait for the servers and the migration.
func checkDependencies(t *testing.T, p *types.Project) {
	t.Helper()
	for _, name := range p.ServiceNames() {
		for dep, d := range p.Services[name].DependsOn {
			target := p.Services[dep]
			switch {
			case waitFor[dep] != "" && d.Condition != waitFor[dep]:
				t.Errorf("%s waits for %s with %s, want %s", name, dep, d.Condition, waitFor[dep])
			case d.Condition == healthy && healthCommand(target.HealthCheck) == nil:
				t.Errorf("%s waits for %s to be healthy, but %s has no health check", name, dep, dep)
			case d.Condition == completed && target.Restart != types.RestartPolicyNo:
				t.Errorf("%s waits for %s to complete, but %s restarts (%q)", name, dep, dep, target.Restart)
			}
		}
	}
	for _, w := range []struct{ service, on string }{
		{"migrate", "postgres"},
		{"worker", "migrate"},
		{"worker", "rabbitmq"},
		{"worker", "postgres"},
		{"producer", "migrate"},
		{"producer", "rabbitmq"},
	} {
		if _, ok := service(t, p, w.service).DependsOn[w.on]; !ok {
			t.Errorf("%s does not wait for %s", w.service, w.on)
		}
	}
	if got := service(t, p, "migrate").Command; !slices.Equal(got, types.ShellCommand{"migrate"}) {
		t.Errorf("migrate runs %q, want [migrate]", got)
	}
}

// dataDir is where each server keeps its data, which must be a named volume.
var dataDir = map[string]string{
	"rabbitmq":   "/var/lib/rabbitmq",
	"postgres":   "/var/lib/postgresql/data",
	"prometheus": "/prometheus",
	"grafana":    "/var/lib/grafana",
}

func TestCompose_ServersKeepDataInNamedVolumes(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		for _, name := range slices.Sorted(maps.Keys(dataDir)) {
			dir := dataDir[name]
			i := slices.IndexFunc(service(t, p, name).Volumes, func(v types.ServiceVolumeConfig) bool {
				return v.Target == dir
			})
			if i < 0 {
				t.Errorf("%s mounts nothing at %s, its data folder", name, dir)
				continue
			}
			v := p.Services[name].Volumes[i]
			if _, declared := p.Volumes[v.Source]; v.Type != types.VolumeTypeVolume || !declared {
				t.Errorf("%s: %s is a %s mount of %q, want a named volume of the file", name, dir, v.Type, v.Source)
			}
		}
		if flag := "--storage.tsdb.path=" + dataDir["prometheus"]; !slices.Contains(p.Services["prometheus"].Command, flag) {
			t.Errorf("prometheus command %q lacks %s", p.Services["prometheus"].Command, flag)
		}
		if h := service(t, p, "rabbitmq").Hostname; h == "" {
			t.Error("rabbitmq has no fixed hostname: its node name, and so its data folder, would change with each container")
		}
	})
}

func TestCompose_MountedFilesExistInTheRepository(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		root := repoPath(t, ".")
		for _, name := range p.ServiceNames() {
			for _, v := range p.Services[name].Volumes {
				if v.Type != types.VolumeTypeBind {
					continue
				}
				checkInRepo(t, root, name+" mount at "+v.Target, v.Source)
				if !v.ReadOnly {
					t.Errorf("%s mounts %s read-write; configuration is mounted read-only", name, v.Source)
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
			checkInRepo(t, root, "secret "+name, p.Secrets[name].File)
		}
	})
}

// checkInRepo fails the test unless path exists inside the repository.
func checkInRepo(t *testing.T, root, what, path string) {
	t.Helper()
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		t.Errorf("%s: %s is outside the repository", what, path)
		return
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}
