package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// profileForm is a valid profile form; tests change a field or two.
func profileForm() url.Values {
	form := url.Values{"keywords_nl": {"fiets, park"}, "keywords_en": {"bicycle"}, "preparation_days": {"30"},
		"max_concurrent_bids": {"2"}, "cofunding_capacity": {"100.000"}}
	for _, d := range []string{"economy", "government", "people", "living", "mobility", "environment"} {
		form.Set("weight_"+d, "0,5")
	}
	return form
}

// TestProfileFormKeepsTheEditsAndShowsEachMistakeBesideItsField: a form
// with mistakes comes back with every edit as typed, each mistake beside
// its field in the page's language, the mistyped programme named, and
// nothing stored.
func TestProfileFormKeepsTheEditsAndShowsEachMistakeBesideItsField(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	before, err := s.st.ProfileBySlug(context.Background(), "gent")
	if err != nil {
		t.Fatal(err)
	}
	bad := profileForm()
	bad.Set("keywords_nl", "fietsstraten, speelpleinen")
	bad.Set("weight_people", "2")
	bad.Set("cofunding_capacity", "veel")
	bad["excluded_programmes"] = []string{"LIFE", "HORIZN"}
	tests := []struct {
		lang                              string
		weight, amount, programme, banner string
	}{
		{"nl", "Een getal van 0 tot 1", "Een bedrag in euro", "Geen gekend programma: HORIZN", "Kijk de gemarkeerde velden na"},
		{"en", "A number from 0 to 1", "An amount in euro", "Not a known programme: HORIZN", "Check the marked fields"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			code, _, body := do(t, "POST", s.URL+"/cities/gent/profile?lang="+tt.lang, officer, "", strings.NewReader(bad.Encode()),
				"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
			if code != http.StatusBadRequest {
				t.Fatalf("POST with mistakes = %d, want 400 with the form", code)
			}
			for _, want := range []string{
				`<form method="post" action="/cities/gent/profile"`,
				tt.banner,
				// The edits are kept, the wrong ones too.
				`>fietsstraten, speelpleinen</textarea>`, `name="weight_people" value="2"`, `name="cofunding_capacity" value="veel"`,
				// Each mistake beside its field, linked to it.
				`aria-describedby="w-people-error"`, `<p class="error" id="w-people-error">` + tt.weight,
				`aria-describedby="cof-error"`, `<p class="error" id="cof-error">` + tt.amount,
				`<p class="error" id="ex-error">` + tt.programme,
				`value="LIFE" checked`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("the form lacks %q", want)
				}
			}
			// A field without a mistake is not marked.
			if strings.Contains(body, `id="w-economy-error"`) || strings.Contains(body, `id="prep-error"`) {
				t.Error("a field without a mistake is marked as wrong")
			}
		})
	}
	after, err := s.st.ProfileBySlug(context.Background(), "gent")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(after.KeywordsNL, ",") != strings.Join(before.KeywordsNL, ",") || after.CoFundingCapacity != before.CoFundingCapacity {
		t.Fatalf("a form with mistakes changed the profile: %+v", after)
	}
}

// TestProfileFormReadsDecimalCommasAndPoints: a Dutch page takes 12,5 and
// 1.250.000,50 as Belgians write them, and still takes a decimal point;
// the form then shows the stored numbers the same way.
func TestProfileFormReadsDecimalCommasAndPoints(t *testing.T) {
	s := newSite(t, web.Config{})
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	tests := []struct {
		weight, amount string
		wantW, wantA   float64
		shownW, shownA string
	}{
		{"0,25", "1.250.000,50", 0.25, 1250000.5, "0,25", "1.250.000,5"},
		{"0.75", "12500.50", 0.75, 12500.5, "0,75", "12.500,5"},
		{"1", "€ 250.000", 1, 250000, "1", "250.000"},
	}
	for _, tt := range tests {
		t.Run(tt.weight+" "+tt.amount, func(t *testing.T) {
			form := profileForm()
			form.Set("weight_mobility", tt.weight)
			form.Set("cofunding_capacity", tt.amount)
			if code, _, body := postForm(t, s.URL+"/cities/gent/profile", officer, form); code != http.StatusSeeOther {
				t.Fatalf("save = %d: %.2000s", code, body)
			}
			p, err := s.st.ProfileBySlug(context.Background(), "gent")
			if err != nil {
				t.Fatal(err)
			}
			if p.Mobility != tt.wantW || p.CoFundingCapacity != tt.wantA {
				t.Fatalf("stored weight %v and amount %v, want %v and %v", p.Mobility, p.CoFundingCapacity, tt.wantW, tt.wantA)
			}
			_, _, page := do(t, "GET", s.URL+"/cities/gent/profile", officer, "", nil)
			for _, want := range []string{`name="weight_mobility" value="` + tt.shownW + `"`, `name="cofunding_capacity" value="` + tt.shownA + `"`} {
				if !strings.Contains(page, want) {
					t.Errorf("the form lacks %q", want)
				}
			}
		})
	}
}

// TestProfileProgrammesComeFromTheKnownList: the form offers the portal's
// programmes and those of stored calls from other sources, and the API
// refuses a mistyped code as the form does.
func TestProfileProgrammesComeFromTheKnownList(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.db.MustExec(`INSERT INTO calls (source, identifier, kind, programme, programme_name, title, status, content_hash)
		VALUES ('ftportal', 'INTERREG-NWE-1', 'topic', 'INTERREG', 'Interreg North-West Europe', 'x', 'open', 'h9')`)
	u := s.addUser(t, "o@gent.be", "officer", "gent")
	officer := s.session(t, u)
	_, _, page := do(t, "GET", s.URL+"/cities/gent/profile", officer, "", nil)
	boxes := regexp.MustCompile(`type="checkbox" id="ex-[^"]+" name="excluded_programmes" value="([^"]+)"`).FindAllStringSubmatch(page, -1)
	var codes []string
	for _, b := range boxes {
		codes = append(codes, html.UnescapeString(b[1]))
	}
	for _, want := range []string{"HORIZON", "LIFE", "DIGITAL", "ERASMUS+", "INTERREG"} {
		if !strings.Contains(","+strings.Join(codes, ",")+",", ","+want+",") {
			t.Errorf("the programmes to pick from lack %s: %v", want, codes)
		}
	}
	if !strings.Contains(page, `title="Interreg North-West Europe"`) {
		t.Error("a programme from the store is offered without its name")
	}
	form := profileForm()
	form.Set("excluded_programmes", "INTERREG")
	if code, _, body := postForm(t, s.URL+"/cities/gent/profile", officer, form); code != http.StatusSeeOther {
		t.Fatalf("excluding a stored call's programme = %d: %.500s", code, body)
	}
	token := s.token(t, u)
	code, _, body := do(t, "PUT", s.URL+"/api/v1/cities/gent/profile", nil, token, strings.NewReader(`{"excluded_programmes": ["HORIZN"]}`))
	if code != http.StatusBadRequest || !strings.Contains(body, "excluded_programmes") || !strings.Contains(body, "HORIZN") {
		t.Fatalf("PUT a mistyped programme = %d %s, want 400 naming the field and the code", code, body)
	}
}
