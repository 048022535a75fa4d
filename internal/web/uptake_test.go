package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
)

// uptakeSection is the part of the uptake page under the heading with id.
func uptakeSection(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("the uptake page has no section %s", id)
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestUptakeFiltersApplyToThePageTheChartsAndTheCSV: year, programme,
// province and kind narrow the table, the charts and the export alike,
// and a wrong filter is refused naming its field.
func TestUptakeFiltersApplyToThePageTheChartsAndTheCSV(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t) // Gent won HORIZON 2024; Leuven lost INTERREG 2025
	gov := s.session(t, s.addUser(t, "g@vlaanderen.be", "government"))
	tests := []struct {
		query      string
		want, lack []string // city names on the page and in the CSV
	}{
		{"", []string{"Gent", "Leuven"}, nil},
		{"?year=2024", []string{"Gent"}, []string{"Leuven"}},
		{"?programme=interreg", []string{"Leuven"}, []string{"Gent"}},
		{"?province=Vlaams-Brabant", []string{"Leuven"}, []string{"Gent"}},
		{"?kind=municipality", nil, []string{"Gent", "Leuven"}},
		{"?year=2025&province=Oost-Vlaanderen", nil, []string{"Gent", "Leuven"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, _, body := do(t, "GET", s.URL+"/uptake"+tt.query, gov, "", nil)
			if code != http.StatusOK {
				t.Fatalf("GET /uptake%s = %d", tt.query, code)
			}
			table := body[strings.Index(body, "<table>"):]
			chart := uptakeSection(t, body, "money-h")
			_, _, file := do(t, "GET", s.URL+"/uptake.csv"+tt.query, gov, "", nil)
			cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(file, "\uFEFF")))
			cr.Comma = ';'
			records, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			inCSV := map[string]bool{}
			for _, r := range records[1:] {
				inCSV[r[1]] = true
			}
			for _, name := range tt.want {
				if !strings.Contains(table, ">"+name+"<") || !strings.Contains(chart, ">"+name+"<") || !inCSV[name] {
					t.Errorf("%s is missing from the table, the chart or the CSV", name)
				}
			}
			for _, name := range tt.lack {
				if strings.Contains(table, ">"+name+"<") || strings.Contains(chart, ">"+name+"<") || inCSV[name] {
					t.Errorf("%s is in the table, the chart or the CSV, outside the filter", name)
				}
			}
			// The page's link to the CSV carries the filters.
			if q := strings.TrimPrefix(tt.query, "?"); q != "" && !strings.Contains(body, `href="/uptake.csv?`) {
				t.Errorf("the CSV link does not carry the filters %s", q)
			}
		})
	}
	for _, bad := range []struct{ query, field string }{{"?year=twee", "year"}, {"?year=1800", "year"}, {"?kind=village", "kind"}} {
		for _, path := range []string{"/uptake", "/uptake.csv", "/api/v1/uptake"} {
			if code, _, body := do(t, "GET", s.URL+path+bad.query, gov, "", nil); code != http.StatusBadRequest || !strings.Contains(body, bad.field) {
				t.Errorf("GET %s%s = %d, want 400 naming %s", path, bad.query, code, bad.field)
			}
		}
	}
}

