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
		Short: "Exit 0 if the producer running here answers healthy on METRICS_ADDR, 1 otherwise",
		Long:  "healthcheck asks /healthz on METRICS_ADDR (default :9102) of the producer on this host.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := metrics.ProbeEnv(cmd.Context(), ":9102"); err != nil {
				return runError{err}
			}
			return nil
		},
	}
}
