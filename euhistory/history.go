// Package history holds what the history importers (CORDIS, Kohesio,
// keep.eu) produce once their records are normalised and their participants
// resolved to Flemish cities: past projects per city, collaboration pairs and
// uptake facts. Every fact carries its source and the source's own id, so that
// re-importing a file is an upsert that changes nothing, and imported facts sit
// beside officer-entered bids without being counted twice.
//
// The parsers live in the sub-packages cordis, kohesio and keepeu; entity
// resolution lives in resolve. This package is pure: no I/O, no clock.
package euhistory

import (
	"sort"
	"strings"
	"time"
)

// Source names where a fact was imported from.
type Source string

// The history sources.
const (
	SourceCORDIS  Source = "cordis"
	SourceKohesio Source = "kohesio"
	SourceKeep    Source = "keep"
)

// Role is a participant's place in a project.
type Role string

// The roles a city can hold in a past project.
const (
	RoleLead    Role = "lead"    // CORDIS coordinator, keep.eu lead partner
	RolePartner Role = "partner" // any other participant or beneficiary
)

// Project is one funded project, normalised across sources.
type Project struct {
	Source    Source
	SourceID  string // CORDIS project id, Kohesio operation URI, keep.eu project id
	Acronym   string
	Title     string
	Summary   string
	Programme string // e.g. "H2020", "HORIZON", "FP7", "ERDF", an Interreg programme title
	Start     *time.Time
	End       *time.Time
}

// Year is the project's start year, or 0 when the start is unknown.
func (p Project) Year() int {
	if p.Start == nil {
		return 0
	}
	return p.Start.Year()
}

// Partner is one participant of a Project after entity resolution.
type Partner struct {
	ID      string // the source's organisation id (CORDIS PIC, keep.eu PIC); may be empty
	Name    string
	Country string // ISO 3166 alpha-2 (see Country)
	Role    Role
	// City is the slug of the Flemish city the partner belongs to (the
	// municipality itself or one of its bodies), empty when it is none or
	// resolution was not certain.
	City           string
	EUContribution *float64 // euro; nil when the source does not say
}

// PastProject is experience evidence for matching: a project a city took
// part in. Its natural key is (Source, SourceID, City).
type PastProject struct {
	City      string
	Source    Source
	SourceID  string
	Title     string
	Summary   string
	Year      int
	Programme string
	Role      Role // lead when any of the city's bodies led the project
	// EUContribution sums the city's bodies' contributions; nil when none
	// of them had one.
	EUContribution *float64
}

// Collaboration records that City worked with a partner in one project: a
// city-city pair (PartnerCity set, both orders are emitted) or a city with a
// foreign partner (PartnerCountry not BE). Its natural key is (Source,
// SourceID, City, PartnerCity, PartnerID, PartnerName).
type Collaboration struct {
	Source         Source
	SourceID       string
	Year           int
	Programme      string
	City           string
	PartnerCity    string // set for a city-city pair
	PartnerID      string
	PartnerName    string
	PartnerCountry string
}

// Uptake is one won project of a city for the uptake dashboard. Its natural
// key is (Source, SourceID, City), the same as PastProject's: an
// officer-entered Bid that links the same source and id is the same fact.
type Uptake struct {
	City           string
	Source         Source
	SourceID       string
	Programme      string
	Year           int
	Role           Role
	EUContribution *float64
}

// Facts is everything one project yields.
type Facts struct {
	PastProjects   []PastProject
	Collaborations []Collaboration
	Uptake         []Uptake
}

// Derive turns a project and its resolved partners into facts: one
// PastProject and one Uptake per city (several bodies of one city are one
// participation), city-city pairs in both directions, and each city paired
// with every foreign partner. Belgian partners that are not cities are not
// collaborations, and natural persons are never recorded as partners. The output is sorted, so the same input always gives the
// same facts.
func Derive(p Project, partners []Partner) Facts {
	type share struct {
		role Role
		eu   *float64
	}
	cities := map[string]*share{}
	for _, pt := range partners {
		if pt.City == "" {
			continue
		}
		s := cities[pt.City]
		if s == nil {
			s = &share{role: RolePartner}
			cities[pt.City] = s
		}
		if pt.Role == RoleLead {
			s.role = RoleLead
		}
		if pt.EUContribution != nil {
			sum := *pt.EUContribution
			if s.eu != nil {
				sum += *s.eu
			}
			s.eu = &sum
		}
	}
	slugs := make([]string, 0, len(cities))
	for slug := range cities {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)

	var f Facts
	year := p.Year()
	for _, slug := range slugs {
		s := cities[slug]
		f.PastProjects = append(f.PastProjects, PastProject{
			City: slug, Source: p.Source, SourceID: p.SourceID, Title: p.Title, Summary: p.Summary,
			Year: year, Programme: p.Programme, Role: s.role, EUContribution: s.eu,
		})
		f.Uptake = append(f.Uptake, Uptake{
			City: slug, Source: p.Source, SourceID: p.SourceID, Programme: p.Programme,
			Year: year, Role: s.role, EUContribution: s.eu,
		})
		for _, other := range slugs {
			if other != slug {
				f.Collaborations = append(f.Collaborations, Collaboration{
					Source: p.Source, SourceID: p.SourceID, Year: year, Programme: p.Programme,
					City: slug, PartnerCity: other, PartnerCountry: "BE",
				})
			}
		}
		seen := map[string]bool{}
		for _, pt := range partners {
			if pt.City != "" || pt.Country == "" || pt.Country == "BE" || NaturalPerson(pt.Name) {
				continue
			}
			key := pt.ID + "\x00" + strings.ToLower(pt.Name)
			if seen[key] {
				continue
			}
			seen[key] = true
			f.Collaborations = append(f.Collaborations, Collaboration{
				Source: p.Source, SourceID: p.SourceID, Year: year, Programme: p.Programme,
				City: slug, PartnerID: pt.ID, PartnerName: pt.Name, PartnerCountry: pt.Country,
			})
		}
	}
	return f
}
