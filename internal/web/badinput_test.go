package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
)

// badTexts are values a client may send anywhere: text PostgreSQL cannot
// store, numbers at and beyond every bound, unknown names, markup.
var badTexts = []string{
	"call\x00", "\xff\xfe", strings.Repeat("é", 15_000), strings.Repeat("k", 5_000),
	"9223372036854775807", "-1", "1e308", "NaN", "NO-SUCH-CALL", "../../admin/users",
}

// TestNoBadRequestAnswers500 sends bad values in every path parameter,
// query parameter, form field and JSON field of every route, as an admin
// (who reaches every handler) and as a coordinator, and expects a 4xx
// each time: malformed input is the sender's error, never the server's.
func TestNoBadRequestAnswers500(t *testing.T) {
	if testing.Short() {
		t.Skip("sends thousands of requests")
	}
	s := newSite(t, web.Config{OpenDataBurst: 1 << 30})
	s.fixture(t)
	admin := s.addUser(t, "a@fundmatch.be", store.RoleAdmin)
	coord := s.addUser(t, "c@ovl.be", store.RoleCoordinator, "gent", "aalst")
	var planID, subID string
	s.db.QueryRow(`SELECT id FROM consortium_plans WHERE rank = 1`).Scan(&planID)
	if _, err := s.st.AddSubscription(t.Context(), store.NewSubscription{Channel: "email", Email: "a@fundmatch.be", UserEmail: "a@fundmatch.be",
		Cities: []string{"gent"}, Frequency: "instant", Language: "nl", MinScore: 60}); err != nil {
		t.Fatal(err)
	}
	s.db.QueryRow(`SELECT id FROM subscriptions`).Scan(&subID)
	valid := map[string]string{"{slug}": "gent", "{identifier}": "HORIZON-CL5-2027-D4-01", "{name}": "ftportal", "{token}": "1-x.ics", "{$}": ""}
	queryKeys := []string{"page", "per_page", "status", "programme", "call", "run", "year", "min_score", "eligibility", "interest",
		"sort", "count", "lang", "next", "token", "source"}
	form := url.Values{"city": {"gent"}, "action": {"add"}, "decision": {"rejected"}, "note": {"n"}, "response": {"confirmed"},
		"status": {"interested"}, "amount_requested": {"1000"}, "amount_granted": {""}, "preparation_days": {"30"},
		"max_concurrent_bids": {"2"}, "cofunding_capacity": {"1000"}, "keywords_nl": {"klimaat"}, "keywords_en": {"climate"},
		"excluded_programmes": {"LIFE"}, "enabled": {"true"}, "email": {"x@example.org"}, "password": {"wrong password!"}, "next": {"/"}}
	for _, d := range store.Domains {
		form.Set("weight_"+d, "0.5")
	}
	bodies := map[string]map[string]any{
		"/api/v1/cities/{slug}/profile": {"domain_weights": map[string]any{"mobility": 0.8}, "keywords_nl": []any{"klimaat"}, "keywords_en": []any{"climate"},
			"excluded_programmes": []any{}, "preparation_days": 30, "max_concurrent_bids": 2, "cofunding_capacity": 1000},
		"/api/v1/plans": {"calls": []any{"HORIZON-CL5-2027-D4-01"}, "cities": []any{"gent"}, "alternatives": 1},
		"/api/v1/bids":  {"call": "", "programme": "HORIZON", "title": "A bid", "year": 2026, "status": "planned", "amount_requested": 1000, "lead": "gent", "partners": []any{}},
	}
	badJSON := []any{"\x00", "a\u0000b", strings.Repeat("k", 5_000), 1e308, -1e308, json.Number("1e400"), json.Number("9223372036854775808"),
		-1, 0, []any{"\x00"}, []any{strings.Repeat("x", 200)}, map[string]any{"\x00": 1}, true, nil}

	type request struct {
		method, path, body, contentType string
		all                             bool // sent as the coordinator too
	}
	var requests []request
	for _, route := range s.srv.Routes() {
		method, pattern, ok := strings.Cut(route, " ")
		if !ok {
			method, pattern = "GET", route
		}
		fill := func(bad map[string]string) string {
			p := pattern
			for k, v := range valid {
				if b, ok := bad[k]; ok {
					v = b
				}
				if k == "{id}" {
					continue
				}
				p = strings.ReplaceAll(p, k, v)
			}
			id := planID
			if strings.HasPrefix(pattern, "/subscriptions/") {
				id = subID
			}
			if b, ok := bad["{id}"]; ok {
				id = b
			}
			return strings.ReplaceAll(p, "{id}", id)
		}
		// Bad path parameters.
		for _, param := range []string{"{slug}", "{identifier}", "{name}", "{token}", "{id}"} {
			if !strings.Contains(pattern, param) {
				continue
			}
			for _, v := range badTexts {
				requests = append(requests, request{method, fill(map[string]string{param: url.PathEscape(v)}), "", "", true})
			}
		}
		path := fill(nil)
		switch method {
		case "GET":
			for _, key := range queryKeys {
				for _, v := range badTexts {
					requests = append(requests, request{method, path + "?" + key + "=" + url.QueryEscape(v), "", "", false})
				}
			}
		case "POST", "PUT":
			if base, ok := bodies[pattern]; ok {
				for field := range base {
					for _, v := range badJSON {
						body := map[string]any{}
						for k, x := range base {
							body[k] = x
						}
						body[field] = v
						b, _ := json.Marshal(body)
						requests = append(requests, request{method, path, string(b), "application/json", true})
					}
				}
				for _, raw := range []string{"", "{", "[]", `{"calls": "x"}`, "{\"title\": \"\xff\"}", `{"unknown": 1}`, `{"title": "a"} {"title": "b"}`} {
					requests = append(requests, request{method, path, raw, "application/json", true})
				}
				continue
			}
			for key := range form {
				for _, v := range badTexts {
					f := url.Values{}
					for k, x := range form {
						f[k] = x
					}
					f.Set(key, v)
					requests = append(requests, request{method, path, f.Encode(), "application/x-www-form-urlencoded", false})
				}
			}
			requests = append(requests, request{method, path, "a=%zz&b=\x00", "application/x-www-form-urlencoded", true},
				request{method, path, strings.Repeat("a=b&", 300_000), "application/x-www-form-urlencoded", false})
		}
	}
	cookies := map[string]*http.Cookie{"admin": s.session(t, admin), "coordinator": s.session(t, coord)}
	tokens := map[string]string{"admin": s.token(t, admin), "coordinator": s.token(t, coord)}
	failures, sent := 0, 0
	for _, who := range []string{"admin", "coordinator"} {
		for _, rq := range requests {
			if who != "admin" && !rq.all {
				continue
			}
			sent++
			var cookie *http.Cookie
			var bearer string
			switch {
			case strings.HasPrefix(rq.path, "/logout"):
				// Without a session: the bad form must not sign the tester out.
			case strings.HasPrefix(rq.path, "/api/"):
				bearer = tokens[who]
			default:
				cookie = cookies[who]
			}
			header := []string{"Sec-Fetch-Site", "same-origin"}
			if rq.contentType != "" {
				header = append(header, "Content-Type", rq.contentType)
			}
			code, _, body := do(t, rq.method, s.URL+rq.path, cookie, bearer, strings.NewReader(rq.body), header...)
			if code >= 500 {
				failures++
				if failures <= 20 {
					t.Errorf("%s %s %s %.200q = %d: %.200s", who, rq.method, rq.path, rq.body, code, body)
				}
			}
		}
	}
	t.Logf("%d requests, %d answered 5xx", sent, failures)
}

