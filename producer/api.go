package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/store"
)

func newAPICommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Show or lift the pauses of API calls the workers share",
		Long: "Workers pause API calls for the whole pool: one endpoint until its rate-limit window\n" +
			"resets, or every call after a usage cap, depleted credits or a refused token. Tasks that\n" +
			"arrive meanwhile are deferred or skipped, and no cursor moves, so nothing is lost.",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List the pauses in force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runErr(withStore(cmd.Context(), func(ctx context.Context, st *store.Store) error {
				return printPauses(ctx, st, cmd.OutOrStdout())
			}))
		},
	}, &cobra.Command{
		Use:   "resume",
		Short: "Lift every pause, once the cap is raised, the credits topped up or the token fixed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runErr(withStore(cmd.Context(), func(ctx context.Context, st *store.Store) error {
				n, err := st.ClearPauses(ctx, time.Now().UTC())
				if err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "%d pauses lifted; workers call the API again\n", n)
				}
				return err
			}))
		},
	})
	return cmd
}

// withStore runs fn with the database, bounded in time as a command-line tool should be.
func withStore(parent context.Context, fn func(context.Context, *store.Store) error) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(parent, 30*time.Second)
	defer cancel()
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(ctx, st)
}

func printPauses(ctx context.Context, st *store.Store, out io.Writer) error {
	pauses, err := st.Pauses(ctx, time.Now().UTC())
	if err != nil {
		return err
	}
	if len(pauses) == 0 {
		fmt.Fprintln(out, "no pauses: workers call the API freely")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tREASON\tUNTIL\tDETAIL")
	for _, p := range pauses {
		until := "producer api resume"
		if !p.Until.IsZero() {
			until = p.Until.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Endpoint, p.Reason, until, p.Detail)
	}
	return tw.Flush()
}
