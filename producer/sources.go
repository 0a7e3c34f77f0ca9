package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/store"
)

func newSourcesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sources",
		Short: "List each source with its cursor, last fetch, last error and tweets stored",
		Long: "sources lists every source of SOURCES_FILE with its state in the database: status,\n" +
			"cursor (newest tweet id stored), time of the last successful fetch, the last error\n" +
			"and the number of tweets it has stored. Sources in the database that the file no\n" +
			"longer lists (or that were fetched by hand) are listed too, marked as such.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runErr(listSources(cmd.Context(), cmd.OutOrStdout()))
		},
	}
}

func listSources(ctx context.Context, out io.Writer) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	sources, err := config.LoadSources(e.cfg.SourcesFile)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	known, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	gaps, err := st.GapCounts(ctx)
	if err != nil {
		return err
	}
	var plans map[string]store.PlanRow // the adaptive schedule's; a fixed schedule has none
	if e.cfg.ScheduleMode == config.ScheduleAdaptive {
		if plans, err = st.Plans(ctx); err != nil {
			return err
		}
	}
	return printSources(out, e.cfg, sources, state{known: known, gaps: gaps, plans: plans})
}

// state is what the database says of the sources.
type state struct {
	known map[string]*store.Source
	gaps  map[int64]int
	plans map[string]store.PlanRow
}

func printSources(out io.Writer, cfg *config.Config, sources []config.Source, st state) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSOURCE\tSCHEDULE\tSTATUS\tCURSOR\tLAST SUCCESS\tSTORED\tGAPS\tINTERVAL\tWHY\tLAST ERROR")
	listed := map[string]bool{}
	for _, src := range sources {
		listed[src.Key()] = true
		sched := src.Schedule
		if sched == "" {
			sched = cfg.FetchSchedule
		}
		if cfg.ScheduleMode == config.ScheduleAdaptive {
			sched = "adaptive"
			if src.Priority != "" && src.Priority != config.PriorityNormal {
				sched += ", " + src.Priority
			}
		}
		printRow(tw, string(src.Kind), src.Value, sched, src.Key(), st)
	}
	var extra []string
	for key := range st.known {
		if !listed[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	for _, key := range extra {
		s := st.known[key]
		printRow(tw, s.Kind, s.Value, "(not in file)", key, st)
	}
	return tw.Flush()
}

func printRow(w io.Writer, kind, value, sched, key string, st state) {
	interval, why := "-", "-"
	if p, ok := st.plans[key]; ok {
		interval, why = p.Interval.Round(time.Second).String(), p.Reason
	}
	s := st.known[key]
	if s == nil {
		fmt.Fprintf(w, "%s\t%s\t%s\tnever fetched\t-\t-\t0\t0\t%s\t%s\t-\n", kind, value, sched, interval, why)
		return
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", kind, value, sched, s.Status,
		orDash(idString(s.CursorID)), timeOrDash(s.LastSuccessAt), s.TweetsStored, st.gaps[s.ID],
		interval, why, orDash(s.LastError))
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func newMigrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema migrations and exit",
		Long: "migrate brings the PostgreSQL schema up to date. The producer and the worker also do\n" +
			"this at start, under an advisory lock, so running it first is optional.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runErr(migrate(cmd.Context(), cmd.OutOrStdout()))
		},
	}
}

func migrate(ctx context.Context, out io.Writer) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	st, err := store.Connect(ctx, e.cfg.DatabaseURL, 1, e.log)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "schema up to date (%d migrations applied now)\n", len(applied))
	return nil
}
