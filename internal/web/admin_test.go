package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

func TestAdminControlsStopAUserAtOnce(t *testing.T) {
	s := newSite(t, web.Config{})
	admin := s.session(t, s.addUser(t, "admin@fundmatch.be", "admin"))
	u := s.addUser(t, "officer@gent.be", "officer", "gent")
	id := strconv.FormatInt(u.ID, 10)
	act := func(t *testing.T, action string) {
		t.Helper()
		if code, hdr, body := postForm(t, s.URL+"/admin/users/"+id, admin, url.Values{"action": {action}}); code != http.StatusSeeOther || hdr.Get("Location") != "/admin/users" {
			t.Fatalf("%s = %d: %.300s", action, code, body)
		}
	}
	works := func(t *testing.T, cookie *http.Cookie, token string) (session, api bool) {
		t.Helper()
		code, _, _ := do(t, "GET", s.URL+"/cities/gent", cookie, "", nil)
		apiCode, _, _ := do(t, "GET", s.URL+"/api/v1/cities", nil, token, nil)
		return code == http.StatusOK, apiCode == http.StatusOK
	}
	t.Run("DisableAndEnable", func(t *testing.T) {
		cookie, token := s.session(t, u), s.token(t, u)
		if session, api := works(t, cookie, token); !session || !api {
			t.Fatalf("before: session %v, token %v", session, api)
		}
		act(t, "disable")
		if session, api := works(t, cookie, token); session || api {
			t.Fatalf("disabled: session %v, token %v still work", session, api)
		}
		if code := tryLogin(t, s.URL, "officer@gent.be", testPassword, ""); code != http.StatusUnauthorized {
			t.Fatalf("disabled user signs in: %d", code)
		}
		act(t, "enable")
		if _, api := works(t, cookie, token); !api {
			t.Fatal("enabled again: the API token does not work")
		}
		if session, _ := works(t, cookie, token); session {
			t.Fatal("a session from before the user was disabled works again")
		}
		if code := tryLogin(t, s.URL, "officer@gent.be", testPassword, ""); code != http.StatusSeeOther {
			t.Fatalf("enabled user signs in: %d", code)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		cookie, token := s.session(t, u), s.token(t, u)
		works(t, cookie, token) // cached now
		act(t, "revoke")
		if session, api := works(t, cookie, token); session || api {
			t.Fatalf("revoked: session %v, token %v still work", session, api)
		}
	})
	t.Run("RotateICal", func(t *testing.T) {
		feed := func() string {
			_, _, page := do(t, "GET", s.URL+"/cities/gent", s.session(t, u), "", nil)
			return regexp.MustCompile(`/ical/[A-Za-z0-9_-]+\.ics`).FindString(page)
		}
		old := feed()
		if code, _, _ := do(t, "GET", s.URL+old, nil, "", nil); old == "" || code != http.StatusOK {
			t.Fatalf("feed %q = %d", old, code)
		}
		act(t, "rotate_ical")
		rotated := feed()
		if code, _, _ := do(t, "GET", s.URL+old, nil, "", nil); code != http.StatusNotFound {
			t.Fatalf("old feed after rotation = %d, want 404", code)
		}
		if code, _, _ := do(t, "GET", s.URL+rotated, nil, "", nil); rotated == old || code != http.StatusOK {
			t.Fatalf("new feed %q = %d", rotated, code)
		}
		// Every feed of a city at once.
		if code, _, _ := postForm(t, s.URL+"/admin/ical", admin, url.Values{"city": {"gent"}}); code != http.StatusSeeOther {
			t.Fatalf("rotate the city's feeds = %d", code)
		}
		if code, _, _ := do(t, "GET", s.URL+rotated, nil, "", nil); code != http.StatusNotFound {
			t.Fatalf("feed after the city's rotation = %d, want 404", code)
		}
		if code, _, _ := postForm(t, s.URL+"/admin/ical", admin, url.Values{"city": {"atlantis"}}); code != http.StatusBadRequest {
			t.Fatalf("unknown city = %d, want 400", code)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		page, _, _ := do(t, "GET", s.URL+"/admin/users", admin, "", nil)
		if page != http.StatusOK {
			t.Fatalf("admin users page = %d", page)
		}
		if code, _, _ := postForm(t, s.URL+"/admin/users/"+id, admin, url.Values{"action": {"delete"}}); code != http.StatusBadRequest {
			t.Fatalf("unknown action = %d, want 400", code)
		}
		if code, _, _ := postForm(t, s.URL+"/admin/users/abc", admin, url.Values{"action": {"revoke"}}); code != http.StatusNotFound {
			t.Fatalf("bad id = %d, want 404", code)
		}
	})
}
