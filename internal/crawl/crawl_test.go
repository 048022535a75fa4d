package crawl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// today is the day the tests crawl on: the current-format sample is open.
var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	tasks.QuietRedisLogs(quiet) // the dead-Redis test would print the client's retries
	os.Exit(m.Run())
}

// record is a real captured search record, as a JSON object to edit.
type record map[string]any

// sampleRecord reads one of the real search records of the ftportal tests.
func sampleRecord(t *testing.T, name string) record {
	t.Helper()
	raw, err := os.ReadFile("../../crawlers/ftportal/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var r record
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// current is the real current-format HORIZON-EIC-2026-STEP record renamed
// id (a topic that needs no topicDetails) and titled title.
func current(t *testing.T, id, title string) record {
	r := sampleRecord(t, "search-api-result-current-format-HORIZON-EIC-2026-STEP.json")
	return r.rename(id).set("title", title)
}

// older is the real 2023-format HORIZON-CL5-2024-D2-01-03 record renamed
// id, with a deadline in 2027: an open older-format topic, which the
// crawler enriches from its topicDetails document.
func older(t *testing.T, id string) record {
	r := sampleRecord(t, "search-api-result-2023-HORIZON-CL5-2024-D2-01-03.json")
	return r.rename(id).set("deadlineDate", "2027-04-18T19:00:00.000+0200")
}

func (r record) set(key, value string) record {
	r["metadata"].(map[string]any)[key] = []any{value}
	return r
}

func (r record) rename(id string) record {
	r["reference"] = "ref-" + id
	r["url"] = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/" + strings.ToLower(id) + ".json"
	if _, ok := r["metadata"].(map[string]any)["REFERENCE"]; ok {
		r.set("REFERENCE", "ref-"+id)
	}
	return r.set("identifier", id)
}

// listing is the search API's answer listing records on one page, with
// the real envelope's fields; raw replaces placeholders in the JSON text
// with bytes json.Marshal would not write (invalid UTF-8, a lone surrogate).
func listing(t *testing.T, raw map[string]string, records ...record) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{"totalResults": len(records), "pageNumber": 1, "pageSize": 100, "results": records})
	if err != nil {
		t.Fatal(err)
	}
	for placeholder, text := range raw {
		body = bytes.ReplaceAll(body, []byte(placeholder), []byte(text))
	}
	return body
}

// portal is an httptest server answering the search with page, and
// topicDetails with the status given for the topic (404 for others).
type portal struct {
	mu      sync.Mutex
	page    []byte
	details map[string]int // lower-case identifier -> status
	// hold, when set, is closed by the first search request, which then
	// waits for release: a slow source.
	hold, release chan struct{}
	holdOnce      sync.Once
}

