package consortium

import (
	"strings"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// rule is how a programme shapes a consortium's Flemish part.
type rule struct {
	minCities int // Flemish cities in a bid; 1 allows a single applicant
	maxCities int // Flemish cities in a bid (a planning limit where the programme sets none)
	// countries is the number of countries the whole consortium must span;
	// Flanders is one, the rest are foreign partners still to find.
	countries int
	// foreignPool lists the countries foreign partners may come from; nil
	// means any country.
	foreignPool []string
	// borderArea is whether every Flemish member must lie in the Interreg
	// Vlaanderen-Nederland area.
	borderArea bool
}

// nweCountries are the Interreg North-West Europe countries other than Belgium.
var nweCountries = []string{"DE", "FR", "IE", "LU", "NL", "CH"}

// ruleFor returns the consortium rule for a call. Joint bids follow the 6Aika
// rule of at least two cities; the Flemish ERDF programme, City of Things and
// the European Urban Initiative accept a single applicant, and mono-beneficiary
// actions admit exactly one.
func ruleFor(c Call) rule {
	r := rule{minCities: 2, maxCities: 6, countries: 1}
	switch c.Programme {
	case Horizon:
		r.maxCities, r.countries = 8, 3
	case Digital:
		r.countries = 3
	case CEF:
		r.maxCities = 4
	case ERDFFlanders, CityOfThings:
		r.minCities = 1
	case UrbanInitiative:
		r.minCities, r.maxCities = 1, 3
	case InterregVLNL:
		r.countries, r.foreignPool, r.borderArea = 2, []string{"NL"}, true
	case InterregNWE:
		r.countries, r.foreignPool = 3, nweCountries
	}
	if c.Action == MonoBeneficiary {
		r.minCities, r.maxCities, r.countries, r.foreignPool = 1, 1, 1, nil
	}
	if c.MaxCities > 0 {
		r.maxCities = c.MaxCities
		if r.minCities > r.maxCities {
			r.minCities = r.maxCities
		}
	}
	return r
}

// constraint is the constraint with the given code, its words from the
// catalogue with args filled in.
func constraint(code, key string, args ...any) Constraint {
	t := i18n.Both(key, args...)
	return Constraint{code, t.NL, t.EN}
}

// Constraint codes.
const (
	CodeMinCities       = "min-cities"
	CodeMaxCities       = "max-cities"
	CodeSingleApplicant = "single-applicant"
	CodeOneLead         = "one-lead"
	CodeForeign         = "foreign-partners"
	CodeBorderArea      = "border-area"
	CodeEligibility     = "eligibility"
	CodeCapacity        = "capacity"
)

// constraints lists what a bid of the given members meets and misses. The
// members must already satisfy the hard rules (size, eligibility, border
// area, capacity); what can still be missing is what the cities cannot supply
// themselves: foreign partners and confirmation of unknown eligibility.
func constraints(c Call, members []Member) (met, missing []Constraint) {
	r := ruleFor(c)
	n := len(members)
	switch {
	case r.maxCities == 1:
		met = append(met, constraint(CodeSingleApplicant, "rule.single_required"))
	case n == 1:
		met = append(met, constraint(CodeSingleApplicant, "rule.single_allowed"))
	default:
		met = append(met, constraint(CodeMinCities, "rule.min_cities", i18n.Count(n)))
	}
	if r.maxCities > 1 {
		met = append(met, constraint(CodeMaxCities, "rule.max_cities", i18n.Count(r.maxCities)))
	}
	met = append(met, constraint(CodeOneLead, "rule.one_lead", members[0].Name))
	met = append(met, constraint(CodeCapacity, "rule.capacity"))
	if r.borderArea {
		met = append(met, constraint(CodeBorderArea, "rule.border_area"))
	}
	if need := r.countries - 1; need > 0 {
		missing = append(missing, foreignConstraint(c.Programme, need))
	}
	var unknown []string
	for _, m := range members {
		if m.Contribution.Eligibility == funding.EligibilityUnknown {
			unknown = append(unknown, m.Name)
		}
	}
	if len(unknown) > 0 {
		missing = append(missing, constraint(CodeEligibility, "rule.unconfirmed", strings.Join(unknown, ", ")))
	} else {
		met = append(met, constraint(CodeEligibility, "rule.all_eligible"))
	}
	return met, missing
}

// foreignConstraint says how many foreign partners a consortium still needs.
func foreignConstraint(p Programme, need int) Constraint {
	switch {
	case p == InterregVLNL:
		return constraint(CodeForeign, "rule.foreign_vlnl")
	case p == InterregNWE:
		return constraint(CodeForeign, "rule.foreign_nwe", i18n.Count(need), i18n.Count(need))
	case need == 1:
		return constraint(CodeForeign, "rule.foreign_one")
	}
	return constraint(CodeForeign, "rule.foreign_many", i18n.Count(need), i18n.Count(need))
}

// Exclusion reasons.
var (
	reasonIneligible = constraint("ineligible", "exclude.ineligible")
	reasonNoSlot     = constraint("no-bid-slot", "exclude.no_slot")
	reasonCoFunding  = constraint("co-funding", "exclude.co_funding")
	reasonOutside    = constraint("outside-border-area", "exclude.outside_area")
	reasonCut        = constraint("not-in-shortlist", "exclude.not_in_shortlist")
	reasonDuplicate  = constraint("duplicate", "exclude.duplicate")
)

// exclusion returns why a candidate cannot join a bid for the call, if it
// cannot.
func exclusion(r rule, cand Candidate) (Constraint, bool) {
	capa := cand.City.Capacity
	switch {
	case cand.Eligibility == funding.Ineligible:
		return reasonIneligible, true
	case r.borderArea && !cand.City.InVlaanderenNederland:
		return reasonOutside, true
	case capa.MaxConcurrentBids-capa.BidsInProgress < 1:
		return reasonNoSlot, true
	case cand.CoFundingNeeded > capa.CoFunding:
		return reasonCoFunding, true
	}
	return Constraint{}, false
}
