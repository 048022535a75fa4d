package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// statementsFor returns how many statements the database ran while the
// site answered GET path, and the page.
func (s *site) statementsFor(t *testing.T, path string, cookie *http.Cookie) (int64, string) {
	t.Helper()
	before := s.statements.Count()
	code, _, body := do(t, "GET", s.URL+path, cookie, "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", path, code, body)
	}
	return s.statements.Count() - before, body
}

// manyCalls adds n open calls N1-CALL-1 … N1-CALL-n, each matched by gent,
// aalst and leuven.
func (s *site) manyCalls(t *testing.T, n int) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO crawl_sources (name, kind, title) VALUES ('ftportal', 'ftportal', 'EU Funding & Tenders Portal') ON CONFLICT DO NOTHING`,
		`INSERT INTO calls (source, identifier, kind, programme, title, summary, status, deadlines, content_hash, url)
		SELECT 'ftportal', 'N1-CALL-' || n, 'topic', 'HORIZON', 'Call ' || n, '', 'open', ARRAY[brussels_today() + n]::date[], 'h' || n, ''
		FROM generate_series(1, $1::int) n`,
		`INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash, deadlines)
		SELECT c.id, ct.id, 60 + length(ct.slug), 'eligible', '[]', '{}', 'test', 'x', c.deadlines
		FROM calls c, cities ct WHERE c.identifier LIKE 'N1-CALL-%' AND ct.slug IN ('gent', 'aalst', 'leuven')`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, n)
		}
		if _, err := s.db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// slugs returns the slugs of n seeded cities.
func (s *site) slugs(t *testing.T, n int) []string {
	t.Helper()
	var slugs []string
	if err := s.db.Select(&slugs, `SELECT slug FROM cities ORDER BY slug LIMIT $1`, n); err != nil || len(slugs) != n {
		t.Fatalf("%d seeded cities (%v), want %d", len(slugs), err, n)
	}
	return slugs
}

// TestCallsPageQueriesDoNotGrowWithItsCalls lists 200 calls, each matched
// by three cities, and counts the statements PostgreSQL ran for the page:
// as many as for a page of two calls, and few. One query per listed call
// (for its matching cities) would add 198.
func TestCallsPageQueriesDoNotGrowWithItsCalls(t *testing.T) {
	s := newSite(t, web.Config{})
	s.manyCalls(t, 200)
	gov := s.session(t, s.addUser(t, "gov@vlaanderen.be", "government"))
	s.settle(t)                                    // the server's caches follow the data: let it hear of all of it
	s.statementsFor(t, "/calls?per_page=200", gov) // before the first request fills them

	few, page := s.statementsFor(t, "/calls?per_page=2", gov)
	if n := strings.Count(page, "Gent</a> ("); n != 2 {
		t.Fatalf("a page of 2 calls shows gent's match %d times, want 2", n)
	}
	many, page := s.statementsFor(t, "/calls?per_page=200", gov)
	for _, want := range []string{"N1-CALL-1<", "N1-CALL-200<", "Leuven</a> ("} {
		if !strings.Contains(page, want) {
			t.Fatalf("the page of 200 calls lacks %q", want)
		}
	}
	if n := strings.Count(page, "Aalst</a> ("); n != 200 {
		t.Fatalf("a page of 200 calls shows aalst's match %d times, want 200", n)
	}
	t.Logf("statements: %d for 2 calls, %d for 200", few, many)
	if many != few || many > 10 {
		t.Errorf("the calls page ran %d statements for 200 calls and %d for 2; want the same few for both", many, few)
	}
}

// TestCallPageQueriesDoNotGrowWithTheUsersCities shows a call to an
// officer of one city and to one of 40, each with a form to mark the call
// for every city: the statements are as many for both. A look-up of each
// city and its mark would add 78.
func TestCallPageQueriesDoNotGrowWithTheUsersCities(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	cities := s.slugs(t, 40)
	one := s.session(t, s.addUser(t, "one@gent.be", "officer", cities[0]))
	forty := s.session(t, s.addUser(t, "forty@vlaanderen.be", "officer", cities...))
	if _, err := s.db.Exec(`INSERT INTO call_interests (city_id, call_id, status, note, updated_at)
		SELECT ct.id, c.id, 'applying', 'met ' || ct.slug, now() FROM cities ct, calls c
		WHERE ct.slug = $1 AND c.identifier = 'HORIZON-CL5-2027-D4-01'`, cities[39]); err != nil {
		t.Fatal(err)
	}
	const path = "/calls/HORIZON-CL5-2027-D4-01"
	s.settle(t)
	s.statementsFor(t, path, one) // fills the server's caches
	s.statementsFor(t, path, forty)

	few, _ := s.statementsFor(t, path, one)
	many, page := s.statementsFor(t, path, forty)
	if n := strings.Count(page, `name="status"`); n < 40 {
		t.Fatalf("the page has %d mark forms, want one per city (40)", n)
	}
	if !strings.Contains(page, "met "+cities[39]) {
		t.Fatalf("the page lacks the mark of %s", cities[39])
	}
	t.Logf("statements: %d for 1 city, %d for 40", few, many)
	if many != few || many > 10 {
		t.Errorf("the call page ran %d statements for 40 cities and %d for 1; want the same few for both", many, few)
	}
}

// TestAPIChecksNamedCitiesAndCallsInOneQueryEach posts a planner request
// naming 100 calls and 280 cities, and a bid naming 50 partners, each
// refused for its last input only after every other was looked up: the
// statements are as many as for one call, city or partner.
func TestAPIChecksNamedCitiesAndCallsInOneQueryEach(t *testing.T) {
	s := newSite(t, web.Config{})
	s.manyCalls(t, 100)
	token := s.token(t, s.addUser(t, "admin@vlaanderen.be", "admin"))
	post := func(path string, body any) (int64, string) {
		t.Helper()
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		before := s.statements.Count()
		code, _, answer := do(t, "POST", s.URL+path, nil, token, bytes.NewReader(b), "Content-Type", "application/json")
		if code != http.StatusBadRequest {
			t.Fatalf("POST %s = %d, want 400\n%s", path, code, answer)
		}
		return s.statements.Count() - before, answer
	}
	calls := make([]string, 100)
	for i := range calls {
		calls[i] = fmt.Sprintf("N1-CALL-%d", i+1)
	}
	cities := s.slugs(t, 280)
	plan := func(calls, cities []string) (int64, string) {
		return post("/api/v1/plans", map[string]any{"calls": calls, "cities": cities, "alternatives": 11})
	}
	bid := func(partners []string) (int64, string) {
		return post("/api/v1/bids", map[string]any{"title": "Fietsbrug", "year": 2025, "status": "submitted",
			"lead": "gent", "partners": partners})
	}
	s.settle(t)
	plan(calls[:1], cities[:1]) // fills the server's caches

	for _, tc := range []struct {
		name      string
		few, many func() (int64, string)
		want      string
	}{
		{"unknown call", func() (int64, string) { return plan(append(calls[:1:1], "NO-CALL"), cities) },
			func() (int64, string) { return plan(append(calls[:99:99], "NO-CALL"), cities) }, "unknown call NO-CALL"},
		{"unknown city", func() (int64, string) { return plan(calls, append(cities[:1:1], "atlantis")) },
			func() (int64, string) { return plan(calls, append(cities[:279:279], "atlantis")) }, "unknown city atlantis"},
		{"known calls and cities", func() (int64, string) { return plan(calls[:1], cities[:1]) },
			func() (int64, string) { return plan(calls, cities) }, "alternatives"},
		{"unknown partner", func() (int64, string) { return bid([]string{"atlantis"}) },
			func() (int64, string) { return bid(append(cities[:49:49], "atlantis")) }, "unknown city atlantis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			few, _ := tc.few()
			many, answer := tc.many()
			if !strings.Contains(answer, tc.want) {
				t.Fatalf("answer %s, want it to name %q", answer, tc.want)
			}
			t.Logf("statements: %d for one, %d for many", few, many)
			if many != few || many > 10 {
				t.Errorf("ran %d statements for many and %d for one; want the same few for both", many, few)
			}
		})
	}
}
