package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

func TestOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	s := newSite(t, web.Config{})
	code, _, body := do(t, "GET", s.URL+"/api/openapi.json", nil, "", nil)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || code != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json = %d, version %q, %v", code, doc.OpenAPI, err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s documents no responses", method, path)
			}
		}
	}
	var routed []string
	for _, r := range s.srv.Routes() {
		if _, path, _ := strings.Cut(r, " "); strings.HasPrefix(path, "/api/") {
			routed = append(routed, r)
		}
	}
	slices.Sort(documented)
	slices.Sort(routed)
	for _, r := range routed {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in the OpenAPI document", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("the OpenAPI document has %s, which is not routed", d)
		}
	}
}

func TestAPIPaginationErrorsAndWrites(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	// Gent's best match is explained as fundmatch score explains it, with
	// a summary; its second is as a match explained before summaries.
	s.db.MustExec(`UPDATE matches SET summary_nl = 'Sterke match: dekt klimaat.', summary_en = 'Strong match: covers climate.',
		reasons = '[{"code":"theme","nl":"\"klimaat\" in het profiel ~ \"climate\" in de oproep","en":"\"klimaat\" in the profile ~ \"climate\" in the call","profile_words":["klimaat"],"call_words":["climate"],"strength":0.8}]',
		text_nl = E'Score 82.\n- klimaat', text_en = E'Score 82.\n- climate'
		WHERE city_id = (SELECT id FROM cities WHERE slug = 'gent') AND score = 82`)
	officer := s.token(t, s.addUser(t, "o@gent.be", "officer", "gent"))
	coordinator := s.token(t, s.addUser(t, "c@ovl.be", "coordinator", "gent"))
	type errorBody struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	t.Run("MatchesArePagedWithMetaAndLink", func(t *testing.T) {
		code, hdr, body := do(t, "GET", s.URL+"/api/v1/cities/gent/matches?per_page=2&sort=score&count=true", nil, officer, nil)
		var got struct {
			Data []struct {
				Call, Eligibility string
				Score             int
			}
			Meta struct {
				Page, PerPage, Total int
				HasNext              bool `json:"has_next"`
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
			t.Fatalf("= %d %v", code, err)
		}
		if len(got.Data) != 2 || got.Data[0].Score != 82 || got.Data[1].Score != 55 || got.Meta.Total != 3 || !got.Meta.HasNext {
			t.Fatalf("page 1 = %+v", got)
		}
		_, _, last := do(t, "GET", s.URL+"/api/v1/cities/gent/matches?per_page=2&page=2", nil, officer, nil)
		if !strings.Contains(last, `"has_next":false`) || strings.Contains(last, `"total"`) || !strings.Contains(last, "LIFE-2027-XSS") {
			t.Fatalf("page 2 without count = %s", last)
		}
		if link := hdr.Get("Link"); !strings.Contains(link, `page=2`) || !strings.Contains(link, `rel="next"`) {
			t.Fatalf("Link = %q", link)
		}
	})
	t.Run("MatchesGiveTheSummaryUnlessAskedForTheWhole", func(t *testing.T) {
		type match struct {
			Call        string
			Reasons     []map[string]any
			Explanation map[string]string
		}
		page := func(query string) map[string]match {
			code, _, body := do(t, "GET", s.URL+"/api/v1/cities/gent/matches"+query, nil, officer, nil)
			var got struct{ Data []match }
			if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
				t.Fatalf("%s = %d %v", query, code, err)
			}
			out := map[string]match{}
			for _, m := range got.Data {
				out[m.Call] = m
			}
			return out
		}
		for _, query := range []string{"", "?explanation=summary"} {
			got := page(query)
			best, old := got["HORIZON-CL5-2027-D4-01"], got["DIGITAL-2027-EDIH-02"]
			// The summary stands in for the reasons and texts it sums up.
			if len(best.Reasons) != 0 || !maps.Equal(best.Explanation, map[string]string{
				"summary_nl": "Sterke match: dekt klimaat.", "summary_en": "Strong match: covers climate."}) {
				t.Errorf("%q: the summarised match = %+v", query, best)
			}
			// Without a summary the reasons stay, and the first sentence
			// of the texts is the summary.
			if len(old.Reasons) != 1 || old.Reasons[0]["code"] != "no-budget" || !maps.Equal(old.Explanation, map[string]string{
				"summary_nl": "Digitale tweeling.", "summary_en": "Digital twin."}) {
				t.Errorf("%q: the match without a summary = %+v", query, old)
			}
		}
		got := page("?explanation=full")
		best, old := got["HORIZON-CL5-2027-D4-01"], got["DIGITAL-2027-EDIH-02"]
		if len(best.Reasons) != 1 || best.Reasons[0]["call_words"].([]any)[0] != "climate" || best.Explanation["nl"] != "Score 82.\n- klimaat" ||
			best.Explanation["en"] != "Score 82.\n- climate" || best.Explanation["summary_en"] != "Strong match: covers climate." {
			t.Errorf("the whole explained match = %+v", best)
		}
		if len(old.Reasons) != 1 || !maps.Equal(old.Explanation, map[string]string{
			"nl": "Digitale tweeling.", "en": "Digital twin.", "summary_nl": "", "summary_en": ""}) {
			t.Errorf("the whole match without a summary = %+v", old)
		}
	})
	t.Run("OneMatchGivesTheWholeExplanation", func(t *testing.T) {
		code, _, body := do(t, "GET", s.URL+"/api/v1/cities/gent/matches/HORIZON-CL5-2027-D4-01", nil, officer, nil)
		var got struct {
			Data struct {
				City, Call  string
				Score       int
				Reasons     []map[string]any
				Explanation map[string]string
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
			t.Fatalf("= %d %s", code, body)
		}
		if m := got.Data; m.City != "gent" || m.Call != "HORIZON-CL5-2027-D4-01" || m.Score != 82 || len(m.Reasons) != 1 ||
			m.Explanation["nl"] != "Score 82.\n- klimaat" || m.Explanation["summary_nl"] != "Sterke match: dekt klimaat." {
			t.Fatalf("match = %+v", m)
		}
		for path, want := range map[string]int{
			"/api/v1/cities/aalst/matches/DIGITAL-2027-EDIH-02": 403, // not the officer's city
			"/api/v1/cities/gent/matches/NO-SUCH-CALL":          404,
			"/api/v1/cities/nowhere/matches/LIFE-2027-XSS":      404,
		} {
			if code, _, body := do(t, "GET", s.URL+path, nil, officer, nil); code != want {
				t.Errorf("GET %s = %d %s, want %d", path, code, body, want)
			}
		}
		// A call the city has no stored match of.
		admin := s.token(t, s.addUser(t, "admin@vlaanderen.be", "admin"))
		if code, _, body := do(t, "GET", s.URL+"/api/v1/cities/aalst/matches/DIGITAL-2027-EDIH-02", nil, admin, nil); code != 404 ||
			!strings.Contains(body, "not among the city's matches") {
			t.Errorf("an unmatched call = %d %s", code, body)
		}
	})
	bad := []struct{ name, method, path, body, token, field string }{
		{"BadMinScore", "GET", "/api/v1/cities/gent/matches?min_score=high", "", officer, "min_score"},
		{"BadExplanation", "GET", "/api/v1/cities/gent/matches?explanation=long", "", officer, "explanation"},
		{"BadPerPage", "GET", "/api/v1/calls?per_page=1000", "", officer, "per_page"},
		{"WeightOutOfRange", "PUT", "/api/v1/cities/gent/profile", `{"domain_weights": {"economy": 3}}`, officer, "domain_weights.economy"},
		{"UnknownField", "PUT", "/api/v1/cities/gent/profile", `{"domain_weight": {}}`, officer, "domain_weight"},
		{"CoFundingBeyondTheColumn", "PUT", "/api/v1/cities/gent/profile", `{"cofunding_capacity": 1e15}`, officer, "cofunding_capacity"},
		{"NULInAKeyword", "PUT", "/api/v1/cities/gent/profile", `{"keywords_nl": ["fiets\u0000"]}`, officer, "keywords_nl"},
		{"WrongType", "POST", "/api/v1/bids", `{"lead": "gent", "year": "2026"}`, officer, "year"},
		{"GrantedButNotWon", "POST", "/api/v1/bids", `{"lead": "gent", "title": "x", "year": 2026, "status": "lost", "amount_granted": 5}`, officer, "amount_granted"},
		{"PlanWithoutCalls", "POST", "/api/v1/plans", `{"calls": []}`, coordinator, "calls"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, tt.method, s.URL+tt.path, nil, tt.token, strings.NewReader(tt.body))
			var e errorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil || code != 400 || e.Error.Field != tt.field || e.Error.Code != "bad_request" {
				t.Fatalf("= %d %s, want 400 naming %q", code, body, tt.field)
			}
		})
	}
	t.Run("ProfileRoundTrip", func(t *testing.T) {
		in := `{"domain_weights": {"economy": 0.1, "government": 0.2, "people": 0.3, "living": 0.4, "mobility": 1, "environment": 0.9},
			"keywords_nl": ["fiets", " "], "preparation_days": 30, "max_concurrent_bids": 4, "cofunding_capacity": 100000}`
		code, _, body := do(t, "PUT", s.URL+"/api/v1/cities/gent/profile", nil, officer, strings.NewReader(in))
		var got struct {
			Data struct {
				DomainWeights   map[string]float64 `json:"domain_weights"`
				KeywordsNL      []string           `json:"keywords_nl"`
				PreparationDays int                `json:"preparation_days"`
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
			t.Fatalf("= %d %s", code, body)
		}
		if got.Data.DomainWeights["mobility"] != 1 || !slices.Equal(got.Data.KeywordsNL, []string{"fiets"}) || got.Data.PreparationDays != 30 {
			t.Fatalf("saved = %+v", got.Data)
		}
	})
	t.Run("BidIsRecordedAndListed", func(t *testing.T) {
		code, _, body := do(t, "POST", s.URL+"/api/v1/bids", nil, officer, strings.NewReader(
			`{"call": "DIGITAL-2027-EDIH-02", "year": 2026, "status": "won", "amount_requested": 400000, "amount_granted": 350000, "lead": "gent", "partners": ["aalst"]}`))
		if code != http.StatusCreated {
			t.Fatalf("= %d %s", code, body)
		}
		_, _, body = do(t, "GET", s.URL+"/api/v1/bids?year=2026", nil, officer, nil)
		if !strings.Contains(body, `"DIGITAL-2027-EDIH-02"`) || !strings.Contains(body, `"aalst"`) || !strings.Contains(body, "Digital twins") {
			t.Fatalf("bids = %s", body)
		}
	})
	t.Run("RunningThePlannerStoresARunAndItsPlans", func(t *testing.T) {
		code, hdr, body := do(t, "POST", s.URL+"/api/v1/plans", nil, coordinator, strings.NewReader(`{"calls": ["HORIZON-CL5-2027-D4-01"]}`))
		var got struct {
			Data struct {
				PlanRunID int64 `json:"plan_run_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &got); code != http.StatusCreated || err != nil || got.Data.PlanRunID == 0 {
			t.Fatalf("= %d %s", code, body)
		}
		var runs int
		if err := s.st.DB().Get(&runs, `SELECT count(*) FROM plan_runs WHERE id = $1`, got.Data.PlanRunID); err != nil || runs != 1 {
			t.Fatalf("plan run %d not stored: %v", got.Data.PlanRunID, err)
		}
		if !strings.Contains(hdr.Get("Location"), "/api/v1/plans?run=") {
			t.Fatalf("Location = %q", hdr.Get("Location"))
		}
		// ?run= lists a run's plans and only those: the fixture's run 1 has
		// two plans with Gent; the run just made has what the planner stored.
		for run, path := range map[int64]string{1: "/api/v1/plans?run=1", got.Data.PlanRunID: hdr.Get("Location")} {
			_, _, body := do(t, "GET", s.URL+path, nil, coordinator, nil)
			var listed struct {
				Data []struct {
					RunID   int64 `json:"run_id"`
					Members []struct {
						City string `json:"city"`
					} `json:"members"`
				} `json:"data"`
			}
			var stored int
			if err := s.st.DB().Get(&stored, `SELECT count(*) FROM consortium_plans WHERE plan_run_id = $1`, run); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(body), &listed); err != nil || len(listed.Data) != stored || run == 1 && stored != 2 {
				t.Fatalf("%s: %d stored, listed %s", path, stored, body)
			}
			for _, p := range listed.Data {
				if p.RunID != run || len(p.Members) == 0 {
					t.Fatalf("%s lists %+v", path, p)
				}
			}
		}
		if code, _, body := do(t, "GET", s.URL+"/api/v1/plans?run=x", nil, coordinator, nil); code != http.StatusBadRequest || !strings.Contains(body, `"run"`) {
			t.Fatalf("?run=x = %d %s", code, body)
		}
	})
}

// Warming runs the matches API's reads on the pool's connections; it
// reports what failed, such as a context already done, and no rows are
// changed by it.
func TestWarmRunsTheAPIReads(t *testing.T) {
	s := newSite(t, web.Config{})
	before := s.statements.Count()
	if err := s.srv.Warm(context.Background(), 4); err != nil {
		t.Fatalf("warm: %v", err)
	}
	cities, err := s.st.Cities(context.Background())
	if err != nil || len(cities) <= 4 {
		t.Fatalf("%d cities (%v); want more than the 4 connections", len(cities), err)
	}
	if ran := s.statements.Count() - before; ran < int64(4+3*len(cities)) {
		t.Errorf("warming ran %d statements; want a token on each of 4 connections, and each of the %d cities with its two first pages", ran, len(cities))
	}
	// A server that keeps nothing reads the calls with each page, no card
	// queries besides: exactly those statements, so that a city left out
	// cannot hide behind cards read for the others.
	cfg := s.cfg
	cfg.Changes = neverCache{}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before = s.statements.Count()
	if err := srv.Warm(context.Background(), 4); err != nil {
		t.Fatalf("warm without caches: %v", err)
	}
	if ran := s.statements.Count() - before; ran != int64(1+4+3*len(cities)) {
		t.Errorf("warming without caches ran %d statements; want %d: the list of cities, a token on each of 4 connections, and each of the %d cities with its two first pages",
			ran, 1+4+3*len(cities), len(cities))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.srv.Warm(ctx, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("warm with a cancelled context: %v, want context.Canceled", err)
	}
}