// TestUptakeFrontRunnersAndNeedHelpComeFromTheFigures: the front-runners
// are the cities that bid, most EU money per inhabitant first; those that
// need help have calls that fit well but no recent bid or project; both
// say how they were chosen.
func TestUptakeFrontRunnersAndNeedHelpComeFromTheFigures(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	year := time.Now().Year()
	// Aalst: a strong match and a bid long ago: it needs help. Mechelen: a
	// strong match and a bid this year: it does not. Gent won (fixture).
	s.db.MustExec(`UPDATE matches SET score = 90 WHERE city_id = (SELECT id FROM cities WHERE slug = 'aalst')`)
	s.db.MustExec(`INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash, deadlines)
		SELECT c.id, ct.id, 85, 'eligible', '[]', '{}', 'test', 'x', c.deadlines FROM calls c, cities ct
		WHERE c.identifier = 'DIGITAL-2027-EDIH-02' AND ct.slug = 'mechelen'`)
	s.db.MustExec(`INSERT INTO bids (programme, title, year, status, amount_requested, source, source_id) VALUES
		('LIFE', 'Old', $1, 'lost', 10000, 'keep', 'old'), ('DIGITAL', 'New', $2, 'submitted', 20000, 'keep', 'new')`, year-5, year)
	s.db.MustExec(`INSERT INTO bid_members (bid_id, city_id, role) SELECT b.id, ct.id, 'lead' FROM bids b, cities ct
		WHERE (b.source_id = 'old' AND ct.slug = 'aalst') OR (b.source_id = 'new' AND ct.slug = 'mechelen')`)
	gov := s.session(t, s.addUser(t, "g@vlaanderen.be", "government"))
	_, _, body := do(t, "GET", s.URL+"/uptake", gov, "", nil)
	front := uptakeSection(t, body, "front-h")
	help := uptakeSection(t, body, "help-h")
	if !strings.Contains(front, "per inwoner") || !strings.Contains(help, "score 80 of meer") {
		t.Error("the page does not say how front-runners and municipalities that need help are chosen")
	}
	// Gent won money; the others only bid: Gent first, then by bids.
	gent, aalst, leuven := strings.Index(front, ">Gent<"), strings.Index(front, ">Aalst<"), strings.Index(front, ">Leuven<")
	if gent < 0 || aalst < 0 || leuven < 0 || gent > aalst || gent > leuven {
		t.Errorf("front-runners: Gent %d, Aalst %d, Leuven %d, want Gent first and all three listed:\n%s", gent, aalst, leuven, front)
	}
	if strings.Contains(front, ">Brugge<") {
		t.Error("a city without a bid is a front-runner")
	}
	if !strings.Contains(help, ">Aalst<") || !strings.Contains(help, "1 sterk passende oproepen") {
		t.Errorf("Aalst (a strong match, its last bid five years ago) does not need help:\n%s", help)
	}
	for _, name := range []string{"Mechelen", "Gent", "Leuven", "Brugge"} {
		if strings.Contains(help, ">"+name+"<") {
			t.Errorf("%s needs help, though it bid recently or has no strong match", name)
		}
	}
	// A year filter narrows the figures, not what counts as recent.
	_, _, body = do(t, "GET", s.URL+"/uptake?year=2020", gov, "", nil)
	if help := uptakeSection(t, body, "help-h"); strings.Contains(help, ">Mechelen<") || !strings.Contains(help, ">Aalst<") {
		t.Errorf("filtered to 2020, who needs help changed:\n%s", help)
	}
	// Filtered to a province without Aalst, nobody needs help.
	_, _, body = do(t, "GET", s.URL+"/uptake?province=Limburg", gov, "", nil)
	if help := uptakeSection(t, body, "help-h"); strings.Contains(help, ">Aalst<") {
		t.Error("the province filter does not narrow who needs help")
	}
}

// TestUptakeADeclinedMemberDoesNotCountAsPlanned: a city that declines an
// accepted plan no longer counts as planning its bid; its lead still does.
func TestUptakeADeclinedMemberDoesNotCountAsPlanned(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	ctx := context.Background()
	var plan int64
	if err := s.db.Get(&plan, `SELECT id FROM consortium_plans WHERE rank = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.AcceptPlan(ctx, plan, "", nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	planned := func() map[string]int {
		rows, err := s.st.Uptake(ctx, store.UptakeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, r := range rows {
			out[r.City] += r.Planned
		}
		return out
	}
	if p := planned(); p["gent"] != 1 || p["aalst"] != 1 {
		t.Fatalf("after accepting, planned = %v, want gent and aalst", p)
	}
	if err := s.st.RespondToPlan(ctx, plan, "aalst", "declined", time.Now()); err != nil {
		t.Fatal(err)
	}
	if p := planned(); p["gent"] != 1 || p["aalst"] != 0 {
		t.Fatalf("after Aalst declined, planned = %v, want gent only", p)
	}
}
