package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// fileSuffix turns a secret's name into the variable naming a file that
// holds it, as Docker secrets are mounted.
const fileSuffix = "_FILE"

// resolveSecrets replaces every secret given as NAME_FILE by the trimmed
// contents of that file, so that m[NAME] holds the value. Setting both NAME
// and NAME_FILE, an unreadable file and an empty file are problems; none of
// them mentions the file's contents.
func resolveSecrets(m map[string]string, ps *problems) {
	for _, v := range table {
		if !v.secret || !isSet(m, v.name+fileSuffix) {
			continue
		}
		if e := resolveSecret(m, v.name); e != nil {
			ps.add(e)
		}
	}
}

// resolveSecret reads the file named by name_FILE into m[name].
func resolveSecret(m map[string]string, name string) *Error {
	fileVar := name + fileSuffix
	if isSet(m, name) {
		return &Error{
			Var:     name,
			Problem: fmt.Sprintf("both %s and %s are set", name, fileVar),
			Fix:     "set only one of them",
		}
	}
	path := m[fileVar]
	value, e := readSecretFile(fileVar, path)
	if e != nil {
		return e
	}
	m[name] = value
	return nil
}

// readSecretFile returns the contents of path with surrounding whitespace
// trimmed. Its errors name fileVar and path only.
func readSecretFile(fileVar, path string) (string, *Error) {
	data, err := os.ReadFile(path) //nolint:gosec // the operator names the secret file to read
	if err != nil {
		return "", &Error{
			Var:     fileVar,
			Problem: fmt.Sprintf("cannot read %q (%s)", path, readFailure(err)),
			Fix:     "point it at a readable file holding the secret",
		}
	}
	value := strings.TrimSpace(string(data))
	if value == "" {
		return "", &Error{
			Var:     fileVar,
			Problem: fmt.Sprintf("%q is empty", path),
			Fix:     "write the secret into it",
		}
	}
	return value, nil
}

// readFailure says briefly why a file could not be read, without repeating
// the path that the caller already names.
func readFailure(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return "read failed"
}
