package fetch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testOptions allows loopback (the httptest servers) and keeps delays short.
func testOptions() Options {
	return Options{
		AllowPrivateNetworks: true,
		Delay:                time.Millisecond,
		Backoff:              time.Millisecond,
		RequestTimeout:       2 * time.Second,
		Logger:               slog.New(slog.DiscardHandler),
	}
}

func TestGetRetriesServerErrorThenSucceeds(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if hits.Add(1) == 1 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	body, _, err := New(testOptions()).Get(context.Background(), srv.URL+"/page")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(body) != "ok" || hits.Load() != 2 {
		t.Errorf("body %q after %d hits, want ok after 2", body, hits.Load())
	}
}

func TestGetDoesNotRetryClientErrors(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			hits.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	_, _, err := New(testOptions()).Get(context.Background(), srv.URL+"/missing")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Fatalf("err = %v, want a 404 StatusError", err)
	}
	if hits.Load() != 1 {
		t.Errorf("404 fetched %d times, want 1", hits.Load())
	}
}

func TestGetGivesUpAfterBoundedRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()

	opts := testOptions()
	opts.Retries = 2
	_, _, err := New(opts).Get(context.Background(), srv.URL+"/down")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusBadGateway {
		t.Fatalf("err = %v, want a 502 StatusError", err)
	}
	if hits.Load() != 3 {
		t.Errorf("tried %d times, want 1 + 2 retries", hits.Load())
	}
}

func TestGetRetriesTimeout(t *testing.T) {
	var hits atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if hits.Add(1) == 1 {
			select { // hang past the request timeout
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, "late but fine")
	}))
	defer srv.Close()
	defer close(release)

	opts := testOptions()
	opts.RequestTimeout = 50 * time.Millisecond
	body, _, err := New(opts).Get(context.Background(), srv.URL+"/slow")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(body) != "late but fine" || hits.Load() != 2 {
		t.Errorf("body %q after %d hits, want the second attempt's", body, hits.Load())
	}
}

func TestGetStopsWhenRunContextEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	opts := testOptions()
	opts.IgnoreRobotsTxt = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, _, err := New(opts).Get(ctx, srv.URL+"/hang")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the run's deadline", err)
	}
}

func TestRobotsTxtDisallowIsRespected(t *testing.T) {
	var private atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
		case "/private/calls":
			private.Add(1)
			io.WriteString(w, "secret")
		default:
			io.WriteString(w, "public")
		}
	}))
	defer srv.Close()
	c := New(testOptions())

	if _, _, err := c.Get(context.Background(), srv.URL+"/private/calls"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("disallowed path: err = %v, want ErrDisallowed", err)
	}
	if private.Load() != 0 {
		t.Errorf("disallowed path was fetched %d times", private.Load())
	}
	if body, _, err := c.Get(context.Background(), srv.URL+"/calls"); err != nil || string(body) != "public" {
		t.Errorf("allowed path: %q, %v", body, err)
	}
}

func TestGuardRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The redirect target is loopback too, but outside the allowed /32.
		http.Redirect(w, r, "http://127.0.0.2:9/internal", http.StatusFound)
	}))
	defer srv.Close()
	srvAddr := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "http://")).Addr()

	tests := []struct {
		name string
		opts Options
		url  string
	}{
		{"loopback not allowed", Options{IgnoreRobotsTxt: true}, srv.URL + "/"},
		{"redirect to private address", Options{IgnoreRobotsTxt: true, AllowedNetworks: []netip.Prefix{netip.PrefixFrom(srvAddr, 32)}}, srv.URL + "/"},
		{"metadata address", Options{IgnoreRobotsTxt: true}, "http://169.254.169.254/latest"},
		{"private range", Options{IgnoreRobotsTxt: true}, "http://10.0.0.1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Delay = time.Millisecond
			tt.opts.Backoff = time.Millisecond
			_, _, err := New(tt.opts).Get(context.Background(), tt.url)
			if !errors.Is(err, ErrPrivateAddress) {
				t.Fatalf("err = %v, want ErrPrivateAddress", err)
			}
		})
	}
}

func TestBodySizeLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		limit   int64
		wantErr bool
	}{{100, false}, {99, true}} {
		opts := testOptions()
		opts.IgnoreRobotsTxt = true
		opts.MaxBodySize = tt.limit
		body, _, err := New(opts).Get(context.Background(), srv.URL)
		if gotErr := errors.Is(err, ErrBodyTooLarge); gotErr != tt.wantErr {
			t.Errorf("limit %d: err = %v (body %d bytes), want too-large %v", tt.limit, err, len(body), tt.wantErr)
		}
	}
}

func TestConditionalGet(t *testing.T) {
	const etag = `"v1"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		io.WriteString(w, "calls")
	}))
	defer srv.Close()
	store := &MemoryValidators{}
	opts := testOptions()
	opts.IgnoreRobotsTxt = true
	opts.Validators = store

	body, notModified, err := New(opts).Get(context.Background(), srv.URL+"/list")
	if err != nil || notModified || string(body) != "calls" {
		t.Fatalf("first run: %q, notModified=%v, err=%v", body, notModified, err)
	}
	if v, _ := store.Load(context.Background(), srv.URL+"/list"); v.ETag != etag {
		t.Fatalf("stored ETag %q, want %q", v.ETag, etag)
	}
	body, notModified, err = New(opts).Get(context.Background(), srv.URL+"/list")
	if err != nil || !notModified || body != nil {
		t.Errorf("second run: %q, notModified=%v, err=%v; want 304", body, notModified, err)
	}

	// A caller that needs the document whole opts out with no-cache.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/list", nil)
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := New(opts).Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("no-cache request answered %d, want 200", resp.StatusCode)
	}
}

func TestUserAgentAndDelayPerHost(t *testing.T) {
	var hits atomic.Int32
	var agent atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		agent.Store(r.UserAgent())
	}))
	defer srv.Close()
	opts := testOptions()
	opts.IgnoreRobotsTxt = true
	opts.UserAgent = "fundmatch-test (+https://example.org/contact)"
	opts.Delay = time.Hour
	c := New(opts)
	if _, _, err := c.Get(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if got := agent.Load(); got != opts.UserAgent {
		t.Errorf("User-Agent %q, want %q", got, opts.UserAgent)
	}
	// A second request to the same host must wait for the delay: with a
	// run that ends first, it never reaches the server.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := c.Get(ctx, srv.URL+"/again"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second request: err = %v, want it held back by the delay", err)
	}
	if hits.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", hits.Load())
	}
}

func TestRedactHidesSecrets(t *testing.T) {
	u, _ := url.Parse("https://user:pw@api.example.org/search?apiKey=SEDIA&text=***&token=abc")
	got := Redact(u)
	for _, secret := range []string{"pw", "SEDIA", "abc"} {
		if strings.Contains(got, secret) {
			t.Errorf("Redact = %q still shows %q", got, secret)
		}
	}
	if !strings.Contains(got, "text=") {
		t.Errorf("Redact = %q lost harmless parameters", got)
	}
}
