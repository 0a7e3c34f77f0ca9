package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// yamlLine finds the line number in a YAML syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeSourcesYAML parses data into its top-level node. It returns nil for a
// file with no content and a *SourceError for a syntax error.
func decodeSourcesYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &SourceError{
			File: name, Line: extra.Line,
			Problem: "a second YAML document starts here", Fix: "keep all sources in one document",
		}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, nil
	}
	return doc.Content[0], nil
}

// syntaxError turns a YAML parser error into a SourceError on the line the
// parser reports.
func syntaxError(name string, err error) *SourceError {
	e := &SourceError{File: name, Problem: err.Error(), Fix: "fix the YAML syntax", cause: err}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Problem = m[2]
	}
	return e
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an empty value, as in "users:" with nothing
// after it.
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// pair is one key and value of a YAML mapping.
type pair struct {
	key, value *yaml.Node
}

// pairs returns the keys and values of the mapping n.
func pairs(n *yaml.Node) []pair {
	ps := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		ps = append(ps, pair{key: resolve(n.Content[i]), value: resolve(n.Content[i+1])})
	}
	return ps
}
