package deploytest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/tweetflow/tweetflow/deploytest/contextfs"
)

// buildEnv is the environment the simulated `go build` runs in: this machine's, with the
// module cache and build cache it already has, offline, with the local toolchain and
// without a workspace, CGO off as in the Dockerfiles.
func buildEnv() []string {
	return append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off")
}

// stageBuild is a build stage of a Dockerfile replayed on this machine: its COPY
// instructions copy from the filtered context into a folder standing for the image's
// root, and its `go build` commands run there.
type stageBuild struct {
	t       *testing.T
	d       dockerfile
	ctx     *contextfs.Context
	imgRoot string // the folder that stands for the image's /
	root    *os.Root
	workdir string // the stage's WORKDIR, an image path
	env     []string
	builds  int // go build commands run
}

// buildStages returns the stages of d that run `go build`.
func buildStages(d dockerfile) []int {
	var out []int
	for i, s := range d.stages {
		if slices.ContainsFunc(s.Commands, func(c instructions.Command) bool {
			r, ok := c.(*instructions.RunCommand)
			return ok && strings.Contains(strings.Join(r.CmdLine, " "), "go build")
		}) {
			out = append(out, i)
		}
	}
	return out
}

// replay runs stage i of d against ctx; it returns the image root and the first failed
// `go build`, failing the test for what makes the replay itself impossible.
func replay(t *testing.T, d dockerfile, i int, ctx *contextfs.Context) (string, error) {
	t.Helper()
	b := &stageBuild{t: t, d: d, ctx: ctx, imgRoot: t.TempDir(), workdir: "/", env: buildEnv()}
	root, err := os.OpenRoot(b.imgRoot)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = root.Close() }() // nothing is written through it after the build
	b.root = root
	for _, c := range d.stages[i].Commands {
		if err := b.run(c); err != nil {
			return b.imgRoot, err
		}
	}
	if b.builds == 0 {
		t.Fatalf("%s %s runs no go build", d.name, d.stageName(i))
	}
	return b.imgRoot, nil
}

// run replays one instruction; only a failed go build is returned.
func (b *stageBuild) run(c instructions.Command) error {
	t := b.t
	t.Helper()
	switch c := c.(type) {
	case *instructions.WorkdirCommand:
		b.workdir = b.resolve(c.Path)
		if dir := strings.TrimPrefix(b.workdir, "/"); dir != "" {
			if err := b.root.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			b.env = append(b.env, kv.Key+"="+kv.Value)
		}
	case *instructions.CopyCommand:
		if c.From != "" {
			t.Fatalf("%s: COPY --from=%s in a build stage is not replayed", b.d.name, c.From)
		}
		dest := b.resolve(c.DestPath)
		if strings.HasSuffix(c.DestPath, "/") || c.DestPath == "." {
			dest += "/"
		}
		if err := b.ctx.CopyInto(b.root, dest, c.SourcePaths...); err != nil {
			t.Fatalf("%s: %v", b.d.name, err)
		}
	case *instructions.RunCommand:
		return b.runShell(c)
	}
	return nil
}

// runShell splits a RUN into its commands and runs the go build ones.
func (b *stageBuild) runShell(c *instructions.RunCommand) error {
	t := b.t
	t.Helper()
	words := c.CmdLine
	if c.PrependShell {
		var err error
		words, err = shell.NewLex(b.d.escape).ProcessWords(strings.Join(c.CmdLine, " "), shell.EnvsFromSlice(b.env))
		if err != nil {
			t.Fatalf("%s: RUN %s: %v", b.d.name, c.CmdLine, err)
		}
	}
	for cmd := range splitCommands(words) {
		assign, argv := splitAssignments(cmd)
		if len(argv) < 2 || argv[0] != "go" || argv[1] != "build" {
			t.Logf("%s: not replayed: %s", b.d.name, strings.Join(cmd, " "))
			continue
		}
		b.builds++
		if err := b.goBuild(assign, argv[2:]); err != nil {
			return err
		}
	}
	return nil
}

