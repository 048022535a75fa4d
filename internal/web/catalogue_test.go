package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/web"
)

// TestEveryPageSpeaksOneLanguageAndShowsNoKey renders every page in Dutch
// and in English with the fixture's data and fails when a page shows a
// catalogue key instead of its text, when an English page shows a Dutch
// text of the catalogue (English is complete) or a Dutch page an English one
// (including the message of a malformed value).
func TestEveryPageSpeaksOneLanguageAndShowsNoKey(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	admin := s.addUser(t, "a@fundmatch.be", "admin")
	cookie := s.session(t, admin)
	var plan, sub, userID string
	s.db.QueryRow(`SELECT id FROM consortium_plans WHERE rank = 1`).Scan(&plan)
	s.db.QueryRow(`INSERT INTO subscriptions (user_id, channel, email) VALUES ($1, 'email', 'a@fundmatch.be') RETURNING id`, admin.ID).Scan(&sub)
	s.db.QueryRow(`SELECT id FROM users WHERE email = 'a@fundmatch.be'`).Scan(&userID)
	if _, err := s.db.Exec(`INSERT INTO crawl_runs (source, started_at, finished_at, status, pages, calls_new) VALUES ('ftportal', now() - interval '1 hour', now(), 'ok', 3, 2)`); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		path   string
		status int
	}{
		{"/", 200}, {"/login", 200}, {"/open", 200}, {"/calls", 200}, {"/calls/HORIZON-CL5-2027-D4-01", 200},
		{"/cities/gent", 200}, {"/cities/gent/profile", 200}, {"/plans", 200}, {"/plans/" + plan, 200},
		{"/subscriptions", 200}, {"/subscriptions/" + sub + "/edit", 200}, {"/uptake", 200},
		{"/admin/sources", 200}, {"/admin/users", 200}, {"/admin/users/" + userID, 200},
		{"/no/such/page", 404}, {"/cities/gent?min_score=lots", 400}, {"/cities/gent?eligibility=maybe", 400},
	}
	// The catalogue's texts that exist in one language only (they differ,
	// and are long enough not to be a word of the data).
	var onlyNL, onlyEN []string
	for _, key := range i18n.Keys() {
		nl, en := i18n.T(i18n.NL, key), i18n.T(i18n.EN, key)
		if nl != en && !strings.Contains(nl, "%") && strings.Contains(nl, " ") && len(nl) >= 12 {
			onlyNL = append(onlyNL, nl)
		}
		if nl != en && !strings.Contains(en, "%") && strings.Contains(en, " ") && len(en) >= 12 {
			onlyEN = append(onlyEN, en)
		}
	}
	textNode := regexp.MustCompile(`>([^<]+)<`)
	keyLike := regexp.MustCompile(`^[a-z]+([._][a-z]+)+$`)
	checked := 0
	for _, p := range pages {
		for _, lang := range []string{"nl", "en"} {
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			code, _, body := do(t, http.MethodGet, s.URL+p.path+sep+"lang="+lang, cookie, "", nil)
			if code != p.status {
				t.Errorf("%s in %s = %d, want %d", p.path, lang, code, p.status)
				continue
			}
			main := body[strings.Index(body, "<main"):] // the menu's language link names the other language
			for _, m := range textNode.FindAllStringSubmatch(main, -1) {
				text := strings.TrimSpace(html.UnescapeString(m[1]))
				if keyLike.MatchString(text) && (i18n.Has(text) || strings.Contains(text, "_")) {
					t.Errorf("%s in %s shows the key %q", p.path, lang, text)
				}
				checked++
			}
			// A malformed value is named in the page's language; the API's
			// English reason ("want a whole number …") stays off Dutch pages.
			if p.status == http.StatusBadRequest && lang == "nl" &&
				(!strings.Contains(main, "Kijk dit veld na") || strings.Contains(main, "want ")) {
				t.Errorf("%s in nl does not name the field in Dutch: %.300s", p.path, main)
			}
			other := onlyEN
			if lang == "en" {
				other = onlyNL
			}
			text := html.UnescapeString(main)
			for _, o := range other {
				if strings.Contains(text, o) {
					t.Errorf("%s in %s shows the other language's %q", p.path, lang, o)
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("checked only %d texts; the pages did not render", checked)
	}
}