func newPortal(t *testing.T, page []byte) (*portal, Config) {
	p := &portal{page: page, details: map[string]int{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, Config{FTPortalSearchURL: srv.URL + "/search", FTPortalTopicURL: srv.URL + "/topicDetails/",
		Delay: time.Millisecond, AllowPrivate: true}
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/search":
		if p.hold != nil {
			p.holdOnce.Do(func() {
				close(p.hold)
				<-p.release
			})
		}
		p.mu.Lock()
		page := p.page
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(page)
	case strings.HasPrefix(r.URL.Path, "/topicDetails/"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/topicDetails/"), ".json")
		p.mu.Lock()
		code, ok := p.details[id]
		p.mu.Unlock()
		if !ok {
			code = http.StatusNotFound
		}
		w.WriteHeader(code)
	default:
		http.NotFound(w, r)
	}
}

func (p *portal) serve(page []byte) {
	p.mu.Lock()
	p.page = page
	p.mu.Unlock()
}

// newStore is a fresh migrated database with the ftportal source.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	return storeAt(t, testdb.URL(t))
}

// storeAt opens the database at url, as a process of its own would, and
// saves the ftportal source.
func storeAt(t *testing.T, url string) *store.Store {
	t.Helper()
	db, err := database.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := store.New(db)
	err = st.SaveCrawlSource(t.Context(), store.CrawlSource{Name: "ftportal", Kind: "ftportal", Enabled: true, Schedule: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newRunner(st *store.Store, cfg Config, relay func(context.Context) (int, error)) *Runner {
	r := NewRunner(st, cfg, relay, quiet)
	r.now = func() time.Time { return today }
	return r
}

func ftportalSource(t *testing.T, st *store.Store) store.CrawlSource {
	t.Helper()
	src, err := st.CrawlSourceByName(t.Context(), "ftportal")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func lastRun(t *testing.T, st *store.Store) store.CrawlRun {
	t.Helper()
	runs, err := st.Runs(t.Context(), "ftportal", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	return runs[0]
}

func storedCalls(t *testing.T, st *store.Store) map[string]store.CallRecord {
	t.Helper()
	records, err := st.Calls(t.Context(), store.CallFilter{Source: "ftportal"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.CallRecord{}
	for _, r := range records {
		out[r.Identifier] = r
	}
	return out
}

func TestAPortalRecordWithANULOrInvalidUTF8IsStoredCleanedAndOneTheDatabaseRefusesIsAnErrorOfTheRun(t *testing.T) {
	st := newStore(t)
	page := listing(t, map[string]string{"BAD-BYTES": "Caf\xe9 culture", "LONE-SURROGATE": `Scale \ud800 up`},
		current(t, "HORIZON-EIC-2026-STEP", "EIC STEP Scale Up"),
		current(t, "HORIZON-EIC-2026-NUL", "EIC STEP\x00 Scale Up"),
		current(t, "HORIZON-EIC-2026-UTF8", "BAD-BYTES"),
		// Go reads a lone surrogate escape as U+FFFD; jsonb refuses the raw record.
		current(t, "HORIZON-EIC-2026-SURROGATE", "LONE-SURROGATE"),
	)
	_, cfg := newPortal(t, page)
	sum, err := newRunner(st, cfg, nil).Run(t.Context(), ftportalSource(t, st), Options{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if sum.Status != "ok" || sum.Stats.New != 3 || len(sum.Result.Errors) != 1 {
		t.Fatalf("run %s, %+v, errors %v: want ok, 3 new and the refused record named", sum.Status, sum.Stats, sum.Result.Errors)
	}
	if e := sum.Result.Errors[0]; e.Reference != "HORIZON-EIC-2026-SURROGATE" || !strings.Contains(e.Error(), "surrogate") {
		t.Errorf("error %v: want the refused record's identifier and PostgreSQL's reason", e)
	}
	calls := storedCalls(t, st)
	if got := calls["HORIZON-EIC-2026-NUL"].Title; got != "EIC STEP Scale Up" {
		t.Errorf("NUL title stored as %q", got)
	}
	if got := calls["HORIZON-EIC-2026-UTF8"].Title; got != "Caf\uFFFD culture" {
		t.Errorf("invalid UTF-8 title stored as %q", got)
	}
	if _, ok := calls["HORIZON-EIC-2026-SURROGATE"]; ok || len(calls) != 3 {
		t.Errorf("stored %d calls: want the 3 storable ones", len(calls))
	}
	run := lastRun(t, st)
	if run.Status != "ok" || run.CallsNew != 3 || !strings.Contains(string(run.Errors), "HORIZON-EIC-2026-SURROGATE") {
		t.Errorf("run %s, %d new, errors %s", run.Status, run.CallsNew, run.Errors)
	}
}

func TestAnEnrichmentFailureIsAnErrorOfItsCallAndACompleteListingStillCloses(t *testing.T) {
	st := newStore(t)
	p, cfg := newPortal(t, listing(t, nil,
		current(t, "HORIZON-EIC-2026-STEP", "EIC STEP Scale Up"),
		current(t, "HORIZON-EIC-2026-GONE", "A topic the portal drops"),
		older(t, "HORIZON-CL5-2027-D2-01-03"),
		older(t, "HORIZON-CL5-2027-D2-01-04"),
	))
	p.details["horizon-cl5-2027-d2-01-04"] = http.StatusInternalServerError
	r := newRunner(st, cfg, nil)
	src := ftportalSource(t, st)
	sum, err := r.Run(t.Context(), src, Options{})
	if err != nil || sum.Status != "ok" || sum.Stats.New != 4 || len(sum.Result.Errors) != 2 {
		t.Fatalf("first run %s %+v, errors %v, %v: want ok with the two topicDetails failures", sum.Status, sum.Stats, sum.Result.Errors, err)
	}
	for _, e := range sum.Result.Errors {
		if !strings.HasPrefix(e.Reference, "HORIZON-CL5-2027-D2-01-0") {
			t.Errorf("error %v does not name its topic", e)
		}
	}
	calls := storedCalls(t, st)
	if c := calls["HORIZON-CL5-2027-D2-01-03"]; !strings.HasPrefix(c.Title, "Development of technical and business solutions") || c.CallIdentifier != "HORIZON-CL5-2024-D2-01" {
		t.Errorf("unenriched topic stored as %q (call %q): want what the listing gave", c.Title, c.CallIdentifier)
	}

	// The portal drops a topic; the topicDetails still fail. The listing is
	// complete, so the dropped topic is closed.
	p.serve(listing(t, nil,
		current(t, "HORIZON-EIC-2026-STEP", "EIC STEP Scale Up"),
		older(t, "HORIZON-CL5-2027-D2-01-03"),
		older(t, "HORIZON-CL5-2027-D2-01-04"),
	))
	sum, err = r.Run(t.Context(), src, Options{})
	if err != nil || sum.Status != "ok" || sum.Stats.Closed != 1 || sum.Stats.Unchanged != 3 || len(sum.Result.Errors) != 2 {
		t.Fatalf("second run %s %+v, errors %v, %v: want ok, the dropped topic closed", sum.Status, sum.Stats, sum.Result.Errors, err)
	}
	if c := storedCalls(t, st)["HORIZON-EIC-2026-GONE"]; c.ClosedReason == "" {
		t.Errorf("dropped topic not closed: %+v", c.ClosedReason)
	}
	if run := lastRun(t, st); run.Status != "ok" || run.CallsClosed != 1 || !strings.Contains(string(run.Errors), "HORIZON-CL5-2027-D2-01-04") {
		t.Errorf("run %s, %d closed, errors %s", run.Status, run.CallsClosed, run.Errors)
	}
}

func TestASecondCrawlOfASourceBeingCrawledSaysSoAndDoesNotCollide(t *testing.T) {
	url := testdb.URL(t)
	st := storeAt(t, url)
	p, cfg := newPortal(t, listing(t, nil,
		current(t, "HORIZON-EIC-2026-STEP", "EIC STEP Scale Up"),
		current(t, "HORIZON-EIC-2026-STEP-2", "EIC STEP Scale Up, second cut-off"),
	))
	p.hold, p.release = make(chan struct{}), make(chan struct{})
	src := ftportalSource(t, st)

	var first Summary
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		first, firstErr = newRunner(st, cfg, nil).Run(t.Context(), src, Options{})
	}()
	<-p.hold // the first crawl holds the source and waits on the portal

	// Another process: its own connections to the database.
	other := storeAt(t, url)
	_, err := newRunner(other, cfg, nil).Run(t.Context(), src, Options{})
	if !errors.Is(err, store.ErrSourceBusy) || !strings.Contains(err.Error(), "source ftportal is being crawled by another process") {
		t.Errorf("second crawl: %v, want it told the source is being crawled", err)
	}
	// The worker's task for the same source succeeds without crawling.
	h := &tasks.CrawlHandler{Store: other, Logger: quiet, Crawlers: map[string]tasks.Crawler{"ftportal": newRunner(other, cfg, nil)}}
	payload, _ := json.Marshal(tasks.CrawlPayload{Source: "ftportal", Slot: today})
	if err := h.ProcessTask(t.Context(), asynq.NewTask(tasks.TypeCrawlSource, payload)); err != nil {
		t.Errorf("crawl task while the source is crawled: %v, want success", err)
	}

	close(p.release)
	<-done
	if firstErr != nil || first.Status != "ok" || first.Stats.New != 2 {
		t.Fatalf("first crawl %s %+v, %v", first.Status, first.Stats, firstErr)
	}
	runs, err := st.Runs(t.Context(), "ftportal", 10)
	if err != nil || len(runs) != 1 || runs[0].Status != "ok" {
		t.Fatalf("runs %+v, %v: want the one ok run", runs, err)
	}
	// Once the first is done the source is free again.
	if sum, err := newRunner(other, cfg, nil).Run(t.Context(), src, Options{}); err != nil || sum.Stats.Unchanged != 2 {
		t.Fatalf("crawl after the first: %+v, %v", sum.Stats, err)
	}
}

// deadRedis is Redis at a loopback port nothing listens on.
func deadRedis(t *testing.T) asynq.RedisClientOpt {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return asynq.RedisClientOpt{Addr: addr, DialTimeout: 200 * time.Millisecond}
}

func TestScoringWaitsInPostgreSQLWhileRedisIsAwayAndIsQueuedOnceWhenItIsBack(t *testing.T) {
	st := newStore(t)
	var records []record
	for i := range 16 {
		records = append(records, current(t, fmt.Sprintf("HORIZON-EIC-2026-STEP-%02d", i), fmt.Sprintf("EIC STEP Scale Up %d", i)))
	}
	_, cfg := newPortal(t, listing(t, nil, records...))
	dead := asynq.NewClient(deadRedis(t))
	defer dead.Close()
	r := newRunner(st, cfg, func(ctx context.Context) (int, error) { return tasks.RelayScoring(ctx, st, dead) })
	sum, err := r.Run(t.Context(), ftportalSource(t, st), Options{})
	if err != nil || sum.Stats.New != 16 {
		t.Fatalf("crawl with Redis away: %+v, %v", sum.Stats, err)
	}
	var waiting []int64
	if err := st.DB().Select(&waiting, `SELECT unnest(call_ids) FROM scoring_outbox`); err != nil || len(waiting) != 16 {
		t.Fatalf("outbox holds %d calls (%v), want the 16 new ones", len(waiting), err)
	}

	// Redis is back: the scheduler's tick relays the work.
	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	sch := tasks.NewScheduler(tasks.SchedulerConfig{Redis: opt, Store: st, Interval: time.Hour, Logger: quiet})
	defer sch.Close()
	if n, err := sch.Tick(t.Context(), time.Now()); err != nil || n < 1 {
		t.Fatalf("tick enqueued %d, %v", n, err)
	}
	if n, err := st.PendingScoring(t.Context()); err != nil || n != 0 {
		t.Fatalf("outbox holds %d entries after the relay (%v), want none", n, err)
	}
	scored := scoreTasks(t, opt)
	if len(scored) != 16 {
		t.Fatalf("score tasks name %d calls, want 16", len(scored))
	}
	for _, id := range waiting {
		if !scored[id] {
			t.Errorf("call %d not queued for scoring", id)
		}
	}
}

// scoreTasks returns the calls the pending score tasks name.
func scoreTasks(t *testing.T, opt asynq.RedisClientOpt) map[int64]bool {
	t.Helper()
	in := asynq.NewInspector(opt)
	defer in.Close()
	infos, err := in.ListPendingTasks(tasks.QueueScore)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, ti := range infos {
		var p tasks.ScoreCallsPayload
		if err := json.Unmarshal(ti.Payload, &p); err != nil {
			t.Fatal(err)
		}
		for _, id := range p.CallIDs {
			out[id] = true
		}
	}
	return out
}
