package scoring_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/matching"
)

// scenarioCalls reads the calls of the matcher's scenario set (real portal
// records, see matching/testdata/scenarios/README.md).
func scenarioCalls(t testing.TB) []matching.Call {
	t.Helper()
	raw := readEvalRecords(t, "../../matching/testdata/scenarios/calls.json")
	calls := make([]matching.Call, 0, len(raw))
	for _, r := range raw {
		calls = append(calls, matching.Call{Identifier: r.Identifier, Source: "ftportal", Programme: r.Programme, Kind: matching.Kind(r.Kind),
			Title: r.Title, Summary: r.Summary, Description: r.Description, Keywords: r.Keywords, Tags: r.Tags,
			TypesOfAction: r.TypesOfAction, EligibilityNotes: r.EligibilityNotes, Status: matching.Status(r.Status),
			BudgetMin: r.BudgetMin, BudgetMax: r.BudgetMax, CallBudget: r.CallBudget, FundingRate: r.FundingRate,
			OpeningDate: r.Opening, Deadlines: r.Deadlines})
	}
	return calls
}

func readScenarioJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("../../matching/testdata/scenarios/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestScenariosAgainstPostgresFullText ranks the scenario calls for every
// scenario that has a target with PostgreSQL full-text search, as a simple
// peer would (ts_rank_cd over title, keywords and description; the English
// keywords against the english configuration, the Dutch ones against the
// dutch configuration; websearch_to_tsquery with the keywords joined by OR,
// and plainto_tsquery with all words required), and logs the MRR of the
// target beside the model's in the officer's order. It compares, it does not
// set a goal: TestScenarios in package matching does.
func TestScenariosAgainstPostgresFullText(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	calls := scenarioCalls(t)
	var scenarios []struct {
		ID, City, Target string
		KeywordsEN       []string `json:"keywords_en"`
		KeywordsNL       []string `json:"keywords_nl"`
	}
	readScenarioJSON(t, "scenarios.json", &scenarios)
	var profiles []struct {
		City, Name, Province, Arrondissement, Kind string
		Population                                 int
	}
	b, err := os.ReadFile("../../matching/testdata/eval/profiles.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &profiles); err != nil {
		t.Fatal(err)
	}
	cities := map[string]matching.City{}
	for _, p := range profiles {
		cities[p.City] = matching.City{Slug: p.City, Name: p.Name, Province: p.Province, Arrondissement: p.Arrondissement,
			Population: p.Population, Kind: matching.CityKind(p.Kind)}
	}

	// A plain table of the fresh test database: a temporary one would live on one pooled connection only.
	db.MustExec(`CREATE TABLE scenario_calls (identifier text PRIMARY KEY, english tsvector NOT NULL, dutch tsvector NOT NULL)`)
	for _, c := range calls {
		db.MustExec(`INSERT INTO scenario_calls (identifier, english, dutch) VALUES ($1, to_tsvector('english', $2), to_tsvector('dutch', $2))`,
			c.Identifier, c.Title+" "+strings.Join(c.Keywords, " ")+" "+c.Description)
	}
	// rank orders every call by ts_rank_cd of the query built from the
	// keywords; ties (including calls without any hit) by identifier. The
	// configuration names the column too; both are constants of this test.
	rank := func(config, build string, keywords []string) []string {
		var ids []string
		err := db.SelectContext(ctx, &ids, fmt.Sprintf(`
			SELECT identifier FROM scenario_calls
			ORDER BY ts_rank_cd(%s, %s($1::regconfig, $2)) DESC, identifier`, config, build),
			config, strings.Join(keywords, map[string]string{"websearch_to_tsquery": " or ", "plainto_tsquery": " "}[build]))
		if err != nil {
			t.Fatalf("rank with %s %s: %v", config, build, err)
		}
		if len(ids) != len(calls) {
			t.Fatalf("PostgreSQL ranked %d calls, want %d", len(ids), len(calls))
		}
		return ids
	}
	m, err := matching.NewModel(calls, matching.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	reciprocal := func(ranking []string, target string) float64 {
		if i := slices.Index(ranking, target); i >= 0 {
			return 1 / float64(i+1)
		}
		return 0
	}

	mrr := map[string]float64{}
	n := 0
	for _, s := range scenarios {
		if s.Target == "" {
			continue
		}
		city, ok := cities[s.City]
		if !ok {
			t.Fatalf("scenario %s: unknown city %q", s.ID, s.City)
		}
		n++
		for lang, kw := range map[string][]string{"en": s.KeywordsEN, "nl": s.KeywordsNL} {
			config := map[string]string{"en": "english", "nl": "dutch"}[lang]
			mrr["websearch "+lang] += reciprocal(rank(config, "websearch_to_tsquery", kw), s.Target)
			mrr["plainto "+lang] += reciprocal(rank(config, "plainto_tsquery", kw), s.Target)
			a := matching.Applicant{City: city, Profile: matching.Profile{City: city.Slug, DomainWeights: map[matching.Domain]float64{}}}
			if lang == "en" {
				a.Profile.KeywordsEN = kw
			} else {
				a.Profile.KeywordsNL = kw
			}
			ms, err := m.ScoreCity(ctx, m.Query(a), now)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(ms))
			for i, match := range ms {
				ids[i] = match.Call
			}
			mrr["model "+lang] += reciprocal(ids, s.Target)
		}
	}
	if n == 0 {
		t.Fatal("no scenario with a target")
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\nMRR of the target over %d scenarios\n%-44s | %-7s %-7s\n", n, "", "en", "nl")
	for _, row := range []struct{ label, key string }{
		{"model, officer's order", "model"},
		{"ts_rank_cd, websearch_to_tsquery (OR)", "websearch"},
		{"ts_rank_cd, plainto_tsquery (AND)", "plainto"},
	} {
		fmt.Fprintf(&table, "%-44s | %-7.3f %-7.3f\n", row.label, mrr[row.key+" en"]/float64(n), mrr[row.key+" nl"]/float64(n))
	}
	t.Log(table.String())
}
