package htmlsource

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/funding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// now is the day the fixtures are crawled: the klimaatadaptatie and NWE
// call 5 calls are open, the others closed.
var now = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

func testClient(opts fetch.Options) *fetch.Client {
	opts.AllowPrivateNetworks = true
	opts.Delay = time.Millisecond
	opts.Backoff = time.Millisecond
	opts.RequestTimeout = 5 * time.Second
	opts.Logger = slog.New(slog.DiscardHandler)
	return fetch.New(opts)
}

func shipped(t *testing.T, name string) Config {
	t.Helper()
	sources, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sources {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no shipped source %s", name)
	return Config{}
}

// site serves testdata/sites/<name> and a permissive robots.txt, and points
// cfg's list URLs at it.
func site(t *testing.T, cfg *Config, robots string) *httptest.Server {
	t.Helper()
	files := http.FileServer(http.Dir(filepath.Join("testdata", "sites", cfg.Name)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, robots)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	for i, u := range cfg.ListURLs {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ListURLs[i] = srv.URL + p.Path
	}
	return srv
}

// golden compares calls with testdata/<name>.golden.json, with the test
// server's address replaced so the file is stable.
func golden(t *testing.T, name, base string, calls []funding.Call) {
	t.Helper()
	got, err := json.MarshalIndent(calls, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = []byte(strings.ReplaceAll(string(got), base, "http://fixture") + "\n")
	file := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("calls differ from %s (-want +got):\n%s", file, diff)
	}
}

func crawl(t *testing.T, cfg Config, client *fetch.Client) *crawlers.Result {
	t.Helper()
	res, err := Crawl(context.Background(), client, cfg, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Crawl: %v", err)
	}
	return res
}

func TestCrawlShippedSources(t *testing.T) {
	for _, name := range []string{"vlaio-efro", "eui", "interreg-vlnl", "interreg-nwe"} {
		t.Run(name, func(t *testing.T) {
			cfg := shipped(t, name)
			srv := site(t, &cfg, "User-agent: *\nAllow: /\n")
			res := crawl(t, cfg, testClient(fetch.Options{}))
			if res.Partial || len(res.Errors) > 0 {
				t.Fatalf("partial=%v (%s), errors %v", res.Partial, res.PartialReason, res.Errors)
			}
			golden(t, name, srv.URL, res.Calls)
		})
	}
}

// TestCrawlDutchSourceFields spells out what the golden file holds for the
// Dutch VLAIO source, so that a wrong golden file cannot hide a wrong parse.
func TestCrawlDutchSourceFields(t *testing.T) {
	cfg := shipped(t, "vlaio-efro")
	site(t, &cfg, "")
	res := crawl(t, cfg, testClient(fetch.Options{}))
	if len(res.Calls) != 2 {
		t.Fatalf("%d calls, want 2: %v", len(res.Calls), res.Errors)
	}
	klimaat, cot := res.Calls[0], res.Calls[1]
	got := []any{klimaat.Identifier, klimaat.Deadlines, *klimaat.OpeningDate, *klimaat.FundingRate, klimaat.CallBudget, klimaat.Status, klimaat.Language, klimaat.DeadlineModel}
	want := []any{"oproep-bevorderen-klimaatadaptatie", []time.Time{day("2024-03-29"), day("2024-06-28")}, day("2024-02-01"), 40.0, (*float64)(nil), funding.StatusOpen, "nl", "two-stage"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("klimaatadaptatie (-want +got):\n%s", diff)
	}
	got = []any{cot.Deadlines, *cot.OpeningDate, *cot.CallBudget, *cot.FundingRate, cot.Status, cot.Language}
	want = []any{[]time.Time{day("2023-03-31"), day("2023-06-30")}, day("2023-02-09"), 4e6, 40.0, funding.StatusClosed, "nl"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("City of Things 2023 (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"<script", "onerror", "onclick", "tracking"} {
		if strings.Contains(klimaat.DescriptionHTML, bad) || strings.Contains(klimaat.DescriptionText, bad) {
			t.Errorf("description keeps %q: %s", bad, klimaat.DescriptionHTML)
		}
	}
	if !strings.Contains(klimaat.DescriptionHTML, `href="https://efro.vlaio.be/e-loket"`) || !strings.Contains(klimaat.DescriptionText, "EFRO E-loket") {
		t.Errorf("description lost its safe link: %s", klimaat.DescriptionHTML)
	}
}

func TestCrawlFollowsNextPageAndReadsInListFields(t *testing.T) {
	cfg := shipped(t, "interreg-vlnl")
	site(t, &cfg, "")
	res := crawl(t, cfg, testClient(fetch.Options{}))
	var got []string
	for _, c := range res.Calls {
		got = append(got, c.Identifier)
		if !strings.HasSuffix(c.URL, "#"+c.Identifier) {
			t.Errorf("in-list call URL %q does not point at its item", c.URL)
		}
	}
	if diff := cmp.Diff([]string{"tweede-oproep-2022", "eerste-oproep-2022"}, got); diff != "" {
		t.Errorf("calls over two list pages (-want +got):\n%s", diff)
	}
	if len(res.Calls) == 2 && (*res.Calls[0].CallBudget != 49.5e6 || *res.Calls[1].CallBudget != 69e6) {
		t.Errorf("budgets %v and %v, want 49.5M and 69M", *res.Calls[0].CallBudget, *res.Calls[1].CallBudget)
	}
}

func TestCrawlRobotsDisallowedDetailIsAnError(t *testing.T) {
	cfg := shipped(t, "vlaio-efro")
	site(t, &cfg, "User-agent: *\nDisallow: /nl/vlaio-netwerk/europees-fonds-voor-regionale-ontwikkeling/oproep-city\n")
	res := crawl(t, cfg, testClient(fetch.Options{}))
	if len(res.Calls) != 1 || res.Calls[0].Identifier != "oproep-bevorderen-klimaatadaptatie" {
		t.Errorf("calls %v, want only the allowed one", res.Calls)
	}
	if !res.Partial || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].URL, "oproep-city-of-things-2023") ||
		!strings.Contains(res.Errors[0].Error(), "robots.txt") {
		t.Errorf("partial=%v errors=%v, want the disallowed page reported", res.Partial, res.Errors)
	}
}

func TestCrawlChangedLayoutIsReportedNotSilent(t *testing.T) {
	cfg := shipped(t, "eui")
	site(t, &cfg, "")
	cfg.Item = ".call-teaser" // the site renamed its classes
	res := crawl(t, cfg, testClient(fetch.Options{}))
	if len(res.Calls) != 0 || !res.Partial || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "item selector") {
		t.Errorf("calls %d, partial %v, errors %v", len(res.Calls), res.Partial, res.Errors)
	}
}

