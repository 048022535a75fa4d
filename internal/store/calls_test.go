package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

func sampleCalls() []funding.Call {
	open := day("2026-10-01")
	return []funding.Call{
		{Source: "ftportal", Identifier: "HORIZON-MISS-2027-CIT-01-01", Kind: funding.KindTopic, Programme: "HORIZON",
			Title: "Climate-neutral cities: positive energy districts", DescriptionHTML: "<p>Scope: <b>districts</b></p>",
			DescriptionText: "Scope: districts", Status: funding.StatusOpen, OpeningDate: &open,
			Deadlines: []time.Time{day("2027-02-10"), day("2027-09-15")}, BudgetMin: ptr(2e6), BudgetMax: ptr(4e6),
			CallBudget: ptr(3.6e7), Keywords: []string{"cities", "energy"}, Raw: json.RawMessage(`{"latestInfos":"x"}`)},
		{Source: "ftportal", Identifier: "DIGITAL-2026-SKILLS-10-EDTECH", Kind: funding.KindTopic, Programme: "DIGITAL",
			Title: "EdTech Accelerator", Status: funding.StatusOpen, Deadlines: []time.Time{day("2026-10-02")}},
		{Source: "ftportal", Identifier: "LIFE-2027-SAP-CLIMA-CCA", Kind: funding.KindTopic, Programme: "LIFE",
			Title: "Climate change adaptation", Status: funding.StatusForthcoming, FundingRate: ptr(60.0)},
	}
}

