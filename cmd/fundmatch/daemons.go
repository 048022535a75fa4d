package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/crawl"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/web"
	"github.com/fundmatch/fundmatch/notify"
)

// services are the connections the long-running commands share.
type services struct {
	db      *database.DB
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
	planner := planning.New(s.store)
	client := asynq.NewClient(s.redis)
	defer client.Close()
	// The web server sends the test messages subscriptions' owners ask for.
	mailer, err := notify.NewMailer(notify.MailConfig{URL: e.cfg.SMTPURL, TLS: notify.TLSPolicy(e.cfg.SMTPTLS), From: e.cfg.MailFrom})
	if err != nil {
		return fmt.Errorf("%w; check SMTP_URL, SMTP_TLS and MAIL_FROM", err)
	}
	changes := database.WatchChanges(ctx, e.cfg.DatabaseURL, e.logger.With("component", "web"))
	defer changes.Close()
	srv, err := web.New(web.Config{
		Store:     s.store,
		Metrics:   s.metrics,
		Logger:    e.logger.With("component", "web"),
		BaseURL:   e.cfg.BaseURL,
		Version:   version,
		SecretKey: e.cfg.SecretKey,
		Planner:   planner,
		Rescorer:  webRescorer{client},
		Changes:   changes,
		Checks: []web.Check{
			{Name: "postgres", Fn: func(ctx context.Context) error { return s.db.PingContext(ctx) }},
			{Name: "redis", Fn: func(ctx context.Context) error { return tasks.PingRedis(ctx, s.redis) }},
		},
		TrustedProxies:    e.cfg.TrustedProxies,
		Mailer:            mailer,
		Slack:             notify.NewSlack(notify.SlackConfig{AllowedHosts: e.cfg.SlackAllowedHosts}),
		SlackAllowedHosts: e.cfg.SlackAllowedHosts,
		MetricsToken:      e.cfg.MetricsToken,
	})
	if err != nil {
		return err
	}
	warmCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if err := srv.Warm(warmCtx, s.db.Stats().MaxOpenConnections); err != nil {
		e.logger.Warn("the web server starts without its database connections warmed", "err", err)
	}
	cancel()
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
	// Scoring that crawls left in the outbox while Redis was away.
	if n, err := tasks.RelayScoring(ctx, s.store, client); err != nil {
		e.logger.Warn("could not queue the scoring waiting in the outbox; the scheduler will", "err", err)
	} else if n > 0 {
		e.logger.Info("scoring from the outbox queued", "tasks", n)
	}
	crawler := crawl.NewRunner(s.store, e.crawlConfig(), scoreRelay(s.store, client), e.logger)
	crawlers := map[string]tasks.Crawler{"ftportal": crawler, "html": crawler}
	e.addHistoryCrawlers(crawlers, s, client)
	w.Handle(tasks.TypeCrawlSource, &tasks.CrawlHandler{Store: s.store, Logger: e.logger, Crawlers: crawlers})
	(&scoring.Handlers{Service: scoring.New(s.store, e.logger), Client: client}).Register(w)
	svc, err := e.alertService(s)
	if err != nil {
		return err
	}
	(&alerts.Handlers{Service: svc, Client: client, Now: time.Now, Stopping: ctx}).Register(w)
	return w.Run(ctx)
}

// alertService builds the alert pipeline from the configuration. It does not
// connect to the mail server; a wrong SMTP_URL shows in the first delivery.
func (e *env) alertService(s *services) (*alerts.Service, error) {
	links, err := notify.NewLinks(e.cfg.BaseURL, e.cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	mailer, err := notify.NewMailer(notify.MailConfig{URL: e.cfg.SMTPURL, TLS: notify.TLSPolicy(e.cfg.SMTPTLS), From: e.cfg.MailFrom})
	if err != nil {
		return nil, fmt.Errorf("%w; check SMTP_URL, SMTP_TLS and MAIL_FROM", err)
	}
	return alerts.New(alerts.Config{
		Store: s.store, Links: links, Mailer: mailer, BaseURL: e.cfg.BaseURL, Logger: e.logger,
		Slack: notify.NewSlack(notify.SlackConfig{AllowedHosts: e.cfg.SlackAllowedHosts}),
	})
}

func (e *env) runScheduler(ctx context.Context, s *services) error {
	sch := tasks.NewScheduler(tasks.SchedulerConfig{
		Redis: s.redis, Store: s.store, Interval: e.cfg.SchedulerInterval, Jobs: append(tasks.DefaultJobs(), alerts.Jobs()...),
		Logger: e.logger, Metrics: s.metrics,
	})
	defer sch.Close()
	return sch.Run(ctx)
}

// daemon parses a long-running command's flags, connects (applying
// migrations and checking Redis as asked), and runs it until ctx ends.
func daemon(ctx context.Context, e *env, args []string, name, summary string, migrate, needRedis bool, run func(context.Context, *services) error) error {
	fs := e.flags(name, "", summary)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: name + " takes no arguments"}
	}
	s, err := e.connect(ctx, migrate, needRedis)
	if err != nil {
		return err
	}
	defer s.db.Close()
	return run(ctx, s)
}

func runServe(ctx context.Context, e *env, args []string) error {
	return daemon(ctx, e, args, "serve", "Run the web server and JSON API on HTTP_ADDR, with /healthz, /readyz and /metrics.\nPending migrations are applied first. Stops gracefully on SIGTERM or SIGINT.", true, false, func(ctx context.Context, s *services) error {
		return e.runWeb(ctx, s, nil)
	})
}

func runWorker(ctx context.Context, e *env, args []string) error {
	return daemon(ctx, e, args, "worker", "Run the background worker on the queues crawl, score, notify and default. On SIGTERM\nor SIGINT it stops taking tasks and lets running ones finish for SHUTDOWN_TIMEOUT;\nwhat is unfinished then goes back to Redis.", false, true, e.runWorker)
}

func runScheduler(ctx context.Context, e *env, args []string) error {
	return daemon(ctx, e, args, "scheduler", "Enqueue periodic work every SCHEDULER_INTERVAL: the crawls of due sources, daily\nmaintenance, alert sweeps (every 5 minutes) and digests (hourly). Every task carries\nan ID per time slot, so two schedulers running at once never enqueue the same work twice.", false, true, e.runScheduler)
}

func runAll(ctx context.Context, e *env, args []string) error {
	return daemon(ctx, e, args, "all", "Run the web server, the worker and the scheduler in one process, for a single machine.\nPending migrations are applied first; while no admin can sign in, the first one is made\n(see 'fundmatch seed --help'). Stops gracefully on SIGTERM or SIGINT.", true, true, func(ctx context.Context, s *services) error {
		if err := e.ensureFirstAdmin(ctx, s.store); err != nil {
			return err
		}
		g, ctx := errgroup.WithContext(ctx)
		g.Go(func() error { return e.runWeb(ctx, s, nil) })
		g.Go(func() error { return e.runWorker(ctx, s) })
		g.Go(func() error { return e.runScheduler(ctx, s) })
		return g.Wait()
	})
}

// webRescorer queues the rescoring of a city whose profile an officer saved.
type webRescorer struct{ client *asynq.Client }

func (r webRescorer) RescoreCity(ctx context.Context, slug string) error {
	t, err := tasks.NewScoreCityTask(slug)
	if err != nil {
		return err
	}
	if _, err := r.client.EnqueueContext(ctx, t); err != nil && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("queue the rescoring of %s: %w", slug, err)
	}
	return nil
}
