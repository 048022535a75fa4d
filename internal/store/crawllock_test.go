package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestASourceIsLockedForOneProcessAtATime(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	l, err := st.LockSource(ctx, "ftportal", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LockSource(ctx, "ftportal", now); !errors.Is(err, store.ErrSourceBusy) {
		t.Fatalf("second lock: %v, want ErrSourceBusy", err)
	}
	other, err := st.LockSource(ctx, "vlaio-efro", now)
	if err != nil {
		t.Fatalf("another source is not locked: %v", err)
	}
	other.Unlock()
	l.Unlock()
	l, err = st.LockSource(ctx, "ftportal", now)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l.Unlock()
}

func TestARunWhoseProcessDiedIsMarkedFailedAndCleanedUp(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	// A run whose process died: recorded as running, its source not locked.
	dead, err := st.StartRun(ctx, "ftportal", now.AddDate(-2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	// A live run of another source: its process holds the lock.
	err = st.SaveCrawlSource(ctx, store.CrawlSource{Name: "vlaio-efro", Kind: "html", Enabled: true, Schedule: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.LockSource(ctx, "vlaio-efro", now)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	live, err := st.StartRun(ctx, "vlaio-efro", now.AddDate(-2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}

	n, err := st.FailDeadRuns(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("FailDeadRuns = %d, %v, want the one dead run", n, err)
	}
	runs, _ := st.Runs(ctx, "", 10)
	status := map[int64]store.CrawlRun{}
	for _, r := range runs {
		status[r.ID] = r
	}
	if r := status[dead]; r.Status != "failed" || r.FinishedAt == nil || !strings.Contains(string(r.Errors), "stopped before it finished") {
		t.Errorf("dead run %+v %s", r, r.Errors)
	}
	if r := status[live]; r.Status != "running" {
		t.Errorf("live run marked %s", r.Status)
	}
	// Cleanup deletes the dead run, two years old, no longer skipping it.
	if _, err := st.Cleanup(ctx, now); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM crawl_runs`); n != 1 {
		t.Errorf("%d runs after cleanup, want the live one", n)
	}
}

func TestTakingTheLockFailsTheRunsLeftRunning(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	dead, err := st.StartRun(ctx, "ftportal", now)
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.LockSource(ctx, "ftportal", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	runs, _ := st.Runs(ctx, "ftportal", 1)
	if runs[0].ID != dead || runs[0].Status != "failed" || !runs[0].FinishedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("run %+v, want the dead run failed", runs[0])
	}
}

func TestTwoIngestsOfOneSourceAreOrderedInsteadOfColliding(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	first, err := st.BeginRun(ctx, "ftportal", now)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	res := &crawlers.Result{Source: "ftportal", Sink: first.Add, Pages: 1}
	if err := res.Add(sampleCalls()...); err != nil {
		t.Fatal(err)
	}

	type begun struct {
		in  *store.Ingest
		err error
	}
	second := make(chan begun, 1)
	go func() {
		in, err := st.BeginRun(ctx, "ftportal", now.Add(time.Minute))
		second <- begun{in, err}
	}()
	testdb.Eventually(t, "the second ingest waits for the first", func() bool {
		return countRows(t, st, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`) == 1
	})
	if _, err := first.Finish(ctx, res, now); err != nil {
		t.Fatal(err)
	}
	b := <-second
	if b.err != nil {
		t.Fatal(b.err)
	}
	defer b.in.Close()
	res = &crawlers.Result{Source: "ftportal", Sink: b.in.Add, Pages: 1}
	if err := res.Add(sampleCalls()...); err != nil {
		t.Fatal(err)
	}
	stats, err := b.in.Finish(ctx, res, now.Add(time.Minute))
	if err != nil || stats.Unchanged != 3 || stats.New != 0 {
		t.Fatalf("second ingest %+v, %v: want it to see what the first stored", stats, err)
	}
}
