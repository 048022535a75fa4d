package consortium

import (
	"fmt"
	"strings"

	"github.com/fundmatch/fundmatch/funding"
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

var numberWords = []struct{ nl, en string }{
	{"nul", "zero"}, {"een", "one"}, {"twee", "two"}, {"drie", "three"}, {"vier", "four"},
	{"vijf", "five"}, {"zes", "six"}, {"zeven", "seven"}, {"acht", "eight"}, {"negen", "nine"}, {"tien", "ten"},
}

func words(n int) (nl, en string) {
	if n >= 0 && n < len(numberWords) {
		return numberWords[n].nl, numberWords[n].en
	}
	s := fmt.Sprint(n)
	return s, s
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
	nNL, nEN := words(n)
	switch {
	case r.maxCities == 1:
		met = append(met, Constraint{CodeSingleApplicant,
			"één aanvrager, zoals de actie vereist",
			"a single applicant, as the action requires"})
	case n == 1:
		met = append(met, Constraint{CodeSingleApplicant,
			"één aanvrager, wat het programma toelaat",
			"a single applicant, which the programme allows"})
	default:
		met = append(met, Constraint{CodeMinCities,
			fmt.Sprintf("%s Vlaamse steden, minstens twee voor een gezamenlijk voorstel", nNL),
			fmt.Sprintf("%s Flemish cities, at least two for a joint bid", nEN)})
	}
	if r.maxCities > 1 {
		maxNL, maxEN := words(r.maxCities)
		met = append(met, Constraint{CodeMaxCities,
			fmt.Sprintf("niet meer dan %s Vlaamse steden", maxNL),
			fmt.Sprintf("no more than %s Flemish cities", maxEN)})
	}
	lead := members[0]
	met = append(met, Constraint{CodeOneLead,
		fmt.Sprintf("één trekker: %s", lead.Name),
		fmt.Sprintf("one lead: %s", lead.Name)})
	met = append(met, Constraint{CodeCapacity,
		"elke stad heeft een vrije plaats voor een voorstel en genoeg cofinanciering",
		"every city has a free bid slot and enough co-funding"})
	if r.borderArea {
		met = append(met, Constraint{CodeBorderArea,
			"alle Vlaamse partners liggen in het programmagebied Interreg Vlaanderen-Nederland",
			"every Flemish member lies in the Interreg Vlaanderen-Nederland programme area"})
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
		list := strings.Join(unknown, ", ")
		missing = append(missing, Constraint{CodeEligibility,
			fmt.Sprintf("subsidiabiliteit nog niet bevestigd voor %s", list),
			fmt.Sprintf("eligibility not yet confirmed for %s", list)})
	} else {
		met = append(met, Constraint{CodeEligibility,
			"alle steden komen in aanmerking",
			"every city is eligible"})
	}
	return met, missing
}

// foreignConstraint says how many foreign partners a consortium still needs.
func foreignConstraint(p Programme, need int) Constraint {
	nl, en := words(need)
	switch p {
	case InterregVLNL:
		return Constraint{CodeForeign,
			"heeft nog een Nederlandse partner aan de andere kant van de grens nodig",
			"needs a Dutch partner across the border"}
	case InterregNWE:
		return Constraint{CodeForeign,
			fmt.Sprintf("heeft nog %s partners uit %s andere landen van Noordwest-Europa nodig", nl, nl),
			fmt.Sprintf("needs %s partners from %s other North-West Europe countries", en, en)}
	}
	if need == 1 {
		return Constraint{CodeForeign,
			"heeft nog een buitenlandse partner uit een ander land nodig",
			"needs a foreign partner from another country"}
	}
	return Constraint{CodeForeign,
		fmt.Sprintf("heeft nog %s buitenlandse partners uit %s andere landen nodig", nl, nl),
		fmt.Sprintf("needs %s foreign partners from %s other countries", en, en)}
}

// Exclusion reasons.
var (
	reasonIneligible = Constraint{"ineligible", "komt niet in aanmerking voor deze oproep", "is not eligible for this call"}
	reasonNoSlot     = Constraint{"no-bid-slot", "heeft geen vrije plaats voor nog een voorstel", "has no free slot for another bid"}
	reasonCoFunding  = Constraint{"co-funding", "heeft niet genoeg cofinanciering voor dit voorstel", "lacks the co-funding this bid needs"}
	reasonOutside    = Constraint{"outside-border-area", "ligt buiten het programmagebied Interreg Vlaanderen-Nederland", "lies outside the Interreg Vlaanderen-Nederland programme area"}
	reasonCut        = Constraint{"not-in-shortlist", "hoort niet bij de sterkste kandidaten die exact doorzocht worden", "is not among the strongest candidates searched exactly"}
	reasonDuplicate  = Constraint{"duplicate", "staat meer dan eens in de kandidatenlijst", "appears more than once among the candidates"}
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
