package main

import (
	"context"
	"os"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/logging"
	"github.com/tweetflow/tweetflow/store"
)

// env is what every subcommand starts from: the configuration and the logger.
type env struct {
	cfg *config.Config
	log *zap.Logger
}

func loadEnv() (*env, error) {
	cfg, err := config.Load(config.Producer, os.Environ())
	if err != nil {
		return nil, err
	}
	log, err := logging.New(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, log: log.Named("producer")}, nil
}

// openStore connects to the database and brings its schema up to date.
func (e *env) openStore(ctx context.Context) (*store.Store, error) {
	st, err := store.Connect(ctx, e.cfg.DatabaseURL, 1, e.log)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// backfill is how far back a new source with that schedule is first fetched:
// BACKFILL_WINDOW, or one interval of the schedule.
func (e *env) backfill(s cron.Schedule, now time.Time) time.Duration {
	if e.cfg.BackfillWindow > 0 {
		return e.cfg.BackfillWindow
	}
	return config.ScheduleInterval(s, now)
}
