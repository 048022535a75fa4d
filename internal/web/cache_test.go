package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/internal/web"
)

func TestMatchesAreKeptUntilTheDataChanges(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	token := s.token(t, s.addUser(t, "gov@vlaanderen.be", "government"))
	s.settle(t) // no notification of the setup may come in later and empty what is kept
	get := func(path string, header ...string) (int, string, string, string) {
		code, h, body := do(t, "GET", s.URL+path, nil, token, nil, header...)
		return code, h.Get("X-Cache"), h.Get("ETag"), body
	}
	const gent = "/api/v1/cities/gent/matches"
	testdb.Eventually(t, "answers kept", func() bool { get(gent); _, c, _, _ := get(gent); return c == "hit" })

	code, cache, etag, body := get(gent)
	if code != 200 || cache != "hit" || etag == "" || !strings.Contains(body, `"score":82`) {
		t.Fatalf("second GET: %d %s %s %s", code, cache, etag, body)
	}
	if code, _, _, body := get(gent, "If-None-Match", etag); code != 304 || body != "" {
		t.Fatalf("If-None-Match: %d %q", code, body)
	}
	// Another query is another answer.
	if _, c, _, _ := get(gent + "?sort=deadline"); c != "miss" {
		t.Fatalf("another query: %s", c)
	}
	// A mark in Aalst, written elsewhere, is seen soon and leaves Gent's
	// answer alone...
	get("/api/v1/cities/aalst/matches")
	if _, err := s.db.Exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at)
		SELECT ct.id, c.id, 'applying', now() FROM cities ct, calls c WHERE ct.slug = 'aalst' AND c.identifier = 'HORIZON-CL5-2027-D4-01'`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "Aalst's mark seen", func() bool {
		_, _, _, b := get("/api/v1/cities/aalst/matches")
		return strings.Contains(b, `"interest":"applying"`)
	})
	if _, c, _, _ := get(gent); c != "hit" {
		t.Fatalf("Gent's answer after a mark in Aalst: %s", c)
	}
	// ...and new scores (a scoring run) are seen soon.
	if _, err := s.db.Exec(`UPDATE matches SET score = 91 WHERE city_id = (SELECT id FROM cities WHERE slug = 'gent') AND score = 82`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "Gent's change seen", func() bool { _, _, _, b := get(gent); return strings.Contains(b, `"score":91`) })
	_, _, newTag, _ := get(gent)
	if newTag == etag {
		t.Fatal("the ETag did not change with the answer")
	}
	// A change of a call shows in every city's answer.
	if _, err := s.db.Exec(`UPDATE calls SET title = 'Renamed pilots' WHERE identifier = 'HORIZON-CL5-2027-D4-01'`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "the call's new title seen", func() bool { _, _, _, b := get(gent); return strings.Contains(b, "Renamed pilots") })
}

// frozenChanges allows caching and never reports a change: as if the
// notifications were slow.
type frozenChanges struct{}

func (frozenChanges) Version(...string) (uint64, bool) { return 1, true }
func (frozenChanges) CityVersion(int64) uint64         { return 0 }

// TestAnOfficerSeesTheirOwnMarkAtOnce: a change made through this server
// is seen by the next request, without waiting for the notification.
func TestAnOfficerSeesTheirOwnMarkAtOnce(t *testing.T) {
	s := newSite(t, web.Config{Changes: frozenChanges{}})
	s.fixture(t)
	officer := s.addUser(t, "officer@gent.be", "officer", "gent")
	cookie, token := s.session(t, officer), s.token(t, officer)
	const gent = "/api/v1/cities/gent/matches"
	testdb.Eventually(t, "answers kept", func() bool {
		do(t, "GET", s.URL+gent, nil, token, nil)
		_, h, _ := do(t, "GET", s.URL+gent, nil, token, nil)
		return h.Get("X-Cache") == "hit"
	})
	for _, status := range []string{"interested", "applying", "not_relevant", "submitted"} {
		code, _, _ := postForm(t, s.URL+"/cities/gent/calls/HORIZON-CL5-2027-D4-01/interest", cookie, url.Values{"status": {status}})
		if code != 303 {
			t.Fatalf("mark %s: %d", status, code)
		}
		_, _, body := do(t, "GET", s.URL+gent, nil, token, nil)
		if !strings.Contains(body, `"interest":"`+status+`"`) {
			t.Fatalf("right after marking %s: %s", status, body)
		}
	}
}

// TestRevokedAccessEndsSoon: a kept token, user or city link stops working
// once the database says so.
func TestRevokedAccessEndsSoon(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	officer := s.addUser(t, "officer@gent.be", "officer", "gent")
	token := s.token(t, officer)
	other := s.token(t, s.addUser(t, "other@gent.be", "officer", "gent"))
	status := func(tok string) int {
		code, _, _ := do(t, "GET", s.URL+"/api/v1/cities/gent/matches", nil, tok, nil)
		return code
	}
	if status(token) != 200 || status(other) != 200 {
		t.Fatal("officers cannot read their city")
	}
	if _, err := s.db.Exec(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1`, officer.ID); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "revoked token refused", func() bool { return status(token) == 401 })
	if _, err := s.db.Exec(`DELETE FROM user_cities WHERE user_id = (SELECT id FROM users WHERE email = 'other@gent.be')`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "officer without Gent refused", func() bool { return status(other) == 403 })
	if _, err := s.db.Exec(`UPDATE users SET disabled_at = now() WHERE email = 'other@gent.be'`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "disabled user refused", func() bool { return status(other) == 401 })
}

