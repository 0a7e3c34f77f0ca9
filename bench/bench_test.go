package bench

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

var (
	sizeFlag  = flag.String("size", "tiny", "benchmark size: tiny (a smoke run for CI) or full")
	tableFlag = flag.String("table", "", "write the results as a Markdown table to this file")
)

// full reports whether the benchmarks run at full size.
func full() bool { return *sizeFlag == "full" }

// sized returns tinyN for a smoke run and fullN for a measurement.
func sized(tinyN, fullN int) int {
	if full() {
		return fullN
	}
	return tinyN
}

// Figure is one measured figure next to its reference.
type Figure struct {
	// Bench groups figures in the table ("1. publishing").
	Bench string
	// What is measured, with its unit ("signatures/s").
	What      string
	Measured  float64
	Reference float64
	// RefName says what the reference is ("raw amqp091-go, pipelined confirms").
	RefName string
	// Goal says what ratio (measured / reference) is wanted, and Met whether it was reached.
	Goal string
	Met  bool
	// HigherIsBetter orders the ratio: a rate wants Measured/Reference high, a time low.
	HigherIsBetter bool
	Note           string
}

// Ratio is Measured / Reference, 0 when there is no reference.
func (f Figure) Ratio() float64 {
	if f.Reference == 0 {
		return 0
	}
	return f.Measured / f.Reference
}

var (
	resultsMu sync.Mutex
	results   []Figure
	// tables are further Markdown tables, written after the figures in name order.
	tables = map[string]string{}
)

// recordTable keeps a Markdown table, headed by title, for the results file.
func recordTable(b *testing.B, title, table string) {
	b.Helper()
	resultsMu.Lock()
	tables[title] = table
	resultsMu.Unlock()
	b.Logf("%s\n%s", title, table)
}

// record keeps f for the table and reports it as benchmark metrics.
func record(b *testing.B, f Figure) {
	b.Helper()
	resultsMu.Lock()
	results = append(results, f)
	resultsMu.Unlock()
	unit := strings.ReplaceAll(f.What, " ", "_")
	b.ReportMetric(f.Measured, unit)
	if f.Reference != 0 {
		b.ReportMetric(f.Reference, "ref_"+unit)
		b.ReportMetric(f.Ratio(), "ratio")
	}
	b.Logf("%s: %s %s, reference (%s) %s, ratio %.2f, goal %s, met %v",
		f.Bench, num(f.Measured), f.What, f.RefName, num(f.Reference), f.Ratio(), f.Goal, f.Met)
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if *tableFlag != "" && code == 0 {
		if err := writeTable(*tableFlag); err != nil {
			fmt.Fprintln(os.Stderr, "bench: write the table:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func writeTable(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := renderTable(f, results); err != nil {
		_ = f.Close()
		return err
	}
	titles := make([]string, 0, len(tables))
	for t := range tables {
		titles = append(titles, t)
	}
	sort.Strings(titles)
	for _, t := range titles {
		if _, err := fmt.Fprintf(f, "\n%s\n\n%s", t, tables[t]); err != nil {
			_ = f.Close()
			return err
		}
	}
	return f.Close()
}

// renderTable writes figures as a Markdown table, grouped by benchmark in name order.
func renderTable(w io.Writer, figs []Figure) error {
	sorted := append([]Figure(nil), figs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Bench < sorted[j].Bench })
	var b strings.Builder
	b.WriteString("| Benchmark | Measured | Reference | Ratio | Goal | Met |\n")
	b.WriteString("|---|---:|---|---:|---|---|\n")
	for _, f := range sorted {
		ref, ratio := "—", "—"
		if f.RefName != "" {
			ref = fmt.Sprintf("%s (%s)", num(f.Reference), f.RefName)
		}
		if f.Reference != 0 {
			ratio = fmt.Sprintf("%.2f", f.Ratio())
		}
		met := "no"
		if f.Met {
			met = "yes"
		}
		what := f.Bench + ": " + f.What
		if f.Note != "" {
			what += " (" + f.Note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", what, num(f.Measured), ref, ratio, f.Goal, met)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// num formats a figure with as many digits as it needs.
func num(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}