func TestCrawlConditionalGetMarksUnchangedPages(t *testing.T) {
	cfg := shipped(t, "interreg-nwe")
	site(t, &cfg, "")
	store := &fetch.MemoryValidators{}
	first := crawl(t, cfg, testClient(fetch.Options{Validators: store}))
	if len(first.Calls) != 1 || !first.CanClose() {
		t.Fatalf("first run: %d calls, partial %v", len(first.Calls), first.Partial)
	}
	second := crawl(t, cfg, testClient(fetch.Options{Validators: store}))
	if len(second.Calls) != 0 || len(second.NotModified) != 1 || second.CanClose() || len(second.Errors) != 0 {
		t.Errorf("second run: %d calls, not modified %v, errors %v: want the list unchanged and nothing closable",
			len(second.Calls), second.NotModified, second.Errors)
	}
	dry, err := DryRun(context.Background(), cfg, fetch.Options{Validators: store, AllowPrivateNetworks: true, Delay: time.Millisecond},
		Options{Now: func() time.Time { return now }})
	if err != nil || len(dry.Calls) != 1 {
		t.Errorf("dry run ignores validators: %d calls, %v", len(dry.Calls), err)
	}
}

func TestCrawlRefusesPrivateAddressWhenNotAllowed(t *testing.T) {
	cfg := shipped(t, "eui")
	site(t, &cfg, "")
	client := fetch.New(fetch.Options{Delay: time.Millisecond, Backoff: time.Millisecond}) // private networks not allowed
	res := crawl(t, cfg, client)
	if len(res.Errors) != 1 || !errors.Is(res.Errors[0], fetch.ErrPrivateAddress) || !res.Partial {
		t.Errorf("errors %v, want the guard's refusal", res.Errors)
	}
}

