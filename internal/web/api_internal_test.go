package web

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
)

// TestMatchesAnswerIsThePageAnswer checks that the hand-encoded page of
// matches has the body, Link and ETag that encoding the same page by
// reflection (pageAnswer) gives: empty, one of several pages, with a total;
// and keeps them when the next page is encoded.
func TestMatchesAnswerIsThePageAnswer(t *testing.T) {
	deadline := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	budget := 1.5e6
	matches := []store.CityMatch{
		{City: "gent", CityName: "Gent", CallIdentifier: "A-1", Title: "Bikes & <lanes>", NextDeadline: &deadline,
			BudgetMax: &budget, Score: 90, Relevance: 0.75, Reasons: store.MatchReasons(`[{"en": "x", "nl": "y", "code": "theme"}]`),
			ScoredAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)},
		{City: "gent", CityName: "Gent", CallIdentifier: "B-2", TypesOfAction: []string{"HORIZON-IA"}, Interest: store.Interested},
	}
	total := 120
	for _, c := range []struct {
		name    string
		target  string
		matches []store.CityMatch
		meta    pageMeta
	}{
		{"no matches", "/api/v1/cities/gent/matches", []store.CityMatch{}, pageMeta{Page: 1, PerPage: 50}},
		{"a middle page", "/api/v1/cities/gent/matches?page=2&per_page=2&sort=deadline", matches, pageMeta{Page: 2, PerPage: 2, HasNext: true}},
		{"with the total", "/api/v1/cities/gent/matches?count=true", matches, pageMeta{Page: 1, PerPage: 50, Total: &total}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.target, nil)
			want := pageAnswer(r, c.matches, c.meta)
			got, err := matchesAnswer(r, c.matches, c.meta)
			if err != nil {
				t.Fatal(err)
			}
			// Another page encoded meanwhile leaves this one as it was.
			if _, err := matchesAnswer(r, append(c.matches, matches...), pageMeta{Page: 9, PerPage: 4}); err != nil {
				t.Fatal(err)
			}
			if string(got.body) != string(want.body) || got.link != want.link || got.etag != want.etag {
				t.Fatalf("matchesAnswer\n%s\n%s %s\npageAnswer\n%s\n%s %s", got.body, got.link, got.etag, want.body, want.link, want.etag)
			}
		})
	}
}
