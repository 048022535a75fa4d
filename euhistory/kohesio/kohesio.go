// Package kohesio reads Kohesio's per-country CSV exports of cohesion-policy
// operations (2021-2027 with 44 columns, 2014-2020 with 40), streamed row by
// row: UTF-8 with or without a BOM, CRLF or LF, quoted fields with commas,
// quotes and line breaks, DD/MM/YYYY dates. Beneficiaries that are natural
// persons are counted and kept out.
package kohesio

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

// Operation is one row of an export: an operation (project) and one of its
// beneficiaries. An operation with several beneficiaries spans several rows
// with the same ID.
type Operation struct {
	ID              string // Operation_Unique_Identifier, a linkedopendata.eu URI
	LocalID         string
	Name            string // English name, or the programme-language one when there is none
	NameOriginal    string // in the programme's language
	Summary         string // English summary, or the programme-language one
	Country         string // ISO 3166 alpha-2
	Start           *time.Time
	End             *time.Time
	CofinancingRate *float64 // percent
	TotalEligible   *float64 // euro
	EUBudget        *float64 // euro
	Beneficiary     Beneficiary
	Fund            string // e.g. ERDF, ESF+
	ProgrammeCode   string
	ProgrammeName   string
	PostalCode      string
	LAUIDs          []string
	LAULabels       []string
	NUTS3Code       string
	Period          string // Programming_Period, e.g. 2021-2027
}

// Beneficiary is the organisation an operation's money went to.
type Beneficiary struct {
	ID      string // Beneficiary_Unique_Identifier, ML-linked and so fuzzy
	Name    string
	LocalID string
}

// Stats counts what a read saw.
type Stats struct {
	Rows           int // data rows read
	NaturalPersons int // rows skipped because the beneficiary is a person
}

// History returns the operation as a project of the history package. The
// fund ("ERDF") is its programme, the operational programme's name standing
// in only when the fund is missing.
func (o Operation) History() euhistory.Project {
	programme := o.Fund
	if programme == "" {
		programme = o.ProgrammeName
	}
	return euhistory.Project{
		Source: euhistory.SourceKohesio, SourceID: o.ID, Title: o.Name, Summary: o.Summary,
		Programme: programme, Start: o.Start, End: o.End,
	}
}

// Party returns the beneficiary as the resolver sees it.
func (o Operation) Party() resolve.Party {
	return resolve.Party{Name: o.Beneficiary.Name, Country: o.Country, PostCode: o.PostalCode,
		NUTS: o.NUTS3Code, LAU: o.LAUIDs}
}

// Partner returns the beneficiary as a partner of city (a slug or empty);
// a Kohesio beneficiary holds the operation, so it is the lead.
func (o Operation) Partner(city string) euhistory.Partner {
	return euhistory.Partner{ID: o.Beneficiary.ID, Name: o.Beneficiary.Name, Country: o.Country,
		Role: euhistory.RoleLead, City: city, EUContribution: o.EUBudget}
}

// required are the columns both periods' headers share and the reader
// needs.
var required = []string{
	"Operation_Unique_Identifier", "Operation_Name_English", "Operation_Start_Date", "Project_EU_Budget",
	"Beneficiary_Name", "Fund_Code", "Programme_Name", "Postal_Code", "LAU_IDs", "NUTS3_Code",
}

// Read streams an export, calling fn for every operation whose beneficiary
// is not a natural person. It stops at the first error, from the file or
// from fn.
func Read(r io.Reader, fn func(Operation) error) (Stats, error) {
	var st Stats
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return st, errors.New("read kohesio export: empty file")
	}
	if err != nil {
		return st, fmt.Errorf("read kohesio export header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			return st, fmt.Errorf("read kohesio export: header has no %s column", c)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("read kohesio export: %w", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		st.Rows++
		if euhistory.NaturalPerson(get("Beneficiary_Name")) {
			st.NaturalPersons++
			continue
		}
		o, err := operation(get)
		if err != nil {
			return st, fmt.Errorf("read kohesio export line %d: %w", line, err)
		}
		if err := fn(o); err != nil {
			return st, err
		}
	}
}

func operation(get func(string) string) (Operation, error) {
	o := Operation{
		ID: get("Operation_Unique_Identifier"), LocalID: get("Operation_Local_Identifier"),
		Name: get("Operation_Name_English"), NameOriginal: get("Operation_Name_Programme_Language"),
		Summary: get("Operation_Summary_English"),
		Beneficiary: Beneficiary{ID: get("Beneficiary_Unique_Identifier"), Name: get("Beneficiary_Name"),
			LocalID: get("Beneficiary_Local_Identifier")},
		Fund: get("Fund_Code"), ProgrammeCode: get("Programme_Code"), ProgrammeName: get("Programme_Name"),
		PostalCode: get("Postal_Code"), LAUIDs: split(get("LAU_IDs")), LAULabels: split(get("LAU_Labels")),
		NUTS3Code: get("NUTS3_Code"), Period: get("Programming_Period"),
	}
	o.Country = euhistory.Country(get("CountryCode"))
	if o.Country == "" {
		o.Country = euhistory.Country(get("Country"))
	}
	if o.Name == "" {
		o.Name = o.NameOriginal
	}
	if o.Summary == "" {
		o.Summary = get("Operation_Summary_Programme_Language")
	}
	var err error
	if o.Start, err = euhistory.Date(get("Operation_Start_Date")); err != nil {
		return o, fmt.Errorf("Operation_Start_Date: %w", err)
	}
	if o.End, err = euhistory.Date(get("Operation_End_Date")); err != nil {
		return o, fmt.Errorf("Operation_End_Date: %w", err)
	}
	for _, m := range []struct {
		column string
		dst    **float64
	}{
		{"Cofinancing_Rate", &o.CofinancingRate},
		{"Total_Eligible_Expenditure_amount", &o.TotalEligible},
		{"Project_EU_Budget", &o.EUBudget},
	} {
		if *m.dst, err = euhistory.Amount(get(m.column)); err != nil {
			return o, fmt.Errorf("%s: %w", m.column, err)
		}
	}
	return o, nil
}

// split cuts a multi-valued field ("BE_44021; BE_44084").
func split(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