// TestMalformedInputNamesTheField: the findings of the security review,
// each answered 400 with the field it is about.
func TestMalformedInputNamesTheField(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	officer := s.addUser(t, "o@gent.be", store.RoleOfficer, "gent")
	c, token := s.session(t, officer), s.token(t, officer)
	form := func(status, note, amount string) url.Values {
		return url.Values{"status": {status}, "note": {note}, "amount_requested": {amount}}
	}
	mark := "/cities/gent/calls/HORIZON-CL5-2027-D4-01/interest"
	tests := []struct {
		name, method, path string
		form               url.Values
		json               string
		field              string
	}{
		{"NUL in a note", "POST", mark, form("interested", "a\x00b", ""), "", "note"},
		{"invalid UTF-8 in a note", "POST", mark, form("interested", "\xff", ""), "", "note"},
		{"NUL in a query", "GET", "/api/v1/calls?programme=%00", nil, "", "programme"},
		{"invalid UTF-8 in a path", "GET", "/calls/%FF", nil, "", "path"},
		{"huge page", "GET", "/api/v1/calls?page=9223372036854775807", nil, "", "page"},
		{"huge page of a page", "GET", "/plans?page=9223372036854775807", nil, "", "page"},
		{"unknown call in /plans", "GET", "/plans?call=NO-SUCH-CALL", nil, "", "call"},
		{"1e308 as an amount", "POST", mark, form("applying", "", "1e308"), "", "amount_requested"},
		{"NaN as an amount", "POST", mark, form("applying", "", "NaN"), "", "amount_requested"},
		{"a note too long", "POST", mark, form("interested", strings.Repeat("x", 4001), ""), "", "note"},
		{"1e308 in a bid", "POST", "/api/v1/bids", nil, `{"title": "x", "year": 2026, "status": "planned", "lead": "gent", "amount_requested": 1e308}`, "amount_requested"},
		{"NUL in a bid title", "POST", "/api/v1/bids", nil, `{"title": "x\u0000", "year": 2026, "status": "planned", "lead": "gent"}`, "title"},
		{"a bid title too long", "POST", "/api/v1/bids", nil, `{"title": "` + strings.Repeat("x", 1001) + `", "year": 2026, "status": "planned", "lead": "gent"}`, "title"},
		{"a keyword too long", "PUT", "/api/v1/cities/gent/profile", nil, `{"keywords_nl": ["` + strings.Repeat("k", 101) + `"]}`, "keywords_nl"},
		{"NUL in a keyword", "PUT", "/api/v1/cities/gent/profile", nil, `{"keywords_en": ["a\u0000"]}`, "keywords_en"},
		{"NaN as a weight", "POST", "/cities/gent/profile", url.Values{"weight_economy": {"NaN"}, "max_concurrent_bids": {"2"}}, "", "weight_economy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code int
			var body string
			switch {
			case tt.json != "":
				code, _, body = do(t, tt.method, s.URL+tt.path, nil, token, strings.NewReader(tt.json), "Content-Type", "application/json")
			case tt.form != nil:
				code, _, body = postForm(t, s.URL+tt.path, c, tt.form)
			case strings.HasPrefix(tt.path, "/api/"):
				code, _, body = do(t, tt.method, s.URL+tt.path, nil, token, nil)
			default:
				code, _, body = do(t, tt.method, s.URL+tt.path, c, "", nil)
			}
			if code != http.StatusBadRequest || !strings.Contains(body, tt.field) {
				t.Errorf("%s %s = %d, want 400 naming %s: %.300s", tt.method, tt.path, code, tt.field, body)
			}
		})
	}
}
