package funding

import "fmt"

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

// Valid reports whether e is one of the verdicts.
func (e Eligibility) Valid() bool {
	switch e {
	case Eligible, Ineligible, EligibilityUnknown:
		return true
	}
	return false
}

// ParseEligibility reads a stored or requested verdict; anything else is an
// error that names the value.
func ParseEligibility(s string) (Eligibility, error) {
	if e := Eligibility(s); e.Valid() {
		return e, nil
	}
	return "", fmt.Errorf("eligibility %q: want eligible, ineligible or unknown", s)
}
