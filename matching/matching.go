// Package matching scores EU funding calls for Flemish cities: for every
// (call, city) pair it decides eligibility, measures bilingual relevance of
// the call to the city's profile with BM25F over Dutch and English text and a
// curated concept vocabulary, weighs the city's past projects and the
// feasibility of a bid, and explains the result in Dutch and English.
//
// The package is pure computation: no SQL, no network and no clock. Callers
// pass the current time, load calls into a Model once (NewModel, then Add or
// Remove as calls change), turn each city into a CityQuery (Model.Query),
// and score: ScoreCities for everything, ScoreCity for one city, ScoreCall
// for one new call. Explanations are computed lazily, with Model.Explain,
// for the pairs that are shown.
package matching

import "time"

// Domain is one of the six smart-city domains of City of Things.
type Domain string

// The six smart-city domains.
const (
	DomainEconomy     Domain = "economy"
	DomainGovernment  Domain = "government"
	DomainPeople      Domain = "people"
	DomainLiving      Domain = "living"
	DomainMobility    Domain = "mobility"
	DomainEnvironment Domain = "environment"
)

// Domains lists the six smart-city domains in their usual order.
var Domains = [...]Domain{DomainEconomy, DomainGovernment, DomainPeople, DomainLiving, DomainMobility, DomainEnvironment}

// Status is the state of a call.
type Status string

// The states a call can be in.
const (
	StatusOpen        Status = "open"
	StatusForthcoming Status = "forthcoming"
	StatusClosed      Status = "closed"
)

// Kind says what sort of opportunity a call is.
type Kind string

// The kinds of opportunity.
const (
	KindTopic   Kind = "topic"
	KindCall    Kind = "call"
	KindCascade Kind = "cascade"
	KindTender  Kind = "tender"
)

// Call is one funding opportunity as the matcher sees it. Text fields are
// plain text in English or Dutch; money is in euro and nil means unknown.
type Call struct {
	Identifier       string // unique key of the call within the model
	Source           string // crawl source, e.g. "ftportal"
	Programme        string // short code: HORIZON, DIGITAL, LIFE, ERDF-VL, INTERREG-VLNL, ...
	Kind             Kind
	Title            string
	Summary          string
	Description      string
	Keywords         []string
	Tags             []string
	TypesOfAction    []string
	EligibilityNotes string
	Status           Status
	OpeningDate      *time.Time
	Deadlines        []time.Time // ascending
	BudgetMin        *float64    // minimum EU contribution per grant
	BudgetMax        *float64    // maximum EU contribution per grant
	CallBudget       *float64    // budget of the whole call
	FundingRate      *float64    // maximum co-funding rate in percent
}

// NextDeadline returns the first deadline on or after now, and false when
// every deadline has passed or the call has none.
func (c *Call) NextDeadline(now time.Time) (time.Time, bool) {
	day := date(now)
	for _, d := range c.Deadlines {
		if !date(d).Before(day) {
			return d, true
		}
	}
	return time.Time{}, false
}

// CityKind distinguishes centre cities, other municipalities and the VGC.
type CityKind string

// The kinds of city.
const (
	CityCentre       CityKind = "centre_city"
	CityMunicipality CityKind = "municipality"
	CityVGC          CityKind = "vgc"
)

// City is a Flemish local authority that may apply for calls.
type City struct {
	Slug           string // e.g. "gent"
	Name           string
	NIS            string // NIS code
	Province       string // e.g. "Oost-Vlaanderen"; "Brussel" for the VGC
	Arrondissement string // e.g. "Gent", "Ieper"
	Population     int
	Kind           CityKind
}

// Profile is what a city's subsidy officer tells fundmatch about its
// interests and capacity.
type Profile struct {
	City               string             // city slug
	DomainWeights      map[Domain]float64 // 0..1 per smart-city domain; missing means 0.5
	KeywordsNL         []string           // Dutch keywords and short phrases
	KeywordsEN         []string           // English keywords and short phrases
	ExcludedProgrammes []string           // programme codes the city does not want
	PreparationDays    int                // 0 means the programme default
	MaxConcurrentBids  int
	CoFundingCapacity  float64 // euro per year the city can add to grants
}

// Project is a past project of a city, used as evidence of experience.
type Project struct {
	Title     string
	Summary   string
	Year      int
	Programme string // programme code, e.g. "HORIZON", "ERDF-VL", "COT" (City of Things)
	Domains   []Domain
	Budget    float64 // euro
	Lead      bool    // the city led the project
}

// date truncates t to its calendar day in UTC.
func date(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// day is a calendar day counted from 1970-01-01 (UTC); deadlines are days.
type day int32

func dayOf(t time.Time) day { return day(date(t).Unix() / 86400) }

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }
