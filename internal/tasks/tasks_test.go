package tasks_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) {
	tasks.QuietRedisLogs(quiet) // the dead-Redis test would print the client's retries
	os.Exit(m.Run())
}

func redisOpt(t *testing.T) asynq.RedisClientOpt {
	t.Helper()
	addr, db := testdb.Redis(t)
	return asynq.RedisClientOpt{Addr: addr, DB: db}
}

// queued returns the IDs of the tasks waiting in a queue.
func queued(t *testing.T, opt asynq.RedisClientOpt, queue string) []string {
	t.Helper()
	in := asynq.NewInspector(opt)
	defer in.Close()
	infos, err := in.ListPendingTasks(queue, asynq.PageSize(1000))
	if err != nil {
		t.Fatalf("list %s queue: %v", queue, err)
	}
	var ids []string
	for _, ti := range infos {
		ids = append(ids, ti.ID)
	}
	return ids
}

func TestTwoSchedulersAtOnceEnqueueEachSlotOnce(t *testing.T) {
	ctx := context.Background()
	opt := redisOpt(t)
	st := store.New(testdb.New(t))
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for _, name := range []string{"ftportal", "vlaio-efro"} {
			if err := tx.SaveCrawlSource(ctx, store.CrawlSource{Name: name, Kind: "html", Enabled: true, Schedule: 6 * time.Hour}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Minute) // both sources are due
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := tasks.NewScheduler(tasks.SchedulerConfig{Redis: opt, Store: st, Interval: time.Second, Jobs: tasks.DefaultJobs(), Logger: quiet})
			defer s.Close()
			n, err := s.Tick(ctx, now)
			if err != nil {
				t.Errorf("scheduler %d: %v", i, err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	if want := len(tasks.DefaultJobs()) + 2; total != want {
		t.Fatalf("four schedulers enqueued %d tasks in all (%v), want %d: each periodic job and two crawls once", total, counts, want)
	}
	if got := queued(t, opt, tasks.QueueCrawl); len(got) != 2 {
		t.Fatalf("crawl queue holds %v, want two crawls", got)
	}
	if got := queued(t, opt, tasks.QueueDefault); len(got) != 1 {
		t.Fatalf("default queue holds %v, want one cleanup", got)
	}
	// The sources are no longer due, and the next tick in the same slot adds nothing.
	s := tasks.NewScheduler(tasks.SchedulerConfig{Redis: opt, Store: st, Interval: time.Second, Jobs: tasks.DefaultJobs(), Logger: quiet})
	defer s.Close()
	if n, err := s.Tick(ctx, now.Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("a later tick in the same slot enqueued %d (%v), want 0", n, err)
	}
	src, err := st.CrawlSourceByName(ctx, "ftportal")
	if err != nil {
		t.Fatal(err)
	}
	if !src.NextRunAt.After(now) || src.NextRunAt.After(now.Add(6*time.Hour)) {
		t.Fatalf("next run at %v, want within 6 hours after %v", src.NextRunAt, now)
	}
}

func TestSchedulerReportsADeadRedis(t *testing.T) {
	s := tasks.NewScheduler(tasks.SchedulerConfig{
		Redis:    asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond},
		Interval: time.Second, Jobs: tasks.DefaultJobs(), Logger: quiet,
	})
	defer s.Close()
	if _, err := s.Tick(context.Background(), time.Now()); err == nil {
		t.Fatal("Tick against a dead Redis returned no error")
	}
}

func TestWorkerRunsCleanupAndStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := redisOpt(t)
	st := store.New(testdb.New(t))
	if _, err := st.DB().Exec(`INSERT INTO users (email, role) VALUES ('a@gent.be', 'officer');
		INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('\x01', 1, now() - interval '1 day'), ('\x02', 1, now() + interval '1 day')`); err != nil {
		t.Fatal(err)
	}
	w := tasks.NewWorker(tasks.WorkerConfig{Redis: opt, Concurrency: 2, ShutdownTimeout: 2 * time.Second, Logger: quiet})
	w.Handle(tasks.TypeCleanup, &tasks.CleanupHandler{Store: st, Logger: quiet, Now: time.Now})
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	c := asynq.NewClient(opt)
	defer c.Close()
	if _, err := c.Enqueue(asynq.NewTask(tasks.TypeCleanup, nil, asynq.Queue(tasks.QueueDefault))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM sessions`); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions left after 15 s, want the expired one deleted", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not stop within 10 s of cancellation")
	}
}

func TestRedisOpt(t *testing.T) {
	tests := []struct {
		url     string
		want    asynq.RedisClientOpt
		wantErr bool
	}{
		{url: "redis://127.0.0.1:6379/0", want: asynq.RedisClientOpt{Addr: "127.0.0.1:6379"}},
		{url: "redis://:s3cret@redis:6379/3", want: asynq.RedisClientOpt{Addr: "redis:6379", Password: "s3cret", DB: 3}},
		{url: "redis://redis:6379/abc", wantErr: true},
	}
	for _, tt := range tests {
		got, err := tasks.RedisOpt(tt.url)
		if (err != nil) != tt.wantErr {
			t.Fatalf("RedisOpt(%q) error = %v, want error %v", tt.url, err, tt.wantErr)
		}
		if err == nil && (got.Addr != tt.want.Addr || got.Password != tt.want.Password || got.DB != tt.want.DB) {
			t.Fatalf("RedisOpt(%q) = %+v, want %+v", tt.url, got, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("error %q shows the password", err)
		}
	}
}

func TestAnOutboxEntryRelayedTwiceIsQueuedOnce(t *testing.T) {
	ctx := context.Background()
	opt := redisOpt(t)
	st := store.New(testdb.New(t))
	err := st.SaveCrawlSource(ctx, store.CrawlSource{Name: "ftportal", Kind: "ftportal", Enabled: true, Schedule: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run, _ := st.StartRun(ctx, "ftportal", now)
	calls := []funding.Call{{Source: "ftportal", Identifier: "LIFE-2027-SAP-CLIMA-CCA", Kind: funding.KindTopic,
		Title: "Climate change adaptation", Status: funding.StatusForthcoming}}
	if _, err := st.FinishRun(ctx, run, &crawlers.Result{Source: "ftportal", Calls: calls, Pages: 1}, now); err != nil {
		t.Fatal(err)
	}
	type entry struct {
		ID        int64     `db:"id"`
		CallIDs   string    `db:"call_ids"`
		CreatedAt time.Time `db:"created_at"`
	}
	var saved []entry
	if err := st.DB().Select(&saved, `SELECT id, call_ids::text, created_at FROM scoring_outbox`); err != nil || len(saved) != 1 {
		t.Fatalf("outbox %v, %v: want one entry", saved, err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	if n, err := tasks.RelayScoring(ctx, st, client); err != nil || n != 1 {
		t.Fatalf("relay: %d, %v", n, err)
	}
	// The commit that deleted the entry was lost: it is relayed again.
	if _, err := st.DB().Exec(`INSERT INTO scoring_outbox (id, call_ids, created_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2::bigint[], $3)`,
		saved[0].ID, saved[0].CallIDs, saved[0].CreatedAt); err != nil {
		t.Fatal(err)
	}
	if n, err := tasks.RelayScoring(ctx, st, client); err != nil || n != 1 {
		t.Fatalf("second relay: %d, %v", n, err)
	}
	if got := queued(t, opt, tasks.QueueScore); len(got) != 1 {
		t.Fatalf("score queue holds %v, want the entry once", got)
	}
	if n, _ := st.PendingScoring(ctx); n != 0 {
		t.Fatalf("%d entries left in the outbox", n)
	}
}

func TestSweepsAfterScoringShareATaskPerTenSecondSlot(t *testing.T) {
	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	// A slot an hour ahead, so that asynq keeps the tasks scheduled.
	base := time.Now().Truncate(10 * time.Second).Add(time.Hour)
	var refused int
	// Three scoring tasks end within one slot, a fourth in the next.
	for _, at := range []time.Duration{1 * time.Second, 4 * time.Second, 9 * time.Second, 12 * time.Second} {
		info, err := client.Enqueue(tasks.NewNotifySweepTask(base.Add(at)))
		if errors.Is(err, asynq.ErrTaskIDConflict) {
			refused++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if slot := info.NextProcessAt; slot.Before(base.Add(at)) || slot.Sub(base.Add(at)) > 10*time.Second {
			t.Errorf("a sweep for scoring that ended at +%v runs at %v, want within the next 10 s", at, slot)
		}
	}
	if refused != 2 {
		t.Errorf("%d of 4 enqueues refused, want 2: one sweep per slot", refused)
	}
}
