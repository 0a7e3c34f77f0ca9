package contextfs_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tweetflow/tweetflow/deploytest/contextfs"
)

// writeTree creates the files in the folder dir, each holding its own name.
func writeTree(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newContext(t *testing.T, ignore string) (*contextfs.Context, string) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, "go.mod", "a/x.go", "a/x_test.go", "docs/readme.md", "docs/keep.md",
		"secrets/token", "Dockerfile")
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(ignore), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := contextfs.ReadRules(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := contextfs.Load(dir, rules)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, dir
}

const ignore = `# comment
**/*_test.go
docs
!docs/keep.md
/secrets/
.dockerignore
Dockerfile
`

func TestLoad_AppliesPatternsParentsAndExceptionsAsDockerDoes(t *testing.T) {
	ctx, _ := newContext(t, ignore)
	want := []string{"a", "a/x.go", "docs", "docs/keep.md", "go.mod"}
	if got := ctx.Paths(); !slices.Equal(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
}

func TestMatch_NamesCopySources(t *testing.T) {
	ctx, _ := newContext(t, ignore)
	for _, tt := range []struct {
		src  string
		want []string
	}{
		{".", []string{"."}},
		{"./", []string{"."}},
		{"/go.mod", []string{"go.mod"}},
		{"a/*.go", []string{"a/x.go"}},
		{"docs", []string{"docs"}},
		{"secrets", nil},
		{"Dockerfile", nil},
	} {
		got, err := ctx.Match(tt.src)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}

func TestCopyInto_FollowsCopySemantics(t *testing.T) {
	ctx, _ := newContext(t, ignore)
	img := t.TempDir()
	root, err := os.OpenRoot(img)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = root.Close() }()
	for _, c := range []struct {
		dest    string
		sources []string
	}{
		{"/src/", []string{"go.mod"}},
		{"/src", []string{"."}},
		{"/one", []string{"go.mod"}},
		{"/many/", []string{"go.mod", "a"}},
	} {
		if err := ctx.CopyInto(root, c.dest, c.sources...); err != nil {
			t.Fatalf("COPY %v %s: %v", c.sources, c.dest, err)
		}
	}
	for f, from := range map[string]string{
		"src/go.mod": "go.mod", "src/a/x.go": "a/x.go", "src/docs/keep.md": "docs/keep.md",
		"one": "go.mod", "many/go.mod": "go.mod", "many/x.go": "a/x.go",
	} {
		if b, err := os.ReadFile(filepath.Join(img, f)); err != nil || string(b) != from {
			t.Errorf("%s holds %q (%v), want the copy of %s", f, b, err, from)
		}
	}
	for _, f := range []string{"src/a/x_test.go", "src/docs/readme.md", "src/secrets"} {
		if _, err := os.Stat(filepath.Join(img, f)); err == nil {
			t.Errorf("%s was copied although .dockerignore excludes it", f)
		}
	}
	if err := ctx.CopyInto(root, "/x/", "secrets/token"); err == nil {
		t.Error("copying an excluded file succeeded, want the error a build gives")
	}
}

func TestIgnoreFile_PrefersTheDockerfilesOwn(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, ".dockerignore", "Dockerfile.worker")
	df := filepath.Join(dir, "Dockerfile.worker")
	if got, err := contextfs.IgnoreFile(dir, df); err != nil || got != filepath.Join(dir, ".dockerignore") {
		t.Errorf("IgnoreFile = %q, %v; want the context's .dockerignore", got, err)
	}
	writeTree(t, dir, "Dockerfile.worker.dockerignore")
	if got, err := contextfs.IgnoreFile(dir, df); err != nil || got != df+".dockerignore" {
		t.Errorf("IgnoreFile = %q, %v; want Dockerfile.worker.dockerignore", got, err)
	}
}
