package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/metrics"
)

// Worker runs background tasks from the queues until its context ends.
type Worker struct {
	srv    *asynq.Server
	mux    *asynq.ServeMux
	logger *slog.Logger
}

// WorkerConfig configures a Worker.
type WorkerConfig struct {
	Redis           asynq.RedisClientOpt
	Concurrency     int
	ShutdownTimeout time.Duration // how long in-flight tasks may run on after shutdown starts
	Logger          *slog.Logger
	Metrics         *metrics.Metrics
}

// NewWorker returns a worker for the crawl, score, notify and default queues.
// Register handlers with Handle before Run.
func NewWorker(cfg WorkerConfig) *Worker {
	logger := cfg.Logger.With("component", "worker")
	srv := asynq.NewServer(cfg.Redis, asynq.Config{
		Concurrency: cfg.Concurrency,
		Queues:      Queues(),
		// An idle worker looks for tasks every 50-150 ms instead of asynq's
		// 0.5-1.5 s: a new call's matches are due within a second of its
		// crawl, and the wait for the queue was most of that. Each idle
		// slot costs Redis about ten small scripts a second.
		TaskCheckInterval: 100 * time.Millisecond,
		ShutdownTimeout:   cfg.ShutdownTimeout,
		Logger:            asynqLogger{logger},
		LogLevel:          asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			logger.Error("task failed", "type", t.Type(), "retry", retried, "max_retry", maxRetry, "err", err)
		}),
	})
	mux := asynq.NewServeMux()
	if cfg.Metrics != nil {
		mux.Use(measure(cfg.Metrics))
	}
	return &Worker{srv: srv, mux: mux, logger: logger}
}

// Handle registers the handler of a task type.
func (w *Worker) Handle(taskType string, h asynq.Handler) {
	w.mux.Handle(taskType, h)
}

// Use adds middleware that wraps every task's handler, e.g. to follow some
// tasks with others.
func (w *Worker) Use(mw asynq.MiddlewareFunc) {
	w.mux.Use(mw)
}

// Run processes tasks until ctx ends, then stops taking new tasks and waits
// for the running ones up to the shutdown timeout; what has not finished by
// then goes back to Redis and runs again later.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	w.logger.Info("worker started", "queues", Queues())
	<-ctx.Done()
	w.srv.Stop()
	w.srv.Shutdown()
	w.logger.Info("worker stopped")
	return nil
}

// measure counts every task and times it.
func measure(m *metrics.Metrics) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			outcome := "ok"
			switch {
			case errors.Is(err, asynq.SkipRetry):
				outcome = "rejected"
			case err != nil:
				outcome = "error"
			}
			m.Tasks.WithLabelValues(t.Type(), outcome).Inc()
			m.TaskDuration.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
			return err
		})
	}
}

// asynqLogger adapts slog to asynq's printf-style Logger interface.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
