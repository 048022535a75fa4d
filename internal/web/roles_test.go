package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// hrefs are the links of a page that start with one of the prefixes.
func hrefs(body string, prefixes ...string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		for _, p := range prefixes {
			if strings.HasPrefix(m[1], p) {
				out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
				break
			}
		}
	}
	return out
}

// section is the HTML of the page's element with the id, up to its
// </section>, or "" when there is none.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// followLinks opens every link of the page to a city, call or plan as the
// user who saw it: each must open (200), not 403 or 404.
func followLinks(t *testing.T, s *site, who string, cookie *http.Cookie, body string) int {
	t.Helper()
	links := hrefs(body, "/cities/", "/calls/", "/plans/", "/uptake")
	for _, link := range links {
		if code, _, _ := do(t, "GET", s.URL+link, cookie, "", nil); code != http.StatusOK {
			t.Errorf("%s's landing page links %s, which answers %d", who, link, code)
		}
	}
	return len(links)
}

func TestEachRoleLandsOnItsOwnPage(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	coordinator := s.session(t, s.addUser(t, "c@ovl.be", "coordinator", "gent", "aalst"))
	government := s.session(t, s.addUser(t, "g@vlaanderen.be", "government"))
	admin := s.session(t, s.addUser(t, "a@fundmatch.be", "admin"))

	t.Run("Officer", func(t *testing.T) {
		// A first visit shows the matches of the last two weeks, Gent's
		// only, the ineligible one left out.
		_, _, body := do(t, "GET", s.URL+"/", officer, "", nil)
		fresh := section(body, "new-matches")
		if !strings.Contains(fresh, "Nieuwe matches van de voorbije 14 dagen") || !strings.Contains(fresh, `href="/calls/HORIZON-CL5-2027-D4-01"`) ||
			!strings.Contains(fresh, `href="/calls/DIGITAL-2027-EDIH-02"`) || strings.Contains(fresh, "LIFE-2027-XSS") ||
			!strings.Contains(fresh, `<a href="/cities/gent">Gent</a>`) || strings.Contains(fresh, "/cities/aalst") {
			t.Fatalf("first visit's new matches:\n%s", fresh)
		}
		if strings.Contains(body, `id="cities-heading"`) {
			t.Error("an officer's landing page lists every city, of which it may open one")
		}
		if !strings.Contains(section(body, "deadlines"), "Je volgt nog geen oproep") {
			t.Errorf("deadlines without a mark:\n%s", section(body, "deadlines"))
		}
		// Marked, the call's next deadline is listed with the days left.
		postForm(t, s.URL+"/cities/gent/calls/HORIZON-CL5-2027-D4-01/interest", officer, url.Values{"status": {"interested"}})
		// The visit began two hours ago, before the matches so far; a new
		// call matched since.
		if _, err := s.db.Exec(`UPDATE user_visits SET last_visit_at = now() - interval '2 hours';
			UPDATE matches SET matched_at = now() - interval '3 hours';
			INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, content_hash)
			VALUES ('ftportal', 'CERV-2027-CITIZENS-TOWN', 'topic', 'CERV', 'Town twinning', 'open', ARRAY[brussels_today() + 10]::date[], 'tt');
			INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash, matched_at, deadlines)
			SELECT c.id, ct.id, 64, 'eligible', '[]', '{}', 'test', 'x', now(), c.deadlines FROM calls c, cities ct
			WHERE c.identifier = 'CERV-2027-CITIZENS-TOWN' AND ct.slug = 'gent'`); err != nil {
			t.Fatal(err)
		}
		_, _, body = do(t, "GET", s.URL+"/", officer, "", nil)
		fresh = section(body, "new-matches")
		if !strings.Contains(fresh, "Nieuwe matches sinds je vorige bezoek") || !strings.Contains(fresh, "Town twinning") ||
			strings.Contains(fresh, "HORIZON-CL5-2027-D4-01") || !strings.Contains(fresh, "nog 10 dagen") {
			t.Fatalf("new since the last visit:\n%s", fresh)
		}
		deadlines := section(body, "deadlines")
		if !strings.Contains(deadlines, `href="/calls/HORIZON-CL5-2027-D4-01"`) || !strings.Contains(deadlines, "nog 40 dagen") ||
			!strings.Contains(deadlines, "interessant") {
			t.Errorf("deadlines of the marked call:\n%s", deadlines)
		}
		// Gent has not answered the fixture's plans yet.
		if waiting := section(body, "waiting"); !strings.Contains(waiting, "wacht op antwoord van Gent") {
			t.Errorf("plans waiting for Gent's answer:\n%s", waiting)
		}
		// A reload within the hour is the same visit: the new call stays new.
		if _, _, again := do(t, "GET", s.URL+"/", officer, "", nil); !strings.Contains(section(again, "new-matches"), "Town twinning") {
			t.Error("reloading the landing page emptied its new matches")
		}
		if n := followLinks(t, s, "the officer", officer, body); n < 5 {
			t.Errorf("the officer's landing page has %d links to follow", n)
		}
	})

	t.Run("Coordinator", func(t *testing.T) {
		_, _, body := do(t, "GET", s.URL+"/", coordinator, "", nil)
		work := section(body, "worklist")
		// Both proposals of the fixture's run wait for a decision and for
		// answers; Leuven (rank 2) is not the coordinator's to open.
		if strings.Count(work, "te beslissen") != 2 || !strings.Contains(work, `<a href="/cities/aalst">Aalst</a>`) ||
			!strings.Contains(work, "Leuven") || strings.Contains(work, "/cities/leuven") {
			t.Fatalf("worklist:\n%s", work)
		}
		shared := section(body, "shared")
		if !strings.Contains(shared, `href="/calls/HORIZON-CL5-2027-D4-01"`) || !strings.Contains(shared, `<a href="/cities/gent">Gent</a>, <a href="/cities/aalst">Aalst</a>`) ||
			!strings.Contains(shared, "Voorstellen bekijken") || strings.Contains(shared, "DIGITAL-2027") {
			t.Fatalf("calls that fit several cities:\n%s", shared)
		}
		if n := followLinks(t, s, "the coordinator", coordinator, body); n < 6 {
			t.Errorf("the coordinator's landing page has %d links to follow", n)
		}
	})

	t.Run("Government", func(t *testing.T) {
		_, _, body := do(t, "GET", s.URL+"/", government, "", nil)
		summary := section(body, "uptake-summary")
		if !strings.Contains(summary, `<a href="/cities/gent">Gent</a> (€ 750.000)`) || !strings.Contains(summary, `href="/uptake"`) ||
			!strings.Contains(summary, "<dt>Gewonnen</dt><dd>1</dd>") {
			t.Fatalf("uptake summary:\n%s", summary)
		}
		if !strings.Contains(body, `<a href="/cities/brugge">Brugge</a>`) || strings.Contains(body, `id="worklist"`) {
			t.Error("the government's landing page does not link every city, or shows a worklist")
		}
		var cities int
		s.db.QueryRow(`SELECT count(*) FROM cities`).Scan(&cities)
		if n := followLinks(t, s, "the government", government, body); cities < 250 || n < cities {
			t.Errorf("the government's landing page has %d links to follow, want every city's (%d)", n, cities)
		}
	})

	t.Run("Admin", func(t *testing.T) {
		_, _, body := do(t, "GET", s.URL+"/", admin, "", nil)
		for _, id := range []string{"worklist", "uptake-summary", "cities-heading"} {
			if !strings.Contains(body, `id="`+id+`"`) {
				t.Errorf("the admin's landing page lacks #%s", id)
			}
		}
		if !strings.Contains(body, `<a href="/cities/leuven">Leuven</a>`) {
			t.Error("the admin cannot click to a city")
		}
	})

	t.Run("Anonymous", func(t *testing.T) {
		_, _, body := do(t, "GET", s.URL+"/", nil, "", nil)
		if !strings.Contains(body, "Brugge") || len(hrefs(body, "/cities/")) != 0 || strings.Contains(body, `id="new-matches"`) {
			t.Error("the public landing page links cities that need a sign-in, or lacks the list")
		}
	})
}