// goBuild runs `go build args...` in the stage's WORKDIR, with -o paths moved into the
// image root.
func (b *stageBuild) goBuild(assign, args []string) error {
	args = slices.Clone(args)
	for i, a := range args {
		switch {
		case a == "-o" && i+1 < len(args):
			args[i+1] = b.imagePath(args[i+1])
		case strings.HasPrefix(a, "-o="):
			args[i] = "-o=" + b.imagePath(a[len("-o="):])
		}
	}
	cmd := exec.CommandContext(b.t.Context(), "go", append([]string{"build"}, args...)...)
	cmd.Dir = b.imagePath(b.workdir)
	cmd.Env = append(slices.Clone(b.env), assign...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// imagePath maps an image path, absolute or relative to WORKDIR, into the image root,
// keeping a trailing slash.
func (b *stageBuild) imagePath(p string) string {
	host := filepath.Join(b.imgRoot, filepath.FromSlash(b.resolve(p)))
	if strings.HasSuffix(p, "/") {
		host += string(filepath.Separator)
	}
	return host
}

// resolve returns image path p, absolute or relative to WORKDIR, as an absolute path.
func (b *stageBuild) resolve(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(b.workdir, p)
}

// splitCommands yields the commands of a shell line split at &&, || and ;.
func splitCommands(words []string) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		start := 0
		for i := 0; i <= len(words); i++ {
			if i < len(words) && words[i] != "&&" && words[i] != "||" && words[i] != ";" {
				continue
			}
			if i > start && !yield(words[start:i]) {
				return
			}
			start = i + 1
		}
	}
}

// splitAssignments splits the NAME=value words before a command from the command.
func splitAssignments(cmd []string) (assign, argv []string) {
	i := 0
	for i < len(cmd) && strings.Contains(cmd[i], "=") && !strings.HasPrefix(cmd[i], "-") {
		i++
	}
	return cmd[:i], cmd[i:]
}

func TestDockerfiles_ProgramsBuildFromTheFilteredContext(t *testing.T) {
	for _, d := range dockerfiles(t) {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			stages := buildStages(d)
			if len(stages) == 0 {
				t.Fatalf("%s has no stage that runs go build", d.name)
			}
			ctx := buildContext(t, d)
			for _, i := range stages {
				imgRoot, err := replay(t, d, i, ctx)
				if err != nil {
					t.Fatalf("%s %s does not build from the context .dockerignore leaves: %v", d.name, d.stageName(i), err)
				}
				checkCopiedOut(t, d, i, imgRoot)
			}
		})
	}
}

// fromBuilderImage are files the runtime stages copy from the golang builder image itself,
// not from the build: Debian's CA bundle, for HTTPS to the API from a scratch image.
var fromBuilderImage = map[string]bool{"/etc/ssl/certs/ca-certificates.crt": true}

// checkCopiedOut checks that every later COPY --from of build stage i finds its source.
func checkCopiedOut(t *testing.T, d dockerfile, i int, imgRoot string) {
	t.Helper()
	for j := i + 1; j < len(d.stages); j++ {
		for _, c := range d.stages[j].Commands {
			cp, ok := c.(*instructions.CopyCommand)
			if !ok || cp.From == "" || d.stageIndex(cp.From, j) != i {
				continue
			}
			for _, src := range cp.SourcePaths {
				if fromBuilderImage[src] {
					continue
				}
				if _, err := os.Stat(filepath.Join(imgRoot, filepath.FromSlash(src))); err != nil {
					t.Errorf("%s %s copies %s from %s, which the build did not produce", d.name, d.stageName(j), src, d.stageName(i))
				}
			}
		}
	}
}

func TestDockerfiles_BuildFailsWhenAnIgnoreRuleDropsTheMigrations(t *testing.T) {
	for _, d := range dockerfiles(t) {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := buildContext(t, d, "store/migrations")
			for _, i := range buildStages(d) {
				_, err := replay(t, d, i, ctx)
				if err == nil {
					t.Fatalf("%s %s builds without store/migrations, which the store embeds", d.name, d.stageName(i))
				}
				if !strings.Contains(err.Error(), "migrations") {
					t.Errorf("the build failed, but not for the missing migrations: %v", err)
				}
			}
		})
	}
}

func TestDockerignore_KeepsLocalStateOutAndTheBuildInputsIn(t *testing.T) {
	rules, err := contextfs.ReadRules(repoPath(t, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		out  bool
	}{
		{".env", true},
		{"secrets/twitter_bearer_token", true},
		{"config/demo-token.txt", true},
		{".git/HEAD", true},
		{"bin/worker", true},
		{"store/store_test.go", true},
		{"twittersim/testdata/recording.json", true},
		{"deploytest/go.mod", true},
		{"docker-compose.yml", true},
		{"go.mod", false},
		{"go.sum", false},
		{"store/migrate.go", false},
		{"store/migrations/00001_init.sql", false},
		{"worker/main.go", false},
		{"twittersim/cmd/twittersim/main.go", false},
	} {
		got, err := rules.Excludes(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.out {
			t.Errorf(".dockerignore excludes %s: %v, want %v", tt.path, got, tt.out)
		}
	}
}
