package history_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/history"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// newImporter returns an importer on a fresh database holding the seeded
// cities.
func newImporter(t *testing.T) (*history.Importer, *database.DB) {
	t.Helper()
	db := testdb.New(t)
	st := store.New(db)
	if _, err := seed.Run(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	return &history.Importer{Store: st, Now: func() time.Time { return now }}, db
}

func mustImport(t *testing.T, im *history.Importer, src euhistory.Source, path string) history.Stats {
	t.Helper()
	st, err := im.Import(context.Background(), src, path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// members lists "source/source_id city role eu" for every bid member: the
// uptake as stored.
func uptake(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	err := db.Select(&out, `
		SELECT b.source || '/' || b.source_id || ' ' || c.slug || ' ' || m.role || ' ' || coalesce(m.amount_granted::text, '-')
		FROM bids b JOIN bid_members m ON m.bid_id = b.id JOIN cities c ON c.id = m.city_id
		WHERE b.status = 'won' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// projectMembers lists "source/source_id city role" for every project member.
func projectMembers(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	err := db.Select(&out, `
		SELECT p.source || '/' || p.source_id || ' ' || c.slug || ' ' || m.role
		FROM projects p JOIN project_members m ON m.project_id = p.id JOIN cities c ON c.id = m.city_id
		WHERE p.source IN ('cordis', 'kohesio', 'keep') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// xmins is a fingerprint of every history row: xmin changes whenever a row
// is rewritten, and the row count whenever one is added or deleted.
func xmins(t *testing.T, db *database.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"projects", "project_members", "project_partners", "history_participants",
		"collaborations", "bids", "bid_members", "entity_reviews"} {
		var s string
		if err := db.Get(&s, `SELECT count(*)::text || ':' || coalesce(string_agg(xmin::text, ',' ORDER BY xmin::text), '') FROM `+table); err != nil {
			t.Fatal(err)
		}
		out[table] = s
	}
	return out
}

func TestImportCORDIS(t *testing.T) {
	ctx := context.Background()
	im, db := newImporter(t)

	st := mustImport(t, im, euhistory.SourceCORDIS, "testdata/cordis-v1")
	if st.Rows != 20 || st.Matched != 5 || st.Uncertain != 2 || st.Projects != 3 {
		t.Errorf("stats %+v: want 20 rows, 5 matched (three cities in DIVINE, two Antwerp bodies in GeoFit), 2 uncertain, 3 projects", st)
	}

	t.Run("a project with three Flemish cities gives each its share", func(t *testing.T) {
		want := []string{
			"cordis/101060884 antwerpen partner 150000.50",
			"cordis/101060884 gent partner 187500.00",
			"cordis/101060884 leuven partner 99000.25",
			"cordis/792210 antwerpen lead 450000.00",
		}
		if diff := cmp.Diff(want, uptake(t, db)); diff != "" {
			t.Errorf("uptake (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, projectMembersWithAmounts(t, db)); diff != "" {
			t.Errorf("members (-want +got):\n%s", diff)
		}
	})

	t.Run("cities are paired with each other and with foreign partners", func(t *testing.T) {
		cs, err := im.Store.CollaborationsOfCity(ctx, "gent")
		if err != nil {
			t.Fatal(err)
		}
		var pairs []string
		for _, c := range cs {
			pairs = append(pairs, c.PartnerCity+c.PartnerName+" "+c.PartnerCountry)
		}
		want := []string{"antwerpen BE", "leuven BE", "EREVNITIKO PANEPISTIMIAKO INSTITOUTO SYSTIMATON EPIKOINONION KAI YPOLOGISTON GR"}
		if diff := cmp.Diff(want, pairs); diff != "" {
			t.Errorf("collaborations of gent (-want +got):\n%s", diff)
		}
	})

	t.Run("a natural person is stored nowhere", func(t *testing.T) {
		var n int
		if err := db.Get(&n, `SELECT (SELECT count(*) FROM history_participants WHERE name ILIKE '%trey%')
			+ (SELECT count(*) FROM project_partners WHERE name ILIKE '%trey%')
			+ (SELECT count(*) FROM collaborations WHERE partner_name ILIKE '%trey%')`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows name the natural person", n)
		}
	})

	t.Run("uncertain participants are on the review list", func(t *testing.T) {
		rs, err := im.Store.EntityReviews(ctx, store.ReviewPending)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.Key+" -> "+r.Candidate)
		}
		if diff := cmp.Diff([]string{"mechelen -> mechelen", "ville de louvain -> leuven"}, got); diff != "" {
			t.Errorf("review list (-want +got):\n%s", diff)
		}
	})

	t.Run("re-importing the same file changes nothing", func(t *testing.T) {
		before := xmins(t, db)
		st := mustImport(t, im, euhistory.SourceCORDIS, "testdata/cordis-v1")
		if st.Changed != 0 || st.Reviews != 0 {
			t.Errorf("re-import changed %d projects and %d review entries", st.Changed, st.Reviews)
		}
		if diff := cmp.Diff(before, xmins(t, db)); diff != "" {
			t.Errorf("rows rewritten (-before +after):\n%s", diff)
		}
	})

	t.Run("a confirmed match applies at once and on re-import", func(t *testing.T) {
		n, err := im.Decide(ctx, history.Verdict{Key: "Ville de Louvain", City: "leuven", By: "admin@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("confirmation changed %d projects, want 1", n)
		}
		want := "cordis/792210 leuven partner 120000.00"
		if got := uptake(t, db); !contains(got, want) {
			t.Errorf("uptake %q lacks %q", got, want)
		}
		before := xmins(t, db)
		mustImport(t, im, euhistory.SourceCORDIS, "testdata/cordis-v1")
		if diff := cmp.Diff(before, xmins(t, db)); diff != "" {
			t.Errorf("re-import after the verdict rewrote rows (-before +after):\n%s", diff)
		}
		if got := uptake(t, db); !contains(got, want) {
			t.Errorf("after re-import, uptake %q lacks %q", got, want)
		}
	})

	t.Run("a rejected match stays out", func(t *testing.T) {
		if _, err := im.Decide(ctx, history.Verdict{Key: "mechelen", By: "admin@example.org"}); err != nil {
			t.Fatal(err)
		}
		mustImport(t, im, euhistory.SourceCORDIS, "testdata/cordis-v1")
		for _, m := range projectMembers(t, db) {
			if contains([]string{m}, "cordis/633053 mechelen partner") {
				t.Errorf("rejected mechelen is a member: %s", m)
			}
		}
		rs, err := im.Store.EntityReviews(ctx, store.ReviewPending)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 0 {
			t.Errorf("review list still has %d pending entries after both verdicts", len(rs))
		}
	})

	t.Run("a verdict can be reversed, and the stored facts follow", func(t *testing.T) {
		if _, err := im.Decide(ctx, history.Verdict{Key: "ville de louvain", By: "admin@example.org"}); err != nil {
			t.Fatal(err)
		}
		if got := uptake(t, db); contains(got, "cordis/792210 leuven partner 120000.00") {
			t.Errorf("rejected Leuven still has its uptake share: %q", got)
		}
		if _, err := im.Decide(ctx, history.Verdict{Key: "ville de louvain", City: "leuven", By: "admin@example.org"}); err != nil {
			t.Fatal(err)
		}
		if got := uptake(t, db); !contains(got, "cordis/792210 leuven partner 120000.00") {
			t.Errorf("confirmed again, Leuven lacks its uptake share: %q", got)
		}
	})

	t.Run("a newer file updates the amount that changed", func(t *testing.T) {
		st := mustImport(t, im, euhistory.SourceCORDIS, "testdata/cordis-v2")
		if st.Changed != 1 {
			t.Errorf("newer file changed %d projects, want 1", st.Changed)
		}
		if got := uptake(t, db); !contains(got, "cordis/101060884 gent partner 190000.00") {
			t.Errorf("uptake %q lacks Gent's new amount", got)
		}
	})
}

// projectMembersWithAmounts joins project members to their uptake amount,
// proving projects and bids agree.
func projectMembersWithAmounts(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	err := db.Select(&out, `
		SELECT p.source || '/' || p.source_id || ' ' || c.slug || ' ' || m.role || ' ' || coalesce(bm.amount_granted::text, '-')
		FROM projects p JOIN project_members m ON m.project_id = p.id JOIN cities c ON c.id = m.city_id
		LEFT JOIN bids b ON b.project_id = p.id LEFT JOIN bid_members bm ON bm.bid_id = b.id AND bm.city_id = m.city_id
		WHERE p.source = 'cordis' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestImportKohesioAndKeep(t *testing.T) {
	im, db := newImporter(t)
	kohesio := "../../euhistory/kohesio/testdata/BE-pp21-27-excerpt.csv"
	keep := "../../euhistory/keepeu/testdata/projects.json"

	st := mustImport(t, im, euhistory.SourceKohesio, kohesio)
	if st.Rows != 6 || st.Matched != 2 || st.Projects != 2 {
		t.Errorf("kohesio stats %+v: want 6 rows (two natural persons), 2 matched, 2 projects", st)
	}
	st = mustImport(t, im, euhistory.SourceKeep, keep)
	if st.Rows != 7 || st.Matched != 3 || st.Projects != 2 {
		t.Errorf("keep stats %+v: want 7 partner rows, 3 matched, 2 projects", st)
	}
	want := []string{
		"keep/21134 gent lead 674291.40",
		"keep/21134 mechelen partner 494291.40",
		"keep/7450 brugge partner 200000.00",
		"kohesio/https://linkedopendata.eu/entity/Q9000001 gent lead 337478.40",
		"kohesio/https://linkedopendata.eu/entity/Q9000005 kortrijk lead 240000.00",
	}
	if diff := cmp.Diff(want, uptake(t, db)); diff != "" {
		t.Errorf("uptake (-want +got):\n%s", diff)
	}

	t.Run("an officer's bid for an imported project is not counted twice", func(t *testing.T) {
		_, err := db.Exec(`
			WITH b AS (
				INSERT INTO bids (project_id, programme, title, year, status, amount_granted, source)
				SELECT id, 'Interreg North-West Europe', 'SCALE-UP PED, as the officer entered it', 2023, 'won', 700000, 'officer'
				FROM projects WHERE source = 'keep' AND source_id = '21134' RETURNING id)
			INSERT INTO bid_members (bid_id, city_id, role, amount_granted)
			SELECT b.id, c.id, 'lead', 700000 FROM b, cities c WHERE c.slug = 'gent'`)
		if err != nil {
			t.Fatal(err)
		}
		// The uptake the government pages and API show.
		ts, err := im.Store.Uptake(context.Background(), store.UptakeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var gent []string
		for _, u := range ts {
			if u.City == "gent" {
				gent = append(gent, fmt.Sprintf("%s %d: %d projects, %.2f", u.Programme, u.Year, u.Won, u.Granted))
			}
		}
		want := []string{"ERDF 2023: 1 projects, 337478.40", "Interreg North-West Europe 2023: 1 projects, 674291.40"}
		if diff := cmp.Diff(want, gent); diff != "" {
			t.Errorf("uptake of gent (-want +got):\n%s", diff)
		}
	})

	t.Run("natural persons are stored nowhere", func(t *testing.T) {
		var names []string
		if err := db.Select(&names, `SELECT name FROM history_participants WHERE name IN ('Jan Peeters', 'Natural person', 'Hans Jensen')
			UNION ALL SELECT name FROM project_partners WHERE name IN ('Jan Peeters', 'Natural person', 'Hans Jensen')`); err != nil {
			t.Fatal(err)
		}
		if len(names) != 0 {
			t.Errorf("stored natural persons %q", names)
		}
	})

	t.Run("keep.eu collaborations include foreign partners", func(t *testing.T) {
		cs, err := im.Store.CollaborationsOfCity(context.Background(), "gent")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.PartnerCity+c.PartnerName+" "+c.PartnerCountry)
		}
		want := []string{"mechelen BE", "Energie Kollektiv GmbH DE", "Gemeente Eindhoven NL"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("collaborations of gent (-want +got):\n%s", diff)
		}
	})

	t.Run("re-importing both files changes nothing", func(t *testing.T) {
		before := xmins(t, db)
		mustImport(t, im, euhistory.SourceKohesio, kohesio)
		mustImport(t, im, euhistory.SourceKeep, keep)
		if diff := cmp.Diff(before, xmins(t, db)); diff != "" {
			t.Errorf("rows rewritten (-before +after):\n%s", diff)
		}
	})

	t.Run("a failed import leaves earlier data intact", func(t *testing.T) {
		before := xmins(t, db)
		if _, err := im.Import(context.Background(), euhistory.SourceKeep, "testdata/broken.json"); err == nil {
			t.Fatal("importing a broken file succeeded")
		}
		if diff := cmp.Diff(before, xmins(t, db)); diff != "" {
			t.Errorf("a failed import changed rows (-before +after):\n%s", diff)
		}
	})
}

// keepExport writes a keep.eu XLSX export (search, projects and partners
// sheets) of project 21134 of the keep.eu JSON fixture.
func keepExport(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Search")
	for _, s := range []string{"Projects", "Partners"} {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	rows := map[string][][]any{
		"Search":   {{"keep.eu search export"}},
		"Projects": {{"ID", "Acronym", "Name", "Programme", "Period", "Start date", "End date", "Total budget", "EU funding"}, {"21134", "SCALE-UP PED", "Scaling up positive energy districts in North-West European cities", "Interreg North-West Europe", "2021-2027", "01/09/2023", "2026-08-31", "4861220.00", "2916732.00"}},
		"Partners": {
			{"project_keep_id", "name", "type", "country_code", "town", "postcode", "pic", "total_budget", "co_financing_eur"},
			{"21134", "Stad Gent", "lead partner", "BE", "Gent", "9000", "999851238", "1123819.00", "674291.40"},
			{"21134", "Stad Mechelen", "partner", "BE", "Mechelen", "2800", "", "823819.00", "494291.40"},
			{"21134", "Gemeente Eindhoven", "partner", "NL", "Eindhoven", "5611 EM", "", "623819.00", "374291.40"},
		},
	}
	for sheet, rs := range rows {
		for i, r := range rs {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	name := filepath.Join(t.TempDir(), "keep-export.xlsx")
	if err := f.SaveAs(name); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestImportKeepXLSX(t *testing.T) {
	im, db := newImporter(t)
	st := mustImport(t, im, euhistory.SourceKeep, keepExport(t))
	if st.Rows != 3 || st.Matched != 2 || st.Projects != 1 {
		t.Errorf("stats %+v: want 3 partner rows, 2 matched, 1 project", st)
	}
	want := []string{"keep/21134 gent lead 674291.40", "keep/21134 mechelen partner 494291.40"}
	if diff := cmp.Diff(want, uptake(t, db)); diff != "" {
		t.Errorf("uptake (-want +got):\n%s", diff)
	}
}

func TestImportKohesioCreditsTheOperationBudgetOnce(t *testing.T) {
	im, db := newImporter(t)
	// One operation, two Flemish beneficiaries, the operation's EU budget
	// repeated on both rows (as Kohesio exports it); Mechelen comes first.
	mustImport(t, im, euhistory.SourceKohesio, "testdata/kohesio-two-beneficiaries.csv")
	want := []string{
		"kohesio/https://linkedopendata.eu/entity/Q9000001 gent lead -",
		"kohesio/https://linkedopendata.eu/entity/Q9000001 mechelen partner 337478.40",
	}
	if diff := cmp.Diff(want, uptake(t, db)); diff != "" {
		t.Errorf("uptake (-want +got):\n%s", diff)
	}
}

func TestImportKohesioCreditsAFormerMunicipalityToTheMergedOne(t *testing.T) {
	im, db := newImporter(t)
	// A 2014-2020 operation of Kruibeke, which merged into
	// Beveren-Kruibeke-Zwijndrecht on 1 January 2025 (old LAU code 46013).
	st := mustImport(t, im, euhistory.SourceKohesio, "testdata/kohesio-former-municipality.csv")
	want := []string{"kohesio/https://linkedopendata.eu/entity/Q9000201 beveren-kruibeke-zwijndrecht lead"}
	if diff := cmp.Diff(want, projectMembers(t, db)); diff != "" {
		t.Errorf("project members (-want +got):\n%s\nstats %+v", diff, st)
	}
}
