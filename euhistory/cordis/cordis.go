// Package cordis reads the CORDIS project dumps (Horizon Europe, Horizon
// 2020, FP7): the CSV zip's project.csv and organization.csv, streamed row by
// row so that memory stays flat whatever the file size. The CSVs are
// ';'-delimited and fully quoted, with lenient quoting (doubled quotes in
// objective), both '.' and ',' as decimal separator in one file, and EU
// country codes (EL, UK), which are normalised to ISO (GR, GB).
package cordis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

// Project is one row of project.csv.
type Project struct {
	ID                 string
	Acronym            string
	Status             string // SIGNED, CLOSED, TERMINATED
	Title              string
	Objective          string
	Topics             string // topic identifier, e.g. HORIZON-CL5-2021-D2-01-11
	FrameworkProgramme string // FP7, H2020, HORIZON
	FundingScheme      string // e.g. HORIZON-RIA
	Start              *time.Time
	End                *time.Time
	TotalCost          *float64
	ECMaxContribution  *float64
}

// History returns the project in the importers' common form.
func (p Project) History() euhistory.Project {
	return euhistory.Project{
		Source: euhistory.SourceCORDIS, SourceID: p.ID, Acronym: p.Acronym, Title: p.Title,
		Summary: p.Objective, Programme: p.FrameworkProgramme, Start: p.Start, End: p.End,
	}
}

// Participation is one row of organization.csv: an organisation's part in a
// project.
type Participation struct {
	ProjectID         string
	ProjectAcronym    string
	PIC               string // organisationID, the 9-digit participant identification code
	VATNumber         string
	Name              string
	ShortName         string
	ActivityType      string // HES, REC, PRC, PUB (public body), OTH
	Role              string // coordinator, participant, partner, thirdParty
	Street            string
	PostCode          string
	City              string
	Country           string // ISO 3166 alpha-2 (EL and UK normalised to GR and GB)
	NUTSCode          string // NUTS-3, or only a country code
	ECContribution    *float64
	NetECContribution *float64
	TotalCost         *float64
}

// Party returns the participant as the resolver sees it.
func (pt Participation) Party() resolve.Party {
	return resolve.Party{Name: pt.Name, ShortName: pt.ShortName, Country: pt.Country, PostCode: pt.PostCode,
		City: pt.City, NUTS: pt.NUTSCode, ActivityType: pt.ActivityType}
}

// Partner returns the participation as a resolved euhistory.Partner of city
// (a city slug, or empty when the participant is none).
func (pt Participation) Partner(city string) euhistory.Partner {
	role := euhistory.RolePartner
	if pt.Role == "coordinator" {
		role = euhistory.RoleLead
	}
	return euhistory.Partner{
		ID: pt.PIC, Name: pt.Name, Country: pt.Country, Role: role, City: city,
		EUContribution: pt.ECContribution,
	}
}

// ReadProjects streams project.csv, calling fn for every row. It stops at
// the first error, from the file or from fn.
func ReadProjects(r io.Reader, fn func(Project) error) error {
	return readRows(r, "project.csv", []string{"id", "acronym", "title", "frameworkProgramme"}, func(row row) error {
		p := Project{
			ID: row.get("id"), Acronym: row.get("acronym"), Status: row.get("status"),
			Title: row.get("title"), Objective: row.get("objective"), Topics: row.get("topics"),
			FrameworkProgramme: row.get("frameworkProgramme"), FundingScheme: row.get("fundingScheme"),
		}
		var err error
		if p.Start, err = euhistory.Date(row.get("startDate")); err != nil {
			return row.errorf("startDate: %w", err)
		}
		if p.End, err = euhistory.Date(row.get("endDate")); err != nil {
			return row.errorf("endDate: %w", err)
		}
		if p.TotalCost, err = euhistory.Amount(row.get("totalCost")); err != nil {
			return row.errorf("totalCost: %w", err)
		}
		if p.ECMaxContribution, err = euhistory.Amount(row.get("ecMaxContribution")); err != nil {
			return row.errorf("ecMaxContribution: %w", err)
		}
		return fn(p)
	})
}

// ReadParticipations streams organization.csv, calling fn for every row.
// It stops at the first error, from the file or from fn.
func ReadParticipations(r io.Reader, fn func(Participation) error) error {
	return readRows(r, "organization.csv", []string{"projectID", "organisationID", "name", "role", "country"}, func(row row) error {
		pt := Participation{
			ProjectID: row.get("projectID"), ProjectAcronym: row.get("projectAcronym"),
			PIC: row.get("organisationID"), VATNumber: row.get("vatNumber"),
			Name: row.get("name"), ShortName: row.get("shortName"), ActivityType: row.get("activityType"),
			Role: row.get("role"), Street: row.get("street"), PostCode: row.get("postCode"),
			City: row.get("city"), Country: euhistory.Country(row.get("country")), NUTSCode: row.get("nutsCode"),
		}
		var err error
		if pt.ECContribution, err = euhistory.Amount(row.get("ecContribution")); err != nil {
			return row.errorf("ecContribution: %w", err)
		}
		if pt.NetECContribution, err = euhistory.Amount(row.get("netEcContribution")); err != nil {
			return row.errorf("netEcContribution: %w", err)
		}
		if pt.TotalCost, err = euhistory.Amount(row.get("totalCost")); err != nil {
			return row.errorf("totalCost: %w", err)
		}
		return fn(pt)
	})
}

// row is one CSV record seen through its file's header.
type row struct {
	file    string
	line    int
	columns map[string]int
	fields  []string
}

func (r row) get(column string) string {
	i, ok := r.columns[column]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

func (r row) errorf(format string, args ...any) error {
	return fmt.Errorf("%s line %d: %w", r.file, r.line, fmt.Errorf(format, args...))
}

// readRows reads a CORDIS CSV, checks that its header has the required
// columns and calls fn for every record.
func readRows(r io.Reader, file string, required []string, fn func(row) error) error {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: empty file", file)
	}
	if err != nil {
		return fmt.Errorf("read %s header: %w", file, err)
	}
	columns := make(map[string]int, len(header))
	for i, h := range header {
		columns[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range required {
		if _, ok := columns[c]; !ok {
			return fmt.Errorf("read %s: header has no %q column", file, c)
		}
	}
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
		if len(fields) != len(header) {
			repaired, ok := repair(fields, len(header))
			if !ok {
				return fmt.Errorf("read %s line %d: %d fields, header has %d", file, line, len(fields), len(header))
			}
			fields = repaired
		}
		if err := fn(row{file: file, line: line, columns: columns, fields: fields}); err != nil {
			return err
		}
	}
}

// repair splits fields that swallowed their neighbours. A field that opens
// with a doubled quote (""The action ""X"" works"") is not closed where it
// should be, even by a lenient reader, and runs on over the following
// fields; as every CORDIS field is quoted, the swallowed boundaries show as
// `";"` inside it.
func repair(fields []string, want int) ([]string, bool) {
	out := make([]string, 0, want)
	for _, f := range fields {
		if strings.Contains(f, `";"`) {
			out = append(out, strings.Split(f, `";"`)...)
		} else {
			out = append(out, f)
		}
	}
	return out, len(out) == want
}
