package scoring_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/matching"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// evalRecord is a call of the matcher's evaluation files
// (matching/testdata/eval and scenarios), with its dates parsed.
type evalRecord struct {
	Identifier, Programme, Kind, Title, Summary, Description, Status, EligibilityNotes string
	OpeningDate                                                                        string   `json:"opening_date"`
	DeadlineDays                                                                       []string `json:"deadlines"`
	Keywords, Tags                                                                     []string
	TypesOfAction                                                                      []string    `json:"types_of_action"`
	BudgetMin                                                                          *float64    `json:"budget_min"`
	BudgetMax                                                                          *float64    `json:"budget_max"`
	CallBudget                                                                         *float64    `json:"call_budget"`
	FundingRate                                                                        *float64    `json:"funding_rate"`
	Opening                                                                            *time.Time  `json:"-"`
	Deadlines                                                                          []time.Time `json:"-"`
}

// readEvalRecords reads a calls.json of the matcher's evaluation files.
func readEvalRecords(t testing.TB, path string) []evalRecord {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rs []evalRecord
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i := range rs {
		if d, err := time.Parse(time.DateOnly, rs[i].OpeningDate); err == nil {
			rs[i].Opening = &d
		}
		for _, s := range rs[i].DeadlineDays {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				t.Fatalf("%s: deadline: %v", rs[i].Identifier, err)
			}
			rs[i].Deadlines = append(rs[i].Deadlines, d)
		}
	}
	return rs
}

// evalCalls reads the matcher's evaluation calls (real sample texts and
// realistic topics) as crawled calls of the "ftportal" source.
func evalCalls(t testing.TB) []funding.Call {
	t.Helper()
	raw := readEvalRecords(t, "../../matching/testdata/eval/calls.json")
	calls := make([]funding.Call, 0, len(raw))
	for _, r := range raw {
		kind := funding.Kind(r.Kind)
		if kind == "tender" {
			kind = funding.KindCall // the calls table has no tenders; the eligibility notes still say so
		}
		calls = append(calls, funding.Call{Source: "ftportal", Identifier: r.Identifier, Programme: r.Programme, Kind: kind,
			Title: r.Title, Summary: r.Summary, DescriptionText: r.Description, Status: funding.Status(r.Status),
			EligibilityNotes: r.EligibilityNotes, Keywords: r.Keywords, Tags: r.Tags, TypesOfAction: r.TypesOfAction,
			BudgetMin: r.BudgetMin, BudgetMax: r.BudgetMax, CallBudget: r.CallBudget, FundingRate: r.FundingRate,
			OpeningDate: r.Opening, Deadlines: r.Deadlines})
	}
	return calls
}

