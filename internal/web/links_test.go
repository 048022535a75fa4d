package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// TestCallLinksArePathEscaped: a call stored with an identifier that
// would climb out of /calls/ (stored by other means than a crawl, which
// refuses it) is still linked as one path segment on the pages, in the
// iCal feed and in the Atom feed.
func TestCallLinksArePathEscaped(t *testing.T) {
	s := newSite(t, web.Config{BaseURL: "http://fundmatch.test"})
	s.fixture(t)
	if _, err := s.db.Exec(`INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, content_hash)
		VALUES ('ftportal', '../../admin/users', 'topic', 'LIFE', 'Odd', 'open', ARRAY[brussels_today() + 20]::date[], 'odd');
		INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash, deadlines)
		SELECT c.id, ct.id, 90, 'eligible', '[]', '{}', 'test', 'x', c.deadlines FROM calls c, cities ct WHERE c.identifier = '../../admin/users' AND ct.slug = 'gent';
		INSERT INTO call_interests (city_id, call_id, status, updated_at)
		SELECT ct.id, c.id, 'interested', now() FROM calls c, cities ct WHERE c.identifier = '../../admin/users' AND ct.slug = 'gent'`); err != nil {
		t.Fatal(err)
	}
	const escaped = "/calls/..%2f..%2fadmin%2fusers"
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	for _, page := range []string{"/calls", "/cities/gent"} {
		_, _, body := do(t, "GET", s.URL+page, officer, "", nil)
		if !strings.Contains(strings.ToLower(body), `href="`+escaped+`"`) || strings.Contains(body, `href="/calls/../`) {
			t.Errorf("%s does not link the call as one escaped segment", page)
		}
	}
	_, _, city := do(t, "GET", s.URL+"/cities/gent", officer, "", nil)
	feed := regexp.MustCompile(`/ical/[A-Za-z0-9_-]+\.ics`).FindString(city)
	code, _, ics := do(t, "GET", s.URL+feed, nil, "", nil)
	if code != http.StatusOK || !strings.Contains(strings.ToLower(ics), "http://fundmatch.test"+escaped) {
		t.Errorf("iCal feed = %d without the escaped link:\n%s", code, ics)
	}
	_, _, atom := do(t, "GET", s.URL+"/open/calls.atom", nil, "", nil)
	if !strings.Contains(strings.ToLower(atom), "http://fundmatch.test"+escaped) {
		t.Errorf("Atom feed lacks the escaped link")
	}
}

// TestACallWithSlashesInItsIdentifierIsReachable: the portal's
// NEAR/BEG/2023/EA-RP/0169 is linked as one escaped segment, and that link
// opens its page and its API answer.
func TestACallWithSlashesInItsIdentifierIsReachable(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	if _, err := s.db.Exec(`INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, content_hash)
		VALUES ('ftportal', 'NEAR/BEG/2023/EA-RP/0169', 'call', 'NDICI', 'Civil society in Georgia', 'open', ARRAY[brussels_today() + 20]::date[], 'near')`); err != nil {
		t.Fatal(err)
	}
	u := s.addUser(t, "o@gent.be", "officer", "gent")
	officer := s.session(t, u)
	_, _, list := do(t, "GET", s.URL+"/calls", officer, "", nil)
	link := regexp.MustCompile(`href="(/calls/NEAR[^"]*)"`).FindStringSubmatch(list)
	if link == nil || strings.Contains(link[1], "/BEG/") {
		t.Fatalf("calls page links %v, want one escaped segment", link)
	}
	if code, _, body := do(t, "GET", s.URL+link[1], officer, "", nil); code != http.StatusOK || !strings.Contains(body, "Civil society in Georgia") {
		t.Errorf("GET %s = %d", link[1], code)
	}
	if code, _, body := do(t, "GET", s.URL+"/api/v1"+link[1], nil, s.token(t, u), nil); code != http.StatusOK || !strings.Contains(body, "NEAR/BEG/2023/EA-RP/0169") {
		t.Errorf("GET /api/v1%s = %d", link[1], code)
	}
}
