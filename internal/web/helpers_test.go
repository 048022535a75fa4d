package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/internal/web"
)

// site is a running server on a fresh seeded database.
type site struct {
	*httptest.Server
	db *database.DB
	st *store.Store
	// statements counts what db has run, for the tests that the pages ask
	// a constant number of queries.
	statements *testdb.Statements
	srv        *web.Server
	cfg        web.Config // what srv was made with
}

func newSite(t testing.TB, cfg web.Config) *site {
	t.Helper()
	dbURL := testdb.URL(t)
	db, statements := testdb.OpenCounting(t, dbURL)
	st := store.New(db)
	if _, err := seed.Run(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Metrics = st, metrics.New()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.Changes == nil {
		changes := database.WatchChanges(context.Background(), dbURL, cfg.Logger)
		t.Cleanup(func() { changes.Close() })
		cfg.Changes = changes
	}
	if cfg.SecretKey == nil {
		cfg.SecretKey = []byte("0123456789abcdef0123456789abcdef")
	}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &site{Server: ts, db: db, st: st, statements: statements, srv: srv, cfg: cfg}
}

const testPassword = "correct horse battery"

var testHash = func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
}()

// addUser adds a user with testPassword.
func (s *site) addUser(t testing.TB, email string, role store.Role, cities ...string) store.User {
	t.Helper()
	u, err := s.st.CreateUser(context.Background(), store.NewUser{Email: email, PasswordHash: testHash, Role: role, Cities: cities})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// session mints a session for u server-side and returns its cookie.
func (s *site) session(t *testing.T, u store.User) *http.Cookie {
	t.Helper()
	token, hash := auth.NewToken()
	if err := s.st.CreateSession(context.Background(), hash, u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: "fundmatch_session", Value: token}
}

// token creates an API token for u.
func (s *site) token(t testing.TB, u store.User) string {
	t.Helper()
	token, hash := auth.NewToken()
	if err := s.st.CreateAPIToken(context.Background(), u.ID, "test", hash); err != nil {
		t.Fatal(err)
	}
	return token
}

// settle waits until the server has heard of every change committed so
// far: notifications arrive in commit order, so once that of a change made
// now is in, all earlier ones are too. (A statement-level trigger fires for
// an UPDATE of no row.)
func (s *site) settle(t *testing.T) {
	t.Helper()
	before, _ := s.cfg.Changes.Version("cities")
	if _, err := s.db.Exec(`UPDATE cities SET slug = slug WHERE false`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "the server heard of every change", func() bool {
		v, ok := s.cfg.Changes.Version("cities")
		return ok && v != before
	})
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request with an optional cookie or bearer token and body, and
// returns the status, headers and body.
func do(t *testing.T, method, u string, cookie *http.Cookie, bearer string, body io.Reader, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// postForm posts a form as a browser on the same site would.
func postForm(t *testing.T, u string, cookie *http.Cookie, form url.Values) (int, http.Header, string) {
	t.Helper()
	return do(t, "POST", u, cookie, "", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
}
