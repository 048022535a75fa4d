// Package keepeu reads Interreg projects and their partners from keep.eu:
// the project JSON of GET /api/project/<id>/ (an operation with its
// partnerships), as a JSON array or a stream of objects, and the search
// XLSX export (sheet 2 projects, sheet 3 partners).
package keepeu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

// Project is an Interreg operation with its partners.
type Project struct {
	ID          string // keep.eu id
	Acronym     string
	Name        string // English name
	Description string
	ProgrammeID string
	Programme   string // programme title, e.g. "Interreg North-West Europe"
	Period      string
	Start       *time.Time
	End         *time.Time
	TotalBudget *float64
	EUFunding   *float64
	Partners    []Partner
}

// Partner is one partnership of a project.
type Partner struct {
	Lead             bool
	Name             string
	NameEnglish      string
	Country          string // ISO 3166 alpha-2 where the source's title or code is known
	PIC              string
	BeneficiaryID    string // national id, 2021-2027 only
	LegalStatus      string
	OrganisationType string
	Town             string
	Postcode         string
	Street           string
	TotalBudget      *float64 // the partner's own budget
	EUContribution   *float64 // co_financing_eur
}

// History returns the project in the importers' common form.
func (p Project) History() euhistory.Project {
	return euhistory.Project{
		Source: euhistory.SourceKeep, SourceID: p.ID, Acronym: p.Acronym, Title: p.Name,
		Summary: p.Description, Programme: p.Programme, Start: p.Start, End: p.End,
	}
}

// Party returns the partner as the resolver sees it.
func (pt Partner) Party() resolve.Party {
	return resolve.Party{Name: pt.Name, ShortName: pt.NameEnglish, Country: pt.Country,
		PostCode: pt.Postcode, City: pt.Town}
}

// Partner returns the partner as a resolved euhistory.Partner of city (a slug,
// or empty).
func (pt Partner) Partner(city string) euhistory.Partner {
	role := euhistory.RolePartner
	if pt.Lead {
		role = euhistory.RoleLead
	}
	id := pt.PIC
	if id == "" {
		id = pt.BeneficiaryID
	}
	return euhistory.Partner{ID: id, Name: pt.Name, Country: pt.Country, Role: role, City: city,
		EUContribution: pt.EUContribution}
}

