package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// planIDs are the ids of the plans of the newest run, by rank.
func (s *site) planIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	if err := s.db.Select(&ids, `SELECT id::text FROM consortium_plans WHERE plan_run_id = (SELECT max(id) FROM plan_runs) ORDER BY rank`); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestThePlanPageShowsWhatACoordinatorDecidesOn(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	coordinator := s.session(t, s.addUser(t, "c@ovl.be", "coordinator", "gent", "aalst"))
	officer := s.session(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	old := s.planIDs(t)
	// The coordinator runs the planner for the call over Gent and Aalst.
	if code, _, body := postForm(t, s.URL+"/calls/HORIZON-CL5-2027-D4-01/plans", coordinator, nil); code != http.StatusSeeOther {
		t.Fatalf("run the planner = %d:\n%.2000s", code, body)
	}
	plans := s.planIDs(t)
	if len(plans) == 0 || plans[0] == old[0] {
		t.Fatalf("the planner stored no new plans: %v", plans)
	}
	page := func(cookie *http.Cookie, id string) string {
		t.Helper()
		code, _, body := do(t, "GET", s.URL+"/plans/"+id, cookie, "", nil)
		if code != http.StatusOK {
			t.Fatalf("GET /plans/%s = %d", id, code)
		}
		return body
	}

	t.Run("Proposed", func(t *testing.T) {
		body := page(coordinator, plans[0])
		members := section(body, "members")
		for _, want := range []string{`<a href="/cities/gent">Gent</a>`, `<a href="/cities/aalst">Aalst</a>`, "match 82", "EU-projecten",
			"aanvragen tegelijk", "trekker", "wacht op antwoord"} {
			if !strings.Contains(members, want) {
				t.Errorf("members lack %q:\n%s", want, members)
			}
		}
		if rules := section(body, "rules"); !strings.Contains(rules, "<li>") {
			t.Errorf("no condition met or missing:\n%s", rules)
		}
		// Horizon wants partners from abroad; none are known from history.
		if foreign := section(body, "foreign"); !strings.Contains(foreign, "Nodig, maar geen bekend") || !strings.Contains(section(body, "rules"), "buitenlandse partners") {
			t.Errorf("foreign partners, needed and unknown:\n%s", foreign)
		}
		value := section(body, "value")
		for _, want := range []string{"De waarde vergelijkt de voorstellen", "Match van de steden", "(match − 50) / 10", "Dekking van de thema", "Spreiding"} {
			if !strings.Contains(value, want) {
				t.Errorf("the value's explanation lacks %q:\n%s", want, value)
			}
		}
		for _, id := range []string{`id="accept"`, `id="reject"`, `id="adjust"`} {
			if !strings.Contains(body, id) {
				t.Errorf("a proposed plan lacks %s for its coordinator", id)
			}
		}
		if strings.Contains(body, `id="respond"`) {
			t.Error("a coordinator is offered to answer for a city")
		}
		// The officer answers for Gent, and cannot decide.
		body = page(officer, plans[0])
		if !strings.Contains(body, `id="confirm-gent"`) || !strings.Contains(body, `id="decline-gent"`) || strings.Contains(body, `id="accept"`) ||
			!strings.Contains(body, ">Bevestigen</button>") || !strings.Contains(body, ">Afzeggen</button>") {
			t.Errorf("the officer's plan page:\n%s", section(body, "respond"))
		}
	})

	t.Run("Superseded", func(t *testing.T) {
		// The fixture's earlier proposals with Gent are replaced.
		body := page(coordinator, old[0])
		if !strings.Contains(body, "vervangen") || !strings.Contains(section(body, "members"), "Gent") ||
			!strings.Contains(body, fmt.Sprintf(`href="/plans/%s"`, plans[0])) {
			t.Errorf("a superseded plan does not say so or link the new proposal:\n%.3000s", body)
		}
		// Its run's alternative, side by side, is superseded too; Leuven is
		// not the coordinator's to open.
		alt := section(body, "alternatives")
		if !strings.Contains(alt, `aria-current="page"`) || !strings.Contains(alt, `href="/plans/`+old[1]+`"`) ||
			strings.Count(alt, "vervangen") != 2 || !strings.Contains(alt, "Leuven") {
			t.Errorf("alternatives side by side:\n%s", alt)
		}
		for _, id := range []string{`id="accept"`, `id="adjust"`, `id="respond"`, `action="/plans/` + old[0] + `/decision"`} {
			if strings.Contains(body, id) {
				t.Errorf("a superseded plan still offers %s", id)
			}
		}
		if code, _, _ := postForm(t, s.URL+"/plans/"+old[0]+"/decision", coordinator, url.Values{"decision": {"accepted"}}); code != http.StatusBadRequest {
			t.Errorf("accepting a superseded plan = %d, want 400", code)
		}
		if code, _, _ := postForm(t, s.URL+"/plans/"+old[0]+"/response", officer, url.Values{"city": {"gent"}, "response": {"confirmed"}}); code != http.StatusBadRequest {
			t.Errorf("answering a superseded plan = %d, want 400", code)
		}
		var open int
		s.db.QueryRow(`SELECT count(*) FROM consortium_plans WHERE status = 'proposed' AND rank = 1`).Scan(&open)
		if open != 1 {
			t.Errorf("%d open rank-1 proposals for the call, want 1", open)
		}
	})

	t.Run("NegativeValueIsExplained", func(t *testing.T) {
		if _, err := s.db.Exec(`UPDATE consortium_plans SET value = -2.5,
			components = components || '{"fit": -4.5, "coverage": 2, "total": -2.5}' WHERE id = $1`, plans[0]); err != nil {
			t.Fatal(err)
		}
		value := section(page(coordinator, plans[0]), "value")
		if !strings.Contains(value, "Waarde: -2,5 punten") || !strings.Contains(value, `id="value-negative"`) || !strings.Contains(value, "een match onder 50 trekt punten af") {
			t.Errorf("a negative value without its explanation:\n%s", value)
		}
	})

	t.Run("AcceptedIsReadOnly", func(t *testing.T) {
		if code, _, body := postForm(t, s.URL+"/plans/"+plans[0]+"/decision", coordinator, url.Values{"decision": {"accepted"}, "note": {"Akkoord op het overleg"}}); code != http.StatusSeeOther {
			t.Fatalf("accept = %d:\n%.2000s", code, body)
		}
		body := page(coordinator, plans[0])
		if !strings.Contains(body, "Aanvaard: dit voorstel is een geplande aanvraag geworden") || !strings.Contains(body, "Akkoord op het overleg") {
			t.Errorf("an accepted plan does not say so:\n%.3000s", body)
		}
		for _, id := range []string{`id="accept"`, `id="reject"`, `id="adjust"`, `/decision"`, `/members"`} {
			if strings.Contains(body, id) {
				t.Errorf("an accepted plan still offers %s", id)
			}
		}
		if code, _, _ := postForm(t, s.URL+"/plans/"+plans[0]+"/members", coordinator, url.Values{"city": {"aalst"}, "action": {"lead"}}); code != http.StatusBadRequest {
			t.Errorf("adjusting an accepted plan = %d, want 400", code)
		}
		// Its members still answer: the bid goes ahead with those that confirm.
		if body := page(officer, plans[0]); !strings.Contains(body, `id="confirm-gent"`) {
			t.Error("the officer can no longer answer an accepted plan")
		}
		if code, _, _ := postForm(t, s.URL+"/plans/"+plans[0]+"/response", officer, url.Values{"city": {"gent"}, "response": {"declined"}}); code != http.StatusSeeOther {
			t.Errorf("declining = %d, want 303", code)
		}
		if members := section(page(coordinator, plans[0]), "members"); !strings.Contains(members, "afgezegd") {
			t.Errorf("Gent's answer is not shown as afgezegd:\n%s", members)
		}
	})
}
