// Package contextfs reproduces a Docker build context as the builder receives it: the files
// of a folder minus what its ignore file excludes, decided by the pattern matcher Docker's
// builders use (github.com/moby/patternmatcher). The deployment tests check COPY sources
// against it and build the programs from a copy of it.
package contextfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Rules are the exclude patterns of one build context, in file order; a pattern starting
// with ! re-includes what earlier patterns excluded.
type Rules struct {
	patterns []string
	matcher  *patternmatcher.PatternMatcher
}

// NewRules compiles patterns, written as in a .dockerignore file but already cleaned the
// way ignorefile.ReadAll cleans them.
func NewRules(patterns ...string) (*Rules, error) {
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("compile ignore patterns: %w", err)
	}
	return &Rules{patterns: slices.Clone(patterns), matcher: pm}, nil
}

// IgnoreFile returns the ignore file a build of dockerfile (a path inside root) reads, as
// BuildKit picks it: <dockerfile>.dockerignore next to the Dockerfile when it exists, else
// .dockerignore at the root of the context. It returns "" when neither exists.
func IgnoreFile(root, dockerfile string) (string, error) {
	for _, p := range []string{dockerfile + ".dockerignore", filepath.Join(root, ".dockerignore")} {
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("look for ignore file: %w", err)
		}
	}
	return "", nil
}

// ReadRules reads the ignore file at path with the reader Docker uses; an empty path means
// a context without one, which excludes nothing.
func ReadRules(path string) (*Rules, error) {
	if path == "" {
		return NewRules()
	}
	f, err := os.Open(path) //nolint:gosec // the tests name the ignore file of their own repository
	if err != nil {
		return nil, fmt.Errorf("read ignore file: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: a failed close loses nothing
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read ignore file %s: %w", path, err)
	}
	return NewRules(patterns...)
}

// With returns rules that apply extra patterns after r's own.
func (r *Rules) With(extra ...string) (*Rules, error) {
	return NewRules(append(slices.Clone(r.patterns), extra...)...)
}

// Patterns returns the patterns in the order they apply.
func (r *Rules) Patterns() []string {
	return slices.Clone(r.patterns)
}

// Excludes reports whether the builder leaves out rel, a slash-separated path relative to
// the context root: a path is left out when it or one of its parent folders matches, the
// last matching pattern deciding.
func (r *Rules) Excludes(rel string) (bool, error) {
	out, err := r.matcher.MatchesOrParentMatches(filepath.FromSlash(rel))
	if err != nil {
		return false, fmt.Errorf("match %s against ignore patterns: %w", rel, err)
	}
	return out, nil
}

// mayReinclude reports whether a pattern starting with ! could bring back something under
// the excluded folder dir, so that the walk has to look inside it. Like Docker's own walk,
// it looks only at exceptions whose text starts with the folder's path.
func (r *Rules) mayReinclude(dir string) bool {
	if !r.matcher.Exclusions() {
		return false
	}
	prefix := filepath.FromSlash(dir) + string(filepath.Separator)
	for _, p := range r.matcher.Patterns() {
		if p.Exclusion() && strings.HasPrefix(p.String()+string(filepath.Separator), prefix) {
			return true
		}
	}
	return false
}
