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

// TestWrongTypedValueNamesItsField sends a status, an eligibility, a mark
// and a role outside their sets through queries, a JSON body and a form,
// and expects a 400 that names the field and what it allows, never a 500
// and never an empty list as if the filter were fine.
func TestWrongTypedValueNamesItsField(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	admin := s.addUser(t, "a@fundmatch.be", store.RoleAdmin)
	token := s.token(t, admin)
	for _, tt := range []struct {
		name, method, path, body string
		field, want              string
	}{
		{"call status", "GET", "/api/v1/calls?status=maybe", "", "status", "want forthcoming, open or closed"},
		{"plan status", "GET", "/api/v1/plans?status=granted", "", "status", "want proposed, accepted, rejected or superseded"},
		{"bid status filter", "GET", "/api/v1/bids?status=granted", "", "status", "want planned, submitted, won, lost or withdrawn"},
		{"bid status in a body", "POST", "/api/v1/bids", `{"title": "A bid", "year": 2026, "status": "granted", "lead": "gent"}`,
			"status", "want planned, submitted, won, lost or withdrawn"},
		{"eligibility", "GET", "/api/v1/cities/gent/matches?eligibility=maybe", "", "eligibility", "want eligible, ineligible or unknown"},
		{"mark", "GET", "/api/v1/cities/gent/matches?interest=keen", "", "interest",
			"want interested, not_relevant, applying, submitted, won or lost"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, tt.method, s.URL+tt.path, nil, token, strings.NewReader(tt.body), "Content-Type", "application/json")
			if code != http.StatusBadRequest {
				t.Fatalf("answered %d, want 400: %s", code, body)
			}
			var answer struct {
				Error struct{ Field, Message string }
			}
			if err := json.Unmarshal([]byte(body), &answer); err != nil {
				t.Fatalf("answer is not JSON: %v: %s", err, body)
			}
			if answer.Error.Field != tt.field || !strings.Contains(answer.Error.Message, tt.want) {
				t.Errorf("error names field %q with %q, want %q with %q", answer.Error.Field, answer.Error.Message, tt.field, tt.want)
			}
		})
	}

	t.Run("call status on the calls page", func(t *testing.T) {
		code, _, body := do(t, "GET", s.URL+"/calls?status=maybe", s.session(t, admin), "", nil)
		if code != http.StatusBadRequest || !strings.Contains(body, "(status). Toegelaten waarden: forthcoming, open of closed") {
			t.Errorf("answered %d, want 400 naming status: %s", code, body)
		}
	})
	t.Run("role in the user form", func(t *testing.T) {
		form := url.Values{"email": {"new@gent.be"}, "role": {"boss"}, "access": {"invite"}}
		code, _, body := postForm(t, s.URL+"/admin/users", s.session(t, admin), form)
		if code != http.StatusBadRequest || !strings.Contains(body, "Kies een rol.") {
			t.Errorf("answered %d, want 400 with the role's mistake beside it: %s", code, body)
		}
		if _, err := s.st.UserByEmail(t.Context(), "new@gent.be"); err == nil {
			t.Error("a user with an unknown role was added")
		}
	})
}
