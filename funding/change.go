package funding

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// field is one compared part of a Call: its name in a Change and its value
// rendered as text.
type field struct {
	name  string
	value func(*Call) string
}

// fields are the parts of a Call that matter for change detection. Raw is
// left out on purpose: it holds news items (latestInfos), response times and
// index housekeeping that change without the call changing.
var fields = []field{
	{"identifier", func(c *Call) string { return c.Identifier }},
	{"reference", func(c *Call) string { return c.Reference }},
	{"kind", func(c *Call) string { return string(c.Kind) }},
	{"programme", func(c *Call) string { return c.Programme + "\x00" + c.ProgrammeName }},
	{"call", func(c *Call) string { return c.CallIdentifier + "\x00" + c.CallTitle }},
	{"title", func(c *Call) string { return c.Title }},
	{"summary", func(c *Call) string { return c.Summary }},
	{"description", func(c *Call) string { return c.DescriptionHTML }},
	{"conditions", func(c *Call) string { return c.ConditionsHTML }},
	{"url", func(c *Call) string { return c.URL }},
	{"status", func(c *Call) string { return string(c.Status) }},
	{"opening_date", func(c *Call) string { return datePtr(c.OpeningDate) }},
	{"deadlines", func(c *Call) string { return dates(c.Deadlines) }},
	{"deadline_times", func(c *Call) string { return instants(c.DeadlineTimes) }},
	{"deadline_model", func(c *Call) string { return c.DeadlineModel }},
	{"budget_min", func(c *Call) string { return money(c.BudgetMin) }},
	{"budget_max", func(c *Call) string { return money(c.BudgetMax) }},
	{"expected_grants", func(c *Call) string { return intPtr(c.ExpectedGrants) }},
	{"call_budget", func(c *Call) string { return money(c.CallBudget) }},
	{"funding_rate", func(c *Call) string { return money(c.FundingRate) }},
	{"types_of_action", func(c *Call) string { return strings.Join(c.TypesOfAction, "\x00") }},
	{"keywords", func(c *Call) string { return strings.Join(c.Keywords, "\x00") }},
	{"tags", func(c *Call) string { return strings.Join(c.Tags, "\x00") }},
	{"eligibility", func(c *Call) string { return c.EligibilityNotes }},
	{"language", func(c *Call) string { return c.Language }},
}

// ContentHash returns a hex SHA-256 over the fields that matter. Two runs
// that saw the same call give the same hash; news items, response times and
// the raw record do not count. The plain-text copies are derived from the
// HTML and are not hashed twice.
func (c *Call) ContentHash() string {
	h := sha256.New()
	for _, f := range fields {
		v := f.value(c)
		h.Write([]byte(f.name))
		h.Write([]byte{0})
		h.Write([]byte(strconv.Itoa(len(v))))
		h.Write([]byte{0})
		h.Write([]byte(v))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Change is one difference between two versions of a call.
type Change struct {
	Field string // e.g. "deadlines", "status", "call_budget", "description"
	Old   string
	New   string
}

// String describes the change for a revision log or a notification,
// e.g. `deadlines: 2026-03-24 -> 2026-04-14`.
func (ch Change) String() string {
	if ch.Field == "description" || ch.Field == "conditions" {
		return ch.Field + " changed"
	}
	return ch.Field + ": " + orNone(ch.Old) + " -> " + orNone(ch.New)
}

// Diff names what changed from old to new, in a fixed field order; it is
// empty exactly when both have the same ContentHash.
func Diff(old, new Call) []Change {
	var changes []Change
	for _, f := range fields {
		o, n := f.value(&old), f.value(&new)
		if o != n {
			changes = append(changes, Change{Field: f.name, Old: o, New: n})
		}
	}
	return changes
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return strings.ReplaceAll(s, "\x00", " / ")
}

func datePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func dates(ts []time.Time) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.Format(time.DateOnly)
	}
	return strings.Join(s, ",")
}

// instants renders times in UTC, so that a time read back from the store
// compares equal whatever zone it is shown in.
func instants(ts []time.Time) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.UTC().Format(time.RFC3339)
	}
	return strings.Join(s, ",")
}

func money(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func intPtr(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}

// SortDeadlines sorts ds ascending and drops duplicate dates.
func SortDeadlines(ds []time.Time) []time.Time {
	slices.SortFunc(ds, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(ds, func(a, b time.Time) bool { return a.Equal(b) })
}
