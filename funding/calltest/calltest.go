// Package calltest checks the invariants every normalised Call must keep
// whatever its source sent, for the crawlers' fuzz tests: what the calls
// table accepts (identifier and title set, dates PostgreSQL can store,
// money within its numeric columns, a rate from 0 to 100), dates and
// cut-offs as the rest of the program expects them, and text that the
// parser did not corrupt.
package calltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/funding"
)

// Check returns every invariant c breaks, or nil. input is what the source
// sent: text must be valid UTF-8 and free of NUL whenever the input was
// (cleaning what the source itself sent is the storage boundary's job).
// today is the day the call was normalised for.
func Check(c funding.Call, input []byte, today time.Time) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Source == "" || c.Identifier == "" {
		bad("source %q and identifier %q are required", c.Source, c.Identifier)
	}
	if strings.TrimSpace(c.Title) == "" {
		bad("call %q has no title", c.Identifier)
	}
	switch c.Kind {
	case funding.KindTopic, funding.KindCall, funding.KindCascade:
	default:
		bad("kind %q", c.Kind)
	}
	if !c.Status.Valid() {
		bad("status %q", c.Status)
	}
	if want := funding.DeriveStatus(c.OpeningDate, c.Deadlines, today); c.Status != want {
		bad("status %s, the dates say %s", c.Status, want)
	}
	checkDate := func(name string, d time.Time) {
		if !funding.SaneDate(d) || d != funding.Date(d) {
			bad("%s %v is not a calendar date from %d to %d", name, d, funding.MinYear, funding.MaxYear)
		}
	}
	if c.OpeningDate != nil {
		checkDate("opening date", *c.OpeningDate)
	}
	for i, d := range c.Deadlines {
		checkDate("deadline", d)
		if i > 0 && !c.Deadlines[i-1].Before(d) {
			bad("deadlines %v are not strictly ascending", c.Deadlines)
		}
	}
	for name, v := range map[string]*float64{"budget_min": c.BudgetMin, "budget_max": c.BudgetMax, "call_budget": c.CallBudget} {
		if v != nil && !funding.SaneAmount(*v) {
			bad("%s %v is not an amount from 0 to %g", name, *v, funding.MaxAmount)
		}
	}
	if c.BudgetMin != nil && c.BudgetMax != nil && *c.BudgetMin > *c.BudgetMax {
		bad("budget_min %v is above budget_max %v", *c.BudgetMin, *c.BudgetMax)
	}
	if r := c.FundingRate; r != nil && (math.IsNaN(*r) || *r < 0 || *r > 100) {
		bad("funding rate %v is not a percentage", *r)
	}
	if g := c.ExpectedGrants; g != nil && (*g < 0 || *g > math.MaxInt32) {
		bad("expected grants %d", *g)
	}
	if len(c.Raw) > 0 && !json.Valid(c.Raw) {
		bad("raw record is not JSON: %.80q", c.Raw)
	}
	validInput := utf8.Valid(input)
	nulInput := bytes.IndexByte(input, 0) >= 0 || bytes.Contains(input, []byte(`\u0000`))
	for name, s := range texts(c) {
		if validInput && !utf8.ValidString(s) {
			bad("%s %.80q is not valid UTF-8 (the input was)", name, s)
		}
		if !nulInput && strings.IndexByte(s, 0) >= 0 {
			bad("%s %.80q has a NUL (the input had none)", name, s)
		}
	}
	if len(c.Summary) > 300+len("…") {
		bad("summary is %d bytes long", len(c.Summary))
	}
	l := c.Listing(today)
	if _, err := json.Marshal(l); err != nil {
		bad("listing does not encode: %v", err)
	}
	for i, s := range l.Deadlines {
		if d, err := time.Parse(time.DateOnly, s); err != nil || !d.Equal(c.Deadlines[i]) {
			bad("deadline %v is listed as %q", c.Deadlines[i], s)
		}
	}
	c.ContentHash()
	return errors.Join(errs...)
}

// texts are the call's text fields by name.
func texts(c funding.Call) map[string]string {
	m := map[string]string{
		"identifier": c.Identifier, "reference": c.Reference, "programme": c.Programme,
		"programme_name": c.ProgrammeName, "call_identifier": c.CallIdentifier, "call_title": c.CallTitle,
		"title": c.Title, "summary": c.Summary, "description_html": c.DescriptionHTML,
		"description_text": c.DescriptionText, "conditions_html": c.ConditionsHTML,
		"conditions_text": c.ConditionsText, "url": c.URL, "deadline_model": c.DeadlineModel,
		"eligibility": c.EligibilityNotes, "language": c.Language,
	}
	for i, s := range c.TypesOfAction {
		m[fmt.Sprintf("types_of_action[%d]", i)] = s
	}
	for i, s := range c.Keywords {
		m[fmt.Sprintf("keywords[%d]", i)] = s
	}
	for i, s := range c.Tags {
		m[fmt.Sprintf("tags[%d]", i)] = s
	}
	for i, n := range c.News {
		m[fmt.Sprintf("news[%d]", i)] = n.Text
	}
	return m
}
