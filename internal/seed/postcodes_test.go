package seed_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/euhistory/resolve"
	"github.com/fundmatch/fundmatch/internal/imports"
)

// The postcodes column of municipalities.csv is derived from bpost's
// postcode list (README.md names the copy and how it was read). Run
//
//	go test ./internal/seed/ -run TestPostcodesAreBpostsList -update-postcodes
//
// to rewrite the column from testdata/bpost_zipcodes_num_nl_2025_flanders.csv;
// every other byte of the file is kept.
var updatePostcodes = flag.Bool("update-postcodes", false, "rewrite the postcodes column of municipalities.csv from the bpost extract in testdata")

const bpostExtract = "testdata/bpost_zipcodes_num_nl_2025_flanders.csv"

// flemishPostcode reports whether pc is in the ranges bpost gives the
// Flemish provinces: 1500-3999 (Vlaams-Brabant, Antwerpen, Limburg) and
// 8000-9999 (West- and Oost-Vlaanderen).
func flemishPostcode(pc string) bool {
	n, err := strconv.Atoi(pc)
	return err == nil && len(pc) == 4 && (n >= 1500 && n <= 3999 || n >= 8000 && n <= 9999)
}

// municipalityRows reads municipalities.csv as lines and fields, so that it
// can be rewritten without touching the other columns.
func municipalityRows(t *testing.T) ([]string, [][]string) {
	t.Helper()
	b, err := os.ReadFile("municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.Split(l, ",")
		if len(rows[i]) != 10 {
			t.Fatalf("municipalities.csv line %d has %d fields, want 10 (no quoted commas)", i+1, len(rows[i]))
		}
	}
	if rows[0][0] != "nis_code" || rows[0][1] != "name_nl" || rows[0][6] != "postcodes" {
		t.Fatalf("municipalities.csv header = %v", rows[0])
	}
	return lines, rows
}

// bpostPostcodes maps every NIS code of municipalities.csv to the postcodes
// bpost lists under its main municipality (Hoofdgemeente). A main
// municipality named as a former municipality of the 2025 mergers
// (resolve.Mergers2025) counts for the merged one; a name that matches
// neither fails the test. Rows without a province are bpost's
// non-geographic postcodes (Brucargo, VTM, Gent X...) and are left out.
func bpostPostcodes(t *testing.T, rows [][]string) map[string][]string {
	t.Helper()
	nisByName := map[string]string{}
	for _, r := range rows[1:] {
		nisByName[strings.ToUpper(r[1])] = r[0]
	}
	for _, m := range resolve.Mergers2025 {
		for _, n := range m.OldNames {
			if _, current := nisByName[strings.ToUpper(n)]; !current {
				nisByName[strings.ToUpper(n)] = m.NewNIS
			}
		}
	}
	f, err := os.Open(bpostExtract)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Postcode", "Plaatsnaam", "Deelgemeente", "Hoofdgemeente", "Provincie"}; !slices.Equal(recs[0], want) {
		t.Fatalf("%s header = %v, want %v", bpostExtract, recs[0], want)
	}
	flemish := map[string]bool{"ANTWERPEN": true, "VLAAMS-BRABANT": true, "LIMBURG": true, "WEST-VLAANDEREN": true, "OOST-VLAANDEREN": true}
	out := map[string][]string{}
	for i, r := range recs[1:] {
		pc, main, prov := r[0], strings.ToUpper(strings.TrimSpace(r[3])), r[4]
		if prov == "" {
			continue
		}
		if !flemish[prov] {
			t.Errorf("%s line %d: province %q is not Flemish", bpostExtract, i+2, prov)
			continue
		}
		nis, ok := nisByName[main]
		if !ok {
			t.Errorf("%s line %d: main municipality %q is not in municipalities.csv", bpostExtract, i+2, main)
			continue
		}
		if !slices.Contains(out[nis], pc) {
			out[nis] = append(out[nis], pc)
		}
	}
	for nis := range out {
		slices.Sort(out[nis])
	}
	return out
}

func TestPostcodesAreBpostsList(t *testing.T) {
	lines, rows := municipalityRows(t)
	want := bpostPostcodes(t, rows)
	if t.Failed() {
		return
	}
	changed := 0
	for i, r := range rows[1:] {
		cell := strings.Join(want[r[0]], "|")
		if r[6] == cell {
			continue
		}
		changed++
		if *updatePostcodes {
			r[6] = cell
			lines[i+1] = strings.Join(r, ",")
		} else {
			t.Errorf("%s %s: postcodes %q, bpost lists %q", r[0], r[1], r[6], cell)
		}
	}
	if *updatePostcodes && changed > 0 {
		if err := os.WriteFile("municipalities.csv", []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the postcodes of %d municipalities", changed)
	}
}

func TestEveryMunicipalityHasFlemishPostcodes(t *testing.T) {
	b, err := os.ReadFile("municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	ms, _, _, err := imports.ParseMunicipalities("municipalities.csv", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 285 {
		t.Fatalf("%d municipalities, want 285", len(ms))
	}
	owners := map[string][]string{}
	for _, m := range ms {
		if len(m.Postcodes) == 0 {
			t.Errorf("%s %s has no postcode", m.NISCode, m.NameNL)
		}
		for _, pc := range m.Postcodes {
			if !flemishPostcode(pc) {
				t.Errorf("%s %s: postcode %s is outside the Flemish ranges 1500-3999 and 8000-9999", m.NISCode, m.NameNL, pc)
			}
			if slices.Contains(owners[pc], m.NameNL) {
				t.Errorf("%s %s lists postcode %s twice", m.NISCode, m.NameNL, pc)
			}
			owners[pc] = append(owners[pc], m.NameNL)
		}
	}
	// bpost's list of 2025 gives 519 distinct postcodes to the Flemish
	// municipalities (a main municipality and its deelgemeenten often share
	// one), none of them to two municipalities.
	if len(owners) != 519 {
		t.Errorf("%d distinct postcodes, want 519", len(owners))
	}
	for pc, ns := range owners {
		if len(ns) > 1 {
			t.Errorf("postcode %s is listed under %v", pc, ns)
		}
	}
}

func TestCentreCitiesPostcodesAgreeWithCitiesCSV(t *testing.T) {
	f, err := os.Open("cities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	_, rows := municipalityRows(t)
	byNIS := map[string]string{}
	for _, r := range rows[1:] {
		byNIS[r[0]] = r[6]
	}
	centres := 0
	for _, r := range recs[1:] {
		if r[col["kind"]] != "centre_city" {
			continue
		}
		centres++
		nis, pcs := r[col["nis_code"]], r[col["postcodes"]]
		cell, ok := byNIS[nis]
		if !ok {
			t.Errorf("centre city %s (%s) is not in municipalities.csv", r[col["slug"]], nis)
			continue
		}
		if cell != pcs {
			t.Errorf("%s: cities.csv has postcodes %q, municipalities.csv %q", r[col["slug"]], pcs, cell)
		}
	}
	if centres != 13 {
		t.Errorf("%d centre cities in cities.csv, want 13", centres)
	}
}
