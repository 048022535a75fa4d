package store_test

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
)

// stream stores calls as a crawl run does, one page after the other.
func stream(t *testing.T, st *store.Store, now time.Time, pages ...[]funding.Call) store.RunStats {
	t.Helper()
	ctx := t.Context()
	in, err := st.BeginRun(ctx, "ftportal", now)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	res := &crawlers.Result{Source: "ftportal", Sink: in.Add, Pages: len(pages)}
	for _, p := range pages {
		if err := res.Add(p...); err != nil {
			t.Fatal(err)
		}
	}
	stats, err := in.Finish(ctx, res, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

// storedCalls returns the stored calls of ftportal without their store
// bookkeeping, by identifier.
func storedCalls(t *testing.T, st *store.Store) map[string]funding.Call {
	t.Helper()
	records, err := st.Calls(t.Context(), store.CallFilter{Source: "ftportal"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]funding.Call{}
	for _, r := range records {
		out[r.Identifier] = r.Call
	}
	return out
}

func TestAStreamedRunStoresWhatAWholeRunStores(t *testing.T) {
	whole, ctx := setup(t)
	now := day("2026-11-23")
	crawl(t, whole, ctx, sampleCalls(), false, now)

	streamed, _ := setup(t)
	calls := sampleCalls()
	s := stream(t, streamed, now, calls[:1], nil, calls[1:])
	if s.New != 3 || len(s.Touched) != 3 || s.Changed+s.Unchanged+s.Closed != 0 {
		t.Fatalf("first streamed run %+v, want 3 new", s)
	}
	if diff := cmp.Diff(storedCalls(t, whole), storedCalls(t, streamed)); diff != "" {
		t.Errorf("streamed calls differ from those stored at once (-whole +streamed):\n%s", diff)
	}
	c, err := streamed.CallByIdentifier(ctx, "LIFE-2027-SAP-CLIMA-CCA")
	if err != nil || !c.FirstSeenAt.Equal(now) || !c.LastChangedAt.Equal(now) {
		t.Fatalf("stored call %+v, %v: want it stamped with the run's start", c, err)
	}

	// The same listing again writes nothing; a changed deadline writes one revision.
	if s := stream(t, streamed, now.Add(time.Hour), calls[2:], calls[:2]); s.Unchanged != 3 || s.New+s.Changed+s.Closed != 0 || len(s.Touched) != 0 {
		t.Fatalf("second streamed run %+v, want 3 unchanged", s)
	}
	calls[0].Deadlines = []time.Time{day("2027-03-03")}
	if s := stream(t, streamed, now.Add(2*time.Hour), calls); s.Changed != 1 || s.Unchanged != 2 || len(s.Touched) != 1 {
		t.Fatalf("third streamed run %+v, want one changed", s)
	}
	if n := countRows(t, streamed, `SELECT count(*) FROM call_revisions`); n != 1 {
		t.Fatalf("%d revisions, want 1", n)
	}
	runs, err := streamed.Runs(ctx, "ftportal", 3)
	if err != nil || len(runs) != 3 || runs[0].CallsChanged != 1 || runs[1].CallsUnchanged != 3 || runs[2].CallsNew != 3 || runs[0].Status != "ok" {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
}

func TestACallHandedOverTwiceKeepsItsLastVersion(t *testing.T) {
	st, _ := setup(t)
	now := day("2026-11-23")
	first, second := sampleCalls(), sampleCalls()
	second[0].Title = "Climate-neutral cities, richer record"
	s := stream(t, st, now, first, second[:1])
	if s.New != 3 || len(s.Touched) != 3 {
		t.Fatalf("stats %+v, want 3 new calls touched once each", s)
	}
	if got := storedCalls(t, st)["HORIZON-MISS-2027-CIT-01-01"].Title; got != second[0].Title {
		t.Fatalf("stored title %q, want the last version's", got)
	}

	// A stored call handed over changed, then as stored: unchanged, no revision.
	stored := sampleCalls()
	stored[0] = second[0]
	changed := sampleCalls()
	changed[1].Title = "EdTech Accelerator (draft)"
	s = stream(t, st, now.Add(time.Hour), changed[1:2], stored)
	if s.Changed != 0 || s.Unchanged != 3 || len(s.Touched) != 0 {
		t.Fatalf("stats %+v, want 3 unchanged", s)
	}
	if got := storedCalls(t, st)["DIGITAL-2026-SKILLS-10-EDTECH"].Title; got != "EdTech Accelerator" {
		t.Fatalf("stored title %q", got)
	}
	if n := countRows(t, st, `SELECT count(*) FROM call_revisions`); n != 0 {
		t.Fatalf("%d revisions", n)
	}
}

func TestARunThatFailsMidwayWritesNoCall(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	crawl(t, st, ctx, sampleCalls()[:1], false, now)

	in, err := st.BeginRun(ctx, "ftportal", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	changed := sampleCalls()
	changed[0].Title = "Changed title"
	if err := in.Add(changed); err != nil {
		t.Fatal(err)
	}
	if err := in.Fail(ctx, errors.New("search API: 503 three times"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM calls`); n != 1 {
		t.Fatalf("%d calls after a failed run, want the 1 stored before", n)
	}
	if got := storedCalls(t, st)["HORIZON-MISS-2027-CIT-01-01"].Title; got != sampleCalls()[0].Title {
		t.Fatalf("a failed run changed a call: title %q", got)
	}
	runs, _ := st.Runs(ctx, "ftportal", 1)
	if runs[0].Status != "failed" || !strings.Contains(string(runs[0].Errors), "503") {
		t.Fatalf("run = %+v %s", runs[0], runs[0].Errors)
	}

}

func TestARecordTheDatabaseRefusesIsAnErrorOfItsRunAndTheRestIsStored(t *testing.T) {
	st, ctx := setup(t)
	now := day("2026-11-23")
	crawl(t, st, ctx, sampleCalls()[:2], false, now)

	// One new call and one changed call that calls' CHECKs refuse, each in
	// a batch with calls that are fine.
	in, err := st.BeginRun(ctx, "ftportal", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	calls := sampleCalls()
	calls[1].Title = "" // changed, and calls.title must not be empty
	calls[2].FundingRate = ptr(160.0)
	fine := sampleCalls()[2]
	fine.Identifier, fine.FundingRate = "LIFE-2027-SAP-ENV-NATURE", ptr(60.0)
	calls = append(calls, fine)
	res := &crawlers.Result{Source: "ftportal", Sink: in.Add, Pages: 1}
	if err := res.Add(calls...); err != nil {
		t.Fatal(err)
	}
	stats, err := in.Finish(ctx, res, now.Add(time.Hour))
	if err != nil {
		t.Fatalf("Finish = %v, want the refused calls recorded and the run stored", err)
	}
	if stats.New != 1 || stats.Changed != 0 || stats.Unchanged != 1 || stats.Closed != 0 {
		t.Fatalf("stats %+v: want the fine new call stored, the stored ones kept", stats)
	}
	stored := storedCalls(t, st)
	if _, ok := stored["LIFE-2027-SAP-CLIMA-CCA"]; ok || stored["LIFE-2027-SAP-ENV-NATURE"].Title == "" || len(stored) != 3 {
		t.Fatalf("stored %v", slices.Collect(maps.Keys(stored)))
	}
	if got := stored["DIGITAL-2026-SKILLS-10-EDTECH"].Title; got != "EdTech Accelerator" {
		t.Fatalf("the refused change reached the stored call: title %q", got)
	}
	runs, _ := st.Runs(ctx, "ftportal", 1)
	errs := string(runs[0].Errors)
	if runs[0].Status != "ok" || runs[0].CallsNew != 1 ||
		!strings.Contains(errs, `"reference": "DIGITAL-2026-SKILLS-10-EDTECH"`) || !strings.Contains(errs, "calls_title_check") ||
		!strings.Contains(errs, `"reference": "LIFE-2027-SAP-CLIMA-CCA"`) || !strings.Contains(errs, "calls_funding_rate_check") {
		t.Fatalf("run %s %d new, errors %s: want ok with both refused records named", runs[0].Status, runs[0].CallsNew, errs)
	}
	if len(res.Errors) != 2 {
		t.Fatalf("result errors %v, want the 2 refused records", res.Errors)
	}
}

func TestTextIsCleanedOfNULAndInvalidUTF8BeforeItIsStored(t *testing.T) {
	st, _ := setup(t)
	now := day("2026-11-23")
	calls := sampleCalls()
	calls[0].Title = "Climate-neutral\x00 cities"
	calls[0].Keywords = []string{"ci\x00ties", "en\xffergy"}
	calls[0].Raw = json.RawMessage(`{"title":"Climate-neutral\u0000 cities","path":"C:\\u0000","bad":"` + "\xfe" + `"}`)
	calls[1].DescriptionText = "Caf\xe9 culture"
	s := stream(t, st, now, calls)
	if s.New != 3 {
		t.Fatalf("stats %+v, want every call stored", s)
	}
	stored := storedCalls(t, st)
	got := stored["HORIZON-MISS-2027-CIT-01-01"]
	if got.Title != "Climate-neutral cities" || !slices.Equal(got.Keywords, []string{"cities", "en\uFFFDergy"}) {
		t.Errorf("stored %q %q", got.Title, got.Keywords)
	}
	var raw map[string]string
	if err := json.Unmarshal(got.Raw, &raw); err != nil || raw["title"] != "Climate-neutral cities" || raw["path"] != `C:\u0000` || raw["bad"] != "\uFFFD" {
		t.Errorf("stored raw %s (%v)", got.Raw, err)
	}
	if got := stored["DIGITAL-2026-SKILLS-10-EDTECH"].DescriptionText; got != "Caf\uFFFD culture" {
		t.Errorf("stored %q", got)
	}
	// The same dirty records again are unchanged.
	if s := stream(t, st, now.Add(time.Hour), calls); s.Unchanged != 3 || s.Changed+s.New != 0 {
		t.Errorf("second run %+v, want all unchanged", s)
	}
}

func TestAnIngestRefusesCallsOfAnotherSource(t *testing.T) {
	st, ctx := setup(t)
	in, err := st.BeginRun(ctx, "ftportal", day("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	other := sampleCalls()[:1]
	other[0].Source = "vlaio-efro"
	in.Add(other) // written in the background: the refusal may come later
	in.Add(sampleCalls()[1:])
	_, err = in.Finish(ctx, &crawlers.Result{Source: "ftportal", Sent: 3, Pages: 1}, day("2026-11-23"))
	if err == nil || !strings.Contains(err.Error(), "vlaio-efro") {
		t.Fatalf("Finish = %v, want a refusal naming the source", err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM calls`); n != 0 {
		t.Fatalf("%d calls stored by a refused run", n)
	}
	if err := in.Add(sampleCalls()); err == nil {
		t.Fatal("Add after Finish succeeded")
	}
}

func TestLongCallValuesAreCompressedWithLZ4(t *testing.T) {
	st, ctx := setup(t)
	calls := sampleCalls()[:1]
	long := strings.Repeat("<p>Positive energy districts in climate-neutral cities. </p>", 100)
	calls[0].DescriptionHTML, calls[0].DescriptionText = long, long
	calls[0].Raw = []byte(`{"description":"` + long + `"}`)
	crawl(t, st, ctx, calls, false, day("2026-11-23"))
	var raw, desc string
	if err := st.DB().QueryRow(`SELECT pg_column_compression(raw), pg_column_compression(description_html) FROM calls`).Scan(&raw, &desc); err != nil {
		t.Fatal(err)
	}
	if raw != "lz4" || desc != "lz4" {
		t.Fatalf("raw compressed with %q, description with %q; want lz4", raw, desc)
	}
}

// TestARecordWithAnUnsafeIdentifierIsThatRecordsError: an identifier that
// would change a link's meaning (../, CR/LF, <) is refused as that record's
// error; the other calls of the page are stored and the run stays ok (the listing was complete), with those errors.
func TestARecordWithAnUnsafeIdentifierIsThatRecordsError(t *testing.T) {
	st, ctx := setup(t)
	bad := []string{"../../admin/users", "NEAR/../admin", "HORIZON-X\r\nSet-Cookie: a=b", "CALL-<script>", "..", "/etc/passwd",
		"a//b", "a/", " a", "a\tb", strings.Repeat("X", store.MaxIdentifierLen+1)}
	page := sampleCalls()
	for i, id := range bad {
		c := sampleCalls()[i%3]
		c.Identifier = id
		page = append(page, c)
	}
	s := stream(t, st, day("2026-11-23"), page)
	if s.New != 3 {
		t.Errorf("%d new calls, want the 3 good ones", s.New)
	}
	stored := storedCalls(t, st)
	for _, id := range bad {
		if _, ok := stored[id]; ok {
			t.Errorf("identifier %q was stored", id)
		}
	}
	runs, err := st.Runs(ctx, "ftportal", 1)
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Status != "ok" || strings.Count(string(runs[0].Errors), "identifier refused") != len(bad) {
		t.Errorf("run %s with errors %s, want ok (the listing was complete) with %d refused identifiers", runs[0].Status, runs[0].Errors, len(bad))
	}
	// The portal's real identifiers pass; an HTML source's are slugs.
	for _, ok := range []string{"HORIZON-CL5-2027-D4-01", "ERC-2026_ADG.v2", "NEAR/BEG/2023/EA-RP/0169", "UCA 23/028"} {
		if err := store.ValidIdentifier("ftportal", ok); err != nil {
			t.Errorf("ValidIdentifier(ftportal, %q) = %v", ok, err)
		}
	}
	if err := store.ValidIdentifier("vlaio-efro", "tweede-oproep-2022"); err != nil {
		t.Errorf("a slug: %v", err)
	}
	for _, id := range []string{"a/b", "A B", "../x"} {
		if err := store.ValidIdentifier("vlaio-efro", id); err == nil {
			t.Errorf("ValidIdentifier(vlaio-efro, %q) accepted it", id)
		}
	}
}
