package matching

import (
	"fmt"
	"slices"
	"testing"
)

// frontRunnerApplicants are Gent (an air-quality sensor project), Brugge
// (shared bikes and charging points in mobility hubs), Lier (a library,
// like none of the calls) and Ronse (no past project).
func frontRunnerApplicants() []Applicant {
	brugge := Applicant{City: City{Slug: "brugge", Name: "Brugge", Province: "West-Vlaanderen", Kind: CityCentre},
		Projects: []Project{
			{Title: "Bibliotheek als derde plek", Summary: "Een leeszaal voor de buurt.", Year: 2019, Programme: "ERDF-VL"},
			{Title: "Mobiliteitshubs met deelfietsen", Summary: "Deelfietsen, deelauto's en laadpalen in mobiliteitshubs in de kern.",
				Year: 2023, Programme: "ERDF-VL"},
		}}
	lier := Applicant{City: City{Slug: "lier", Name: "Lier", Province: "Antwerpen", Kind: CityMunicipality},
		Projects: []Project{{Title: "Nieuwe stadsbibliotheek", Summary: "Een leeszaal en een uitleendienst.", Year: 2021, Programme: "COT"}}}
	ronse := Applicant{City: City{Slug: "ronse", Name: "Ronse", Province: "Oost-Vlaanderen", Kind: CityMunicipality}}
	return []Applicant{gentApplicant(), brugge, lier, ronse}
}

func TestFrontRunnersAreTheCitiesWithAClearlySimilarProject(t *testing.T) {
	m := newTestModel(t)
	var qs []*CityQuery
	for _, a := range frontRunnerApplicants() {
		qs = append(qs, m.Query(a))
	}
	all, err := m.FrontRunners(qs)
	if err != nil {
		t.Fatal(err)
	}
	cities := func(frs []FrontRunner) []string {
		var out []string
		for _, f := range frs {
			out = append(out, f.City)
		}
		return out
	}
	for call, want := range map[string][]string{
		"HORIZON-MISS-2027-CIT-01": {"gent"},
		"EFRO-VL-2027-01":          {"brugge"},
		"LIFE-2027-CLIMA-CCA":      nil,
	} {
		if got := cities(all[call]); !slices.Equal(got, want) {
			t.Errorf("%s: front-runners %v, want %v", call, got, want)
		}
	}
	// Brugge's front-runner project is its mobility hubs, not its library,
	// and the themes it shares with the call are named.
	b := all["EFRO-VL-2027-01"][0]
	if b.Project != 1 || b.Similarity < FrontRunnerSimilarity || b.Similarity > 1 {
		t.Errorf("Brugge: %+v, want project 1 with similarity in [%.1f, 1]", b, FrontRunnerSimilarity)
	}
	var themes []string
	for _, th := range b.Themes {
		themes = append(themes, th.Concept)
		if th.LabelNL == "" || th.LabelEN == "" {
			t.Errorf("theme %+v lacks a label", th)
		}
	}
	if !slices.Contains(themes, "shared-mobility") || !slices.Contains(themes, "charging-infrastructure") {
		t.Errorf("Brugge shares %v with the call, want shared-mobility and charging-infrastructure", themes)
	}
	// The similarity is the one explanations give the project.
	e, err := m.Explain("HORIZON-MISS-2027-CIT-01", qs[0], testNow)
	if err != nil {
		t.Fatal(err)
	}
	if g := all["HORIZON-MISS-2027-CIT-01"][0]; e.Project == nil || abs(e.Project.Similarity-g.Similarity) > 1e-4 {
		t.Errorf("Gent: front-runner similarity %.4f, explanation's project %+v", g.Similarity, e.Project)
	}
	// Asking call by call gives what the pass over all calls gives.
	for _, c := range testCalls() {
		one, err := m.FrontRunners(qs, c.Identifier)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cities(one[c.Identifier]), cities(all[c.Identifier]); !slices.Equal(got, want) {
			t.Errorf("%s: call by call %v, all at once %v", c.Identifier, got, want)
		}
		for i, f := range one[c.Identifier] {
			if g := all[c.Identifier][i]; f.Project != g.Project || abs(f.Similarity-g.Similarity) > 1e-4 || !slices.Equal(f.Themes, g.Themes) {
				t.Errorf("%s: call by call %+v, all at once %+v", c.Identifier, f, g)
			}
		}
	}
	if _, err := m.FrontRunners(qs, "NO-SUCH-CALL"); err == nil {
		t.Error("an unknown call gave no error")
	}
}

func TestACallKeepsItsTenMostSimilarFrontRunners(t *testing.T) {
	m := newTestModel(t)
	brugge := frontRunnerApplicants()[1]
	var qs []*CityQuery
	for i := range MaxFrontRunners + 2 {
		a := brugge
		a.City.Slug = fmt.Sprintf("gemeente-%02d", i)
		if i == 7 { // one whose project says less of the call
			a.Projects = []Project{{Title: "Deelfietsen", Year: 2023}}
		}
		qs = append(qs, m.Query(a))
	}
	for _, ids := range [][]string{nil, {"EFRO-VL-2027-01"}} {
		all, err := m.FrontRunners(qs, ids...)
		if err != nil {
			t.Fatal(err)
		}
		frs := all["EFRO-VL-2027-01"]
		if len(frs) != MaxFrontRunners {
			t.Fatalf("%d front-runners, want %d", len(frs), MaxFrontRunners)
		}
		for i, f := range frs {
			if f.City == "gemeente-07" || (i > 0 && (f.Similarity > frs[i-1].Similarity || f.City < frs[i-1].City)) {
				t.Fatalf("front-runners %+v: not the most similar, by similarity then slug", frs)
			}
		}
	}
}

// BenchmarkFrontRunnersAll finds the front-runners of 20,000 calls among 300
// municipalities that each have the past projects of an evaluation profile
// (about four each, all on the calls' own topics: a worst case), and
// reports how many (call, city) pairs it finds.
func BenchmarkFrontRunnersAll(b *testing.B) {
	m, _, qs := syntheticModel(b, 20000)
	var pairs int
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		found, err := m.FrontRunners(qs)
		if err != nil {
			b.Fatal(err)
		}
		pairs = 0
		for _, frs := range found {
			pairs += len(frs)
		}
	}
	b.ReportMetric(float64(pairs), "pairs")
}

// BenchmarkFrontRunnersNewCall finds the front-runners of one new call
// among the same 300 municipalities, as a crawl's scoring does.
func BenchmarkFrontRunnersNewCall(b *testing.B) {
	m, calls, qs := syntheticModel(b, 20001)
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := m.FrontRunners(qs, calls[20000].Identifier); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticModel is a model of n synthetic calls with the queries of 300
// synthetic municipalities.
func syntheticModel(b *testing.B, n int) (*Model, []Call, []*CityQuery) {
	calls, apps := synthetic(b, n, 300)
	m, err := NewModel(calls, Options{})
	if err != nil {
		b.Fatal(err)
	}
	qs := make([]*CityQuery, len(apps))
	for i, a := range apps {
		qs[i] = m.Query(a)
	}
	return m, calls, qs
}
