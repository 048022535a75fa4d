// Package crawlers harvests EU funding calls from their sources and returns
// them as normalised Calls. A crawler fetches, parses and normalises; it does
// not store, score or notify (that happens downstream: store, matching, notify).
package funding

import (
	"encoding/json"
	"slices"
	"time"
)

// Status is the state of a call, derived from its dates rather than taken
// from a portal (the Funding & Tenders Portal status is often stale).
type Status string

// The states a call can be in.
const (
	StatusForthcoming Status = "forthcoming"
	StatusOpen        Status = "open"
	StatusClosed      Status = "closed"
)

// Statuses lists the states in their usual order.
var Statuses = []Status{StatusForthcoming, StatusOpen, StatusClosed}

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// ParseStatus reads a requested or stored state; anything else is a
// *ValueError.
func ParseStatus(s string) (Status, error) { return ParseValue("status", s, Statuses) }

// Kind says what sort of opportunity a record is.
type Kind string

// The kinds of opportunity the crawlers harvest.
const (
	KindTopic   Kind = "topic"   // a call topic (SEDIA type 1)
	KindCall    Kind = "call"    // a call for proposals (SEDIA type 2, HTML sources)
	KindCascade Kind = "cascade" // financial support to third parties (SEDIA type 8)
)

// Call is one funding opportunity as a crawler normalised it. Dates are
// calendar dates at 00:00 UTC, the day the source writes; a cut-off's time
// of day, where the source gives one, is kept beside it in DeadlineTimes.
// Money is in euro; nil means the source does not say.
type Call struct {
	Source         string // crawl source name, e.g. "ftportal" or "vlaio-efro"
	Identifier     string // unique per source: topic identifier, or reference for cascade calls
	Reference      string // the source's own record reference, if any
	Kind           Kind
	Programme      string // short programme code, e.g. "HORIZON", "DIGITAL", "LIFE", "ERDF-VL", "INTERREG-VLNL"
	ProgrammeName  string // the programme's full name
	CallIdentifier string // the call a topic belongs to
	CallTitle      string
	Title          string
	Summary        string // a short plain-text summary
	// DescriptionHTML and ConditionsHTML are sanitised HTML, safe to render;
	// the *Text fields are plain-text copies for search and scoring.
	DescriptionHTML string
	DescriptionText string
	ConditionsHTML  string
	ConditionsText  string
	URL             string // the public page of the call
	Status          Status
	OpeningDate     *time.Time
	Deadlines       []time.Time // every cut-off, ascending
	DeadlineModel   string      // "single-stage", "two-stage", "multiple cut-off", ...
	BudgetMin       *float64    // minimum EU contribution per grant (topic budget)
	BudgetMax       *float64    // maximum EU contribution per grant (topic budget)
	ExpectedGrants  *int
	CallBudget      *float64 // the budget of the whole call, often shared by its topics
	FundingRate     *float64 // maximum co-funding rate in percent, e.g. 40 or 60
	TypesOfAction   []string
	Keywords        []string
	Tags            []string
	// EligibilityNotes holds what the source says about who may apply, in
	// plain text, for the matcher's eligibility rules.
	EligibilityNotes string
	Language         string
	// DeadlineTimes are the cut-offs the source gives a time of day for,
	// at that time in its zone (Brussels for the EU portal), ascending;
	// each falls on its day in Deadlines. A cut-off given as a bare date
	// has none.
	DeadlineTimes []time.Time `json:",omitempty"`
	// News holds the source's news items about the call (the portal's
	// latestInfos). They change often and do not count as a change.
	News []News
	Raw  json.RawMessage // the record as the source sent it
}

// NextDeadline returns the first cut-off on or after day, and false when
// every cut-off has passed or the call has none.
func (c *Call) NextDeadline(day time.Time) (time.Time, bool) {
	day = Date(day)
	for _, d := range c.Deadlines {
		if !d.Before(day) {
			return d, true
		}
	}
	return time.Time{}, false
}

// DeadlineTime returns the time of day of the cut-off on deadline's date,
// in the zone the source gave it, and false when the source gave a date
// alone.
func (c *Call) DeadlineTime(deadline time.Time) (time.Time, bool) {
	want := deadline.Format(time.DateOnly)
	for _, t := range c.DeadlineTimes {
		if t.Format(time.DateOnly) == want {
			return t, true
		}
	}
	return time.Time{}, false
}

