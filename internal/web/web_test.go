package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/internal/web"
)

func newServer(t *testing.T, checks ...web.Check) *httptest.Server {
	t.Helper()
	db := testdb.New(t)
	st := store.New(db)
	if _, err := seed.Run(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	checks = append([]web.Check{{Name: "postgres", Fn: func(ctx context.Context) error { return db.PingContext(ctx) }}}, checks...)
	srv, err := web.New(web.Config{Store: st, Checks: checks, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestReadyzReportsEachDependency(t *testing.T) {
	ts := newServer(t, web.Check{Name: "redis", Fn: func(context.Context) error { return errors.New("dial tcp: refused") }})
	code, _, body := get(t, ts.URL+"/readyz")
	if code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with Redis down = %d, want 503", code)
	}
	var status map[string]string
	if err := json.Unmarshal([]byte(body), &status); err != nil {
		t.Fatal(err)
	}
	if status["postgres"] != "ok" || status["redis"] != "unavailable" {
		t.Fatalf("readyz body = %v", status)
	}
	if strings.Contains(body, "refused") {
		t.Fatal("readyz shows the internal error to the world")
	}
	ok := newServer(t)
	if code, _, _ := get(t, ok.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz with every dependency up = %d, want 200", code)
	}
	if code, _, body := get(t, ok.URL+"/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz = %d %q", code, body)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	ts := newSite(t, web.Config{MetricsToken: "scrape-token-0123456789"})
	get(t, ts.URL+"/healthz")
	get(t, ts.URL+"/no/such/page/123")
	code, hdr, body := get(t, ts.URL+"/metrics", "Authorization", "Bearer scrape-token-0123456789")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics = %d %s", code, hdr.Get("Content-Type"))
	}
	for _, want := range []string{
		`fundmatch_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		`fundmatch_http_requests_total{code="404",method="GET",route="/"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/no/such/page") {
		t.Error("metrics label raw paths, which lets anyone grow them without bound")
	}
}

func TestHomePageIsDutchFirstAndEnglishOnRequest(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name, url, acceptLanguage, want, population string
	}{
		{"DutchByDefault", "/", "", "Steden en gemeenten", "274.042"},
		{"EnglishForAnEnglishBrowser", "/", "en-GB,en;q=0.9", "Cities and municipalities", "274,042"},
		{"DutchForADutchBrowser", "/", "nl-BE,nl;q=0.9,en;q=0.8", "Steden en gemeenten", "274.042"},
		{"EnglishOnRequest", "/?lang=en", "nl-BE", "Cities and municipalities", "274,042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, hdr, body := get(t, ts.URL+tt.url, "Accept-Language", tt.acceptLanguage)
			if code != http.StatusOK || !strings.Contains(body, tt.want) {
				t.Fatalf("GET %s = %d, body lacks %q", tt.url, code, tt.want)
			}
			if !strings.Contains(body, "Sint-Niklaas") || !strings.Contains(body, tt.population) {
				t.Fatal("the home page does not list the seeded cities with their population")
			}
			if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Fatalf("CSP = %q", csp)
			}
		})
	}
}

func TestAPICitiesAndJSONErrors(t *testing.T) {
	s := newSite(t, web.Config{})
	ts := s.Server
	bearer := "Bearer " + s.token(t, s.addUser(t, "gov@vlaanderen.be", "government"))
	code, _, body := get(t, ts.URL+"/api/v1/cities", "Authorization", bearer)
	var got struct {
		Data  []store.City `json:"data"`
		Count int          `json:"count"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 || got.Count != 286 || len(got.Data) != 286 {
		t.Fatalf("cities = %d, %d cities, %v", code, got.Count, err)
	}
	code, _, body = get(t, ts.URL+"/api/v1/nothing", "Authorization", bearer)
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || code != 404 || e.Error.Code != "not_found" {
		t.Fatalf("unknown API path = %d %s", code, body)
	}
}

// TestMetricsNeedTheirToken: /metrics is off without METRICS_TOKEN and
// asks for it when set; a user's API token or session does not open it.
func TestMetricsNeedTheirToken(t *testing.T) {
	off := newServer(t)
	if code, _, _ := get(t, off.URL+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics without METRICS_TOKEN = %d, want 404", code)
	}
	s := newSite(t, web.Config{MetricsToken: "scrape-token-0123456789"})
	admin := s.addUser(t, "a@fundmatch.be", store.RoleAdmin)
	for name, header := range map[string][]string{
		"no token":          nil,
		"wrong token":       {"Authorization", "Bearer scrape-token-0123456780"},
		"a user's token":    {"Authorization", "Bearer " + s.token(t, admin)},
		"an admin session":  {"Cookie", "fundmatch_session=" + s.session(t, admin).Value},
		"token as a cookie": {"Cookie", "fundmatch_session=scrape-token-0123456789"},
	} {
		if code, _, body := get(t, s.URL+"/metrics", header...); code != http.StatusUnauthorized || strings.Contains(body, "go_goroutines") {
			t.Errorf("%s: /metrics = %d, want 401 without metrics", name, code)
		}
	}
	if code, _, body := get(t, s.URL+"/metrics", "Authorization", "Bearer scrape-token-0123456789"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics with its token = %d", code)
	}
}

// TestStaticServesFilesButListsNoDirectory: /static/ answers 404 for a
// directory instead of listing it.
func TestStaticServesFilesButListsNoDirectory(t *testing.T) {
	ts := newServer(t)
	if code, _, body := get(t, ts.URL+"/static/style.css"); code != http.StatusOK || body == "" {
		t.Errorf("/static/style.css = %d", code)
	}
	for _, path := range []string{"/static/", "/static", "/static/./", "/static/index.html"} {
		if code, _, body := get(t, ts.URL+path); code != http.StatusNotFound || strings.Contains(body, "style.css") {
			t.Errorf("%s = %d %q, want 404 without a listing", path, code, body)
		}
	}
}

// TestSignedInPagesAreNotStored: pages for a signed-in user carry
// Cache-Control: no-store; public pages do not need it.
func TestSignedInPagesAreNotStored(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	u := s.addUser(t, "o@gent.be", store.RoleOfficer, "gent")
	c := s.session(t, u)
	for _, path := range []string{"/", "/calls", "/calls/HORIZON-CL5-2027-D4-01", "/cities/gent", "/cities/gent/profile",
		"/plans", "/subscriptions", "/uptake", "/no/such/page"} {
		_, hdr, _ := do(t, "GET", s.URL+path, c, "", nil)
		if hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("%s signed in: Cache-Control %q, want no-store", path, hdr.Get("Cache-Control"))
		}
	}
}
