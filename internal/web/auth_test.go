package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

func TestSignInSetsASecureSessionAndSignOutEndsIt(t *testing.T) {
	s := newSite(t, web.Config{BaseURL: "https://fundmatch.example"})
	s.addUser(t, "Officer@Gent.be", "officer", "gent")
	code, hdr, _ := postForm(t, s.URL+"/login", nil, url.Values{"email": {"officer@gent.be"}, "password": {testPassword}, "next": {"/cities/gent"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/cities/gent" {
		t.Fatalf("sign in = %d to %q", code, hdr.Get("Location"))
	}
	cookie := hdr.Get("Set-Cookie")
	for _, want := range []string{"fundmatch_session=", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	session := (&http.Response{Header: hdr}).Cookies()[0]
	if code, _, body := do(t, "GET", s.URL+"/api/v1/cities", session, "", nil); code != 200 || !strings.Contains(body, "gent") {
		t.Fatalf("API with the session = %d", code)
	}
	if code, _, _ := postForm(t, s.URL+"/logout", session, nil); code != http.StatusSeeOther {
		t.Fatalf("sign out = %d", code)
	}
	if code, _, _ := do(t, "GET", s.URL+"/api/v1/cities", session, "", nil); code != http.StatusUnauthorized {
		t.Fatalf("API after signing out = %d, want 401", code)
	}
}

func TestSignInRejectsWrongPasswordsAndLimitsGuessing(t *testing.T) {
	s := newSite(t, web.Config{})
	s.addUser(t, "officer@gent.be", "officer", "gent")
	tests := []struct {
		name, email, password, next string
		wantCode                    int
		wantLocation                string
	}{
		{"WrongPassword", "officer@gent.be", "guess", "/", http.StatusUnauthorized, ""},
		{"UnknownEmail", "nobody@gent.be", testPassword, "/", http.StatusUnauthorized, ""},
		{"OffsiteNextStaysOnSite", "officer@gent.be", testPassword, "//evil.example/", http.StatusSeeOther, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, hdr, _ := postForm(t, s.URL+"/login", nil, url.Values{"email": {tt.email}, "password": {tt.password}, "next": {tt.next}})
			if code != tt.wantCode || hdr.Get("Location") != tt.wantLocation {
				t.Fatalf("sign in = %d to %q, want %d to %q", code, hdr.Get("Location"), tt.wantCode, tt.wantLocation)
			}
		})
	}
	t.Run("FiveFailuresLockTheEmail", func(t *testing.T) {
		s.addUser(t, "target@gent.be", "officer", "gent")
		for range 5 {
			postForm(t, s.URL+"/login", nil, url.Values{"email": {"target@gent.be"}, "password": {"guess"}})
		}
		code, _, _ := postForm(t, s.URL+"/login", nil, url.Values{"email": {"target@gent.be"}, "password": {testPassword}})
		if code != http.StatusTooManyRequests {
			t.Fatalf("sign in after five failures = %d, want 429 even with the right password", code)
		}
	})
}

func TestAPITokensAndCrossOriginRequests(t *testing.T) {
	s := newSite(t, web.Config{})
	u := s.addUser(t, "gov@vlaanderen.be", "government")
	token := s.token(t, u)
	tests := []struct {
		name, bearer string
		want         int
	}{
		{"ValidToken", token, http.StatusOK},
		{"UnknownToken", "not-a-token", http.StatusUnauthorized},
		{"NoCredentials", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, body := do(t, "GET", s.URL+"/api/v1/cities", nil, tt.bearer, nil); code != tt.want {
				t.Fatalf("GET /api/v1/cities = %d, want %d: %s", code, tt.want, body)
			}
		})
	}
	t.Run("CrossOriginFormIsRefused", func(t *testing.T) {
		code, _, _ := do(t, "POST", s.URL+"/logout", s.session(t, u), "", nil, "Sec-Fetch-Site", "cross-site")
		if code != http.StatusForbidden {
			t.Fatalf("cross-site POST = %d, want 403", code)
		}
	})
}
