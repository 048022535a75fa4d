package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/auth"
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

// tryLogin posts the sign-in form from a goroutine (no t.Fatal there), with
// an optional X-Forwarded-For, and returns the status.
func tryLogin(t *testing.T, baseURL, email, password, forwardedFor string) int {
	req, err := http.NewRequest("POST", baseURL+"/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestSignInBurstHashesAtMostFiveAndKeepsMemoryFlat(t *testing.T) {
	s := newSite(t, web.Config{})
	s.addUser(t, "target@gent.be", "officer", "gent")
	s.addUser(t, "colleague@gent.be", "officer", "gent")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	hashes := auth.Hashes()
	codes := make([]int, 200)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			<-start
			codes[i] = tryLogin(t, s.URL, "target@gent.be", "wrong guess number "+strconv.Itoa(i), "")
		})
	}
	close(start)
	wg.Wait()
	runtime.ReadMemStats(&after)
	hashed := auth.Hashes() - hashes
	byCode := map[int]int{}
	for _, c := range codes {
		byCode[c]++
	}
	if hashed > 5 || byCode[http.StatusUnauthorized] != int(hashed) || byCode[http.StatusTooManyRequests] != 200-int(hashed) {
		t.Fatalf("200 parallel wrong passwords: %d hashed, answers %v; want at most 5 hashed (401) and the rest 429", hashed, byCode)
	}
	// HeapSys is the heap taken from the system, which does not shrink: the
	// growth is at least the peak's.
	growth := int64(after.HeapSys) - int64(before.HeapSys)
	t.Logf("burst of 200: %d hashed, answers %v, heap grew %d MiB", hashed, byCode, growth>>20)
	if growth > 100<<20 {
		t.Fatalf("the heap grew by %d MiB during the burst, want < 100", growth>>20)
	}
	if code := tryLogin(t, s.URL, "colleague@gent.be", testPassword, ""); code != http.StatusSeeOther {
		t.Fatalf("another account's right password from the same address = %d, want 303", code)
	}
	if code := tryLogin(t, s.URL, "target@gent.be", testPassword, ""); code != http.StatusTooManyRequests {
		t.Fatalf("the attacked account from the attacking address = %d, want 429 until the window ends", code)
	}
}

func TestSignInLimitsAreSharedByEveryServer(t *testing.T) {
	a := newSite(t, web.Config{})
	a.addUser(t, "target@gent.be", "officer", "gent")
	other, err := web.New(a.cfg) // a second server process on the same database
	if err != nil {
		t.Fatal(err)
	}
	b := httptest.NewServer(other.Handler())
	t.Cleanup(b.Close)
	for range 5 {
		if code := tryLogin(t, a.URL, "target@gent.be", "wrong guess", ""); code != http.StatusUnauthorized {
			t.Fatalf("failure on server A = %d", code)
		}
	}
	if code := tryLogin(t, b.URL, "target@gent.be", testPassword, ""); code != http.StatusTooManyRequests {
		t.Fatalf("sign in on server B after five failures on A = %d, want 429", code)
	}
}

func TestSignInCountsByClientBehindTrustedProxiesOnly(t *testing.T) {
	t.Run("TrustedProxy", func(t *testing.T) {
		s := newSite(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		s.addUser(t, "target@gent.be", "officer", "gent")
		for range 5 {
			tryLogin(t, s.URL, "target@gent.be", "wrong guess", "198.51.100.9, 203.0.113.5")
		}
		if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "203.0.113.5"); code != http.StatusTooManyRequests {
			t.Fatalf("right password from the attacking client = %d, want 429", code)
		}
		// What the client put in front of the proxy's entry is not believed.
		if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "203.0.113.6, 203.0.113.5"); code != http.StatusTooManyRequests {
			t.Fatalf("spoofed X-Forwarded-For = %d, want 429", code)
		}
		if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "203.0.113.6"); code != http.StatusSeeOther {
			t.Fatalf("right password from another client behind the proxy = %d, want 303", code)
		}
	})
	t.Run("UntrustedPeer", func(t *testing.T) {
		s := newSite(t, web.Config{})
		s.addUser(t, "target@gent.be", "officer", "gent")
		for i := range 5 {
			tryLogin(t, s.URL, "target@gent.be", "wrong guess", "203.0.113."+strconv.Itoa(i))
		}
		if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "198.51.100.1"); code != http.StatusTooManyRequests {
			t.Fatalf("X-Forwarded-For from a peer that is no proxy changed the client: %d, want 429", code)
		}
	})
}

