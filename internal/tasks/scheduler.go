package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/store"
)

// Periodic is work that runs once per time slot of length Every (slots are
// aligned on UTC, so a 24-hour job runs once per UTC day).
type Periodic struct {
	Type  string
	Queue string
	Every time.Duration
}

// Scheduler enqueues periodic work and the crawls of due sources. Every task
// it enqueues carries an ID made of its type and time slot, retained in
// Redis after it completes, so a second scheduler running at the same time
// (or a restarted one) cannot enqueue the same work twice.
type Scheduler struct {
	client   *asynq.Client
	store    *store.Store
	interval time.Duration
	jobs     []Periodic
	logger   *slog.Logger
	metrics  *metrics.Metrics
}

// SchedulerConfig configures a Scheduler.
type SchedulerConfig struct {
	Redis    asynq.RedisClientOpt
	Store    *store.Store
	Interval time.Duration // how often to look for due work
	Jobs     []Periodic
	Logger   *slog.Logger
	Metrics  *metrics.Metrics
}

// DefaultJobs is the periodic work fundmatch always does.
func DefaultJobs() []Periodic {
	return []Periodic{
		{Type: TypeCleanup, Queue: QueueDefault, Every: 24 * time.Hour},
		// A nightly full rescore catches what events missed (a status that
		// changed by date, a lost score task); unchanged pairs cost no writes.
		{Type: TypeScoreAll, Queue: QueueScore, Every: 24 * time.Hour},
	}
}

// NewScheduler returns a scheduler; Close releases its Redis connection.
func NewScheduler(cfg SchedulerConfig) *Scheduler {
	return &Scheduler{
		client: asynq.NewClient(cfg.Redis), store: cfg.Store, interval: cfg.Interval, jobs: cfg.Jobs,
		logger: cfg.Logger.With("component", "scheduler"), metrics: cfg.Metrics,
	}
}

// Close releases the scheduler's connection to Redis.
func (s *Scheduler) Close() error { return s.client.Close() }

// Run looks for due work at once and then every interval, until ctx ends.
// A failed look (Redis or PostgreSQL away) is logged and tried again at the
// next tick.
func (s *Scheduler) Run(ctx context.Context) error {
	s.logger.Info("scheduler started", "interval", s.interval)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		n, err := s.Tick(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Error("scheduling failed; will try again", "err", err)
		case n > 0:
			s.logger.Info("work enqueued", "tasks", n)
		}
		select {
		case <-ctx.Done():
			s.logger.Info("scheduler stopped")
			return nil
		case <-t.C:
		}
	}
}

// Tick enqueues the work due at now, and the scoring waiting in the outbox,
// and returns how many tasks it enqueued; work another scheduler already
// enqueued for the same slot is not counted.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (int, error) {
	var enqueued int
	var errs []error
	for _, j := range s.jobs {
		slot := now.UTC().Truncate(j.Every)
		task := asynq.NewTask(j.Type, nil,
			asynq.Queue(j.Queue),
			asynq.TaskID(fmt.Sprintf("%s:%d", j.Type, slot.Unix())),
			asynq.Retention(j.Every+time.Hour),
			asynq.MaxRetry(3),
		)
		ok, err := s.enqueue(ctx, task)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			enqueued++
		}
	}
	if s.store != nil {
		// Scoring that crawls could not queue (Redis away) waits in
		// PostgreSQL until now.
		n, err := RelayScoring(ctx, s.store, s.client)
		enqueued += n
		if err != nil {
			errs = append(errs, err)
		}
		_, err = s.store.ClaimDueSources(ctx, now, func(d store.DueSource) error {
			task, err := NewCrawlTask(d.Name, d.Slot)
			if err != nil {
				return err
			}
			ok, err := s.enqueue(ctx, task)
			if ok {
				enqueued++
			}
			return err
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return enqueued, errors.Join(errs...)
}

// enqueue offers a task and reports whether it was new; a task whose ID is
// already taken was enqueued by another scheduler and is not an error.
func (s *Scheduler) enqueue(ctx context.Context, t *asynq.Task) (bool, error) {
	_, err := s.client.EnqueueContext(ctx, t)
	outcome := "enqueued"
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		outcome, err = "duplicate", nil
	case err != nil:
		outcome, err = "failed", fmt.Errorf("enqueue %s: %w", t.Type(), err)
	}
	if s.metrics != nil {
		s.metrics.TasksEnqueued.WithLabelValues(t.Type(), outcome).Inc()
	}
	return outcome == "enqueued", err
}
