package keepeu

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

func decodeFile(t testing.TB, name string) []Project {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []Project
	if err := DecodeJSON(f, func(p Project) error { ps = append(ps, p); return nil }); err != nil {
		t.Fatal(err)
	}
	return ps
}

// summary is what a test compares: the fields both the JSON and the XLSX
// carry.
func summary(ps []Project) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s %s %q %s %s %v %v\n", p.ID, p.Acronym, p.Name, p.Programme, p.Start.Format("2006-01-02"), *p.TotalBudget, *p.EUFunding)
		for _, pt := range p.Partners {
			fmt.Fprintf(&b, "  lead=%v %q %s %s %s %v\n", pt.Lead, pt.Name, pt.Country, pt.Postcode, pt.PIC, *pt.EUContribution)
		}
	}
	return b.String()
}

func TestDecodeJSONArrayAndStreamAgree(t *testing.T) {
	array := decodeFile(t, "testdata/projects.json")
	stream := decodeFile(t, "testdata/projects-stream.json")
	if len(array) != 2 {
		t.Fatalf("decoded %d projects, want 2", len(array))
	}
	if a, s := summary(array), summary(stream); a != s {
		t.Errorf("array and stream differ:\n%s\n%s", a, s)
	}
	p := array[0]
	if p.ID != "21134" || p.Programme != "Interreg North-West Europe" || p.Period != "2021-2027" || *p.EUFunding != 2916732 {
		t.Errorf("project %+v", p)
	}
	gent := p.Partners[0]
	if !gent.Lead || gent.Country != "BE" || gent.NameEnglish != "City of Ghent" || *gent.TotalBudget != 1123819 || gent.BeneficiaryID != "0207451227" {
		t.Errorf("lead partner %+v", gent)
	}
	if got := array[1].Partners[0].Country; got != "DK" {
		t.Errorf("country %q", got)
	}
}

func TestDecodeJSONRejectsBrokenInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":           "  ",
		"truncated":       `[{"id": 1, "acronym": "X"`,
		"bad amount":      `{"id": 1, "total_budget": "lots"}`,
		"bad start date":  `{"id": 1, "start_date": "soon"}`,
		"search response": `{"count": 32702, "total_pages": 5451, "results": [{"id": 1}]}`,
		"two arrays":      `[{"id": 1}] [{"id": 2}]`, // the second was dropped without a word
	} {
		t.Run(name, func(t *testing.T) {
			if err := DecodeJSON(strings.NewReader(in), func(Project) error { return nil }); err == nil {
				t.Error("no error")
			}
		})
	}
}

func mustResolver(t *testing.T) *resolve.Resolver {
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

func TestPartnersBecomeCollaborations(t *testing.T) {
	r := mustResolver(t)
	var facts []euhistory.Facts
	for _, p := range decodeFile(t, "testdata/projects.json") {
		partners := make([]euhistory.Partner, len(p.Partners))
		for i, pt := range p.Partners {
			city := ""
			if res := r.Resolve(pt.Party()); res.Decision == resolve.Certain {
				city = res.Slug
			}
			partners[i] = pt.Partner(city)
		}
		facts = append(facts, euhistory.Derive(p.History(), partners))
	}
	var got []string
	for _, f := range facts {
		for _, u := range f.Uptake {
			got = append(got, fmt.Sprintf("uptake %s %s %s %d %v", u.City, u.SourceID, u.Role, u.Year, *u.EUContribution))
		}
		for _, c := range f.Collaborations {
			got = append(got, fmt.Sprintf("pair %s %s%s %s", c.City, c.PartnerCity, c.PartnerName, c.PartnerCountry))
		}
	}
	want := []string{
		"uptake gent 21134 lead 2023 674291.4",
		"uptake mechelen 21134 partner 2023 494291.4",
		"pair gent mechelen BE",
		"pair gent Gemeente Eindhoven NL",
		"pair gent Energie Kollektiv GmbH DE",
		"pair mechelen gent BE",
		"pair mechelen Gemeente Eindhoven NL",
		"pair mechelen Energie Kollektiv GmbH DE",
		"uptake brugge 7450 partner 2016 200000",
		"pair brugge Region Midtjylland DK",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("facts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// exportOf writes projects as the keep.eu XLSX export: a search sheet, then
// projects, then partners, with the API's field names as headers.
func exportOf(t testing.TB, ps []Project, partnerHeader []string) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Search")
	projects, _ := f.NewSheet("Projects")
	_ = projects
	if _, err := f.NewSheet("Partners"); err != nil {
		t.Fatal(err)
	}
	set := func(sheet string, row int, values []any) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sheet, cell, &values); err != nil {
			t.Fatal(err)
		}
	}
	set("Search", 1, []any{"keep.eu search export"})
	set("Projects", 1, []any{"ID", "Acronym", "Name", "Programme", "Period", "Start date", "End date", "Total budget", "EU funding"})
	header := make([]any, len(partnerHeader))
	for i, h := range partnerHeader {
		header[i] = h
	}
	set("Partners", 1, header)
	prow := 2
	for i, p := range ps {
		set("Projects", i+2, []any{p.ID, p.Acronym, p.Name, p.Programme, p.Period, p.Start.Format("02/01/2006"), p.End.Format("2006-01-02"), *p.TotalBudget, fmt.Sprintf("%.2f", *p.EUFunding)})
		for _, pt := range p.Partners {
			typ := "partner"
			if pt.Lead {
				typ = "lead partner"
			}
			set("Partners", prow, []any{p.Acronym, pt.Name, typ, pt.Country, pt.Town, pt.Postcode, pt.PIC, *pt.TotalBudget, *pt.EUContribution})
			prow++
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestReadXLSXMatchesTheJSON(t *testing.T) {
	want := decodeFile(t, "testdata/projects.json")
	header := []string{"project_acronym", "name", "type", "country_code", "town", "postcode", "pic", "total_budget", "co_financing_eur"}
	var got []Project
	if err := ReadXLSX(exportOf(t, want, header), func(p Project) error { got = append(got, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if g, w := summary(got), summary(want); g != w {
		t.Errorf("XLSX gave\n%s\nJSON gave\n%s", g, w)
	}
}

func TestReadXLSXNamesAMissingColumn(t *testing.T) {
	ps := decodeFile(t, "testdata/projects.json")
	header := []string{"project_acronym", "organisation", "type", "country_code", "town", "postcode", "pic", "total_budget", "co_financing_eur"}
	err := ReadXLSX(exportOf(t, ps, header), func(Project) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no name column") {
		t.Errorf("err = %v, want one naming the name column", err)
	}
	f := excelize.NewFile()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := ReadXLSX(&buf, func(Project) error { return nil }); err == nil || !strings.Contains(err.Error(), "1 sheets") {
		t.Errorf("one-sheet workbook: err = %v", err)
	}
}