func TestSignInSprayFromOneAddressSparesItsKnownAccounts(t *testing.T) {
	s := newSite(t, web.Config{})
	s.addUser(t, "regular@gent.be", "officer", "gent")
	s.addUser(t, "newcomer@gent.be", "officer", "gent")
	if code := tryLogin(t, s.URL, "regular@gent.be", testPassword, ""); code != http.StatusSeeOther {
		t.Fatalf("first sign-in = %d", code)
	}
	// Fifty failures over fifty accounts from one address: a spray.
	for i := range 50 {
		if code := tryLogin(t, s.URL, "nobody"+strconv.Itoa(i)+"@gent.be", "wrong guess", ""); code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d", i, code)
		}
	}
	if code := tryLogin(t, s.URL, "newcomer@gent.be", testPassword, ""); code != http.StatusTooManyRequests {
		t.Fatalf("an account never used from the spraying address = %d, want 429", code)
	}
	if code := tryLogin(t, s.URL, "regular@gent.be", testPassword, ""); code != http.StatusSeeOther {
		t.Fatalf("an account signed in from this address before = %d, want 303", code)
	}
}

func TestSignInRedirectsOnlyToLocalPaths(t *testing.T) {
	s := newSite(t, web.Config{})
	s.addUser(t, "officer@gent.be", "officer", "gent")
	for _, next := range []string{"/%09/evil.example", "/\t/evil.example", "/\\evil.example", "//evil.example", "https://evil.example", "/%2F/evil.example"} {
		code, hdr, _ := postForm(t, s.URL+"/login", nil, url.Values{"email": {"officer@gent.be"}, "password": {testPassword}, "next": {next}})
		if code != http.StatusSeeOther || hdr.Get("Location") != "/" {
			t.Errorf("next=%q: sign in = %d to %q, want 303 to /", next, code, hdr.Get("Location"))
		}
	}
	code, body := 0, ""
	code, _, body = do(t, "GET", s.URL+"/login?next="+url.QueryEscape("/%09/evil.example"), nil, "", nil)
	if code != http.StatusOK || strings.Contains(body, "evil") {
		t.Fatalf("the sign-in page keeps an offsite next: %d", code)
	}
}

func TestSignInGuessesFromManyAddressesSpareTheOwnersAddress(t *testing.T) {
	s := newSite(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	u := s.addUser(t, "target@gent.be", "officer", "gent")
	if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "192.0.2.10"); code != http.StatusSeeOther {
		t.Fatalf("the owner's sign-in = %d", code)
	}
	// A hundred failures, each from its own address. (The account is
	// disabled meanwhile so that no password is hashed: the counts are
	// the same, the test quicker.)
	if err := s.st.SetUserDisabled(context.Background(), u.ID, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if code := tryLogin(t, s.URL, "target@gent.be", "wrong guess", "198.51."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250)); code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d", i, code)
		}
	}
	if err := s.st.SetUserDisabled(context.Background(), u.ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "203.0.113.77"); code != http.StatusTooManyRequests {
		t.Fatalf("right password from yet another address = %d, want 429", code)
	}
	if code := tryLogin(t, s.URL, "target@gent.be", testPassword, "192.0.2.10"); code != http.StatusSeeOther {
		t.Fatalf("right password from the owner's usual address = %d, want 303", code)
	}
}
