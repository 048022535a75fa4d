package web_test

import (
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

// TestCallsPageQueriesDoNotGrowWithItsCalls lists 200 calls, each matched
// by three cities, and counts the statements PostgreSQL ran for the page:
// as many as for a page of two calls, and few. One query per listed call
// (for its matching cities) would add 198.
func TestCallsPageQueriesDoNotGrowWithItsCalls(t *testing.T) {
	s := newSite(t, web.Config{})
	_, err := s.db.Exec(`
INSERT INTO crawl_sources (name, kind, title) VALUES ('ftportal', 'ftportal', 'EU Funding & Tenders Portal') ON CONFLICT DO NOTHING;
INSERT INTO calls (source, identifier, kind, programme, title, summary, status, deadlines, content_hash, url)
SELECT 'ftportal', format('N1-CALL-%s', n), 'topic', 'HORIZON', format('Call %s', n), '', 'open',
       ARRAY[current_date + n]::date[], format('h%s', n), ''
FROM generate_series(1, 200) n;
INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash)
SELECT c.id, ct.id, 60 + length(ct.slug), 'eligible', '[]', '{}', 'test', 'x'
FROM calls c, cities ct WHERE c.identifier LIKE 'N1-CALL-%' AND ct.slug IN ('gent', 'aalst', 'leuven')`)
	if err != nil {
		t.Fatal(err)
	}
	gov := s.session(t, s.addUser(t, "gov@vlaanderen.be", "government"))
	s.statementsFor(t, "/calls?per_page=200", gov) // the first request fills the server's caches

	few, page := s.statementsFor(t, "/calls?per_page=2", gov)
	if n := strings.Count(page, "gent ("); n != 2 {
		t.Fatalf("a page of 2 calls shows gent's match %d times, want 2", n)
	}
	many, page := s.statementsFor(t, "/calls?per_page=200", gov)
	for _, want := range []string{"N1-CALL-1<", "N1-CALL-200<", "leuven ("} {
		if !strings.Contains(page, want) {
			t.Fatalf("the page of 200 calls lacks %q", want)
		}
	}
	if n := strings.Count(page, "aalst ("); n != 200 {
		t.Fatalf("a page of 200 calls shows aalst's match %d times, want 200", n)
	}
	t.Logf("statements: %d for 2 calls, %d for 200", few, many)
	if many != few || many > 10 {
		t.Errorf("the calls page ran %d statements for 200 calls and %d for 2; want the same few for both", many, few)
	}
}
