package contextfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Context is a build context after its ignore rules: every file, folder and symbolic link
// the builder receives, by slash-separated path relative to the context root. The
// Dockerfile and the ignore file reach the builder whatever the rules say, but COPY sees
// them only when the rules keep them, which is what Context holds.
type Context struct {
	root    string
	entries map[string]fs.FileMode // type bits of each kept path
}

// Load walks root, without following symbolic links, and keeps what rules do not exclude.
// A folder that is excluded is not entered unless a ! pattern may bring back something
// inside it, as Docker walks a context.
func Load(root string, rules *Rules) (*Context, error) {
	c := &Context{root: root, entries: map[string]fs.FileMode{".": fs.ModeDir}}
	err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		out, err := rules.Excludes(p)
		switch {
		case err != nil:
			return err
		case out && d.IsDir() && !rules.mayReinclude(p):
			return fs.SkipDir
		case !out:
			c.add(p, d.Type())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk build context %s: %w", root, err)
	}
	return c, nil
}

// add records p and the folders above it, which the builder creates for a file kept
// inside an excluded folder.
func (c *Context) add(p string, typ fs.FileMode) {
	c.entries[p] = typ.Type()
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		if _, ok := c.entries[dir]; ok {
			return
		}
		c.entries[dir] = fs.ModeDir
	}
}

// Paths returns every kept path but the root, sorted.
func (c *Context) Paths() []string {
	var out []string
	for p := range c.entries {
		if p != "." {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Match returns the kept paths a COPY or ADD source names, sorted: the path itself, or
// every path its wildcards (*, ?, [...], as in path.Match) match. A source is relative to
// the context root even when written with a leading slash; "." is the whole context.
func (c *Context) Match(src string) ([]string, error) {
	p := cleanSource(src)
	if !hasWildcard(p) {
		if _, ok := c.entries[p]; ok {
			return []string{p}, nil
		}
		return nil, nil
	}
	var out []string
	for q := range c.entries {
		ok, err := path.Match(p, q)
		if err != nil {
			return nil, fmt.Errorf("COPY source %q: %w", src, err)
		}
		if ok {
			out = append(out, q)
		}
	}
	slices.Sort(out)
	return out, nil
}

func cleanSource(src string) string {
	p := strings.TrimPrefix(path.Clean("/"+src), "/")
	if p == "" {
		return "."
	}
	return p
}

func hasWildcard(p string) bool {
	return strings.ContainsAny(p, "*?[")
}

// CopyInto does what `COPY sources... dest` does to an image whose root folder is dst: a
// folder source copies its contents, a file source becomes dest itself unless dest ends
// with a slash, is an existing folder, or several files are copied, when it goes into dest
// under its own name. dest is slash-separated, relative to the image root. A source the
// context lacks is an error, as it fails the image build.
func (c *Context) CopyInto(dst *os.Root, dest string, sources ...string) error {
	src, err := os.OpenRoot(c.root)
	if err != nil {
		return fmt.Errorf("open build context: %w", err)
	}
	defer func() { _ = src.Close() }() // read only: a failed close loses nothing
	slash := strings.HasSuffix(dest, "/")
	dest = strings.TrimPrefix(path.Clean("/"+dest), "/")
	if dest == "" {
		dest = "."
	}
	intoDir, err := copiesIntoDir(dst, dest, slash, sources)
	if err != nil {
		return err
	}
	for _, s := range sources {
		matches, err := c.Match(s)
		if err != nil {
			return err
		}
		if len(matches) == 0 {
			return fmt.Errorf("COPY source %q: not in the build context", s)
		}
		for _, m := range matches {
			if err := c.copyOne(src, dst, m, dest, intoDir); err != nil {
				return fmt.Errorf("COPY %s to %s: %w", m, dest, err)
			}
		}
	}
	return nil
}

// copiesIntoDir reports whether COPY treats dest, written with a trailing slash or not,
// as a folder.
func copiesIntoDir(dst *os.Root, dest string, slash bool, sources []string) (bool, error) {
	if slash || dest == "." || len(sources) > 1 || slices.ContainsFunc(sources, hasWildcard) {
		return true, nil
	}
	info, err := dst.Stat(dest)
	switch {
	case err == nil:
		return info.IsDir(), nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("inspect COPY destination %s: %w", dest, err)
	}
}

// copyOne copies the kept path m, and for a folder everything kept under it, to dest.
func (c *Context) copyOne(src, dst *os.Root, m, dest string, intoDir bool) error {
	if c.entries[m] != fs.ModeDir {
		target := dest
		if intoDir {
			target = path.Join(dest, path.Base(m))
		}
		return copyEntry(src, dst, m, target, c.entries[m])
	}
	if err := dst.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	for _, p := range c.Paths() {
		rel, ok := under(m, p)
		if !ok {
			continue
		}
		if err := copyEntry(src, dst, p, path.Join(dest, rel), c.entries[p]); err != nil {
			return err
		}
	}
	return nil
}

// under returns p relative to dir when p lies inside it.
func under(dir, p string) (string, bool) {
	if dir == "." {
		return p, true
	}
	return strings.CutPrefix(p, dir+"/")
}

// copyEntry copies one file, folder or symbolic link from the context to the image.
func copyEntry(src, dst *os.Root, from, to string, typ fs.FileMode) error {
	if err := dst.MkdirAll(path.Dir(to), 0o755); err != nil {
		return err
	}
	switch typ {
	case fs.ModeDir:
		return dst.MkdirAll(to, 0o755)
	case fs.ModeSymlink:
		link, err := src.Readlink(from)
		if err != nil {
			return err
		}
		return dst.Symlink(link, to)
	default:
		return copyFile(src, dst, from, to)
	}
}

func copyFile(src, dst *os.Root, from, to string) error {
	in, err := src.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read only: a failed close loses nothing
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := dst.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close() // the copy has failed already; that error is the one to report
		return err
	}
	return out.Close()
}
