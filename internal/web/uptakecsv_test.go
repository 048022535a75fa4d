package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// TestUptakeCSVOpensInDutchExcel: the default export is what Excel set to
// Dutch (Belgium) reads as columns and numbers (a byte order mark, ";",
// decimal comma), cells still cannot be formulas, and ?format=comma gives
// the plain comma-and-point file.
func TestUptakeCSVOpensInDutchExcel(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.db.MustExec(`INSERT INTO bids (programme, title, year, status, amount_requested, source, source_id)
		VALUES ('=HYPERLINK("http://evil")', 'Formula', 2025, 'submitted', 1234.5, 'keep', 'k2')`)
	s.db.MustExec(`INSERT INTO bid_members (bid_id, city_id, role) SELECT b.id, ct.id, 'lead' FROM bids b, cities ct
		WHERE b.source_id = 'k2' AND ct.slug = 'gent'`)
	gov := s.session(t, s.addUser(t, "g@vlaanderen.be", "government"))
	read := func(t *testing.T, query string, comma rune, bom bool) map[string][]string {
		t.Helper()
		code, hdr, body := do(t, "GET", s.URL+"/uptake.csv"+query, gov, "", nil)
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET /uptake.csv%s = %d %s", query, code, hdr.Get("Content-Type"))
		}
		if strings.HasPrefix(body, "\uFEFF") != bom {
			t.Fatalf("GET /uptake.csv%s starts with %q, want a byte order mark: %v", query, body[:min(len(body), 8)], bom)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
		cr.Comma = comma
		records, err := cr.ReadAll()
		if err != nil || len(records) < 2 || len(records[0]) != 10 {
			t.Fatalf("GET /uptake.csv%s does not read as 10 columns split by %q: %v\n%s", query, comma, err, body)
		}
		rows := map[string][]string{} // by programme
		for _, r := range records[1:] {
			rows[r[2]] = r
		}
		return rows
	}
	t.Run("DutchExcelByDefault", func(t *testing.T) {
		rows := read(t, "", ';', true)
		if r := rows["HORIZON"]; r == nil || r[0] != "gent" || r[3] != "2024" || r[8] != "900000,00" || r[9] != "750000,00" {
			t.Fatalf("the HORIZON row = %q, want gent 2024 with 900000,00 asked and 750000,00 won", r)
		}
		if r := rows[`'=HYPERLINK("http://evil")`]; r == nil || r[8] != "1234,50" {
			t.Fatalf("the formula programme is not neutralised, or its amount is not 1234,50: %q", rows)
		}
	})
	t.Run("CommaOnRequest", func(t *testing.T) {
		rows := read(t, "?format=comma", ',', false)
		if r := rows["HORIZON"]; r == nil || r[8] != "900000.00" || r[9] != "750000.00" {
			t.Fatalf("the HORIZON row = %q, want 900000.00 and 750000.00", r)
		}
	})
	t.Run("UnknownFormatIsRefused", func(t *testing.T) {
		if code, _, body := do(t, "GET", s.URL+"/uptake.csv?format=xls", gov, "", nil); code != http.StatusBadRequest || !strings.Contains(body, "excel") {
			t.Fatalf("format=xls = %d, want 400 naming the formats: %.300s", code, body)
		}
	})
}
