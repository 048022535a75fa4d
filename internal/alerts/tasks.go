package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/tasks"
)

// Jobs are the periodic alert tasks for the scheduler: a sweep every five
// minutes (which then enqueues a delivery; scoring also enqueues one as it
// ends, see SweepAfterScoring) and an hourly digest run, so that
// the day's digests go out soon after DigestHour; a period's digest is made
// only once however often it runs.
func Jobs() []tasks.Periodic {
	return []tasks.Periodic{
		{Type: tasks.TypeNotifySweep, Queue: tasks.QueueNotify, Every: 5 * time.Minute},
		{Type: tasks.TypeNotifyDigest, Queue: tasks.QueueNotify, Every: time.Hour},
	}
}

// Handlers runs the alert tasks on a worker. Client enqueues the deliveries
// that sweeps, digests and waiting notifications call for.
type Handlers struct {
	Service *Service
	Client  *asynq.Client
	Now     func() time.Time
	// Stopping ends when the worker begins to shut down (SIGTERM). A
	// delivery then finishes the message in flight, releases the rest of
	// its claim and queues a delivery for them, instead of sending on until
	// the shutdown timeout abandons it with its claim held for Lease. Nil
	// means never.
	Stopping context.Context
}

// Register adds the handlers of the notify tasks to w, and has every
// scoring task that succeeds on w followed by a sweep (SweepAfterScoring).
func (h *Handlers) Register(w *tasks.Worker) {
	w.Handle(tasks.TypeNotifySweep, asynq.HandlerFunc(h.sweep))
	w.Handle(tasks.TypeNotifyDigest, asynq.HandlerFunc(h.digest))
	w.Handle(tasks.TypeNotifyDeliver, asynq.HandlerFunc(h.deliver))
	w.Use(h.SweepAfterScoring)
}

// SweepAfterScoring is worker middleware: when a scoring task succeeds, it
// enqueues a sweep (within ten seconds, see tasks.NewNotifySweepTask), so
// that a new strong match reaches instant subscribers soon after the crawl
// that found it rather than at the next periodic sweep. The sweep's
// delivery keys are the same, so an extra sweep sends nothing twice. A
// failure to enqueue is logged, not returned: the scores are stored, and
// the periodic sweep finds their matches.
func (h *Handlers) SweepAfterScoring(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := next.ProcessTask(ctx, t)
		switch t.Type() {
		case tasks.TypeScoreCalls, tasks.TypeScoreCity, tasks.TypeScoreAll, tasks.TypeScoreShard:
		default:
			return err
		}
		if err != nil {
			return err
		}
		_, qerr := h.Client.EnqueueContext(ctx, tasks.NewNotifySweepTask(h.Now()))
		if qerr != nil && !errors.Is(qerr, asynq.ErrTaskIDConflict) && !errors.Is(qerr, asynq.ErrDuplicateTask) {
			h.Service.logger.Warn("sweep after scoring not enqueued; the periodic sweep will find the new matches",
				"task", t.Type(), "err", qerr)
		}
		return nil
	})
}

func (h *Handlers) sweep(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	added, err := h.Service.Sweep(ctx, now)
	if err != nil {
		return err
	}
	if len(added) > 0 {
		h.Service.logger.Info("alerts swept", "added", added)
	}
	return h.enqueueDelivery(ctx, now)
}

func (h *Handlers) digest(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	n, err := h.Service.ComposeDigests(ctx, now)
	if err != nil {
		return err
	}
	if n > 0 {
		h.Service.logger.Info("digests composed", "count", n)
	}
	return h.enqueueDelivery(ctx, now)
}

// deliver sends what is due, then schedules a delivery for when the next
// waiting notification falls due: after Slack's Retry-After, a back-off or
// the end of quiet hours.
func (h *Handlers) deliver(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	if h.Stopping != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(h.Stopping, cancel)()
	}
	r, err := h.Service.Deliver(ctx, now)
	if r != (Report{}) {
		h.Service.logger.Info("alerts delivered", "report", r.String())
	}
	if err != nil && h.Stopping != nil && h.Stopping.Err() != nil {
		// What was not sent is pending and free again: a delivery now,
		// run by another worker or by this one after its restart.
		h.Service.logger.Info("delivery stopped by shutdown; the rest of its claim was released")
		return h.enqueueDelivery(context.WithoutCancel(ctx), now)
	}
	if err != nil {
		return err
	}
	next, ok, err := h.Service.store.NextDue(ctx)
	if err != nil || !ok {
		return err
	}
	// What is due now was just claimed by this or another worker; never
	// spin on it.
	if soonest := now.Add(time.Second); next.Before(soonest) {
		next = soonest
	}
	return h.enqueueDelivery(ctx, next)
}

// enqueueDelivery enqueues a delivery at at (now when at has passed). The
// task ID is per second, so many requests for the same moment make one task.
func (h *Handlers) enqueueDelivery(ctx context.Context, at time.Time) error {
	at = at.Truncate(time.Second)
	task := asynq.NewTask(tasks.TypeNotifyDeliver, nil,
		asynq.Queue(tasks.QueueNotify),
		asynq.TaskID(fmt.Sprintf("%s:%d", tasks.TypeNotifyDeliver, at.Unix())),
		asynq.ProcessAt(at),
		asynq.MaxRetry(5),
		asynq.Timeout(10*time.Minute),
	)
	_, err := h.Client.EnqueueContext(ctx, task)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	return nil
}
