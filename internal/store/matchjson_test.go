package store_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
)

// TestAppendJSONEncodesAsEncodingJSON holds CityMatch.AppendJSON to the
// bytes encoding/json makes of the same match, over the cases where the two
// could part: escapes, empty and missing values, float formats, times in a
// zone, and reasons as PostgreSQL writes jsonb (with spaces) or not at all.
func TestAppendJSONEncodesAsEncodingJSON(t *testing.T) {
	deadline := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	brussels := time.FixedZone("", 3600)
	budget, small, huge, negative := 2_500_000.0, 1e-7, 3e21, -0.25
	full := store.CityMatch{CityID: 7, City: "gent", CityName: "Gent", CallIdentifier: "HORIZON-CL5-2027-D1-01",
		Title: `Climate <neutral> & "smart" cities`, Programme: "HORIZON", CallStatus: funding.Status("open"),
		NextDeadline: &deadline, BudgetMin: &small, BudgetMax: &budget, CallBudget: &huge,
		TypesOfAction: []string{"HORIZON-IA", "HORIZON-RIA"}, Score: 87, Eligibility: funding.Eligibility("eligible"),
		Relevance: 0.8125, Experience: negative, Feasibility: 1,
		Reasons:     store.MatchReasons(`[{"en": "Fits <mobility> & climate", "nl": "Past bij \"mobiliteit\"\n", "code": "theme", "strength": 0.5, "call_words": ["a", "b c"]}]`),
		Explanation: store.MatchExplanation{NL: "Lijn\u2028twee\u2029", EN: "tab\there\x01\b\f\r", SummaryNL: "é — ✓", SummaryEN: "bad \xff utf-8"},
		Interest:    store.InterestStatus("interested"), ScoredAt: time.Date(2026, 12, 4, 19, 30, 1, 123456789, brussels)}
	for _, c := range []struct {
		name string
		m    store.CityMatch
	}{
		{"every field set, escapes in every string", full},
		{"zero", store.CityMatch{}},
		{"no types of action, no interest, no reasons", func() store.CityMatch {
			m := full
			m.TypesOfAction, m.Interest, m.Reasons, m.NextDeadline, m.BudgetMax = []string{}, "", nil, nil, nil
			return m
		}()},
		{"compact reasons, U+2028 in them", func() store.CityMatch {
			m := full
			m.Reasons = store.MatchReasons("[{\"nl\":\"a\u2028b\u2029\",\"en\":\"\\u003c\"}, 1.5e-9, [], {}]")
			return m
		}()},
		{"summaries only, one text", func() store.CityMatch {
			m := full
			m.Explanation.NL = ""
			return m
		}()},
		{"large and tiny figures", func() store.CityMatch {
			m := full
			m.Relevance, m.Experience, m.Feasibility, m.Score = 1e21, 1e-6, 123456789.125, -3
			return m
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, err := json.Marshal(c.m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.m.AppendJSON([]byte("prefix"))
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := bytes.CutPrefix(got, []byte("prefix")); !ok || !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON wrote\n%s\nencoding/json\n%s", got, want)
			}
		})
	}
	t.Run("NaN is refused, as by encoding/json", func(t *testing.T) {
		m := full
		m.Relevance = math.NaN()
		if _, err := m.AppendJSON(nil); err == nil {
			t.Fatal("no error for NaN")
		}
	})
}
