package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestImportCORDISAndReview(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "USER": "admin"}
	if code, _, stderr := fundmatch(ctx, env, "seed"); code != 0 {
		t.Fatalf("seed exited %d: %s", code, stderr)
	}
	dump := "../../internal/history/testdata/cordis-v1"
	code, stdout, stderr := fundmatch(ctx, env, "import", "cordis", dump)
	if code != 0 {
		t.Fatalf("import cordis exited %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "cordis: 20 rows read, 5 matched, 2 uncertain") {
		t.Errorf("no final progress line on stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "20 rows read, 5 matched, 2 uncertain (2 review entries new or changed), 3 projects (3 changed)") {
		t.Errorf("summary line: %s", stdout)
	}

	list := func() []string {
		t.Helper()
		code, stdout, stderr := fundmatch(ctx, env, "review", "list", "--json")
		if code != 0 {
			t.Fatalf("review list exited %d: %s", code, stderr)
		}
		var rs []struct{ Key, Candidate string }
		if err := json.Unmarshal([]byte(stdout), &rs); err != nil {
			t.Fatalf("review list --json: %v", err)
		}
		var keys []string
		for _, r := range rs {
			keys = append(keys, r.Key+">"+r.Candidate)
		}
		return keys
	}
	if got := strings.Join(list(), ","); got != "mechelen>mechelen,ville de louvain>leuven" {
		t.Fatalf("pending review entries %q", got)
	}

	code, stdout, stderr = fundmatch(ctx, env, "review", "confirm", "ville de louvain", "--city", "leuven")
	if code != 0 || !strings.Contains(stdout, "confirmed as leuven; 1 imported projects updated") {
		t.Fatalf("review confirm exited %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = fundmatch(ctx, env, "review", "reject", "MECHELEN")
	if code != 0 || !strings.Contains(stdout, "rejected; 0 imported projects updated") {
		t.Fatalf("review reject exited %d: %s%s", code, stdout, stderr)
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("pending after both verdicts: %q", got)
	}

	code, stdout, _ = fundmatch(ctx, env, "import", "cordis", dump)
	if code != 0 || !strings.Contains(stdout, "(0 changed)") {
		t.Errorf("re-import after the verdicts: %s", stdout)
	}

	for _, tt := range []struct {
		args       []string
		wantCode   int
		wantStderr string
	}{
		{[]string{"review", "confirm", "x"}, 2, "confirm needs --city"},
		{[]string{"review", "confirm", "x", "--city", "atlantis"}, 1, `no city "atlantis"`},
		{[]string{"review", "sing"}, 2, "want: review list"},
		{[]string{"review", "confirm", "x", "--city", "gent", "--body", "castle"}, 1, `unknown body "castle"`},
		{[]string{"import", "kohesio", "/nonexistent.csv"}, 1, "cannot read /nonexistent.csv"},
	} {
		code, _, stderr := fundmatch(ctx, env, tt.args...)
		if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.wantCode, tt.wantStderr)
		}
	}
}

func TestCrawlHistorySourceNow(t *testing.T) {
	ctx := context.Background()
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	for _, name := range []string{"project.csv", "organization.csv"} {
		b, err := os.ReadFile("../../internal/history/testdata/cordis-v1/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cordis.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(zipped.Bytes())
	}))
	defer srv.Close()

	dbURL := testdb.URL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "CRAWL_ALLOW_PRIVATE": "true", "CRAWL_DELAY": "1ms"}
	if code, _, stderr := fundmatch(ctx, env, "seed"); code != 0 {
		t.Fatalf("seed exited %d: %s", code, stderr)
	}
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE crawl_sources SET config = jsonb_build_object('url', $1::text) WHERE name = 'cordis-horizon'`, srv.URL+"/cordis.zip"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := fundmatch(ctx, env, "crawl", "cordis-horizon")
	if code != 0 || !strings.Contains(stdout, "crawled cordis-horizon") {
		t.Fatalf("crawl cordis-horizon exited %d: %s%s", code, stdout, stderr)
	}
	var shares int
	if err := db.Get(&shares, `SELECT count(*) FROM bid_members m JOIN bids b ON b.id = m.bid_id WHERE b.source = 'cordis'`); err != nil {
		t.Fatal(err)
	}
	if shares != 4 {
		t.Errorf("%d uptake shares after the crawl, want the fixture's 4", shares)
	}
}