// FinalDeadline returns the last cut-off, and false when there is none.
func (c *Call) FinalDeadline() (time.Time, bool) {
	if len(c.Deadlines) == 0 {
		return time.Time{}, false
	}
	return c.Deadlines[len(c.Deadlines)-1], true
}

// Date truncates an instant (the clock's now) to its calendar date at 00:00
// UTC, after converting it to Brussels time so that 23:30 UTC on the 1st is
// the 2nd, as it is for the officers. A date a source writes is kept as
// written instead (see ftportal): converting it moved deadlines a day later.
func Date(t time.Time) time.Time {
	t = t.In(Brussels)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Brussels is the zone of EU deadlines and of the officers' days.
var Brussels = loadBrussels()

func loadBrussels() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		// Without tzdata the fixed winter offset is the best guess.
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// News is one dated news item a source published about a call.
type News struct {
	Date time.Time
	Text string // plain text
}

// Listing is a call as lists and exports show it: the dates as ISO strings
// (deadlines ascending, the next one on or after the day given, the times
// of day where the source gives them), money in euro and null when unknown.
type Listing struct {
	Identifier   string   `json:"identifier"`
	Source       string   `json:"source"`
	Programme    string   `json:"programme"`
	Title        string   `json:"title"`
	Status       string   `json:"status"`
	OpeningDate  *string  `json:"opening_date"`
	Deadlines    []string `json:"deadlines"`
	NextDeadline *string  `json:"next_deadline"`
	URL          string   `json:"url"`
	BudgetMin    *float64 `json:"budget_min"`
	BudgetMax    *float64 `json:"budget_max"`
	CallBudget   *float64 `json:"call_budget"`
	FundingRate  *float64 `json:"funding_rate"`
	// DeadlineTimes are the cut-offs with a time of day, RFC 3339 in the
	// zone the source gave (e.g. 2026-12-31T23:59:00+01:00, Brussels).
	DeadlineTimes []string `json:"deadline_times"`
}

// Listing returns the call as lists and exports show it on day.
func (c *Call) Listing(day time.Time) Listing {
	l := Listing{Identifier: c.Identifier, Source: c.Source, Programme: c.Programme, Title: c.Title,
		Status: string(c.Status), URL: c.URL, BudgetMin: c.BudgetMin, BudgetMax: c.BudgetMax,
		CallBudget: c.CallBudget, FundingRate: c.FundingRate, Deadlines: make([]string, 0, len(c.Deadlines))}
	if c.OpeningDate != nil {
		s := c.OpeningDate.Format(time.DateOnly)
		l.OpeningDate = &s
	}
	for _, d := range c.Deadlines {
		l.Deadlines = append(l.Deadlines, d.Format(time.DateOnly))
	}
	l.DeadlineTimes = make([]string, 0, len(c.DeadlineTimes))
	for _, t := range c.DeadlineTimes {
		l.DeadlineTimes = append(l.DeadlineTimes, t.Format(time.RFC3339))
	}
	if d, ok := c.NextDeadline(day); ok {
		s := d.Format(time.DateOnly)
		l.NextDeadline = &s
	}
	return l
}

// The years a call's date may fall in, the same as the schema's for
// projects: a date outside them is a source's mistake ("01/01/0000", an
// epoch in seconds read as milliseconds), and PostgreSQL refuses some of
// them (year 0, years past 9999) and so the whole page with them.
const (
	MinYear = 1990
	MaxYear = 2100
)

// SaneDate reports whether t falls in the years a call's date may have.
func SaneDate(t time.Time) bool {
	return t.Year() >= MinYear && t.Year() <= MaxYear
}

// MaxAmount bounds a call's money: ten trillion euro is far beyond any EU
// budget, and within the calls table's numeric(16, 2) columns.
const MaxAmount = 1e13

// SaneAmount reports whether v is an amount of money a call may have: a
// number from 0 to MaxAmount (not NaN, not infinite, not negative).
func SaneAmount(v float64) bool {
	return v >= 0 && v <= MaxAmount
}