// TestNothingIsKeptWithoutTheListener: without notifications nothing can be
// known to be current, so every request reads the database.
func TestNothingIsKeptWithoutTheListener(t *testing.T) {
	s := newSite(t, web.Config{Changes: neverCache{}})
	s.fixture(t)
	token := s.token(t, s.addUser(t, "gov@vlaanderen.be", "government"))
	for range 3 {
		_, h, _ := do(t, "GET", s.URL+"/api/v1/cities/gent/matches", nil, token, nil)
		if h.Get("X-Cache") != "bypass" {
			t.Fatalf("X-Cache %q without a listener", h.Get("X-Cache"))
		}
	}
	if _, err := s.db.Exec(`UPDATE matches SET score = 93 WHERE score = 82`); err != nil {
		t.Fatal(err)
	}
	if _, _, body := do(t, "GET", s.URL+"/api/v1/cities/gent/matches", nil, token, nil); !strings.Contains(body, `"score":93`) {
		t.Fatalf("change not seen at once: %s", body)
	}
}

// TestListsAnswerIfNoneMatch: every paginated list sends an ETag and
// answers 304 to a client that holds the current answer, 200 otherwise.
func TestListsAnswerIfNoneMatch(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	token := s.token(t, s.addUser(t, "admin@vlaanderen.be", "admin"))
	for _, path := range []string{"/api/v1/calls", "/api/v1/cities/gent/matches", "/api/v1/plans", "/api/v1/bids"} {
		code, h, _ := do(t, "GET", s.URL+path, nil, token, nil)
		etag := h.Get("ETag")
		if code != 200 || etag == "" || h.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", path, code, etag, h.Get("Cache-Control"))
		}
		if code, _, body := do(t, "GET", s.URL+path, nil, token, nil, "If-None-Match", `"other", `+etag); code != 304 || body != "" {
			t.Fatalf("%s with its ETag: %d %q", path, code, body)
		}
		if code, _, _ := do(t, "GET", s.URL+path, nil, token, nil, "If-None-Match", `"other"`); code != 200 {
			t.Fatalf("%s with another ETag: %d", path, code)
		}
	}
}

// TestConcurrentMissesAgree: requests that miss at once (sharing one
// query) all get the answer a lone request gets.
func TestConcurrentMissesAgree(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	token := s.token(t, s.addUser(t, "gov@vlaanderen.be", "government"))
	paths := []string{"/api/v1/cities/gent/matches", "/api/v1/cities/gent/matches?sort=deadline", "/api/v1/cities/gent/matches?per_page=1"}
	want := map[string]string{}
	for _, p := range paths {
		_, _, body := do(t, "GET", s.URL+p, nil, token, nil)
		want[p] = body
	}
	// Make everything kept stale, then ask for it from many goroutines.
	if _, err := s.db.Exec(`UPDATE calls SET title = title`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "answers stale", func() bool {
		_, h, _ := do(t, "GET", s.URL+paths[0], nil, token, nil)
		return h.Get("X-Cache") == "miss"
	})
	if _, err := s.db.Exec(`UPDATE calls SET title = title`); err != nil {
		t.Fatal(err)
	}
	type result struct{ path, body, link string }
	results := make(chan result, 60)
	for i := range 60 {
		go func() {
			p := paths[i%len(paths)]
			req, _ := http.NewRequest("GET", s.URL+p, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				results <- result{path: p, body: err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			results <- result{p, string(b), resp.Header.Get("Link")}
		}()
	}
	for range 60 {
		r := <-results
		if r.body != want[r.path] {
			t.Fatalf("%s: %s\nwant %s", r.path, r.body, want[r.path])
		}
		if strings.Contains(r.path, "per_page=1") != (r.link != "") {
			t.Fatalf("%s: Link %q", r.path, r.link)
		}
	}
}
