package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/fundmatch/fundmatch/internal/crawl"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/web"
)

// services are the connections the long-running commands share.
type services struct {
	db      *sqlx.DB
	store   *store.Store
	redis   asynq.RedisClientOpt
	metrics *metrics.Metrics
}

// connect opens PostgreSQL (applying pending migrations when migrate is
// set) and, when needRedis is set, checks that Redis answers.
func (e *env) connect(ctx context.Context, migrate, needRedis bool) (*services, error) {
	redisOpt, err := tasks.RedisOpt(e.cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	if needRedis {
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := tasks.PingRedis(pingCtx, redisOpt)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%w; check REDIS_URL", err)
		}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := database.Migrate(ctx, db, e.logger)
		if err != nil {
			db.Close()
			return nil, err
		}
		if n > 0 {
			e.logger.Info("migrations applied", "count", n)
		}
	}
	return &services{db: db, store: st, redis: redisOpt, metrics: metrics.New()}, nil
}

func (e *env) runWeb(ctx context.Context, s *services, ready chan<- net.Addr) error {
	srv, err := web.New(web.Config{
		Store:     s.store,
		Metrics:   s.metrics,
		Logger:    e.logger.With("component", "web"),
		BaseURL:   e.cfg.BaseURL,
		Version:   version,
		SecretKey: e.cfg.SecretKey,
		Checks: []web.Check{
			{Name: "postgres", Fn: func(ctx context.Context) error { return s.db.PingContext(ctx) }},
			{Name: "redis", Fn: func(ctx context.Context) error { return tasks.PingRedis(ctx, s.redis) }},
		},
	})
	if err != nil {
		return err
	}
	return web.Run(ctx, e.cfg.HTTPAddr, srv.Handler(), e.cfg.ShutdownTimeout, e.logger.With("component", "web"), ready)
}

func (e *env) runWorker(ctx context.Context, s *services) error {
	w := tasks.NewWorker(tasks.WorkerConfig{
		Redis: s.redis, Concurrency: e.cfg.WorkerConcurrency, ShutdownTimeout: e.cfg.ShutdownTimeout,
		Logger: e.logger, Metrics: s.metrics,
	})
	w.Handle(tasks.TypeCleanup, &tasks.CleanupHandler{Store: s.store, Logger: e.logger, Now: time.Now})
	client := asynq.NewClient(s.redis)
	defer client.Close()
	crawler := crawl.NewRunner(s.store, e.crawlConfig(), scoreEnqueuer(client), e.logger)
	w.Handle(tasks.TypeCrawlSource, &tasks.CrawlHandler{Store: s.store, Logger: e.logger,
		Crawlers: map[string]tasks.Crawler{"ftportal": crawler}})
	return w.Run(ctx)
}

func (e *env) runScheduler(ctx context.Context, s *services) error {
	sch := tasks.NewScheduler(tasks.SchedulerConfig{
		Redis: s.redis, Store: s.store, Interval: e.cfg.SchedulerInterval, Jobs: tasks.DefaultJobs(),
		Logger: e.logger, Metrics: s.metrics,
	})
	defer sch.Close()
	return sch.Run(ctx)
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags("serve", "", "Run the web server and JSON API on HTTP_ADDR, with /healthz, /readyz and /metrics.\nPending migrations are applied first. Stops gracefully on SIGTERM or SIGINT.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	s, err := e.connect(ctx, true, false)
	if err != nil {
		return err
	}
	defer s.db.Close()
	return e.runWeb(ctx, s, nil)
}

func runWorker(ctx context.Context, e *env, args []string) error {
	fs := e.flags("worker", "", "Run the background worker on the queues crawl, score, notify and default. On SIGTERM\nor SIGINT it stops taking tasks and lets running ones finish for SHUTDOWN_TIMEOUT;\nwhat is unfinished then goes back to Redis.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	s, err := e.connect(ctx, false, true)
	if err != nil {
		return err
	}
	defer s.db.Close()
	return e.runWorker(ctx, s)
}

func runScheduler(ctx context.Context, e *env, args []string) error {
	fs := e.flags("scheduler", "", "Enqueue periodic work every SCHEDULER_INTERVAL: the crawls of due sources and daily\nmaintenance. Every task carries an ID per time slot, so two schedulers running at\nonce never enqueue the same work twice.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	s, err := e.connect(ctx, false, true)
	if err != nil {
		return err
	}
	defer s.db.Close()
	return e.runScheduler(ctx, s)
}

func runAll(ctx context.Context, e *env, args []string) error {
	fs := e.flags("all", "", "Run the web server, the worker and the scheduler in one process, for a single machine.\nPending migrations are applied first. Stops gracefully on SIGTERM or SIGINT.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	s, err := e.connect(ctx, true, true)
	if err != nil {
		return err
	}
	defer s.db.Close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return e.runWeb(ctx, s, nil) })
	g.Go(func() error { return e.runWorker(ctx, s) })
	g.Go(func() error { return e.runScheduler(ctx, s) })
	return g.Wait()
}
