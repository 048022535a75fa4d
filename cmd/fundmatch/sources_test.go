package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

// vlaioSite serves the Dutch VLAIO ERDF fixture pages and returns a copy of
// the shipped configuration pointed at it.
func vlaioSite(t *testing.T) string {
	t.Helper()
	root := "../../crawlers/htmlsource/testdata/sites/vlaio-efro"
	files := http.FileServer(http.Dir(root))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	raw, err := os.ReadFile("../../crawlers/htmlsource/sources/vlaio-efro.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	var lists []any
	for _, u := range cfg["list_urls"].([]any) {
		p, _ := url.Parse(u.(string))
		lists = append(lists, srv.URL+p.Path)
	}
	cfg["list_urls"] = lists
	cfg["name"] = "vlaio-test"
	b, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), "vlaio-test.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAnAdminAddsTestsAndDisablesAnHTMLSourceWithoutCode(t *testing.T) {
	ctx := context.Background()
	config := vlaioSite(t)
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "CRAWL_ALLOW_PRIVATE": "true", "CRAWL_DELAY": "1ms", "LOG_LEVEL": "error"}
	fundmatch(ctx, env, "seed")

	// A dry run of a configuration that is not stored yet.
	code, stdout, stderr := fundmatch(ctx, env, "sources", "test", "--config", config)
	if code != 0 || !strings.Contains(stderr, "nothing stored") {
		t.Fatalf("sources test --config exited %d:\n%s\n%s", code, stdout, stderr)
	}
	var calls []map[string]any
	if err := json.Unmarshal([]byte(stdout), &calls); err != nil || len(calls) == 0 {
		t.Fatalf("test printed %d calls, %v:\n%s", len(calls), err, stdout)
	}
	for _, c := range calls {
		if c["programme"] != "ERDF-VL" || len(c["deadlines"].([]any)) == 0 {
			t.Fatalf("a Dutch ERDF call without programme or deadlines: %v", c)
		}
	}

	if code, stdout, stderr := fundmatch(ctx, env, "sources", "add", "vlaio-test", "--config", config, "--every", "12h"); code != 0 {
		t.Fatalf("sources add exited %d: %s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := fundmatch(ctx, env, "crawl", "vlaio-test"); code != 0 || !strings.Contains(stdout, "new") {
		t.Fatalf("crawl of the added source exited %d: %s%s", code, stdout, stderr)
	}
	_, stdout, _ = fundmatch(ctx, env, "calls", "--source", "vlaio-test", "--json")
	var stored []map[string]any
	json.Unmarshal([]byte(stdout), &stored)
	if len(stored) != len(calls) {
		t.Fatalf("stored %d calls, the dry run saw %d", len(stored), len(calls))
	}
	if code, _, _ := fundmatch(ctx, env, "sources", "disable", "vlaio-test"); code != 0 {
		t.Fatal("disable failed")
	}
	_, list, _ := fundmatch(ctx, env, "sources", "list")
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, "vlaio-test ") && !strings.Contains(line, "false") {
			t.Fatalf("the disabled source is listed as enabled: %s", line)
		}
	}
	for _, name := range []string{"ftportal", "vlaio-efro", "eui", "interreg-vlnl", "interreg-nwe"} {
		if !strings.Contains(list, name+" ") {
			t.Fatalf("shipped source %s is not seeded:\n%s", name, list)
		}
	}
}

func TestABrokenSourceConfigurationIsRejectedWithItsReason(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"name": "x", "list_urls": ["ftp://example.org"], "item": "", "fields": {}, "colour": "red"}`), 0o600)
	code, _, stderr := fundmatch(ctx, env, "sources", "add", "x", "--config", bad)
	if code != 1 || !strings.Contains(stderr, "bad.json") {
		t.Fatalf("exited %d: %s", code, stderr)
	}
	if code, _, _ := fundmatch(ctx, env, "sources", "frobnicate"); code != 2 {
		t.Fatalf("an unknown sources verb exited %d, want 2", code)
	}
}
