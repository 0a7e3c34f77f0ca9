package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/internal/cli"
	"github.com/tweetflow/tweetflow/logging"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/poll"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// defaultBackfill bounds a new source's first walk when its task names no window.
const defaultBackfill = time.Minute

func run(parent context.Context) error {
	cfg, err := config.Load(config.Worker, os.Environ())
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	logging.RouteMachinery(log)
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, func() {
		log.Info("stop signal received; finishing running tasks", zap.Duration("grace", cfg.ShutdownGrace))
	})
	err = serve(ctx, cfg, log)
	if err != nil && (ctx.Err() == nil || errors.Is(err, tasks.ErrGraceExceeded)) {
		log.Error("worker stopped", zap.Error(err))
		return fmt.Errorf("%w: %w", cli.ErrLogged, err)
	}
	log.Info("worker stopped")
	return nil
}

func serve(ctx context.Context, cfg *config.Config, log *zap.Logger) error {
	log.Info("worker starting", zap.Any("config", cfg.LogFields()))
	st, err := store.Connect(ctx, cfg.DatabaseURL, cfg.WorkerConcurrency, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	server, err := tasks.NewServer(tasks.DefaultTopology, cfg.BrokerURL, cfg.ResultBackend, cfg.WorkerConcurrency)
	if err != nil {
		return err
	}
	reg := metrics.NewRegistry()
	fetchMetrics := metrics.NewFetch(reg, cfg.FreshnessTarget)
	taskMetrics := metrics.NewTasks(reg, tasks.FetchSourceTask)
	rates := poll.NewRateRecorder(st, log)
	api := twitterapi.New(twitterapi.Options{
		BaseURL: cfg.TwitterAPIURL, BearerToken: cfg.TwitterBearerToken, Timeout: cfg.HTTPTimeout,
		Observe: func(x twitterapi.Exchange) {
			fetchMetrics.Exchange(x)
			rates.Observe(x)
		},
	})
	go rates.Run(ctx)
	backfill := cfg.BackfillWindow
	if backfill == 0 {
		backfill = defaultBackfill
	}
	coll := collector.New(api, st, log, backfill)
	coll.Observer = fetchMetrics
	ft := &fetchTask{coll: coll, st: st, log: log, metrics: fetchMetrics}
	if err := server.RegisterTask(tasks.FetchSourceTask, ft.run); err != nil {
		return fmt.Errorf("register %s: %w", tasks.FetchSourceTask, err)
	}
	consumer := tasks.NewConsumer(tasks.ConsumerConfig{
		BrokerURL: cfg.BrokerURL, Name: consumerName(), Topology: tasks.DefaultTopology,
		Concurrency: cfg.WorkerConcurrency, Grace: cfg.ShutdownGrace,
		Runner: tasks.NewRunner(server, cfg.TaskTimeout, log), Log: log, Observer: taskMetrics,
	})
	if err := startMetrics(ctx, cfg.MetricsAddr, reg, consumer.Healthy, log); err != nil {
		return err
	}
	return consumer.Run(ctx)
}

func startMetrics(ctx context.Context, addr string, reg *prometheus.Registry, healthy func() error,
	log *zap.Logger,
) error {
	if addr == "" {
		return nil
	}
	srv, err := metrics.Listen(ctx, addr, reg, healthy)
	if err != nil {
		return fmt.Errorf("listen on METRICS_ADDR %s: %w", addr, err)
	}
	go srv.Run(ctx, log)
	log.Info("metrics listening", zap.String("addr", srv.Addr()))
	return nil
}

// consumerName labels this worker's connection and consumer in RabbitMQ.
func consumerName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("tweetflow-worker@%s/%d", host, os.Getpid())
}
