package main

import (
	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/metrics"
)

// newHealthcheckCommand is the container health check: the runtime image has no shell or
// HTTP client, so the program asks its own running instance.
func newHealthcheckCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 if the worker running here answers healthy on METRICS_ADDR, 1 otherwise",
		Long: "healthcheck asks /healthz on METRICS_ADDR (default :9101) of the worker on this host.\n" +
			"The worker is healthy while it is subscribed to the task queue.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := metrics.ProbeEnv(cmd.Context(), ":9101"); err != nil {
				return runError{err}
			}
			return nil
		},
	}
}
