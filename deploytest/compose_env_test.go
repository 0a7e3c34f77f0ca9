package deploytest_test

import (
	"cmp"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/twittersim"
)

// programOf is the configuration each service running one of the programs loads: the
// migration is the producer's `migrate` command.
var programOf = map[string]config.Program{
	"worker":   config.Worker,
	"producer": config.Producer,
	"migrate":  config.Producer,
}

// secretsDir is where Docker mounts a service's secrets.
const secretsDir = "/run/secrets"

// hostPath returns the repository file that service s sees at containerPath, through one
// of its secrets or bind mounts; it fails the test when none provides it.
func hostPath(t *testing.T, p *types.Project, s types.ServiceConfig, containerPath string) string {
	t.Helper()
	for _, sec := range s.Secrets {
		target := sec.Target
		if target == "" {
			target = sec.Source
		}
		if !path.IsAbs(target) {
			target = path.Join(secretsDir, target)
		}
		if target == containerPath {
			return p.Secrets[sec.Source].File
		}
	}
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if v.Target == containerPath {
			return v.Source
		}
		if rest, ok := strings.CutPrefix(containerPath, v.Target+"/"); ok {
			return filepath.Join(v.Source, filepath.FromSlash(rest))
		}
	}
	t.Errorf("%s reads %s, but no secret or mount of the service provides it", s.Name, containerPath)
	return ""
}

// hostEnviron returns service s's environment as program prog would see it, with the
// NAME_FILE of each secret pointing at the repository file mounted there.
func hostEnviron(t *testing.T, p *types.Project, s types.ServiceConfig, prog config.Program) []string {
	t.Helper()
	secretFile := map[string]bool{}
	for _, v := range config.Vars(prog) {
		secretFile[v.Name+"_FILE"] = v.Secret
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		v := env(s, k)
		if secretFile[k] && v != "" {
			v = hostPath(t, p, s, v)
		}
		out = append(out, k+"="+v)
	}
	return out
}

// loadProgramConfig loads the configuration of the program service name runs, failing
// the test when the program would refuse to start.
func loadProgramConfig(t *testing.T, p *types.Project, name string) *config.Config {
	t.Helper()
	prog := programOf[name]
	cfg, err := config.Load(prog, hostEnviron(t, p, service(t, p, name), prog))
	if err != nil {
		t.Fatalf("%s: the %s refuses this environment: %v", name, prog, err)
	}
	return cfg
}

func TestCompose_ProgramsGetEveryRequiredVariableAndNoUnknownOne(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		for _, name := range slices.Sorted(maps.Keys(programOf)) {
			s, prog := service(t, p, name), programOf[name]
			known := map[string]bool{}
			for _, v := range config.Vars(prog) {
				known[v.Name] = true
				known[v.Name+"_FILE"] = v.Secret
				given := env(s, v.Name) != "" || v.Secret && env(s, v.Name+"_FILE") != ""
				if v.Required && v.Default == "" && !given {
					t.Errorf("%s: the %s requires %s, which is not set", name, prog, v.Name)
				}
			}
			for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
				if !known[k] {
					t.Errorf("%s sets %s, which the %s does not read", name, k, prog)
				}
			}
			loadProgramConfig(t, p, name)
		}
	})
}

func TestCompose_ProducerReadsTheMountedSourcesFile(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		cfg := loadProgramConfig(t, p, "producer")
		file := hostPath(t, p, service(t, p, "producer"), cfg.SourcesFile)
		if file == "" {
			return
		}
		sources, err := config.LoadSources(file)
		if err != nil || len(sources) == 0 {
			t.Errorf("the producer's sources file %s: %d sources, %v", file, len(sources), err)
		}
	})
}

// isGuest reports whether v is RabbitMQ's well-known account or a URL logging in with it.
func isGuest(v string) bool {
	lower := strings.ToLower(v)
	if lower == "guest" || strings.Contains(lower, "guest:guest") {
		return true
	}
	u, err := url.Parse(v)
	return err == nil && u.User != nil && strings.EqualFold(u.User.Username(), "guest")
}

// guestUses returns where the project uses the guest account: service variables and
// secret files.
func guestUses(p *types.Project) []string {
	var out []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
			if isGuest(env(s, k)) {
				out = append(out, name+" "+k)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		b, err := os.ReadFile(p.Secrets[name].File)
		if err == nil && isGuest(strings.TrimSpace(string(b))) {
			out = append(out, "secret "+name)
		}
	}
	return out
}

