package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

func TestEveryPageRendersForItsRole(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	gov := s.session(t, s.addUser(t, "g@vlaanderen.be", "government"))
	admin := s.session(t, s.addUser(t, "a@fundmatch.be", "admin"))
	tests := []struct {
		name   string
		cookie *http.Cookie
		path   string
		want   []string
	}{
		{"OfficerMatchesWithWhyAndBadges", officer, "/cities/gent", []string{"HORIZON-CL5-2027-D4-01", "Past bij klimaat en mobiliteit.", "82", "badge-unknown", "onbekend", "Digitale tweeling."}},
		{"OfficerMatchesInEnglish", officer, "/cities/gent?lang=en", []string{"Fits climate and mobility.", "unknown"}},
		{"FilteredByProgramme", officer, "/cities/gent?programme=DIGITAL", []string{"DIGITAL-2027-EDIH-02", "1 oproepen gevonden"}},
		{"CallPageWithTimelineAndCities", officer, "/calls/HORIZON-CL5-2027-D4-01", []string{"<svg class=\"timeline\"", "Aalst", "Cities test <strong>climate</strong>", "name=\"amount_requested\""}},
		{"Calls", officer, "/calls", []string{"DIGITAL-2027-EDIH-02", `<a href="/cities/gent">Gent</a> (82)`}},
		{"Profile", officer, "/cities/gent/profile", []string{"name=\"weight_mobility\"", "keywords_nl"}},
		{"Plans", officer, "/plans", []string{"HORIZON-CL5-2027-D4-01", "trekker", `<a href="/cities/gent">Gent</a>`}},
		{"Uptake", gov, "/uptake", []string{"<svg class=\"chart\"", "Gent", "750.000", "Koplopers"}},
		{"AdminSources", admin, "/admin/sources", []string{"ftportal"}},
		{"AdminUsers", admin, "/admin/users", []string{"o@gent.be"}},
		{"OpenData", nil, "/open", []string{"CC BY 4.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, "GET", s.URL+tt.path, tt.cookie, "", nil)
			if code != http.StatusOK {
				t.Fatalf("GET %s = %d", tt.path, code)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s lacks %q", tt.path, want)
				}
			}
		})
	}
}