func TestCrawlRejectsInvalidConfig(t *testing.T) {
	_, err := Crawl(context.Background(), testClient(fetch.Options{}), Config{Name: "x"}, Options{})
	if err == nil {
		t.Fatal("Crawl accepted an empty configuration")
	}
}

func TestCrawlRetriesServerErrorAndStopsOnRunTimeout(t *testing.T) {
	cfg := shipped(t, "interreg-nwe")
	files := http.FileServer(http.Dir(filepath.Join("testdata", "sites", cfg.Name)))
	var failures atomic.Int32
	failures.Store(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.URL.Path == "/apply/call-5" && failures.Add(-1) >= 0:
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		case r.URL.Path == "/apply/call-6":
			select { // a page that never answers
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			files.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	cfg.ListURLs = []string{srv.URL + "/apply/open-calls"}

	res := crawl(t, cfg, testClient(fetch.Options{}))
	if len(res.Calls) != 1 || res.Partial {
		t.Fatalf("after two 503s: %d calls, partial %v, errors %v", len(res.Calls), res.Partial, res.Errors)
	}

	// The same source with its only call behind a page that hangs.
	cfg.Link = "a.hangs"
	hanging := `<html><body><ul class="calls"><li><a class="hangs" href="/apply/call-6">Call 6</a></li></ul></body></html>`
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/apply/open-calls" {
			io.WriteString(w, hanging)
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv2.Close()
	cfg.ListURLs = []string{srv2.URL + "/apply/open-calls"}
	res, err := Crawl(context.Background(), testClient(fetch.Options{}), cfg,
		Options{Now: func() time.Time { return now }, RunTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Calls) != 0 || !res.Partial || res.CanClose() {
		t.Errorf("hung run: %d calls, partial %v (%s)", len(res.Calls), res.Partial, res.PartialReason)
	}
}

func TestCrawlWithASinkHandsOverEveryCallOnce(t *testing.T) {
	cfg := shipped(t, "vlaio-efro")
	site(t, &cfg, "")
	kept := crawl(t, cfg, testClient(fetch.Options{}))
	var sent []funding.Call
	res, err := Crawl(context.Background(), testClient(fetch.Options{}), cfg, Options{Now: func() time.Time { return now },
		Sink: func(calls []funding.Call) error { sent = append(sent, calls...); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Calls) != 0 || res.Sent != 2 || res.Partial {
		t.Errorf("with a sink: %d calls kept, %d sent, partial %v", len(res.Calls), res.Sent, res.Partial)
	}
	if diff := cmp.Diff(kept.Calls, sent); diff != "" {
		t.Errorf("sent calls differ from those kept without a sink (-kept +sent):\n%s", diff)
	}

	failing := 0
	res, err = Crawl(context.Background(), testClient(fetch.Options{}), cfg, Options{Now: func() time.Time { return now },
		Sink: func([]funding.Call) error { failing++; return errors.New("database gone") }})
	if err != nil {
		t.Fatal(err)
	}
	if failing != 1 || res.Pages != 2 || !res.Partial || !strings.Contains(res.PartialReason, "database gone") {
		t.Errorf("sink called %d times, %d pages read, partial %v (%s): want a stop after the first call", failing, res.Pages, res.Partial, res.PartialReason)
	}
}