func TestCompose_NoServiceUsesGuest(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		for _, use := range guestUses(p) {
			t.Errorf("%s uses the guest account", use)
		}
		rmq := service(t, p, "rabbitmq")
		for _, k := range []string{"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"} {
			if v := env(rmq, k); v == "" || isGuest(v) {
				t.Errorf("rabbitmq: %s is %q; unset or guest, the broker creates guest:guest", k, v)
			}
		}
	})
}

func TestCompose_ProgramsUseTheAccountsTheServersCreate(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		rmq, pg := service(t, p, "rabbitmq"), service(t, p, "postgres")
		for _, name := range slices.Sorted(maps.Keys(programOf)) {
			cfg := loadProgramConfig(t, p, name)
			checkBrokerAccount(t, name, cfg.BrokerURL, rmq)
			checkDatabaseAccount(t, name, cfg.DatabaseURL, pg)
		}
	})
}

// checkBrokerAccount checks that service name reaches the rabbitmq service with the
// account and vhost it creates.
func checkBrokerAccount(t *testing.T, name, brokerURL string, rmq types.ServiceConfig) {
	t.Helper()
	b, err := url.Parse(brokerURL)
	if err != nil {
		t.Fatalf("%s: broker URL does not parse: %v", name, err)
	}
	wantVhost := cmp.Or(env(rmq, "RABBITMQ_DEFAULT_VHOST"), "/")
	vhost := cmp.Or(strings.TrimPrefix(b.Path, "/"), "/")
	if b.Hostname() != rmq.Name || cmp.Or(b.Port(), "5672") != "5672" || vhost != wantVhost {
		t.Errorf("%s reaches the broker at %s vhost %q, want rabbitmq:5672 vhost %q", name, b.Host, vhost, wantVhost)
	}
	pass, _ := b.User.Password()
	if b.User.Username() != env(rmq, "RABBITMQ_DEFAULT_USER") || pass != env(rmq, "RABBITMQ_DEFAULT_PASS") {
		t.Errorf("%s logs in to the broker as %q, not with the account rabbitmq creates", name, b.User.Username())
	}
}

// checkDatabaseAccount checks that service name reaches the postgres service's database
// with the account it creates.
func checkDatabaseAccount(t *testing.T, name, databaseURL string, pg types.ServiceConfig) {
	t.Helper()
	db, err := pgconn.ParseConfig(databaseURL)
	if err != nil {
		t.Fatalf("%s: DATABASE_URL does not parse: %v", name, err)
	}
	wantDB := cmp.Or(env(pg, "POSTGRES_DB"), env(pg, "POSTGRES_USER"))
	if db.Host != pg.Name || db.Port != 5432 || db.Database != wantDB {
		t.Errorf("%s reaches %s:%d database %q, want postgres:5432 database %q", name, db.Host, db.Port, db.Database, wantDB)
	}
	if db.User != env(pg, "POSTGRES_USER") || db.Password != env(pg, "POSTGRES_PASSWORD") {
		t.Errorf("%s logs in to PostgreSQL as %q, not with the account postgres creates", name, db.User)
	}
}

func TestCompose_DemoWorkerReachesTwittersimWithItsToken(t *testing.T) {
	forEachEnv(t, func(t *testing.T, p *types.Project) {
		cfg := loadProgramConfig(t, p, "worker")
		api, err := url.Parse(cfg.TwitterAPIURL)
		if err != nil || api.Hostname() != "twittersim" {
			t.Fatalf("the demo worker calls %q (%v), want twittersim", cfg.TwitterAPIURL, err)
		}
		sim := service(t, p, "twittersim")
		_, simPort, err := net.SplitHostPort(env(sim, "SIM_ADDR"))
		if err != nil || api.Port() != simPort {
			t.Errorf("the worker calls port %q, twittersim listens on SIM_ADDR %q", api.Port(), env(sim, "SIM_ADDR"))
		}
		if cfg.TwitterBearerToken != cmp.Or(env(sim, "SIM_TOKEN"), twittersim.DefaultToken) {
			t.Error("the worker's bearer token is not the one twittersim accepts")
		}
		if d, ok := service(t, p, "worker").DependsOn["twittersim"]; !ok || d.Condition != healthy {
			t.Error("the demo worker does not wait for twittersim to be healthy")
		}
	})
}
