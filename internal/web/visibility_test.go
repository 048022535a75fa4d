package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// TestAPlanShowsOnlyWhatTheViewerMaySeeOfEachCity: the alternative plan
// has Gent (the coordinator's) and Leuven (not theirs). The coordinator
// sees Gent's fit, eligibility, capacity and co-funding, and of Leuven only
// what it brings; a capacity rule naming Leuven is not spelled out, nor the
// value's breakdown. Government sees everything.
func TestAPlanShowsOnlyWhatTheViewerMaySeeOfEachCity(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	contribution := `{"concepts": [{"concept": "mobility", "strength": 0.8}], "fit": %d, "eligibility": "eligible",
		"experience": {"past_eu_projects": 2, "programmes_led": 1}, "bids_after": 3, "max_bids": 4, "co_funding_needed": 125000, "co_funding_left": 8125}`
	for slug, fit := range map[string]int{"gent": 82, "leuven": 67} {
		if _, err := s.db.Exec(`UPDATE consortium_members SET contribution = replace($1, '%d', $2)::jsonb
			WHERE city_id = (SELECT id FROM cities WHERE slug = $3)`, contribution, fit, slug); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.db.Exec(`UPDATE consortium_plans SET components = '{"fit": 4.9, "coverage": 20, "total": 30, "rationale": "Gent and Leuven"}',
		constraints_missing = '[{"code": "capacity", "nl": "Leuven heeft niet genoeg cofinanciering", "en": "Leuven lacks the co-funding this bid needs"},
			{"code": "foreign-partners", "nl": "zoek twee buitenlandse partners", "en": "find two foreign partners"}]'`); err != nil {
		t.Fatal(err)
	}
	coord := s.token(t, s.addUser(t, "c@ovl.be", "coordinator", "gent", "aalst"))
	gov := s.token(t, s.addUser(t, "g@vlaanderen.be", "government"))

	type plan struct {
		Rank               int `json:"rank"`
		Components         map[string]any
		ConstraintsMissing []map[string]string `json:"constraints_missing"`
		Members            []struct {
			City         string         `json:"city"`
			Contribution map[string]any `json:"contribution"`
		} `json:"members"`
	}
	plansOf := func(token string) map[int]plan {
		code, _, body := do(t, "GET", s.URL+"/api/v1/plans", nil, token, nil)
		if code != http.StatusOK {
			t.Fatalf("GET /api/v1/plans = %d %s", code, body)
		}
		var page struct{ Data []plan }
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		out := map[int]plan{}
		for _, p := range page.Data {
			out[p.Rank] = p
		}
		return out
	}
	alt := plansOf(coord)[2]
	for _, m := range alt.Members {
		for _, key := range []string{"fit", "eligibility", "bids_after", "max_bids", "co_funding_needed", "co_funding_left"} {
			_, shown := m.Contribution[key]
			if want := m.City == "gent"; shown != want {
				t.Errorf("coordinator sees %s's %s: %v, want %v", m.City, key, shown, want)
			}
		}
		if m.Contribution["concepts"] == nil {
			t.Errorf("coordinator does not see what %s brings", m.City)
		}
	}
	if _, ok := alt.Components["fit"]; ok || alt.Components["rationale"] != "Gent and Leuven" {
		t.Errorf("components %v, want the rationale without the breakdown", alt.Components)
	}
	for _, c := range alt.ConstraintsMissing {
		if strings.Contains(c["en"], "Leuven") {
			t.Errorf("coordinator reads %q", c["en"])
		}
	}
	if len(alt.ConstraintsMissing) != 2 || alt.ConstraintsMissing[1]["en"] != "find two foreign partners" {
		t.Errorf("constraints %v, want both, the foreign partners as they are", alt.ConstraintsMissing)
	}
	full := plansOf(gov)[2]
	for _, m := range full.Members {
		if m.Contribution["fit"] == nil || m.Contribution["co_funding_left"] == nil {
			t.Errorf("government does not see %s's contribution: %v", m.City, m.Contribution)
		}
	}
	if !strings.Contains(full.ConstraintsMissing[0]["en"], "Leuven") {
		t.Errorf("government reads %v", full.ConstraintsMissing)
	}
}

// TestThePlanPageOffersOnlyTheCoordinatorsCities: the adjust form lists the
// coordinator's cities and the plan's members, not every city.
func TestThePlanPageOffersOnlyTheCoordinatorsCities(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	c := s.session(t, s.addUser(t, "c@ovl.be", "coordinator", "gent", "aalst"))
	var id string
	s.db.QueryRow(`SELECT id FROM consortium_plans WHERE rank = 2`).Scan(&id)
	code, _, body := do(t, "GET", s.URL+"/plans/"+id, c, "", nil)
	if code != http.StatusOK {
		t.Fatalf("plan page = %d", code)
	}
	for slug, want := range map[string]bool{"gent": true, "aalst": true, "leuven": true, "brugge": false, "antwerpen": false} {
		if got := strings.Contains(body, `<option value="`+slug+`">`); got != want {
			t.Errorf("option %s offered: %v, want %v", slug, got, want)
		}
	}
}
