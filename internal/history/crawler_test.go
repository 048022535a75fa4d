package history_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/history"
	"github.com/fundmatch/fundmatch/internal/store"
)

// cordisZip zips a CORDIS fixture directory as CORDIS publishes it.
func cordisZip(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"project.csv", "organization.csv"} {
		b, err := os.ReadFile(dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fileServer serves body at path with an ETag, answers conditional GETs,
// and records the If-None-Match of every request for the file.
type fileServer struct {
	path string
	body []byte
	etag string

	mu          sync.Mutex
	ifNoneMatch []string
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.path {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.ifNoneMatch = append(s.ifNoneMatch, r.Header.Get("If-None-Match"))
	s.mu.Unlock()
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", s.etag)
	w.Write(s.body)
}

func saveSource(t *testing.T, db *database.DB, name, kind, url string) store.CrawlSource {
	t.Helper()
	cfg, _ := json.Marshal(history.SourceConfig{URL: url})
	src := store.CrawlSource{Name: name, Kind: kind, Config: cfg, Enabled: true, Schedule: 30 * 24 * time.Hour}
	if err := store.New(db).SaveCrawlSource(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return src
}

func runs(t *testing.T, db *database.DB, source string) []string {
	t.Helper()
	var out []string
	if err := db.Select(&out, `SELECT status || ' ' || pages FROM crawl_runs WHERE source = $1 ORDER BY id`, source); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCrawlerDownloadsWithConditionalGET(t *testing.T) {
	ctx := context.Background()
	im, db := newImporter(t)
	files := &fileServer{path: "/cordis.zip", body: cordisZip(t, "testdata/cordis-v1"), etag: `"v1"`}
	srv := httptest.NewServer(files)
	defer srv.Close()
	crawler := &history.Crawler{Importer: im, Source: euhistory.SourceCORDIS, TmpDir: t.TempDir(),
		Fetch: fetch.Options{AllowPrivateNetworks: true, Delay: time.Millisecond, Retries: -1}}

	src := saveSource(t, db, "cordis-horizon", "cordis", srv.URL+"/cordis.zip")
	for range 2 {
		if err := crawler.Crawl(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	if got := uptake(t, db); len(got) != 4 {
		t.Errorf("uptake after the crawl: %q, want the 4 city shares of the fixture", got)
	}
	if got, want := files.ifNoneMatch, []string{"", `"v1"`}; !slices.Equal(got, want) {
		t.Errorf("If-None-Match of the two runs %q, want %q", got, want)
	}
	if got, want := runs(t, db, "cordis-horizon"), []string{"ok 1", "ok 0"}; !slices.Equal(got, want) {
		t.Errorf("crawl runs %q, want %q: one import, then not modified", got, want)
	}

	t.Run("a failed import keeps no validators, so the next run downloads again", func(t *testing.T) {
		broken := &fileServer{path: "/projects.json", body: []byte(`[{"id": 1, "acronym": `), etag: `"b1"`}
		srv := httptest.NewServer(broken)
		defer srv.Close()
		src := saveSource(t, db, "keep-broken", "keep", srv.URL+"/projects.json")
		keep := &history.Crawler{Importer: im, Source: euhistory.SourceKeep, TmpDir: t.TempDir(),
			Fetch: fetch.Options{AllowPrivateNetworks: true, Delay: time.Millisecond, Retries: -1}}
		for range 2 {
			if err := keep.Crawl(ctx, src); err == nil {
				t.Fatal("crawling a broken file succeeded")
			}
		}
		if got, want := broken.ifNoneMatch, []string{"", ""}; !slices.Equal(got, want) {
			t.Errorf("If-None-Match after a failed import %q, want %q", got, want)
		}
		if got, want := runs(t, db, "keep-broken"), []string{"failed 0", "failed 0"}; !slices.Equal(got, want) {
			t.Errorf("crawl runs %q, want %q", got, want)
		}
	})
}