func setup(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	err := st.SaveCrawlSource(ctx, store.CrawlSource{Name: "ftportal", Kind: "ftportal", Enabled: true, Schedule: 6 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

func crawl(t *testing.T, st *store.Store, ctx context.Context, calls []funding.Call, partial bool, now time.Time) store.RunStats {
	t.Helper()
	run, err := st.StartRun(ctx, "ftportal", now)
	if err != nil {
		t.Fatal(err)
	}
	res := &crawlers.Result{Source: "ftportal", Calls: calls, Pages: 1}
	if partial {
		res.MarkPartial("page 2 failed")
	}
	stats, err := st.FinishRun(ctx, run, res, now)
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

func countRows(t *testing.T, st *store.Store, q string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, q); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoIdenticalRunsWriteNothingNew(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	if s := crawl(t, st, ctx, sampleCalls(), false, now); s.New != 3 || len(s.Touched) != 3 {
		t.Fatalf("first run %+v, want 3 new", s)
	}
	s := crawl(t, st, ctx, sampleCalls(), false, now.Add(6*time.Hour))
	if s.New+s.Changed+s.Closed != 0 || s.Unchanged != 3 || len(s.Touched) != 0 {
		t.Fatalf("second run %+v, want 3 unchanged and nothing to score", s)
	}
	if n := countRows(t, st, `SELECT count(*) FROM call_revisions`); n != 0 {
		t.Fatalf("%d revisions after identical runs", n)
	}
	c, err := st.CallByIdentifier(ctx, "HORIZON-MISS-2027-CIT-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if !c.LastSeenAt.Equal(now.Add(6*time.Hour)) || !c.LastChangedAt.Equal(now) || len(c.Deadlines) != 2 || *c.BudgetMax != 4e6 {
		t.Fatalf("stored call = %+v", c)
	}
	runs, err := st.Runs(ctx, "ftportal", 10)
	if err != nil || len(runs) != 2 || runs[0].Status != "ok" || runs[0].CallsUnchanged != 3 || runs[1].CallsNew != 3 {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
}

func TestAChangeWritesARevisionSayingWhatChanged(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	crawl(t, st, ctx, sampleCalls(), false, now)
	calls := sampleCalls()
	calls[0].Deadlines[0] = day("2027-03-03")
	calls[0].CallBudget = ptr(4e7)
	calls[0].Raw = json.RawMessage(`{"latestInfos":"news every day"}`) // not a change
	calls[1].Raw = json.RawMessage(`{"responseTime":61}`)
	s := crawl(t, st, ctx, calls, false, now.Add(time.Hour))
	if s.Changed != 1 || s.Unchanged != 2 || len(s.Touched) != 1 {
		t.Fatalf("stats %+v, want one changed call", s)
	}
	c, _ := st.CallByIdentifier(ctx, "HORIZON-MISS-2027-CIT-01-01")
	revs, err := st.Revisions(ctx, c.ID)
	if err != nil || len(revs) != 1 {
		t.Fatalf("revisions = %+v, %v", revs, err)
	}
	got := map[string][2]string{}
	for _, ch := range revs[0].Changes {
		got[ch.Field] = [2]string{ch.Old, ch.New}
	}
	if got["deadlines"] != [2]string{"2027-02-10,2027-09-15", "2027-03-03,2027-09-15"} || got["call_budget"] != [2]string{"36000000", "40000000"} || len(got) != 2 {
		t.Fatalf("revision changes = %v", got)
	}
}

func TestACompleteListingClosesMissingCallsAndAPartialOneClosesNothing(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	crawl(t, st, ctx, sampleCalls(), false, now)

	s := crawl(t, st, ctx, sampleCalls()[:1], true, now.Add(time.Hour))
	if s.Closed != 0 {
		t.Fatalf("a partial run closed %d calls", s.Closed)
	}
	if n := countRows(t, st, `SELECT count(*) FROM calls WHERE status = 'closed'`); n != 0 {
		t.Fatalf("%d closed calls after a partial run", n)
	}
	runs, _ := st.Runs(ctx, "ftportal", 1)
	if runs[0].Status != "partial" {
		t.Fatalf("run status %q, want partial", runs[0].Status)
	}

	s = crawl(t, st, ctx, sampleCalls()[:2], false, now.Add(2*time.Hour))
	if s.Closed != 1 {
		t.Fatalf("complete run closed %d calls, want 1", s.Closed)
	}
	c, _ := st.CallByIdentifier(ctx, "LIFE-2027-SAP-CLIMA-CCA")
	if c.Status != funding.StatusClosed || c.ClosedReason == "" {
		t.Fatalf("missing call = status %q, reason %q", c.Status, c.ClosedReason)
	}

	// It comes back: open again, and the revision says so.
	s = crawl(t, st, ctx, sampleCalls(), false, now.Add(3*time.Hour))
	if s.Changed != 1 {
		t.Fatalf("a returning call counted %+v, want changed", s)
	}
	c, _ = st.CallByIdentifier(ctx, "LIFE-2027-SAP-CLIMA-CCA")
	if c.Status != funding.StatusForthcoming || c.ClosedReason != "" {
		t.Fatalf("returned call = status %q, reason %q", c.Status, c.ClosedReason)
	}
}

func TestAFailedRunLeavesStoredCallsIntact(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	crawl(t, st, ctx, sampleCalls(), false, now)
	run, _ := st.StartRun(ctx, "ftportal", now.Add(time.Hour))
	if err := st.FailRun(ctx, run, errors.New("search API: 503 three times"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A run whose every page failed has no calls; it must not close anything.
	run, _ = st.StartRun(ctx, "ftportal", now.Add(2*time.Hour))
	res := &crawlers.Result{Source: "ftportal", Errors: []crawlers.Error{{URL: "https://api/search?page=1", Err: errors.New("timeout")}}}
	if _, err := st.FinishRun(ctx, run, res, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM calls WHERE status <> 'closed'`); n != 3 {
		t.Fatalf("%d open calls after failed runs, want 3", n)
	}
	runs, _ := st.Runs(ctx, "ftportal", 2)
	if runs[0].Status != "failed" || runs[1].Status != "failed" {
		t.Fatalf("runs = %+v", runs)
	}
}

func TestCallsFilterAndStatusRefresh(t *testing.T) {
	st, ctx := setup(t)
	crawl(t, st, ctx, sampleCalls(), false, day("2026-11-23"))
	open, err := st.Calls(ctx, store.CallFilter{Status: "open"})
	if err != nil || len(open) != 2 {
		t.Fatalf("open calls = %d, %v", len(open), err)
	}
	life, _ := st.Calls(ctx, store.CallFilter{Programme: "life"})
	if len(life) != 1 || life[0].Identifier != "LIFE-2027-SAP-CLIMA-CCA" {
		t.Fatalf("LIFE calls = %+v", life)
	}
	// The EdTech deadline (2026-10-02) has passed by 2026-11-23.
	n, err := st.RefreshStatuses(ctx, day("2026-11-23"))
	if err != nil || n != 1 {
		t.Fatalf("refreshed %d, %v; want 1", n, err)
	}
	c, _ := st.CallByIdentifier(ctx, "DIGITAL-2026-SKILLS-10-EDTECH")
	if c.Status != funding.StatusClosed {
		t.Fatalf("status %q, want closed", c.Status)
	}
}

func TestARevisionOfAMultiPartFieldIsValidJSON(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	calls := sampleCalls()
	calls[2].ProgrammeName = "LIFE"
	crawl(t, st, ctx, calls, false, now)
	calls[2].ProgrammeName = "Programme for the Environment and Climate Action (LIFE)"
	if s := crawl(t, st, ctx, calls, false, now.Add(time.Hour)); s.Changed != 1 {
		t.Fatalf("stats %+v", s)
	}
	c, _ := st.CallByIdentifier(ctx, "LIFE-2027-SAP-CLIMA-CCA")
	revs, err := st.Revisions(ctx, c.ID)
	if err != nil || len(revs) != 1 || revs[0].Changes[0].New != "LIFE / Programme for the Environment and Climate Action (LIFE)" {
		t.Fatalf("revisions = %+v, %v", revs, err)
	}
}

func TestDeadlineTimesKeepTheirZoneAndDoNotCountAsChangesWhenReadBack(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	calls := sampleCalls()
	brussels := time.Date(2027, 2, 10, 17, 0, 0, 0, funding.Brussels)
	written := time.Date(2027, 9, 15, 23, 59, 0, 0, time.FixedZone("", 3*3600)) // an offset that is not Brussels's
	calls[0].DeadlineTimes = []time.Time{brussels, written}
	crawl(t, st, ctx, calls, false, now)

	c, err := st.CallByIdentifier(ctx, calls[0].Identifier)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DeadlineTimes) != 2 || c.DeadlineTimes[0].Location() != funding.Brussels ||
		c.DeadlineTimes[0].Format(time.RFC3339) != "2027-02-10T17:00:00+01:00" ||
		c.DeadlineTimes[1].Format(time.RFC3339) != "2027-09-15T23:59:00+03:00" {
		t.Fatalf("deadline times read back = %v", c.DeadlineTimes)
	}
	if at, ok := c.DeadlineTime(day("2027-02-10")); !ok || !at.Equal(brussels) {
		t.Errorf("DeadlineTime(2027-02-10) = %v, %v", at, ok)
	}

	// A change elsewhere compares the stored call with the new one: the
	// times read back are not a change.
	calls = sampleCalls()
	calls[0].DeadlineTimes = []time.Time{brussels, written}
	calls[0].Title = "Climate-neutral cities: positive energy districts (PED)"
	if s := crawl(t, st, ctx, calls, false, now.Add(time.Hour)); s.Changed != 1 {
		t.Fatalf("stats %+v, want one changed call", s)
	}
	revs, err := st.Revisions(ctx, c.ID)
	if err != nil || len(revs) != 1 || len(revs[0].Changes) != 1 || revs[0].Changes[0].Field != "title" {
		t.Fatalf("revisions = %+v, %v; want the title alone", revs, err)
	}
}
