package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/tasks"
)

// publishTimeout bounds how long a manual fetch waits for the broker.
const publishTimeout = 30 * time.Second

func newFetchCommand() *cobra.Command {
	var user, query string
	var all bool
	cmd := &cobra.Command{
		Use:   "fetch (--user NAME | --query TEXT | --all)",
		Short: "Publish one fetch task now (or one per source) and exit",
		Long: "fetch publishes one fetch-source task for a user handle or a recent-search query and\n" +
			"exits once RabbitMQ has confirmed it. A worker then fetches what is new since the\n" +
			"source's cursor (or, for a new source, within BACKFILL_WINDOW). With --all it publishes\n" +
			"one task for every source of SOURCES_FILE, as a scheduled tick does, without claiming\n" +
			"the tick.",
		Example: "  producer fetch --user TwitterDev\n  producer fetch --query '#golang -is:retweet'\n" +
			"  producer fetch --all",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all {
				return runErr(publishAll(cmd.Context()))
			}
			f, err := fetchOf(user, query, cmd.Flags().Changed("query"))
			if err != nil {
				return err
			}
			return runErr(publishOne(cmd.Context(), f))
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "user handle to fetch, with or without @")
	cmd.Flags().StringVar(&query, "query", "", "recent-search query to fetch")
	cmd.Flags().BoolVar(&all, "all", false, "fetch every source of SOURCES_FILE")
	cmd.MarkFlagsMutuallyExclusive("user", "query", "all")
	cmd.MarkFlagsOneRequired("user", "query", "all")
	return cmd
}

func fetchOf(user, query string, isQuery bool) (tasks.Fetch, error) {
	f := tasks.Fetch{Kind: tasks.KindUser, Value: strings.TrimPrefix(strings.TrimSpace(user), "@")}
	if isQuery {
		f = tasks.Fetch{Kind: tasks.KindQuery, Value: strings.TrimSpace(query)}
	}
	if err := f.Validate(); err != nil {
		return f, errors.New(strings.TrimPrefix(err.Error(), tasks.ErrInvalidFetch.Error()+": "))
	}
	return f, nil
}

func publishOne(parent context.Context, f tasks.Fetch) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	f.BackfillSeconds = int64(e.backfill(e.cfg.Schedule, time.Now()) / time.Second)
	sig, err := f.Signature()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(parent, publishTimeout)
	defer cancel()
	pub := tasks.NewPublisher(e.cfg.BrokerURL, "tweetflow-producer-fetch", tasks.DefaultTopology, e.log)
	defer pub.Close()
	if err := pub.Publish(ctx, sig); err != nil {
		return err
	}
	e.log.Info("fetch published", zap.String("source", f.String()), zap.String("task_id", sig.UUID))
	return nil
}
