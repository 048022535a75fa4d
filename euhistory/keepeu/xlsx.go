package keepeu

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/fundmatch/fundmatch/euhistory"
)

// The export's sheets, by position: the first is the search summary.
const (
	projectsSheet = 2
	partnersSheet = 3
)

// Column names in the export, by what they hold. The export's exact header
// has not been captured, so each field accepts the API's field name and its
// usual spellings; a missing required column is an error naming it.
var (
	projectColumns = map[string][]string{
		"id":          {"id", "keep_id", "project_keep_id"},
		"acronym":     {"acronym", "project_acronym"},
		"name":        {"name", "project_name", "title", "project_title"},
		"description": {"description", "project_description"},
		"programme":   {"programme", "programme_name", "programme_title"},
		"period":      {"period", "programming_period", "programme_period"},
		"start":       {"start_date", "project_start_date", "start"},
		"end":         {"end_date", "project_end_date", "end"},
		"budget":      {"total_budget", "project_budget", "budget"},
		"eu":          {"eu_funding", "erdf", "eu_contribution", "union_co_financing"},
	}
	partnerColumns = map[string][]string{
		"project_id": {"project_keep_id", "keep_project_id", "project_id_keep"},
		"acronym":    {"project_acronym", "acronym"},
		"name":       {"name", "partner_name", "partner"},
		"name_en":    {"name_translated", "partner_name_translated", "name_en"},
		"type":       {"type", "partner_type", "role"},
		"country":    {"country_code", "country"},
		"town":       {"town", "city"},
		"postcode":   {"postcode", "postal_code", "zip"},
		"street":     {"street", "address"},
		"pic":        {"pic"},
		"legal":      {"legal_status"},
		"orgtype":    {"organisation_type", "organization_type"},
		"budget":     {"total_budget", "partner_budget", "budget"},
		"eu":         {"co_financing_eur", "eu_contribution", "erdf_contribution"},
	}
)

// ReadXLSX reads the keep.eu search export and calls fn for every project
// with its partners, joined by the project's keep id when the partners sheet
// has one, else by acronym. excelize streams the sheets' rows, but the
// partners are held until the projects sheet is read, so memory grows with
// the export (which keep.eu limits to one search).
func ReadXLSX(r io.Reader, fn func(Project) error) error {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return fmt.Errorf("open keep.eu export: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) < partnersSheet {
		return fmt.Errorf("keep.eu export has %d sheets (%s), want projects on sheet 2 and partners on sheet 3", len(sheets), strings.Join(sheets, ", "))
	}
	byID := map[string][]Partner{}
	byAcronym := map[string][]Partner{}
	err = eachRow(f, sheets[partnersSheet-1], partnerColumns, []string{"name"}, func(row map[string]string) error {
		if row["acronym"] == "" && row["project_id"] == "" {
			return fmt.Errorf("partner %q has neither project_acronym nor project id", row["name"])
		}
		pt := Partner{
			Lead: strings.Contains(strings.ToLower(row["type"]), "lead"), Name: row["name"], NameEnglish: row["name_en"],
			Country: countryCode(row["country"]), PIC: row["pic"], LegalStatus: row["legal"],
			OrganisationType: row["orgtype"], Town: row["town"], Postcode: row["postcode"], Street: row["street"],
		}
		var err error
		if pt.TotalBudget, err = euhistory.Amount(row["budget"]); err != nil {
			return fmt.Errorf("partner %q budget: %w", pt.Name, err)
		}
		if pt.EUContribution, err = euhistory.Amount(row["eu"]); err != nil {
			return fmt.Errorf("partner %q EU contribution: %w", pt.Name, err)
		}
		if id := row["project_id"]; id != "" {
			byID[id] = append(byID[id], pt)
		} else {
			byAcronym[row["acronym"]] = append(byAcronym[row["acronym"]], pt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return eachRow(f, sheets[projectsSheet-1], projectColumns, []string{"id", "acronym"}, func(row map[string]string) error {
		p := Project{
			ID: row["id"], Acronym: row["acronym"], Name: row["name"], Description: row["description"],
			Programme: row["programme"], Period: row["period"],
		}
		var err error
		if p.Start, err = euhistory.Date(row["start"]); err != nil {
			return fmt.Errorf("project %s start: %w", p.ID, err)
		}
		if p.End, err = euhistory.Date(row["end"]); err != nil {
			return fmt.Errorf("project %s end: %w", p.ID, err)
		}
		if p.TotalBudget, err = euhistory.Amount(row["budget"]); err != nil {
			return fmt.Errorf("project %s budget: %w", p.ID, err)
		}
		if p.EUFunding, err = euhistory.Amount(row["eu"]); err != nil {
			return fmt.Errorf("project %s EU funding: %w", p.ID, err)
		}
		p.Partners = append(byID[p.ID], byAcronym[p.Acronym]...)
		return fn(p)
	})
}

// eachRow streams a sheet, mapping its header to fields through columns,
// and calls fn with each non-empty row keyed by field.
func eachRow(f *excelize.File, sheet string, columns map[string][]string, required []string, fn func(map[string]string) error) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("read keep.eu sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return fmt.Errorf("keep.eu sheet %q is empty", sheet)
	}
	header, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read keep.eu sheet %q header: %w", sheet, err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(h)), "_"))
		for field, names := range columns {
			if _, done := index[field]; !done && slices.Contains(names, h) {
				index[field] = i
			}
		}
	}
	for _, field := range required {
		if _, ok := index[field]; !ok {
			return fmt.Errorf("keep.eu sheet %q has no %s column (header %q)", sheet, columns[field][0], header)
		}
	}
	for n := 2; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("read keep.eu sheet %q row %d: %w", sheet, n, err)
		}
		row := make(map[string]string, len(index))
		empty := true
		for field, i := range index {
			if i < len(cells) {
				row[field] = strings.TrimSpace(cells[i])
				empty = empty && row[field] == ""
			}
		}
		if empty {
			continue
		}
		if err := fn(row); err != nil {
			return fmt.Errorf("keep.eu sheet %q row %d: %w", sheet, n, err)
		}
	}
	return rows.Error()
}
