package config

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// listKind describes one top-level list of the sources file.
type listKind struct {
	kind     SourceKind
	list     string // top-level key, "users"
	entry    string // what an entry is called, "user"
	valueKey string // key of the value in a mapping entry, "handle"
}

// lists are the top-level keys of the sources file.
var lists = []listKind{
	{kind: KindUser, list: "users", entry: "user", valueKey: "handle"},
	{kind: KindQuery, list: "queries", entry: "query", valueKey: "query"},
}

// sourcesParser walks the YAML tree of a sources file, collecting sources
// and every problem found.
type sourcesParser struct {
	file    string
	sources []Source
	errs    []error
	seen    map[string]int // Key of each source to its line
}

// entry is one list item before its value is checked.
type entry struct {
	value, schedule          string
	line, valueLine, schLine int
	// The adaptive schedule's settings of the entry, and their lines.
	priority, minInterval, maxInterval string
	prioLine, minLine, maxLine         int
}

// fail records a problem at line.
func (p *sourcesParser) fail(line int, problem, fix string) {
	p.errs = append(p.errs, &SourceError{File: p.file, Line: line, Problem: problem, Fix: fix})
}

// parseRoot walks the top-level mapping.
func (p *sourcesParser) parseRoot(root *yaml.Node) {
	if root.Kind != yaml.MappingNode {
		p.fail(root.Line, "the file is not a mapping", "start it with users: or queries:")
		return
	}
	keyLines := map[string]int{}
	for _, kv := range pairs(root) {
		lk, ok := findList(kv.key.Value)
		if !ok || kv.key.Kind != yaml.ScalarNode {
			p.fail(kv.key.Line, fmt.Sprintf("unknown top-level key %q", kv.key.Value),
				"use users or queries")
			continue
		}
		if first, dup := keyLines[lk.list]; dup {
			p.fail(kv.key.Line, fmt.Sprintf("%s appears again (first on line %d)", lk.list, first),
				"merge the two lists")
		}
		keyLines[lk.list] = kv.key.Line
		p.parseList(lk, kv)
	}
}

// findList returns the list whose top-level key is name.
func findList(name string) (listKind, bool) {
	for _, lk := range lists {
		if lk.list == name {
			return lk, true
		}
	}
	return listKind{}, false
}

// parseList walks the items of one top-level list.
func (p *sourcesParser) parseList(lk listKind, kv pair) {
	if isNull(kv.value) {
		return
	}
	if kv.value.Kind != yaml.SequenceNode {
		p.fail(kv.key.Line, lk.list+" is not a list",
			`write each `+lk.entry+` on its own line starting with "- "`)
		return
	}
	for _, item := range kv.value.Content {
		if e, ok := p.parseItem(lk, item); ok {
			p.addSource(lk, e)
		}
	}
}

// parseItem reads one list item, a bare value or a mapping. A bare value
// reached through an alias is placed on the alias's line.
func (p *sourcesParser) parseItem(lk listKind, node *yaml.Node) (entry, bool) {
	item := resolve(node)
	switch item.Kind {
	case yaml.ScalarNode:
		e := entry{value: item.Value, line: node.Line, valueLine: node.Line}
		if isNull(item) {
			e.value = ""
		}
		return e, true
	case yaml.MappingNode:
		return p.parseItemMap(lk, item)
	}
	p.fail(item.Line, "a "+lk.entry+" entry is neither a value nor a mapping",
		fmt.Sprintf("write the %s, or a mapping with %s: and optional schedule:, priority:, "+
			"min_interval: and max_interval: keys", lk.valueKey, lk.valueKey))
	return entry{}, false
}

// parseItemMap reads an item written as a mapping with the value key and
// an optional schedule.
func (p *sourcesParser) parseItemMap(lk listKind, item *yaml.Node) (entry, bool) {
	e := entry{line: item.Line}
	ok, hasValue := true, false
	for _, kv := range pairs(item) {
		field := p.itemField(lk, &e, kv)
		switch {
		case field == nil:
			ok = false
		case kv.value.Kind != yaml.ScalarNode:
			p.fail(kv.value.Line, kv.key.Value+" is not a single value", "give it one value")
			ok = false
		default:
			*field = scalarText(kv.value)
			hasValue = hasValue || kv.key.Value == lk.valueKey
		}
	}
	if ok && !hasValue {
		p.fail(item.Line, "a "+lk.entry+" entry has no "+lk.valueKey,
			"add "+lk.valueKey+": to it")
		ok = false
	}
	return e, ok
}

// itemField returns where the value of the item key kv goes, recording the
// key's line, or nil after recording an unknown or repeated key.
func (p *sourcesParser) itemField(lk listKind, e *entry, kv pair) *string {
	field, line := &e.value, &e.valueLine
	switch kv.key.Value {
	case lk.valueKey:
	case "schedule":
		field, line = &e.schedule, &e.schLine
	case "priority":
		field, line = &e.priority, &e.prioLine
	case "min_interval":
		field, line = &e.minInterval, &e.minLine
	case "max_interval":
		field, line = &e.maxInterval, &e.maxLine
	default:
		p.fail(kv.key.Line, fmt.Sprintf("unknown key %q in a %s entry (known: %s, schedule, priority, "+
			"min_interval, max_interval)", kv.key.Value, lk.entry, lk.valueKey), "")
		return nil
	}
	if *line != 0 {
		p.fail(kv.key.Line, kv.key.Value+" appears twice in one entry", "keep one of them")
		return nil
	}
	*line = kv.value.Line
	return field
}

// scalarText returns the text of a scalar, "" for a null.
func scalarText(n *yaml.Node) string {
	if isNull(n) {
		return ""
	}
	return n.Value
}

// quoteShort quotes s, cut to its first 40 characters, for a message.
func quoteShort(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return strconv.Quote(s)
	}
	return strconv.Quote(string(r[:40])) + "..."
}
