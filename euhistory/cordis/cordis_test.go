package cordis

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestReadParticipationsNormalisesTheQuirks(t *testing.T) {
	f, err := os.Open("testdata/csv/organization.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byKey := map[string]Participation{}
	n := 0
	err = ReadParticipations(f, func(pt Participation) error {
		n++
		byKey[pt.ProjectID+"/"+pt.PIC] = pt
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 18 {
		t.Errorf("read %d rows, want 18", n)
	}
	amount := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	tests := []struct {
		name      string
		key       string
		country   string
		ec, total any
	}{
		{"EL becomes GR and both decimal separators parse in one row", "633053/999643007", "GR", 0.0, 960619.95},
		{"UK becomes GB", "632927/999905974", "GB", 230000.0, 230000.0},
		{"associated partner has no EU contribution", "690850/997352934", "HK", nil, 81000.0},
		{"comma decimal in a Flemish row", "101060884/998327601", "BE", 150000.5, 150000.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, ok := byKey[tt.key]
			if !ok {
				t.Fatalf("no row %s", tt.key)
			}
			if pt.Country != tt.country || amount(pt.ECContribution) != tt.ec || amount(pt.TotalCost) != tt.total {
				t.Errorf("got country %s ec %v total %v, want %s %v %v", pt.Country, amount(pt.ECContribution), amount(pt.TotalCost), tt.country, tt.ec, tt.total)
			}
		})
	}
	if got := byKey["633053/999643007"].NetECContribution; got == nil || *got != 528340.97 {
		t.Errorf("netEcContribution = %v, want 528340.97", got)
	}
}

func TestReadProjectsSurvivesDoubledQuotesAndLineBreaks(t *testing.T) {
	f, err := os.Open("testdata/csv/project.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]Project{}
	if err := ReadProjects(f, func(p Project) error { got[p.ID] = p; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("read %d projects, want 4", len(got))
	}
	he := got["101060884"]
	if !strings.Contains(he.Objective, `The action "DIVINE" works`) {
		t.Errorf("objective = %q", he.Objective)
	}
	if he.FrameworkProgramme != "HORIZON" || he.FundingScheme != "HORIZON-IA" || he.Topics != "HORIZON-CL5-2021-D2-01-11" {
		t.Errorf("columns after the broken objective shifted: %+v", he)
	}
	if he.TotalCost == nil || *he.TotalCost != 6998410.5 || he.Start == nil || he.Start.Format("2006-01-02") != "2022-10-01" {
		t.Errorf("totalCost %v start %v", he.TotalCost, he.Start)
	}
	if o := got["633053"].Objective; !strings.Contains(o, "\nover several years, with \"joint\"") {
		t.Errorf("multi-line objective = %q", o)
	}
	if got["314056"].FrameworkProgramme != "FP7" {
		t.Errorf("FP7 project: %+v", got["314056"])
	}
}

// zipOf builds a zip holding the named testdata files (under a folder, as
// some dumps do) plus extra empty members.
func zipOf(t *testing.T, files []string, extra ...string) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata/csv", name))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create("cordis-h2020projects-csv/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	for _, name := range extra {
		if _, err := zw.Create(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func TestOpenZipFailsNamingTheMissingMember(t *testing.T) {
	tests := []struct {
		name    string
		zip     *bytes.Reader
		missing string
	}{
		{"no organization.csv", zipOf(t, []string{"project.csv"}, "euroSciVoc.csv"), "organization.csv"},
		{"JSON layout of 2026", zipOf(t, nil, "project-rcn-243101_en.json", "organization.json"), "project.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenZip(tt.zip, tt.zip.Size())
			if err == nil || !strings.Contains(err.Error(), "no "+tt.missing) {
				t.Fatalf("err = %v, want one naming %s", err, tt.missing)
			}
		})
	}
	if _, err := OpenDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no project.csv") {
		t.Errorf("empty directory: err = %v", err)
	}
}

func mustResolver(t testing.TB) *resolve.Resolver {
	t.Helper()
	f, err := os.Open("../resolve/testdata/municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := resolve.ReadMunicipalities(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolve.New(ms, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// importFacts runs the whole CORDIS path: select projects with a certain
// Flemish city, resolve every participant, derive the facts.
func importFacts(t *testing.T, a *Archive, r *resolve.Resolver) []euhistory.Facts {
	t.Helper()
	city := func(pt Participation) string {
		if res := r.Resolve(pt.Party()); res.Decision == resolve.Certain {
			return res.Slug
		}
		return ""
	}
	var out []euhistory.Facts
	err := a.Collect(func(pt Participation) bool { return city(pt) != "" }, func(p Project, pts []Participation) error {
		partners := make([]euhistory.Partner, len(pts))
		for i, pt := range pts {
			partners[i] = pt.Partner(city(pt))
		}
		out = append(out, euhistory.Derive(p.History(), partners))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportFromZipAndDirectoryGivesTheGoldenFacts(t *testing.T) {
	r := mustResolver(t)
	z := zipOf(t, []string{"project.csv", "organization.csv"}, "webLink.csv")
	fromZip, err := OpenZip(z, z.Size())
	if err != nil {
		t.Fatal(err)
	}
	fromDir, err := Open("testdata/csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fromDir.Close()

	got, err := json.MarshalIndent(importFacts(t, fromZip, r), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/facts.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("facts differ from %s (run with -update to accept):\n%s", golden, got)
	}
	again, err := json.Marshal(importFacts(t, fromDir, r))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := json.Marshal(importFacts(t, fromZip, r))
	if !bytes.Equal(first, again) {
		t.Error("re-importing the same dump from a directory gave different facts")
	}
}

func TestThreeFlemishCitiesInOneProject(t *testing.T) {
	a, err := Open("testdata/csv")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var divine euhistory.Facts
	for _, f := range importFacts(t, a, mustResolver(t)) {
		if len(f.Uptake) > 0 && f.Uptake[0].SourceID == "101060884" {
			divine = f
		}
	}
	var cities []string
	for _, u := range divine.Uptake {
		cities = append(cities, u.City)
	}
	if strings.Join(cities, ",") != "antwerpen,gent,leuven" {
		t.Fatalf("cities = %v, want antwerpen, gent, leuven (and not Universiteit Gent)", cities)
	}
	pairs, foreign := 0, 0
	keys := map[string]bool{}
	for _, c := range divine.Collaborations {
		k := c.City + "|" + c.PartnerCity + "|" + c.PartnerID + "|" + c.PartnerName
		if keys[k] {
			t.Errorf("collaboration %s twice", k)
		}
		keys[k] = true
		if c.PartnerCity != "" {
			pairs++
		} else if c.PartnerCountry == "GR" {
			foreign++
		}
	}
	if pairs != 6 || foreign != 3 {
		t.Errorf("%d city-city pairs and %d pairs with the Greek coordinator, want 6 and 3", pairs, foreign)
	}
}

func TestCollectKeepsProjectsWithoutACoordinator(t *testing.T) {
	a, err := Open("testdata/csv")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	roles := map[string][]string{}
	err = a.Collect(func(pt Participation) bool { return pt.Country == "BE" }, func(p Project, pts []Participation) error {
		for _, pt := range pts {
			roles[p.ID] = append(roles[p.ID], pt.Role)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(roles["633053"], ","); got != "thirdParty,thirdParty" {
		t.Errorf("EUROfusion roles = %q, want two thirdParty rows and no coordinator", got)
	}
	if len(roles) != 3 {
		t.Errorf("collected %d projects with a Belgian participant, want 3", len(roles))
	}
}

func TestNewerDumpChangesOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"project.csv", "organization.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata/csv", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "organization.csv" {
			// CORDIS corrected Stad Leuven's contribution in the newer dump.
			b = bytes.Replace(b, []byte(`"participant";"99000.25"`), []byte(`"participant";"120000"`), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := mustResolver(t)
	oldDump, err := Open("testdata/csv")
	if err != nil {
		t.Fatal(err)
	}
	defer oldDump.Close()
	newDump, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer newDump.Close()
	uptake := func(fs []euhistory.Facts) map[string]float64 {
		m := map[string]float64{}
		for _, f := range fs {
			for _, u := range f.Uptake {
				m[string(u.Source)+"/"+u.SourceID+"/"+u.City] = *u.EUContribution
			}
		}
		return m
	}
	before, after := uptake(importFacts(t, oldDump, r)), uptake(importFacts(t, newDump, r))
	if len(before) != len(after) {
		t.Fatalf("keys changed: %v -> %v", before, after)
	}
	for k, v := range before {
		want := v
		if k == "cordis/101060884/leuven" {
			want = 120000
		}
		if after[k] != want {
			t.Errorf("%s: %v -> %v, want %v", k, v, after[k], want)
		}
	}
}

func TestOpenReadsAZipFileFromDisk(t *testing.T) {
	z := zipOf(t, []string{"project.csv", "organization.csv"})
	name := filepath.Join(t.TempDir(), "cordis-HORIZONprojects-csv.zip")
	b := make([]byte, z.Size())
	if _, err := z.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	projects, participations := 0, 0
	if err := a.Projects(func(Project) error { projects++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := a.Participations(func(Participation) error { participations++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if projects != 4 || participations != 18 {
		t.Errorf("read %d projects and %d participations, want 4 and 18", projects, participations)
	}
}
