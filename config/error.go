package config

import (
	"slices"
	"strings"
)

// Error is one configuration problem. Its message is a single line,
// "VAR: problem; what to do", and never contains a secret's value.
type Error struct {
	// Var is the environment variable at fault, e.g. "WORKER_CONCURRENCY".
	Var string
	// Problem says what is wrong, e.g. `"abc" is not a whole number`.
	Problem string
	// Fix says what to do about it; it may be empty.
	Fix string
}

// Error returns "VAR: problem; fix", leaving out the parts that are empty.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Var != "" {
		b.WriteString(e.Var)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString("; ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Errors is every problem Load found, in the order of the variable table, so
// that a user can fix them all in one go. Its message is one line with the
// problems joined by "; ". errors.As finds each *Error inside it.
type Errors []*Error

// Error joins the messages of all problems with "; ".
func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the problems for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// problems collects the errors found while loading, one list for all steps.
type problems struct {
	list []*Error
}

// add records e.
func (ps *problems) add(e *Error) {
	ps.list = append(ps.list, e)
}

// has reports whether a problem with the variable name (or its _FILE form)
// was already recorded, so later checks of the same variable can be skipped.
func (ps *problems) has(name string) bool {
	return slices.ContainsFunc(ps.list, func(e *Error) bool {
		return e.Var == name || e.Var == name+fileSuffix
	})
}

// err returns nil, the only problem, or all problems sorted by the position
// of their variable in the table.
func (ps *problems) err() error {
	switch len(ps.list) {
	case 0:
		return nil
	case 1:
		return ps.list[0]
	}
	sorted := slices.Clone(ps.list)
	slices.SortStableFunc(sorted, func(a, b *Error) int {
		return varIndex(a.Var) - varIndex(b.Var)
	})
	return Errors(sorted)
}