// DecodeJSON reads project JSON as one array of projects or a stream of
// project objects, calling fn for each; memory holds one project at a time.
func DecodeJSON(r io.Reader, fn func(Project) error) error {
	dec := json.NewDecoder(r)
	first, err := peek(dec)
	if err != nil {
		return err
	}
	if first == '[' {
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("decode keep.eu projects: %w", err)
		}
	}
	for n := 0; ; n++ {
		if first == '[' && !dec.More() {
			_, err := dec.Token()
			if err != nil {
				return fmt.Errorf("decode keep.eu projects: %w", err)
			}
			// A second array or any other value after the first would be
			// dropped without a word.
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				return errors.New("decode keep.eu projects: data after the array")
			}
			return nil
		}
		var w wireProject
		err := dec.Decode(&w)
		if first != '[' && errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("decode keep.eu project %d: %w", n+1, err)
		}
		p, err := w.project()
		if err != nil {
			return fmt.Errorf("keep.eu project %s: %w", w.ID, err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
}

// peek returns the first non-space byte of the input without consuming it:
// More skips spaces and buffers input, and Buffered shows what follows.
func peek(dec *json.Decoder) (byte, error) {
	dec.More()
	b, err := io.ReadAll(io.LimitReader(dec.Buffered(), 64))
	if err != nil {
		return 0, fmt.Errorf("decode keep.eu projects: %w", err)
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0, errors.New("decode keep.eu projects: empty input")
	}
	return b[0], nil
}

// wireProject is the JSON of GET /api/project/<id>/.
type wireProject struct {
	ID          text   `json:"id"`
	Acronym     text   `json:"acronym"`
	SeoName     text   `json:"seo_name"`
	ProjectID   text   `json:"project_id"`
	TotalBudget amount `json:"total_budget"`
	EUFunding   amount `json:"eu_funding"`
	StartDate   text   `json:"start_date"`
	EndDate     text   `json:"end_date"`
	Status      text   `json:"status"`
	Programme   struct {
		ID     text `json:"id"`
		Title  text `json:"title"`
		Period text `json:"period"`
	} `json:"programme"`
	Translations map[string]struct {
		Name        text `json:"name"`
		Description text `json:"description"`
	} `json:"translations"`
	Partnerships []wirePartnership `json:"partnerships"`
}

type wirePartnership struct {
	Type             text   `json:"type"`
	TotalBudget      amount `json:"total_budget"`
	CoFinancingEUR   amount `json:"co_financing_eur"`
	PIC              text   `json:"pic"`
	BeneficiaryID    text   `json:"beneficiary_id"`
	LegalStatus      text   `json:"legal_status"`
	OrganisationType text   `json:"organisation_type"`
	Partner          struct {
		Name         text `json:"name"`
		Country      text `json:"country"`
		Translations map[string]struct {
			NameTranslated text `json:"name_translated"`
		} `json:"translations"`
	} `json:"partner"`
	Town     text `json:"town"`
	Street   text `json:"street"`
	Postcode text `json:"postcode"`
}

func (w wireProject) project() (Project, error) {
	if w.ID == "" {
		return Project{}, errors.New("no id: not the JSON of /api/project/<id>/")
	}
	p := Project{
		ID: string(w.ID), Acronym: string(w.Acronym), ProgrammeID: string(w.Programme.ID),
		Programme: string(w.Programme.Title), Period: string(w.Programme.Period),
		TotalBudget: w.TotalBudget.v, EUFunding: w.EUFunding.v,
		Name: string(w.Translations["en"].Name), Description: string(w.Translations["en"].Description),
	}
	var err error
	if p.Start, err = euhistory.Date(string(w.StartDate)); err != nil {
		return p, fmt.Errorf("start_date: %w", err)
	}
	if p.End, err = euhistory.Date(string(w.EndDate)); err != nil {
		return p, fmt.Errorf("end_date: %w", err)
	}
	for _, ps := range w.Partnerships {
		p.Partners = append(p.Partners, Partner{
			Lead: strings.EqualFold(string(ps.Type), "lead"), Name: string(ps.Partner.Name),
			NameEnglish: string(ps.Partner.Translations["en"].NameTranslated),
			Country:     countryCode(string(ps.Partner.Country)), PIC: string(ps.PIC),
			BeneficiaryID: string(ps.BeneficiaryID), LegalStatus: string(ps.LegalStatus),
			OrganisationType: string(ps.OrganisationType), Town: string(ps.Town),
			Postcode: string(ps.Postcode), Street: string(ps.Street),
			TotalBudget: ps.TotalBudget.v, EUContribution: ps.CoFinancingEUR.v,
		})
	}
	return p, nil
}

// text decodes a field keep.eu sends as a string, a number, null, or an
// object with a title or name (country, legal_status).
type text string

// UnmarshalJSON accepts a string, number, boolean, null or titled object.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(strings.TrimSpace(s))
	case len(b) > 0 && b[0] == '{':
		var o struct {
			Title text `json:"title"`
			Name  text `json:"name"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*t = o.Title
		if *t == "" {
			*t = o.Name
		}
	default:
		*t = text(b) // a number or boolean, as written
	}
	return nil
}

// amount decodes euro amounts sent as "123819.00", 123819 or null.
type amount struct{ v *float64 }

// UnmarshalJSON accepts an amount as a string in either decimal style, a
// number or null.
func (a *amount) UnmarshalJSON(b []byte) error {
	var t text
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	v, err := euhistory.Amount(string(t))
	if err != nil {
		return fmt.Errorf("amount %s: %w", b, err)
	}
	a.v = v
	return nil
}

// countryCode turns keep.eu's country title ("Belgium", "België") or code
// into ISO 3166 alpha-2.
func countryCode(s string) string {
	if _, err := strconv.Atoi(s); err == nil {
		return ""
	}
	return euhistory.Country(s)
}
