package alerts_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestASweepTaskOnTheWorkerEndsInOneDeliveredEmail(t *testing.T) {
	f := newFixture(t)
	f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2099-01-01"), f.gent, 70, "eligible")

	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := asynq.NewClient(opt)
	defer client.Close()
	w := tasks.NewWorker(tasks.WorkerConfig{Redis: opt, Concurrency: 2, ShutdownTimeout: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	(&alerts.Handlers{Service: f.svc, Client: client, Now: time.Now}).Register(w)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	// Two sweeps, as two scheduler slots or a retry would enqueue them.
	for range 2 {
		if _, err := client.Enqueue(asynq.NewTask(tasks.TypeNotifySweep, nil, asynq.Queue(tasks.QueueNotify))); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(f.sink.Messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no email 20 s after the sweep task was enqueued")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Let any further delivery task run before counting.
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeNotifyDeliver, nil, asynq.Queue(tasks.QueueNotify))); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	for {
		q, err := insp.GetQueueInfo(tasks.QueueNotify)
		if err != nil {
			t.Fatal(err)
		}
		if q.Pending+q.Active == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("notify queue still busy: %+v", q)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(f.sink.Messages()); n != 1 {
		t.Fatalf("sink received %d emails, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestScoringIsFollowedByASweepThatSendsTheNewMatch(t *testing.T) {
	f := newFixture(t)
	f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	call := f.call("CALL-1", "Oproep 1", "HORIZON", "2099-01-01")

	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := asynq.NewClient(opt)
	defer client.Close()
	w := tasks.NewWorker(tasks.WorkerConfig{Redis: opt, Concurrency: 2, ShutdownTimeout: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	(&alerts.Handlers{Service: f.svc, Client: client, Now: time.Now}).Register(w)
	// Scoring, as far as alerts are concerned: it writes the call's match.
	w.Handle(tasks.TypeScoreCalls, asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		f.match(call, f.gent, 80, "eligible")
		return nil
	}))
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	// No scheduler runs: only the end of scoring can start the sweep.
	task, err := tasks.NewScoreCallsTask([]int64{call})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enqueue(task); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for len(f.sink.Messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no email a minute after scoring was enqueued")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := subject(t, f.sink.Mails(t)[0]); got != "Nieuwe match voor Gent (80/100): Oproep 1" {
		t.Errorf("subject %q", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAWorkerShuttingDownStopsItsDeliveryAndReleasesTheRest(t *testing.T) {
	f := manySubscribers(t)
	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	run, stop := context.WithCancel(context.Background()) // SIGTERM ends it
	defer stop()
	// A shutdown timeout far longer than the whole delivery: only Stopping
	// can make the worker stop sending early.
	w := tasks.NewWorker(tasks.WorkerConfig{Redis: opt, Concurrency: 2, ShutdownTimeout: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	(&alerts.Handlers{Service: f.svc, Client: client, Now: func() time.Time { return monday }, Stopping: run}).Register(w)
	done := make(chan error, 1)
	go func() { done <- w.Run(run) }()
	if _, err := client.Enqueue(asynq.NewTask(tasks.TypeNotifyDeliver, nil, asynq.Queue(tasks.QueueNotify))); err != nil {
		t.Fatal(err)
	}
	waitFor(func() bool { return f.sink.Count() >= killAfter }, make(chan struct{}))
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	atStop := len(f.sink.Messages())
	var sent, sending, held, pending int
	if err := f.db.QueryRowContext(f.ctx, `SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'sending'),
		count(*) FILTER (WHERE status = 'pending' AND claimed_at IS NOT NULL), count(*) FILTER (WHERE status = 'pending')
		FROM notifications`).Scan(&sent, &sending, &held, &pending); err != nil {
		t.Fatal(err)
	}
	t.Logf("worker stopped after %d of %d emails: %d sent, %d sending, %d pending (%d still claimed)", atStop, killSubscribers, sent, sending, pending, held)
	if sent != atStop || sending != 0 || held != 0 || pending == 0 {
		t.Fatalf("want every email received recorded as sent, none in doubt, and the rest pending and released")
	}
	// The released rows go out on the next run, at once.
	if r := f.deliver(monday); r.Sent != pending {
		t.Fatalf("next run: %s, want %d sent", r, pending)
	}
	if c := f.faultCounts(); c != (faultCounts{}) {
		t.Fatalf("after the next run: %+v, want no duplicates, none lost, none uncertain", c)
	}
}
