package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

// samplePortal replays the real captured search response (three older-format
// EIC topics whose portal status is a stale "Open") as a complete listing.
func samplePortal(t *testing.T) *httptest.Server {
	t.Helper()
	raw, err := os.ReadFile("../../crawlers/ftportal/testdata/search-api-response-horizon-eic-trimmed.json")
	if err != nil {
		t.Fatal(err)
	}
	var page map[string]any
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	page["totalResults"] = len(page["results"].([]any)) // the sample was cut to 3 of 31
	body, _ := json.Marshal(page)
	empty, _ := json.Marshal(map[string]any{"totalResults": page["totalResults"], "results": []any{}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/search" && r.URL.Query().Get("pageNumber") == "1":
			w.Write(body)
		case r.URL.Path == "/search":
			w.Write(empty)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCrawlStoresCallsAndASecondRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	portal := samplePortal(t)
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "REDIS_URL": testdb.RedisURL(t),
		"FTPORTAL_SEARCH_URL": portal.URL + "/search", "FTPORTAL_TOPIC_URL": portal.URL + "/topicDetails/",
		"CRAWL_ALLOW_PRIVATE": "true", "CRAWL_DELAY": "1ms", "LOG_LEVEL": "error",
	}
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	code, stdout, stderr := fundmatch(ctx, env, "crawl", "ftportal")
	if code != 0 || !strings.Contains(stdout, "crawled ftportal") || !strings.Contains(stdout, "3 new") {
		t.Fatalf("first crawl exited %d:\n%s\n%s", code, stdout, stderr)
	}
	// These older-format records are closed by their 2023 dates, so the
	// crawler spares the portal their topicDetails: a complete, clean run.
	if !strings.Contains(stdout, "ftportal: ok") || !strings.Contains(stdout, "0 errors") {
		t.Fatalf("first crawl should be ok without errors:\n%s\n%s", stdout, stderr)
	}
	code, stdout, stderr = fundmatch(ctx, env, "crawl", "ftportal")
	if code != 0 || !strings.Contains(stdout, "0 new, 0 changed, 3 unchanged, 0 closed") {
		t.Fatalf("second crawl exited %d:\n%s\n%s", code, stdout, stderr)
	}

	code, stdout, stderr = fundmatch(ctx, env, "calls", "--json")
	if code != 0 {
		t.Fatalf("calls --json exited %d: %s", code, stderr)
	}
	var calls []map[string]any
	if err := json.Unmarshal([]byte(stdout), &calls); err != nil || len(calls) != 3 {
		t.Fatalf("calls --json = %d calls, %v:\n%s", len(calls), err, stdout)
	}
	for _, c := range calls {
		for _, k := range []string{"identifier", "source", "programme", "title", "status", "opening_date", "deadlines", "next_deadline", "url", "budget_min", "budget_max", "call_budget"} {
			if _, ok := c[k]; !ok {
				t.Fatalf("call lacks %q: %v", k, c)
			}
		}
		// Every deadline of these EIC topics was in 2023: the portal's "Open" is stale.
		if c["status"] != "closed" || c["next_deadline"] != nil || c["programme"] != "HORIZON" {
			t.Fatalf("call = %v", c)
		}
	}
	if code, stdout, _ := fundmatch(ctx, env, "calls", "--status", "open", "--json"); code != 0 || strings.TrimSpace(stdout) != "[]" {
		t.Fatalf("open calls = %s", stdout)
	}
	code, stdout, _ = fundmatch(ctx, env, "crawl", "--list")
	if code != 0 || !strings.Contains(stdout, "ftportal") || !strings.Contains(stdout, " ok ") {
		t.Fatalf("crawl --list:\n%s", stdout)
	}
	if code, _, stderr := fundmatch(ctx, env, "crawl", "nowhere"); code != 1 || !strings.Contains(stderr, "crawl --list") {
		t.Fatalf("unknown source: %d %s", code, stderr)
	}
	if code, _, _ := fundmatch(ctx, env, "calls", "--status", "maybe"); code != 2 {
		t.Fatalf("a bad --status exited %d, want 2", code)
	}
}

func TestCrawlDryRunStoresNothing(t *testing.T) {
	ctx := context.Background()
	portal := samplePortal(t)
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "FTPORTAL_SEARCH_URL": portal.URL + "/search",
		"FTPORTAL_TOPIC_URL": portal.URL + "/topicDetails/", "CRAWL_ALLOW_PRIVATE": "true", "CRAWL_DELAY": "1ms",
	}
	fundmatch(ctx, env, "seed")
	code, stdout, stderr := fundmatch(ctx, env, "crawl", "ftportal", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "HORIZON-EIC") || !strings.Contains(stdout, "nothing stored") {
		t.Fatalf("dry run exited %d:\n%s\n%s", code, stdout, stderr)
	}
	if _, stdout, _ := fundmatch(ctx, env, "calls", "--json"); strings.TrimSpace(stdout) != "[]" {
		t.Fatalf("a dry run stored calls: %s", stdout)
	}
}

func TestCrawlRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	ctx := context.Background()
	portal := samplePortal(t)
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "FTPORTAL_SEARCH_URL": portal.URL + "/search",
		"FTPORTAL_TOPIC_URL": portal.URL + "/topicDetails/", "CRAWL_DELAY": "1ms", "LOG_LEVEL": "error",
	}
	fundmatch(ctx, env, "seed")
	code, stdout, stderr := fundmatch(ctx, env, "crawl", "ftportal")
	if code == 0 && !strings.Contains(stdout, "failed") {
		t.Fatalf("a crawl of a loopback address was allowed:\n%s\n%s", stdout, stderr)
	}
	if _, stdout, _ := fundmatch(ctx, env, "crawl", "--list"); !strings.Contains(stdout, "failed") {
		t.Fatalf("the refused run is not recorded as failed:\n%s", stdout)
	}
}

func TestASecondCrawlWhileOneRunsSaysTheSourceIsBusyAndExitsZero(t *testing.T) {
	ctx := context.Background()
	sample := samplePortal(t)
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	// The portal answers the first search request only once released: a
	// slow source, so the first crawl is running while the second starts.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			close(held)
			<-release
		})
		resp, err := http.Post(sample.URL+r.URL.RequestURI(), r.Header.Get("Content-Type"), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer slow.Close()
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "REDIS_URL": testdb.RedisURL(t),
		"FTPORTAL_SEARCH_URL": slow.URL + "/search", "FTPORTAL_TOPIC_URL": slow.URL + "/topicDetails/",
		"CRAWL_ALLOW_PRIVATE": "true", "CRAWL_DELAY": "1ms", "LOG_LEVEL": "error",
	}
	if code, _, stderr := fundmatch(ctx, env, "seed"); code != 0 {
		t.Fatal(stderr)
	}
	type outcome struct {
		code           int
		stdout, stderr string
	}
	first := make(chan outcome, 1)
	go func() {
		code, stdout, stderr := fundmatch(ctx, env, "crawl", "ftportal")
		first <- outcome{code, stdout, stderr}
	}()
	<-held
	code, stdout, stderr := fundmatch(ctx, env, "crawl", "ftportal")
	if code != 0 || !strings.Contains(stdout, "source ftportal is being crawled by another process") {
		t.Errorf("second crawl exited %d:\n%s\n%s", code, stdout, stderr)
	}
	close(release)
	o := <-first
	if o.code != 0 || !strings.Contains(o.stdout, "crawled ftportal: ok") || !strings.Contains(o.stdout, "3 new") {
		t.Fatalf("first crawl exited %d:\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	if _, stdout, _ := fundmatch(ctx, env, "crawl", "--list"); strings.Contains(stdout, "failed") || strings.Contains(stdout, "running") {
		t.Fatalf("crawl --list:\n%s", stdout)
	}
}
