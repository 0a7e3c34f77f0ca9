package deploytest_test

import (
	"go/version"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/tweetflow/tweetflow/deploytest/contextfs"
)

// dockerfile is one Dockerfile of the repository, parsed by BuildKit's own parser.
type dockerfile struct {
	name   string // the file's name in the repository root, e.g. Dockerfile.worker
	escape rune
	stages []instructions.Stage
	meta   []instructions.ArgCommand // the ARGs before the first FROM
}

// parseDockerfile parses name, failing the test on a syntax error or on any warning of
// the parser and of the lint rules BuildKit runs while parsing.
func parseDockerfile(t *testing.T, name string) dockerfile {
	t.Helper()
	f, err := os.Open(repoPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only: a failed close loses nothing
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: parser warning: %s", name, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		t.Errorf("%s:%v: %s: %s", name, loc, rule, msg)
	}})
	stages, meta, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(stages) == 0 {
		t.Fatalf("%s has no FROM", name)
	}
	return dockerfile{name: name, escape: res.EscapeToken, stages: stages, meta: meta}
}

// dockerfiles returns every Dockerfile in the repository root.
func dockerfiles(t *testing.T) []dockerfile {
	t.Helper()
	paths, err := filepath.Glob(repoPath(t, "Dockerfile*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Dockerfile in the repository (%v)", err)
	}
	var out []dockerfile
	for _, p := range paths {
		if !strings.HasSuffix(p, ".dockerignore") {
			out = append(out, parseDockerfile(t, filepath.Base(p)))
		}
	}
	return out
}

// base returns stage i's FROM with the ARGs before the first FROM expanded.
func (d dockerfile) base(t *testing.T, i int) string {
	t.Helper()
	var env []string
	for _, a := range d.meta {
		for _, kv := range a.Args {
			if kv.Value != nil {
				env = append(env, kv.Key+"="+*kv.Value)
			}
		}
	}
	word, _, err := shell.NewLex(d.escape).ProcessWord(d.stages[i].BaseName, shell.EnvsFromSlice(env))
	if err != nil {
		t.Fatalf("%s: FROM %s: %v", d.name, d.stages[i].BaseName, err)
	}
	return word
}

// stageIndex returns the stage named name (or numbered so) before stage before, -1 if none.
func (d dockerfile) stageIndex(name string, before int) int {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < before {
		return n
	}
	for i := range before {
		if strings.EqualFold(d.stages[i].Name, name) {
			return i
		}
	}
	return -1
}

// image returns the external image stage i starts from, following FROM <stage>.
func (d dockerfile) image(t *testing.T, i int) string {
	t.Helper()
	for {
		b := d.base(t, i)
		j := d.stageIndex(b, i)
		if j < 0 {
			return b
		}
		i = j
	}
}

// user returns the USER stage i runs as, inherited from the stage it starts from; "" when
// no USER is set.
func (d dockerfile) user(t *testing.T, i int) string {
	t.Helper()
	for ; i >= 0; i = d.stageIndex(d.base(t, i), i) {
		for _, c := range slices.Backward(d.stages[i].Commands) {
			if u, ok := c.(*instructions.UserCommand); ok {
				return u.User
			}
		}
	}
	return ""
}

