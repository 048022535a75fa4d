package web_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// TestOpenCallsJSONComesInCachedPages: the JSON has pages of a bounded
// size with Link headers, an ETag that answers 304, and refuses a page size
// beyond the bound or a page number that would overflow.
func TestOpenCallsJSONComesInCachedPages(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.settle(t)
	type doc struct {
		Count int
		Data  []web.OpenCall
		Meta  struct {
			Page    int
			PerPage int  `json:"per_page"`
			HasNext bool `json:"has_next"`
		}
	}
	read := func(path string, header ...string) (int, http.Header, doc) {
		code, hdr, body := do(t, "GET", s.URL+path, nil, "", nil, header...)
		var d doc
		if code == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		return code, hdr, d
	}
	code, hdr, first := read("/open/calls.json?per_page=2")
	if code != http.StatusOK || first.Count != 2 || !first.Meta.HasNext || !strings.Contains(hdr.Get("Link"), `page=2&per_page=2>; rel="next"`) {
		t.Fatalf("first page = %d, %+v, Link %q", code, first, hdr.Get("Link"))
	}
	if hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("open data lacks CORS")
	}
	_, _, second := read("/open/calls.json?page=2&per_page=2")
	if second.Count != 1 || second.Meta.HasNext || second.Data[0].Identifier == first.Data[0].Identifier || second.Data[0].Identifier == first.Data[1].Identifier {
		t.Fatalf("second page = %+v", second)
	}
	etag := hdr.Get("ETag")
	if code, _, _ := read("/open/calls.json?per_page=2", "If-None-Match", etag); etag == "" || code != http.StatusNotModified {
		t.Errorf("same page with If-None-Match %q = %d, want 304", etag, code)
	}
	if _, _, all := read("/open/calls.json"); all.Count != 3 || all.Meta.PerPage != 100 {
		t.Errorf("default page = %+v, want the 3 calls of a page of 100", all.Meta)
	}
	for _, bad := range []string{"?per_page=501", "?per_page=0", "?page=0", "?page=9223372036854775807", "?page=x", "?page=100001"} {
		code, _, body := do(t, "GET", s.URL+"/open/calls.json"+bad, nil, "", nil)
		if code != http.StatusBadRequest || !strings.Contains(body, `"field"`) {
			t.Errorf("%s = %d %s, want 400 naming the field", bad, code, body)
		}
	}
}

// TestOpenDataStreamsEveryCallAcrossChunks: the CSV and Atom exports are
// read from the database in chunks, and still hold every call.
func TestOpenDataStreamsEveryCallAcrossChunks(t *testing.T) {
	s := newSite(t, web.Config{})
	if _, err := s.db.Exec(`INSERT INTO crawl_sources (name, kind, title) VALUES ('ftportal', 'ftportal', 'Portal') ON CONFLICT DO NOTHING;
		INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, content_hash)
		SELECT 'ftportal', 'CALL-' || n, 'topic', 'HORIZON', 'Call ' || n, 'open', ARRAY[brussels_today() + 10 + n % 50]::date[], 'h' || n
		FROM generate_series(1, 1201) n`); err != nil {
		t.Fatal(err)
	}
	code, _, body := do(t, "GET", s.URL+"/open/calls.csv", nil, "", nil)
	if lines := strings.Count(body, "\n"); code != http.StatusOK || lines != 1201+2 || !strings.Contains(body, "# Compilation") {
		t.Fatalf("calls.csv = %d with %d lines", code, lines)
	}
	code, _, body = do(t, "GET", s.URL+"/open/calls.atom", nil, "", nil)
	var feed struct {
		XMLName xml.Name
		Rights  string `xml:"rights"`
		Entries []struct {
			ID string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &feed); err != nil || code != http.StatusOK || len(feed.Entries) != 1201 ||
		feed.XMLName.Space != "http://www.w3.org/2005/Atom" || !strings.Contains(feed.Rights, "CC BY 4.0") {
		t.Fatalf("calls.atom = %d, %d entries, %v, %v", code, len(feed.Entries), feed.XMLName, err)
	}
	seen := map[string]bool{}
	for _, e := range feed.Entries {
		seen[e.ID] = true
	}
	if len(seen) != 1201 {
		t.Errorf("%d distinct entries, want 1201", len(seen))
	}
}

// TestOpenDataIsRateLimitedPerClient: past its burst a client gets 429
// with Retry-After, on every export.
func TestOpenDataIsRateLimitedPerClient(t *testing.T) {
	s := newSite(t, web.Config{OpenDataBurst: 3, OpenDataRate: 0.001})
	for i := range 3 {
		if code, _, _ := do(t, "GET", s.URL+"/open/calls.json", nil, "", nil); code != http.StatusOK {
			t.Fatalf("request %d = %d, want 200 within the burst", i+1, code)
		}
	}
	for _, path := range []string{"/open/calls.json", "/open/calls.csv", "/open/calls.atom"} {
		code, hdr, _ := do(t, "GET", s.URL+path, nil, "", nil)
		if code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || hdr.Get("Retry-After") == "0" {
			t.Errorf("%s past the burst = %d, Retry-After %q; want 429 with a wait", path, code, hdr.Get("Retry-After"))
		}
	}
	if code, _, _ := do(t, "GET", s.URL+"/open", nil, "", nil); code != http.StatusOK {
		t.Errorf("the open data page itself = %d, want 200", code)
	}
}
