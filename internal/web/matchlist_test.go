package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// TestMatchesListIsScannable: each row of a city's matches shows the score
// with its band, the title linking to the call, the one-line why with the
// theme chips, the deadline with the days left coloured by urgency, the
// type of action; the programme is picked from the programmes matched; and
// the list pages, without the long explanation.
func TestMatchesListIsScannable(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.db.MustExec(`UPDATE calls SET deadlines = ARRAY[brussels_today() + 10]::date[], types_of_action = ARRAY['HORIZON-IA']
		WHERE identifier = 'HORIZON-CL5-2027-D4-01'`)
	s.db.MustExec(`UPDATE matches SET
		text_nl = 'Lange uitleg die niet in de lijst hoort. Nog een zin.', text_en = 'Long explanation. Another sentence.',
		summary_nl = 'Sterke match: klimaat, mobiliteit.', summary_en = 'Strong fit: climate, mobility.',
		reasons = '[{"code": "theme", "nl": "Thema klimaat", "en": "Theme climate", "profile_words": ["klimaat"], "call_words": ["climate-neutral", "emissions"], "strength": 0.9},
			{"code": "theme", "nl": "Thema mobiliteit", "en": "Theme mobility", "profile_words": ["fietspaden"], "strength": 0.4},
			{"code": "missing", "nl": "Ontbreekt: een partner.", "en": "Missing: a partner."}]'
		FROM calls c, cities ct WHERE c.id = matches.call_id AND ct.id = matches.city_id
		AND c.identifier = 'HORIZON-CL5-2027-D4-01' AND ct.slug = 'gent'`)
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	get := func(t *testing.T, path string) string {
		t.Helper()
		code, _, body := do(t, "GET", s.URL+path, officer, "", nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d: %.300s", path, code, body)
		}
		return body
	}
	row := func(t *testing.T, body, call string) string {
		t.Helper()
		for _, tr := range strings.Split(body, "<tr>") {
			if strings.Contains(tr, `href="/calls/`+call+`"`) {
				return tr
			}
		}
		t.Fatalf("no row for %s", call)
		return ""
	}

	t.Run("RowInDutch", func(t *testing.T) {
		body := get(t, "/cities/gent")
		r := row(t, body, "HORIZON-CL5-2027-D4-01")
		for _, want := range []string{
			`class="band band-strong"><strong>82</strong> sterke match`,
			`class="call-title">Climate-neutral cities pilots</a>`,
			`<p class="why">Sterke match: klimaat, mobiliteit.</p>`,
			`<li>climate-neutral</li><li>emissions</li><li>fietspaden</li>`,
			`<span class="due due-urgent">nog 10 dagen</span>`,
			`HORIZON-IA`,
		} {
			if !strings.Contains(r, want) {
				t.Errorf("the row lacks %q:\n%s", want, r)
			}
		}
		for _, wall := range []string{"Lange uitleg", "Ontbreekt: een partner.", "Relevantie"} {
			if strings.Contains(body, wall) {
				t.Errorf("the list shows the long explanation (%q)", wall)
			}
		}
		// 55 is a weak fit; 90 days away is neither urgent nor soon.
		if r := row(t, body, "DIGITAL-2027-EDIH-02"); !strings.Contains(r, "band-weak") || !strings.Contains(r, `<span class="due">nog 90 dagen</span>`) {
			t.Errorf("the DIGITAL row has the wrong band or urgency:\n%s", r)
		}
		// LIFE: 60 days, 40 points.
		if r := row(t, body, "LIFE-2027-XSS"); !strings.Contains(r, "zwakke match") {
			t.Errorf("the LIFE row lacks its band:\n%s", r)
		}
	})
	t.Run("RowInEnglish", func(t *testing.T) {
		r := row(t, get(t, "/cities/gent?lang=en"), "HORIZON-CL5-2027-D4-01")
		for _, want := range []string{"strong fit", "Strong fit: climate, mobility.", "10 days left"} {
			if !strings.Contains(r, want) {
				t.Errorf("the English row lacks %q:\n%s", want, r)
			}
		}
	})
	t.Run("ProgrammePickedFromThoseMatched", func(t *testing.T) {
		body := get(t, "/cities/gent?programme=digital")
		sel := regexp.MustCompile(`(?s)<select id="f-programme" name="programme">.*?</select>`).FindString(body)
		opts := regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(sel, -1)
		var got []string
		for _, o := range opts {
			got = append(got, o[1])
		}
		if strings.Join(got, ",") != ",DIGITAL,HORIZON,LIFE" {
			t.Fatalf("programme options = %q, want any, DIGITAL, HORIZON, LIFE", got)
		}
		if !strings.Contains(sel, `<option value="DIGITAL" selected>`) || !strings.Contains(body, "1 oproepen gevonden") {
			t.Fatalf("?programme=digital does not select DIGITAL and list its one call:\n%s", sel)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		first := get(t, "/cities/gent?per_page=2")
		second := get(t, "/cities/gent?per_page=2&page=2")
		if strings.Count(first, `class="call-title"`) != 2 || !strings.Contains(first, `rel="next"`) {
			t.Fatalf("page 1 of 2 per page does not show two rows and a next link")
		}
		if strings.Count(second, `class="call-title"`) != 1 || !strings.Contains(second, `rel="prev"`) || strings.Contains(second, `rel="next"`) {
			t.Fatalf("page 2 does not show the last row with only a previous link")
		}
	})
}

// TestCallPageListsMatchingCitiesByName: the call page names the cities a
// call matches, only those not ruled out with at least a weak fit; a city
// the viewer may see links to its page with its band and one-line why.
func TestCallPageListsMatchingCitiesByName(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.db.MustExec(`INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash, deadlines)
		SELECT c.id, ct.id, v.score, v.elig, '[]', '{}', 'test', 'x', c.deadlines
		FROM (VALUES ('leuven', 30, 'unknown'), ('brugge', 65, 'ineligible'), ('mechelen', 45, 'unknown')) AS v(city, score, elig)
		JOIN cities ct ON ct.slug = v.city, calls c WHERE c.identifier = 'HORIZON-CL5-2027-D4-01'`)
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	code, _, body := do(t, "GET", s.URL+"/calls/HORIZON-CL5-2027-D4-01", officer, "", nil)
	if code != http.StatusOK {
		t.Fatalf("call page = %d", code)
	}
	list := regexp.MustCompile(`(?s)<ul class="matching-cities">.*?</ul>`).FindString(body)
	for _, want := range []string{`<a href="/cities/gent">Gent</a>`, "sterke match", `<p class="why">Past bij klimaat en mobiliteit.</p>`, "<li>Aalst</li>", "<li>Mechelen</li>"} {
		if !strings.Contains(list, want) {
			t.Errorf("the matching cities lack %q:\n%s", want, list)
		}
	}
	for _, unwanted := range []string{"Leuven", "Brugge", ">gent<", ">aalst<"} {
		if strings.Contains(list, unwanted) {
			t.Errorf("the matching cities show %q (below the weak band, ruled out, or a code):\n%s", unwanted, list)
		}
	}
}
