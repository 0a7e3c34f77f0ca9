package config

import (
	"errors"
	"regexp"
	"strings"
)

// urlScheme matches the start of a value written as a URL.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// hasURLScheme reports whether s is written as a URL rather than a DSN.
func hasURLScheme(s string) bool {
	return urlScheme.MatchString(s)
}

// dsnPair is one key=value setting of a PostgreSQL DSN; value is kept as
// written, quotes included.
type dsnPair struct {
	key, value string
}

// errDSNSyntax is returned for a DSN that is not a list of key=value pairs.
var errDSNSyntax = errors.New("is not a list of key=value pairs")

// splitDSN splits a DSN such as "host=db password='a b'" into its pairs,
// allowing spaces around "=" and single-quoted values with backslash escapes.
func splitDSN(s string) ([]dsnPair, error) {
	var pairs []dsnPair
	rest := strings.TrimSpace(s)
	for rest != "" {
		key, after, ok := strings.Cut(rest, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t\r\n") {
			return nil, errDSNSyntax
		}
		value, tail, err := dsnValue(strings.TrimLeft(after, " \t\r\n"))
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, dsnPair{key: key, value: value})
		rest = strings.TrimSpace(tail)
	}
	return pairs, nil
}

// dsnValue cuts the value at the start of s, quoted or up to the next space,
// and returns it and the remaining text.
func dsnValue(s string) (value, tail string, err error) {
	if !strings.HasPrefix(s, "'") {
		end := strings.IndexAny(s, " \t\r\n")
		if end < 0 {
			return s, "", nil
		}
		return s[:end], s[end:], nil
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'':
			return s[:i+1], s[i+1:], nil
		}
	}
	return "", "", errors.New("has an unterminated quote")
}

// redactDSN returns the DSN with every password setting replaced by
// "xxxxx"; a DSN that does not split is replaced entirely.
func redactDSN(s string) string {
	pairs, err := splitDSN(s)
	if err != nil {
		return redacted
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		if strings.Contains(strings.ToLower(p.key), "password") {
			p.value = redacted
		}
		parts[i] = p.key + "=" + p.value
	}
	return strings.Join(parts, " ")
}
