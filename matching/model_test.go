package matching

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/google/go-cmp/cmp"
)

func newTestModel(t *testing.T) *Model {
	t.Helper()
	m, err := NewModel(testCalls(), Options{Vocabulary: smallVocabulary(t), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestScoreCityRanksConceptMatchesFirstAndIneligibleLast(t *testing.T) {
	m := newTestModel(t)
	gent := gentApplicant()
	gent.Profile.KeywordsNL = []string{"luchtkwaliteitsmeetnet", "digitale tweeling"}
	ms, err := m.ScoreCity(context.Background(), m.Query(gent), testNow)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range ms {
		got = append(got, x.Call)
		t.Logf("%-30s %3d %-10s %+v", x.Call, x.Score, x.Eligibility, x.Components)
	}
	// The English air-quality call matches the Dutch "luchtkwaliteitsmeetnet"
	// and the past sensor project; the EIC and closed calls are ineligible.
	if got[0] != "HORIZON-MISS-2027-CIT-01" {
		t.Errorf("first = %s, want the air-quality call; ranking %v", got[0], got)
	}
	tail := got[len(got)-2:]
	slices.Sort(tail)
	if want := []string{"DIGITAL-2026-CLOSED", "HORIZON-EIC-2027-ACCELERATOR"}; !slices.Equal(tail, want) {
		t.Errorf("last two = %v, want the ineligible %v", tail, want)
	}
	for _, x := range ms {
		if x.Score < 0 || x.Score > 100 {
			t.Errorf("%s: score %d out of 0..100", x.Call, x.Score)
		}
		if x.Reasons == nil || (x.Eligibility == funding.Eligible) != (len(x.Reasons) == 0) {
			t.Errorf("%s: %s with reasons %v", x.Call, x.Eligibility, x.Reasons)
		}
		if x.Eligibility == funding.Ineligible && x.Score != 0 {
			t.Errorf("%s: ineligible with score %d", x.Call, x.Score)
		}
	}
}

func TestScoreCallAgreesWithScoreCity(t *testing.T) {
	m := newTestModel(t)
	q := m.Query(gentApplicant())
	ms, err := m.ScoreCity(context.Background(), q, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range ms {
		got, err := m.ScoreCall(want.Call, []*CityQuery{q}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Score != want.Score || got[0].Eligibility != want.Eligibility || got[0].InputHash != want.InputHash ||
			abs(got[0].Components.Relevance-want.Components.Relevance) > 1e-6 || abs(got[0].Components.Experience-want.Components.Experience) > 1e-6 {
			t.Errorf("%s: ScoreCall %+v, ScoreCity %+v", want.Call, got[0], want)
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestAddReplacesACallWithTheSameIdentifier(t *testing.T) {
	m := newTestModel(t)
	q := m.Query(gentApplicant())
	before, _ := m.ScoreCall("LIFE-2027-CLIMA-CCA", []*CityQuery{q}, testNow)
	changed := testCalls()[1]
	changed.Title, changed.Summary, changed.Description = "Port logistics", "Container terminals.", "Automation of container handling in seaports."
	if err := m.Add(changed); err != nil {
		t.Fatal(err)
	}
	if m.Len() != len(testCalls()) {
		t.Errorf("Len = %d after replacing a call, want %d", m.Len(), len(testCalls()))
	}
	after, _ := m.ScoreCall("LIFE-2027-CLIMA-CCA", []*CityQuery{q}, testNow)
	if after[0].Components.Relevance >= before[0].Components.Relevance || after[0].InputHash == before[0].InputHash {
		t.Errorf("after replacing the heat call by a port call: relevance %.3f -> %.3f, hash %x -> %x; want lower relevance and a new hash",
			before[0].Components.Relevance, after[0].Components.Relevance, before[0].InputHash, after[0].InputHash)
	}
	ms, _ := m.ScoreCity(context.Background(), q, testNow)
	if n := len(ms); n != len(testCalls()) {
		t.Errorf("ScoreCity returned %d matches, want %d (no stale copy)", n, len(testCalls()))
	}
	if !m.Remove("LIFE-2027-CLIMA-CCA") || m.Remove("LIFE-2027-CLIMA-CCA") {
		t.Error("Remove: want true for a present call, then false")
	}
	ms, _ = m.ScoreCity(context.Background(), q, testNow)
	for _, x := range ms {
		if x.Call == "LIFE-2027-CLIMA-CCA" {
			t.Error("a removed call is still scored")
		}
	}
}

func TestInputHashFollowsTheInputs(t *testing.T) {
	m := newTestModel(t)
	score := func(a Applicant, now string) uint64 {
		ms, err := m.ScoreCall("LIFE-2027-CLIMA-CCA", []*CityQuery{m.Query(a)}, mustDate(now))
		if err != nil {
			t.Fatal(err)
		}
		return ms[0].InputHash
	}
	base := score(gentApplicant(), "2026-11-23")
	if again := score(gentApplicant(), "2026-11-23"); again != base {
		t.Errorf("same inputs: hash %x then %x", base, again)
	}
	// The deadline is 98 days away and preparation takes 45: one day later
	// scores the same.
	if next := score(gentApplicant(), "2026-11-24"); next != base {
		t.Errorf("a day later, far from the deadline: hash changed")
	}
	if near := score(gentApplicant(), "2027-01-10"); near == base {
		t.Errorf("close to the deadline: hash unchanged")
	}
	changed := gentApplicant()
	changed.Profile.KeywordsNL = append(changed.Profile.KeywordsNL, "biodiversiteit")
	if h := score(changed, "2026-11-23"); h == base {
		t.Errorf("changed keywords: hash unchanged")
	}
}

func TestScoreCitiesStopsOnEmitErrorAndCancellation(t *testing.T) {
	m := newTestModel(t)
	var qs []*CityQuery
	for range 10 {
		qs = append(qs, m.Query(gentApplicant()))
	}
	calls := 0
	err := m.ScoreCities(context.Background(), qs, testNow, func(*CityQuery, []Match) error {
		calls++
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") || calls > 2 {
		t.Errorf("emit error: err %v after %d emits; want the error after at most one emit per worker", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = m.ScoreCities(ctx, qs, testNow, func(*CityQuery, []Match) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err %v, want context.Canceled", err)
	}
	ranked, err := m.ScoreCity(context.Background(), qs[0], testNow)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*CityQuery]int{}
	err = m.ScoreCities(context.Background(), qs, testNow, func(q *CityQuery, ms []Match) error {
		seen[q] = len(ms)
		Rank(ms)
		if diff := cmp.Diff(ranked, ms); diff != "" {
			t.Errorf("ScoreCities differs from ScoreCity (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil || len(seen) != len(qs) {
		t.Errorf("ScoreCities emitted %d of %d cities, err %v", len(seen), len(qs), err)
	}
}

func TestExplainNamesTheWordsOnBothSides(t *testing.T) {
	m := newTestModel(t)
	e, err := m.Explain("HORIZON-MISS-2027-CIT-01", m.Query(gentApplicant()), testNow)
	if err != nil {
		t.Fatal(err)
	}
	var air *ConceptMatch
	for i := range e.Concepts {
		if e.Concepts[i].Concept == "air-quality" {
			air = &e.Concepts[i]
		}
	}
	if air == nil || !slices.Contains(air.ProfileWords, "luchtkwaliteitsmeetnet") || !slices.Contains(air.CallWords, "air quality") {
		t.Fatalf("air-quality concept = %+v, want profile word luchtkwaliteitsmeetnet and call words with air quality", air)
	}
	if e.Project == nil || e.Project.Year != 2022 {
		t.Errorf("project evidence = %+v, want the 2022 sensor project", e.Project)
	}
	for _, want := range []string{`"luchtkwaliteitsmeetnet" in het profiel ~ "air quality"`, `Lijkt op je project "Meetnet luchtkwaliteit" (2022`} {
		if !strings.Contains(e.NL, want) {
			t.Errorf("Dutch explanation lacks %q:\n%s", want, e.NL)
		}
	}
	if !strings.Contains(e.EN, `Resembles your 2022 project "Meetnet luchtkwaliteit"`) || !strings.Contains(e.EN, "at least three countries") {
		t.Errorf("English explanation lacks the project or the consortium note:\n%s", e.EN)
	}
	if _, err := m.Explain("NO-SUCH-CALL", m.Query(gentApplicant()), testNow); err == nil {
		t.Error("Explain of an unknown call: no error")
	}
}

// TestAProfileWithoutKeywordsIsScoredOnItsDomains: no keywords is no error
// and no silence: the domains the profile weighs find their calls, the
// relevance stays below a keyword profile's, and the explanation says so.
func TestAProfileWithoutKeywordsIsScoredOnItsDomains(t *testing.T) {
	m := newTestModel(t)
	a := gentApplicant()
	a.Profile.KeywordsNL, a.Profile.KeywordsEN = nil, nil
	a.Profile.DomainWeights = map[Domain]float64{DomainEnvironment: 1, DomainMobility: 0.2}
	a.Projects = nil
	q := m.Query(a)
	ms, err := m.ScoreCity(context.Background(), q, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].Components.Relevance == 0 || ms[0].Components.Relevance > domainOnlyFactor {
		t.Fatalf("best relevance on domains alone = %.2f, want above 0 and at most %.2f", ms[0].Components.Relevance, domainOnlyFactor)
	}
	e, err := m.Explain(ms[0].Call, q, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.NL, "geen trefwoorden") || !strings.Contains(e.EN, "no keywords") {
		t.Fatalf("the explanation does not say the profile has no keywords:\n%s\n%s", e.NL, e.EN)
	}
}

func TestCorpusHashFollowsTheCallsNotTheirOrder(t *testing.T) {
	calls := testCalls()
	m, err := NewModel(calls, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := CorpusHash(calls)
	if m.CorpusHash() != h {
		t.Fatalf("the model's corpus hash %x, the calls' %x", m.CorpusHash(), h)
	}
	reversed := slices.Clone(calls)
	slices.Reverse(reversed)
	if CorpusHash(reversed) != h {
		t.Error("the corpus hash depends on the order of the calls")
	}
	changed := slices.Clone(calls)
	changed[0].Summary += " and more"
	if CorpusHash(changed) == h {
		t.Error("a changed summary leaves the corpus hash")
	}
	if CorpusHash(calls[1:]) == h {
		t.Error("a removed call leaves the corpus hash")
	}
	if err := m.Add(changed[0]); err != nil {
		t.Fatal(err)
	}
	if m.CorpusHash() != CorpusHash(changed) {
		t.Error("the model's corpus hash does not follow a changed call")
	}
}