// crawlRun stores calls as one complete ftportal crawl run at now.
func crawlRun(t testing.TB, st *store.Store, calls []funding.Call, now time.Time) store.RunStats {
	t.Helper()
	ctx := context.Background()
	run, err := st.StartRun(ctx, "ftportal", now)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := st.FinishRun(ctx, run, &crawlers.Result{Source: "ftportal", Calls: calls, Pages: 1}, now)
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

// derivedKept are the municipalities whose derived starter profiles the
// scoring tests keep: they stand for the 272 others, whose scoring would make
// every test here take minutes.
var derivedKept = []string{"herstappe", "pajottegem"}

// seeded returns a store with the seed data and the evaluation calls: the 14
// profiles of the seed and the derived profiles of derivedKept, 16 in all.
func seeded(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`DELETE FROM profiles p USING cities c
		WHERE c.id = p.city_id AND p.derived AND c.slug <> ALL($1)`, pq.StringArray(derivedKept)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	crawlRun(t, st, evalCalls(t), now)
	return st
}

// scoredAll is a seeded store after a full rescore, with its scorer.
func scoredAll(t testing.TB) (*store.Store, *scoring.Service) {
	t.Helper()
	st := seeded(t)
	s := scoring.New(st, quiet)
	if _, err := s.ScoreAll(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return st, s
}

// inMemoryModel builds a model over every stored call and the queries of
// every city with a profile, as scoring does, without the Service's store
// writes: the in-memory counterpart of the real path.
func inMemoryModel(tb testing.TB, st *store.Store) (*matching.Model, []*matching.CityQuery) {
	tb.Helper()
	ctx := context.Background()
	records, err := st.Calls(ctx, store.CallFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	calls := make([]matching.Call, len(records))
	for i := range records {
		calls[i] = scoring.MatchingCall(&records[i])
	}
	m, err := matching.NewModel(calls, matching.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	qs, err := scoring.New(st, quiet).Queries(ctx, m)
	if err != nil {
		tb.Fatal(err)
	}
	return m, qs
}

// kept counts the pairs the store keeps (eligible or unknown, at least
// scoring.StoreFloor) by scoring every city in memory, without the store.
func kept(t *testing.T, st *store.Store) int {
	t.Helper()
	ctx := context.Background()
	m, qs := inMemoryModel(t, st)
	var n int
	err := m.ScoreCities(ctx, qs, time.Now(), func(_ *matching.CityQuery, ms []matching.Match) error {
		for _, mt := range ms {
			if mt.Eligibility != funding.Ineligible && mt.Score >= scoring.StoreFloor {
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestScoreAllStoresThePairsAboveTheFloorAndAnUnchangedInputIsNotRewritten(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	s := scoring.New(st, quiet)
	res, err := s.ScoreAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := kept(t, st)
	if res.Cities != 16 || res.Calls != 85 || res.Pairs != 16*85 || res.Written != want || want == 0 || want == res.Pairs {
		t.Fatalf("first run = %+v, want 16 cities (2 with derived profiles) × 85 calls scored and the %d above the floor written", res, want)
	}
	var rows, below int
	if err := st.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE eligibility = 'ineligible' OR score < $1) FROM matches`,
		scoring.StoreFloor).Scan(&rows, &below); err != nil || rows != want || below != 0 {
		t.Fatalf("%d rows stored, %d of them below the floor or ineligible (%v); want %d, none", rows, below, err, want)
	}
	again, err := s.ScoreAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Unchanged != 16 || again.Pairs != 0 {
		t.Fatalf("second run with the same inputs = %+v, want every city passed over and nothing written", again)
	}
	gent, err := st.CityBySlug(ctx, "gent")
	if err != nil {
		t.Fatal(err)
	}
	ms, _, err := st.CityMatches(ctx, gent.ID, store.MatchFilter{ExcludeIneligible: true, ExcludeClosed: true, Limit: 5, SkipCount: true},
		time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if err != nil || len(ms) != 5 {
		t.Fatalf("gent's top 5 = %d, %v", len(ms), err)
	}
	for i, m := range ms {
		if m.Eligibility == "ineligible" || (i > 0 && m.Score > ms[i-1].Score) {
			t.Fatalf("gent's matches are not best first or hold an ineligible call: %+v", ms)
		}
		if m.Explanation.NL == "" || m.Explanation.EN == "" {
			t.Fatalf("top match %s has no stored explanation in both languages: %+v", m.CallIdentifier, m.Explanation)
		}
	}
}

// A full rescore passes over the cities whose inputs did not change since
// their last full scoring, and scores the others: a profile changed in the
// store (not through ScoreCity), matches emptied, a new call.
func TestAFullRescorePassesOverCitiesWhoseInputsDidNotChange(t *testing.T) {
	ctx := context.Background()
	st, _ := scoredAll(t)
	s := scoring.New(st, quiet) // another process
	p, err := st.ProfileBySlug(ctx, "oostende")
	if err != nil {
		t.Fatal(err)
	}
	p.KeywordsNL = append(p.KeywordsNL, "digitale tweeling")
	if _, err := st.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	res, err := s.ScoreAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cities != 1 || res.Unchanged != 15 || res.Written == 0 {
		t.Fatalf("after oostende's profile changed: %+v, want oostende alone scored and written", res)
	}
	// A partial scoring leaves no promise behind: after ScoreCity, the
	// city is scored again by the next full rescore.
	if _, err := s.ScoreCity(ctx, "gent"); err != nil {
		t.Fatal(err)
	}
	if res, err = s.ScoreAll(ctx, nil); err != nil || res.Cities != 1 || res.Unchanged != 15 || res.Written != 0 {
		t.Fatalf("after gent was scored alone: %+v, %v; want gent scored again, nothing written", res, err)
	}
	st.DB().MustExec(`TRUNCATE matches`)
	want := kept(t, st)
	if res, err = s.ScoreAll(ctx, nil); err != nil || res.Cities != 16 || res.Written != want {
		t.Fatalf("after the matches were emptied: %+v, %v; want every city scored and %d written", res, err, want)
	}
	calls := evalCalls(t)
	extra := calls[0]
	extra.Identifier += "-NEW"
	crawlRun(t, st, append(calls, extra), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	if res, err = s.ScoreAll(ctx, nil); err != nil || res.Cities != 16 || res.Unchanged != 0 || res.Calls != 86 {
		t.Fatalf("after a new call: %+v, %v; want every city scored against 86 calls", res, err)
	}
}

func TestAProfileChangeRescoresOnlyThatCity(t *testing.T) {
	ctx := context.Background()
	st, s := scoredAll(t)
	p, err := st.ProfileBySlug(ctx, "oostende")
	if err != nil {
		t.Fatal(err)
	}
	p.KeywordsNL = append(p.KeywordsNL, "digitale tweeling", "hittestress")
	if _, err := st.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	var before time.Time // the last write of the full scoring
	if err := st.DB().Get(&before, `SELECT max(scored_at) FROM matches`); err != nil {
		t.Fatal(err)
	}
	res, err := s.ScoreCity(ctx, "oostende")
	if err != nil {
		t.Fatal(err)
	}
	if res.Written == 0 || res.Written > 85 {
		t.Fatalf("rescoring oostende wrote %d rows", res.Written)
	}
	var others int
	if err := st.DB().Get(&others, `SELECT count(*) FROM matches m JOIN cities c ON c.id = m.city_id
		WHERE c.slug <> 'oostende' AND m.scored_at > $1`, before); err != nil {
		t.Fatal(err)
	}
	if others != 0 {
		t.Fatalf("%d matches of other cities were rewritten", others)
	}
	if _, err := s.ScoreCity(ctx, "atlantis"); err == nil {
		t.Fatal("scoring an unknown city did not fail")
	}
}

func TestANewCallIsScoredForEveryCity(t *testing.T) {
	ctx := context.Background()
	st, s := scoredAll(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	calls := evalCalls(t)
	fresh := funding.Call{Source: "ftportal", Identifier: "HORIZON-MISS-2027-TEST-99-01", Programme: "HORIZON",
		Kind: funding.KindTopic, Status: funding.StatusForthcoming, Title: "Urban heat and climate adaptation with nature-based solutions in cities",
		DescriptionText: "Cities and local authorities pilot nature-based solutions against urban heat islands and flooding, with citizen participation.",
		Deadlines:       []time.Time{time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC)}, TypesOfAction: []string{"HORIZON Innovation Actions"}}
	stats := crawlRun(t, st, append(calls, fresh), now)
	if stats.New != 1 || len(stats.Touched) != 1 {
		t.Fatalf("stats %+v", stats)
	}
	res, err := s.ScoreCalls(ctx, stats.Touched)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := st.DB().Get(&rows, `SELECT count(*) FROM matches WHERE call_id = $1`, stats.Touched[0]); err != nil {
		t.Fatal(err)
	}
	if res.Pairs != 16 || res.Written != rows || rows == 0 {
		t.Fatalf("scoring the new call = %+v and %d rows stored, want 16 pairs scored and the kept ones written", res, rows)
	}
	ex, err := s.Explain(ctx, "gent", fresh.Identifier)
	if err != nil || ex.NL == "" {
		t.Fatalf("explain = %v", err)
	}
}

// TestExplainShowsTheStoredScoreAndReasons checks the one code path of
// issue 12: for every explained pair of every city, `explain` shows the
// stored score and reasons, also after new calls shifted the corpus
// statistics (which leave a pair's inputs, and so its stored row, as they
// were); and explained rows carry structured reasons, not an empty list.
func TestExplainShowsTheStoredScoreAndReasons(t *testing.T) {
	ctx := context.Background()
	st, s := scoredAll(t)
	// Forty new calls change document frequencies and field lengths.
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	calls := evalCalls(t)
	for i := range 40 {
		c := calls[i]
		c.Identifier += "-BIS"
		c.Title = "Digital data platform and innovation " + c.Title
		calls = append(calls, c)
	}
	stats := crawlRun(t, st, calls, now)
	if _, err := s.ScoreCalls(ctx, stats.Touched); err != nil {
		t.Fatal(err)
	}
	fresh := scoring.New(st, quiet) // a new process: the model is rebuilt from every call
	checked := 0
	for _, slug := range []string{"gent", "leuven", "kortrijk"} {
		city, err := st.CityBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		ms, _, err := st.CityMatches(ctx, city.ID, store.MatchFilter{Limit: 60, SkipCount: true}, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			ex, err := fresh.Explain(ctx, slug, m.CallIdentifier)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Match.Score != m.Score || math.Abs(ex.Match.Components.Relevance-m.Relevance) > 1e-6 {
				t.Errorf("%s/%s: explain says %d (relevance %.4f), stored %d (%.4f)", slug, m.CallIdentifier,
					ex.Match.Score, ex.Match.Components.Relevance, m.Score, m.Relevance)
			}
			if m.Explanation.NL != "" {
				stored, _ := json.Marshal(m.Reasons)
				var kept []matching.Point
				if err := json.Unmarshal(stored, &kept); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(kept, ex.Reasons) {
					shown, _ := json.Marshal(ex.Reasons)
					t.Errorf("%s/%s: stored reasons %s, explain %s", slug, m.CallIdentifier, stored, shown)
				}
				if m.Score >= 40 && (len(kept) == 0 || kept[0].Code != matching.ReasonTheme) {
					t.Errorf("%s/%s: score %d with reasons %s", slug, m.CallIdentifier, m.Score, stored)
				}
				if ex.SummaryNL == "" || ex.SummaryEN == "" {
					t.Errorf("%s/%s: no summary", slug, m.CallIdentifier)
				}
				// The texts are stored apart from the explanation and
				// put back together.
				if ex.NL != m.Explanation.NL || ex.EN != m.Explanation.EN || ex.SummaryNL != m.Explanation.SummaryNL {
					t.Errorf("%s/%s: explain says %q, the list %q", slug, m.CallIdentifier, ex.NL, m.Explanation.NL)
				}
			}
			checked++
		}
	}
	if checked < 150 {
		t.Fatalf("checked %d pairs", checked)
	}
	// A stored pair without an explanation is stored with one once explained.
	city, _ := st.CityBySlug(ctx, "gent")
	all, _, _ := st.CityMatches(ctx, city.ID, store.MatchFilter{Limit: 500, SkipCount: true}, now)
	plain := all[0].CallIdentifier
	if _, err := st.DB().Exec(`UPDATE matches SET explanation = '{}' FROM calls c
		WHERE c.id = matches.call_id AND c.identifier = $1 AND matches.city_id = $2`, plain, city.ID); err != nil {
		t.Fatal(err)
	}
	ex, err := s.Explain(ctx, "gent", plain)
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := st.CityMatches(ctx, city.ID, store.MatchFilter{Limit: 500, SkipCount: true}, now)
	got := again[slices.IndexFunc(again, func(m store.CityMatch) bool { return m.CallIdentifier == plain })]
	if got.Score != ex.Match.Score || got.Explanation.NL == "" || got.Explanation.NL != ex.NL {
		t.Fatalf("explained pair stored as %d %q, explain said %d %q", got.Score, got.Explanation.NL, ex.Match.Score, ex.NL)
	}
	// A pair below the floor is explained on the fly, and not stored.
	var below string
	if err := st.DB().Get(&below, `SELECT identifier FROM calls c WHERE NOT EXISTS (
		SELECT 1 FROM matches m WHERE m.call_id = c.id AND m.city_id = $1) ORDER BY identifier LIMIT 1`, city.ID); err != nil {
		t.Fatalf("every call is stored for gent: %v", err)
	}
	ex, err = s.Explain(ctx, "gent", below)
	if err != nil || ex.NL == "" {
		t.Fatalf("explain %s below the floor = %q, %v", below, ex.NL, err)
	}
	if ex.Match.Eligibility != funding.Ineligible && ex.Match.Score >= scoring.StoreFloor {
		t.Fatalf("%s is not stored for gent but scores %d (%s)", below, ex.Match.Score, ex.Match.Eligibility)
	}
	var n int
	st.DB().Get(&n, `SELECT count(*) FROM matches m JOIN calls c ON c.id = m.call_id WHERE c.identifier = $1 AND m.city_id = $2`, below, city.ID)
	if n != 0 {
		t.Fatalf("explaining %s below the floor stored it", below)
	}
}

// TestAPairThatFallsBelowTheFloorIsRemoved checks that no page shows a
// stale match: a city that excludes every programme (a profile change) and
// a call whose deadline passed (a crawl) lose their stored rows.
func TestAPairThatFallsBelowTheFloorIsRemoved(t *testing.T) {
	ctx := context.Background()
	st, s := scoredAll(t)
	count := func(cond string, arg any) int {
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM matches m JOIN cities ct ON ct.id = m.city_id
			JOIN calls c ON c.id = m.call_id WHERE `+cond, arg); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count("ct.slug = $1", "leuven")
	if before == 0 {
		t.Fatal("leuven has no stored matches to lose")
	}
	p, err := st.ProfileBySlug(ctx, "leuven")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Select(&p.ExcludedProgrammes, `SELECT DISTINCT programme FROM calls`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	res, err := s.ScoreCity(ctx, "leuven")
	if err != nil {
		t.Fatal(err)
	}
	if after := count("ct.slug = $1", "leuven"); after != 0 || res.Removed != before {
		t.Fatalf("leuven excludes every programme: %d rows left, %d removed of %d", after, res.Removed, before)
	}

	// The call most cities match closes: a new crawl no longer lists it.
	var identifier string
	if err := st.DB().Get(&identifier, `SELECT c.identifier FROM matches m JOIN calls c ON c.id = m.call_id
		GROUP BY c.identifier ORDER BY count(*) DESC, c.identifier LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	had := count("c.identifier = $1", identifier)
	calls := evalCalls(t)
	for i := range calls {
		if calls[i].Identifier == identifier {
			calls[i].Status = funding.StatusClosed
			calls[i].Deadlines = []time.Time{time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
		}
	}
	stats := crawlRun(t, st, calls, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	if len(stats.Touched) == 0 {
		t.Fatalf("stats %+v: the closed call was not changed", stats)
	}
	res, err = s.ScoreCalls(ctx, stats.Touched)
	if err != nil {
		t.Fatal(err)
	}
	if left := count("c.identifier = $1", identifier); left != 0 || res.Removed != had {
		t.Fatalf("%s closed: %d of its %d rows left, %d removed", identifier, left, had, res.Removed)
	}
}

func TestAMunicipalityWithADerivedProfileIsScoredLikeTheOthers(t *testing.T) {
	st, _ := scoredAll(t)
	for _, slug := range derivedKept {
		var n, eligible, top int
		if err := st.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE m.eligibility = 'eligible'), coalesce(max(m.score), 0)
			FROM matches m JOIN cities c ON c.id = m.city_id WHERE c.slug = $1`, slug).Scan(&n, &eligible, &top); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d matches, %d eligible, best score %d", slug, n, eligible, top)
		// A small municipality sees matches the first day: some it may
		// apply to, and a best one that its profile points to.
		if n == 0 || eligible == 0 || top < 40 {
			t.Errorf("%s: %d matches, %d eligible, best score %d; want some stored, some eligible, a best score of 40 or more", slug, n, eligible, top)
		}
	}
}
