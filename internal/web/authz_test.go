package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
)

// login marks the answer "redirected to sign in" in the matrix.
const login = -1

// roles are the columns of the authorisation matrix.
var roles = []string{"anonymous", "officer", "other_officer", "coordinator", "other_coordinator", "government", "admin"}

func TestAuthorisationMatrix(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	type credentials struct {
		cookie *http.Cookie
		token  string
	}
	creds := map[string]credentials{"anonymous": {}}
	for _, u := range []struct {
		role, email string
		kind        store.Role
		cities      []string
	}{
		{"officer", "o@gent.be", store.RoleOfficer, []string{"gent"}},
		{"other_officer", "o@brugge.be", store.RoleOfficer, []string{"brugge"}},
		{"coordinator", "c@ovl.be", store.RoleCoordinator, []string{"gent", "aalst"}},
		{"other_coordinator", "c@wvl.be", store.RoleCoordinator, []string{"brugge", "kortrijk"}},
		{"government", "g@vlaanderen.be", store.RoleGovernment, nil},
		{"admin", "a@fundmatch.be", store.RoleAdmin, nil},
	} {
		user := s.addUser(t, u.email, u.kind, u.cities...)
		creds[u.role] = credentials{s.session(t, user), s.token(t, user)}
	}
	var best string
	s.db.QueryRow(`SELECT id FROM consortium_plans WHERE rank = 1`).Scan(&best)
	// A subscription of the officer, and its form as a browser posts it.
	var sub, officerID string
	s.db.QueryRow(`SELECT id FROM users WHERE email = 'o@gent.be'`).Scan(&officerID)
	s.db.QueryRow(`INSERT INTO subscriptions (user_id, channel, email) VALUES ($1, 'email', 'o@gent.be') RETURNING id`, officerID).Scan(&sub)
	subForm := "channel=email&email=alerts%40gent.be&city=gent&min_score=60&frequency=daily&language=nl"
	profile := `{"domain_weights": {"economy": 0.5, "government": 0.5, "people": 0.5, "living": 0.5, "mobility": 0.8, "environment": 0.7}, "keywords_nl": ["klimaat"]}`
	form := url.Values{"max_concurrent_bids": {"2"}}
	for _, d := range []string{"economy", "government", "people", "living", "mobility", "environment"} {
		form.Set("weight_"+d, "0.5")
	}
	tests := []struct {
		method, path, body string
		want               [7]int // by the roles above
	}{
		// JSON API (bearer tokens).
		{"GET", "/api/openapi.json", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/calls", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/calls/HORIZON-CL5-2027-D4-01", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/calls/NO-SUCH-CALL", "", [7]int{401, 404, 404, 404, 404, 404, 404}},
		{"GET", "/api/v1/cities", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/cities/gent/matches", "", [7]int{401, 200, 403, 200, 403, 200, 200}},
		{"GET", "/api/v1/cities/gent/matches/HORIZON-CL5-2027-D4-01", "", [7]int{401, 200, 403, 200, 403, 200, 200}},
		{"GET", "/api/v1/cities/atlantis/matches", "", [7]int{401, 404, 404, 404, 404, 404, 404}},
		{"GET", "/api/v1/cities/gent/profile", "", [7]int{401, 200, 403, 200, 403, 200, 200}},
		{"PUT", "/api/v1/cities/gent/profile", profile, [7]int{401, 200, 403, 403, 403, 403, 200}},
		{"GET", "/api/v1/plans", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"POST", "/api/v1/plans", `{"calls": ["HORIZON-CL5-2027-D4-01"], "cities": ["gent"]}`, [7]int{401, 403, 403, 201, 403, 403, 201}},
		{"GET", "/api/v1/bids", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"POST", "/api/v1/bids", `{"lead": "gent", "title": "Fietsstraten", "year": 2026, "status": "planned"}`, [7]int{401, 201, 403, 403, 403, 403, 201}},
		{"GET", "/api/v1/uptake", "", [7]int{401, 403, 403, 403, 403, 200, 200}},
		// Pages (session cookies); forms are posted as same-origin browsers do.
		{"GET", "/login", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/open", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/open/calls.json", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/open/calls.csv", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/open/calls.atom", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/subscriptions", "", [7]int{login, 200, 200, 200, 200, 200, 200}},
		{"POST", "/subscriptions/999999/delete", "", [7]int{login, 404, 404, 404, 404, 404, 404}},
		// Anyone signed in subscribes, to cities they may see (another city's form is a 400 beside the field).
		{"POST", "/subscriptions", subForm, [7]int{login, 303, 400, 303, 400, 303, 303}},
		{"GET", "/subscriptions/" + sub + "/edit", "", [7]int{login, 200, 403, 403, 403, 403, 200}},
		{"GET", "/subscriptions/999999/edit", "", [7]int{login, 404, 404, 404, 404, 404, 404}},
		{"POST", "/subscriptions/" + sub, subForm, [7]int{login, 303, 403, 403, 403, 403, 303}},
		{"POST", "/subscriptions/999999", subForm, [7]int{login, 404, 404, 404, 404, 404, 404}},
		{"POST", "/subscriptions/" + sub + "/pause", "paused=false", [7]int{login, 303, 403, 403, 403, 403, 303}},
		{"POST", "/subscriptions/999999/pause", "paused=true", [7]int{login, 404, 404, 404, 404, 404, 404}},
		// No mailer in this server: the owner is told it cannot be sent.
		{"POST", "/subscriptions/" + sub + "/test", "", [7]int{login, 409, 403, 403, 403, 403, 409}},
		{"POST", "/subscriptions/999999/test", "", [7]int{login, 404, 404, 404, 404, 404, 404}},
		// The one-time sign-in link carries its own token; without one it is refused for everyone.
		{"GET", "/welcome", "", [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"POST", "/welcome", "password=a+long+and+quiet+river&password_repeat=a+long+and+quiet+river", [7]int{400, 400, 400, 400, 400, 400, 400}},
		// Alert links carry their own signed token; without one they are refused for everyone.
		{"GET", "/unsubscribe", "", [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"POST", "/unsubscribe", "", [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"GET", "/mute", "", [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"POST", "/mute", "", [7]int{400, 400, 400, 400, 400, 400, 400}},
		{"GET", "/calls", "", [7]int{login, 200, 200, 200, 200, 200, 200}},
		{"GET", "/calls/HORIZON-CL5-2027-D4-01", "", [7]int{login, 200, 200, 200, 200, 200, 200}},
		{"GET", "/calls/NO-SUCH-CALL", "", [7]int{login, 404, 404, 404, 404, 404, 404}},
		{"GET", "/cities/gent", "", [7]int{login, 200, 403, 200, 403, 200, 200}},
		{"GET", "/cities/atlantis", "", [7]int{login, 404, 404, 404, 404, 404, 404}},
		{"GET", "/cities/gent/profile", "", [7]int{login, 200, 403, 200, 403, 200, 200}},
		{"POST", "/cities/gent/profile", form.Encode(), [7]int{login, 303, 403, 403, 403, 403, 303}},
		{"POST", "/cities/gent/calls/HORIZON-CL5-2027-D4-01/interest", "status=interested", [7]int{login, 303, 403, 403, 403, 403, 303}},
		{"POST", "/calls/HORIZON-CL5-2027-D4-01/plans", "", [7]int{login, 403, 403, 303, 303, 403, 303}},
		{"GET", "/plans", "", [7]int{login, 200, 200, 200, 200, 200, 200}},
		{"GET", "/plans/" + best, "", [7]int{login, 200, 403, 200, 403, 200, 200}},
		{"GET", "/plans/999999", "", [7]int{login, 404, 404, 404, 404, 404, 404}},
		// An unknown decision is refused (400) only after the role was let in.
		{"POST", "/plans/" + best + "/decision", "decision=maybe", [7]int{login, 403, 403, 400, 403, 403, 400}},
		// Mechelen is not in the coordinator's set (gent, aalst): only an
		// admin may add it; the coordinator may change the lead among theirs.
		{"POST", "/plans/" + best + "/members", "city=mechelen&action=add", [7]int{login, 403, 403, 403, 403, 403, 303}},
		{"POST", "/plans/" + best + "/members", "city=aalst&action=lead", [7]int{login, 403, 403, 303, 403, 403, 303}},
		{"POST", "/plans/" + best + "/response", "city=gent&response=confirmed", [7]int{login, 303, 403, 403, 403, 403, 303}},
		{"GET", "/uptake", "", [7]int{login, 403, 403, 403, 403, 200, 200}},
		{"GET", "/uptake.csv", "", [7]int{login, 403, 403, 403, 403, 200, 200}},
		{"GET", "/admin/sources", "", [7]int{login, 403, 403, 403, 403, 403, 200}},
		{"POST", "/admin/sources/ftportal/enabled", "enabled=true", [7]int{login, 403, 403, 403, 403, 403, 303}},
		{"GET", "/admin/users", "", [7]int{login, 403, 403, 403, 403, 403, 200}},
		{"POST", "/admin/users/999999", "action=revoke", [7]int{login, 403, 403, 403, 403, 403, 404}},
		{"POST", "/admin/users", "email=new%40gent.be&role=government&access=invite", [7]int{login, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/users/" + officerID, "", [7]int{login, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/users/999999", "", [7]int{login, 403, 403, 403, 403, 403, 404}},
		{"POST", "/admin/users/" + officerID + "/access", "role=officer&city=gent", [7]int{login, 403, 403, 403, 403, 403, 303}},
		{"POST", "/admin/users/999999/access", "role=admin", [7]int{login, 403, 403, 403, 403, 403, 404}},
		{"POST", "/admin/ical", "city=gent", [7]int{login, 403, 403, 403, 403, 403, 303}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.method+" "+tt.path] = true
		for i, role := range roles {
			t.Run(role+" "+tt.method+" "+tt.path, func(t *testing.T) {
				c := creds[role]
				var code int
				var hdr http.Header
				var body string
				switch {
				case strings.HasPrefix(tt.path, "/api/"):
					code, hdr, body = do(t, tt.method, s.URL+tt.path, nil, c.token, strings.NewReader(tt.body), "Content-Type", "application/json")
				case tt.method == "POST":
					code, hdr, body = do(t, tt.method, s.URL+tt.path, c.cookie, "", strings.NewReader(tt.body),
						"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
				default:
					code, hdr, body = do(t, tt.method, s.URL+tt.path, c.cookie, "", nil)
				}
				want := tt.want[i]
				if want == login {
					if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login?next=") {
						t.Fatalf("= %d to %q, want a redirect to sign in", code, hdr.Get("Location"))
					}
					return
				}
				if code != want {
					t.Fatalf("= %d, want %d: %.200s", code, want, body)
				}
				if strings.HasPrefix(tt.path, "/api/v1/") && code >= 400 {
					var e struct {
						Error struct{ Code, Message string } `json:"error"`
					}
					if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
						t.Fatalf("error body %q is not {\"error\":{\"code\",\"message\"}}", body)
					}
				}
			})
		}
	}
	t.Run("EveryRouteIsInTheMatrix", func(t *testing.T) {
		param := regexp.MustCompile(`\{[^}]+\}`)
		for _, route := range s.srv.Routes() {
			method, path, ok := strings.Cut(route, " ")
			if !ok || slices.Contains([]string{"/healthz", "/readyz", "/metrics", "/static/", "/{$}", "/ical/{token}"}, path) {
				continue // not behind roles: health, metrics, assets, the home page, the secret-URL feed
			}
			if route == "POST /login" || route == "POST /logout" {
				continue // TestSignIn... covers them
			}
			quoted := regexp.QuoteMeta(param.ReplaceAllString(path, "\x00"))
			re := regexp.MustCompile("^" + strings.ReplaceAll(quoted, "\x00", `[^/]+`) + "$")
			found := false
			for c := range covered {
				m, p, _ := strings.Cut(c, " ")
				found = found || (m == method && re.MatchString(p))
			}
			if !found {
				t.Errorf("route %s is not in the authorisation matrix", route)
			}
		}
	})
}
