package config

import "strings"

// environMap turns "KEY=value" entries, as os.Environ returns them, into a
// map. As with os.Getenv, the first entry of a repeated key wins; entries
// without "=" are ignored.
func environMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		key, value, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			continue
		}
		if _, seen := m[key]; !seen {
			m[key] = value
		}
	}
	return m
}

// isSet reports whether name has a non-empty value; an empty value counts as
// unset everywhere except where the table says keepEmpty.
func isSet(m map[string]string, name string) bool {
	return m[name] != ""
}

// applyDefaults fills in program p's default for every variable that is
// unset. A variable marked keepEmpty keeps an explicitly empty value.
func applyDefaults(m map[string]string, p Program) {
	for _, v := range table {
		value, present := m[v.name]
		if value != "" || (present && v.keepEmpty) {
			continue
		}
		m[v.name] = v.defaultFor(p)
	}
}
