package funding

import "slices"

// Eligibility is whether a city may apply for a call: what the matcher
// concluded, what a match row stores, what the planner admits and what
// pages and alerts show. Unknown is shown as unknown, never as met.
type Eligibility string

// The eligibility verdicts, as stored in matches.eligibility.
const (
	Eligible           Eligibility = "eligible"
	Ineligible         Eligibility = "ineligible"
	EligibilityUnknown Eligibility = "unknown"
)

// Eligibilities lists the verdicts in their usual order.
var Eligibilities = []Eligibility{Eligible, Ineligible, EligibilityUnknown}

// Valid reports whether e is one of the verdicts.
func (e Eligibility) Valid() bool { return slices.Contains(Eligibilities, e) }

// ParseEligibility reads a stored or requested verdict; anything else is a
// *ValueError that names the value.
func ParseEligibility(s string) (Eligibility, error) {
	return ParseValue("eligibility", s, Eligibilities)
}