// imageStages returns the stages that become images: the last, and every stage a compose
// service builds as its target.
func (d dockerfile) imageStages(t *testing.T) []int {
	t.Helper()
	out := []int{len(d.stages) - 1}
	for _, s := range loadCompose(t, "").Services {
		if s.Build == nil || s.Build.Dockerfile != d.name || s.Build.Target == "" {
			continue
		}
		i := d.stageIndex(s.Build.Target, len(d.stages))
		if i < 0 {
			t.Fatalf("%s builds target %q, which %s lacks", s.Name, s.Build.Target, d.name)
		}
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// stageName names stage i in messages.
func (d dockerfile) stageName(i int) string {
	if d.stages[i].Name != "" {
		return "stage " + d.stages[i].Name
	}
	return "stage " + strconv.Itoa(i)
}

// buildContext returns the build context of d, the repository root with the ignore file
// a build of d reads applied, plus extra patterns.
func buildContext(t *testing.T, d dockerfile, extra ...string) *contextfs.Context {
	t.Helper()
	root := repoPath(t, ".")
	file, err := contextfs.IgnoreFile(root, filepath.Join(root, d.name))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := contextfs.ReadRules(file)
	if err != nil {
		t.Fatal(err)
	}
	if rules, err = rules.With(extra...); err != nil {
		t.Fatal(err)
	}
	ctx, err := contextfs.Load(root, rules)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

func TestDockerfiles_BaseImagesArePinned(t *testing.T) {
	for _, d := range dockerfiles(t) {
		for i := range d.stages {
			b := d.base(t, i)
			if b == "scratch" || d.stageIndex(b, i) >= 0 {
				continue
			}
			if why := imagePinned(b); why != "" {
				t.Errorf("%s %s: FROM %s is not pinned: %s", d.name, d.stageName(i), b, why)
			}
		}
	}
}

// contextSources returns the build-context sources of a COPY or ADD, none for other
// instructions, COPY --from and fetched ADD sources.
func contextSources(c instructions.Command) []string {
	switch c := c.(type) {
	case *instructions.CopyCommand:
		if c.From == "" {
			return c.SourcePaths
		}
	case *instructions.AddCommand:
		return slices.DeleteFunc(slices.Clone(c.SourcePaths), isRemote)
	}
	return nil
}

func TestDockerfiles_CopySourcesAreInTheFilteredContext(t *testing.T) {
	for _, d := range dockerfiles(t) {
		ctx := buildContext(t, d)
		copies := 0
		for _, s := range d.stages {
			for _, c := range s.Commands {
				for _, src := range contextSources(c) {
					copies++
					if m, err := ctx.Match(src); err != nil || len(m) == 0 {
						t.Errorf("%s: %s: %q is not in the build context after .dockerignore (%v)", d.name, c.Name(), src, err)
					}
				}
			}
		}
		if copies == 0 {
			t.Errorf("%s copies nothing from the build context", d.name)
		}
	}
}

// isRemote reports whether an ADD source is fetched rather than taken from the context.
func isRemote(src string) bool {
	return strings.Contains(src, "://") || strings.HasPrefix(src, "git@")
}

// nonRoot reports whether USER value u names a user other than root.
func nonRoot(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	if n, err := strconv.Atoi(name); err == nil {
		return n != 0
	}
	return name != "" && name != "root"
}

// runtimeBase matches the images an image stage may start from: no shell, no toolchain.
var runtimeBase = regexp.MustCompile(`^(scratch|gcr\.io/distroless/(static|base)[a-z0-9-]*)$`)

func TestDockerfiles_ImagesRunAsNonRootWithoutToolchainOrSource(t *testing.T) {
	for _, d := range dockerfiles(t) {
		for _, i := range d.imageStages(t) {
			checkImageStage(t, d, i)
		}
	}
}

// checkImageStage checks a stage that becomes an image: a user other than root, a base
// without toolchain, only built files, and an ENTRYPOINT the stage copies in.
func checkImageStage(t *testing.T, d dockerfile, i int) {
	t.Helper()
	where := d.name + " " + d.stageName(i)
	if u := d.user(t, i); !nonRoot(u) {
		t.Errorf("%s runs as %q; set USER to a user other than root (nonroot, a uid above 0)", where, u)
	}
	img := d.image(t, i)
	name := img
	if n, err := reference.ParseNormalizedNamed(img); err == nil {
		name = reference.FamiliarName(n)
	}
	if !runtimeBase.MatchString(name) || strings.Contains(name, "golang") {
		t.Errorf("%s starts from %s; an image stage starts from distroless or scratch, without a Go toolchain", where, img)
	}
	for _, c := range d.stages[i].Commands {
		if src := contextSources(c); len(src) > 0 {
			t.Errorf("%s copies %q from the build context; an image holds only built files", where, src)
		}
	}
	if ep := d.entrypoint(i); len(ep) == 0 || !slices.Contains(d.copiedFiles(i), ep[0]) {
		t.Errorf("%s: ENTRYPOINT %q is not an exec-form command the stage copies in", where, ep)
	}
}

// entrypoint returns stage i's exec-form ENTRYPOINT, nil when it has none.
func (d dockerfile) entrypoint(i int) []string {
	for _, c := range slices.Backward(d.stages[i].Commands) {
		if ep, ok := c.(*instructions.EntrypointCommand); ok && !ep.PrependShell {
			return ep.CmdLine
		}
	}
	return nil
}

// copiedFiles returns the image paths stage i's COPY --from instructions write.
func (d dockerfile) copiedFiles(i int) []string {
	var out []string
	for _, c := range d.stages[i].Commands {
		cp, ok := c.(*instructions.CopyCommand)
		if !ok || cp.From == "" {
			continue
		}
		for _, src := range cp.SourcePaths {
			if len(cp.SourcePaths) == 1 && !strings.HasSuffix(cp.DestPath, "/") {
				out = append(out, cp.DestPath)
			} else {
				out = append(out, path.Join(cp.DestPath, path.Base(src)))
			}
		}
	}
	return out
}

func TestDockerfiles_ComposeHealthchecksRunTheImagesEntrypoint(t *testing.T) {
	p := loadCompose(t, "")
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil {
			continue
		}
		if s.Build.Context != repoPath(t, ".") {
			t.Errorf("%s builds from %s, want the repository root", name, s.Build.Context)
			continue
		}
		d := parseDockerfile(t, s.Build.Dockerfile)
		i := len(d.stages) - 1
		if s.Build.Target != "" {
			i = d.stageIndex(s.Build.Target, len(d.stages))
		}
		hc, ep := healthCommand(s.HealthCheck), d.entrypoint(i)
		if hc != nil && (len(ep) == 0 || hc[0] != ep[0]) {
			t.Errorf("%s: health check runs %s, the image's ENTRYPOINT is %q", name, hc[0], ep)
		}
	}
}

func TestDockerfiles_BuildImageGoIsAtLeastGoMod(t *testing.T) {
	b, err := os.ReadFile(repoPath(t, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := "go" + string(m[1])
	golangTag := regexp.MustCompile(`^golang:(\d+\.\d+(?:\.\d+)?)`)
	found := 0
	for _, d := range dockerfiles(t) {
		for i := range d.stages {
			tag := golangTag.FindStringSubmatch(d.base(t, i))
			if tag == nil {
				continue
			}
			found++
			if got := "go" + tag[1]; version.Compare(got, want) < 0 {
				t.Errorf("%s %s builds with %s, go.mod needs %s", d.name, d.stageName(i), got, want)
			}
		}
	}
	if found == 0 {
		t.Error("no stage starts from a golang image")
	}
}
