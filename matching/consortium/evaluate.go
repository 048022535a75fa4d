package consortium

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// Evaluate values and checks the bid made of exactly the given members, as a
// coordinator adjusted it, with the lead given by slug (empty: the member
// PlanCall would choose). Unlike PlanCall it keeps members that break a
// rule: an ineligible member, one outside a required programme area, one
// without a free bid slot or enough co-funding, or a bid of the wrong size
// is reported in ConstraintsMissing (with the same codes as ConstraintsMet)
// instead of being left out. Each member's capacity is counted as if this
// bid were added to the bids it already has in progress.
func Evaluate(c Call, members []Candidate, lead string, h History) (Bid, error) {
	if len(members) == 0 {
		return Bid{}, fmt.Errorf("evaluate bid for %s: no members", c.Identifier)
	}
	cities := make([]City, 0, len(members))
	for _, cand := range members {
		if slices.ContainsFunc(cities, func(x City) bool { return x.Slug == cand.City.Slug }) {
			return Bid{}, fmt.Errorf("evaluate bid for %s: %s appears twice", c.Identifier, cand.City.Slug)
		}
		cities = append(cities, cand.City)
	}
	m := &callModel{call: c, rule: ruleFor(c), net: newNetwork(cities, h)}
	m.weight = newCallModel(c, nil, m.net).weight
	idx := make([]int, len(members))
	leadIdx := -1
	var broken []Constraint
	var outside, noSlot, noFunds, ineligible []string
	for i, cand := range members {
		m.add(cand)
		idx[i] = i
		if cand.City.Slug == lead {
			leadIdx = i
		}
		name := cand.City.Name
		if name == "" {
			name = cand.City.Slug
		}
		capa := cand.City.Capacity
		switch {
		case cand.Eligibility == funding.Ineligible:
			ineligible = append(ineligible, name)
		case m.rule.borderArea && !cand.City.InVlaanderenNederland:
			outside = append(outside, name)
		}
		if capa.MaxConcurrentBids-capa.BidsInProgress < 1 {
			noSlot = append(noSlot, name)
		}
		if cand.CoFundingNeeded > capa.CoFunding {
			noFunds = append(noFunds, name)
		}
	}
	if lead != "" && leadIdx < 0 {
		return Bid{}, fmt.Errorf("evaluate bid for %s: lead %s is not a member", c.Identifier, lead)
	}
	b := m.bid(idx, m.singleUsage())
	if leadIdx >= 0 && b.Lead != lead {
		b = withLead(b, lead, m.lead[leadIdx])
		b.ConstraintsMet, b.ConstraintsMissing = constraints(c, b.Members)
	}
	n, r := len(members), m.rule
	if n < r.minCities {
		broken = append(broken, constraint(CodeMinCities, "rule.needs_min_cities", i18n.Count(r.minCities)))
	}
	if n > r.maxCities {
		code := CodeMaxCities
		if r.maxCities == 1 {
			code = CodeSingleApplicant
		}
		broken = append(broken, constraint(code, "rule.too_many_cities", i18n.Count(r.maxCities)))
	}
	// The cities that break a rule, named before the exclusion's words:
	// "Gent, Aalst heeft geen vrije plaats voor nog een voorstel".
	named := func(cities []string, why Constraint) Constraint {
		list := strings.Join(cities, ", ")
		return Constraint{why.Code, list + " " + why.NL, list + " " + why.EN}
	}
	if len(outside) > 0 {
		broken = append(broken, named(outside, constraint(CodeBorderArea, "exclude.outside_area")))
	}
	if len(noSlot)+len(noFunds) > 0 {
		var nl, en []string
		if len(noSlot) > 0 {
			c := named(noSlot, reasonNoSlot)
			nl, en = append(nl, c.NL), append(en, c.EN)
		}
		if len(noFunds) > 0 {
			c := named(noFunds, reasonCoFunding)
			nl, en = append(nl, c.NL), append(en, c.EN)
		}
		broken = append(broken, Constraint{CodeCapacity, strings.Join(nl, "; "), strings.Join(en, "; ")})
	}
	if len(ineligible) > 0 {
		broken = append(broken, named(ineligible, constraint(CodeEligibility, "exclude.ineligible")))
	}
	for _, x := range broken {
		b.ConstraintsMet = slices.DeleteFunc(b.ConstraintsMet, func(y Constraint) bool {
			return y.Code == x.Code || (x.Code == CodeMinCities || x.Code == CodeMaxCities || x.Code == CodeSingleApplicant) &&
				(y.Code == CodeMinCities || y.Code == CodeMaxCities || y.Code == CodeSingleApplicant)
		})
		b.ConstraintsMissing = slices.DeleteFunc(b.ConstraintsMissing, func(y Constraint) bool { return y.Code == x.Code })
	}
	b.ConstraintsMissing = append(broken, b.ConstraintsMissing...)
	return b, nil
}

// withLead makes lead (a member's slug) the bid's lead, worth leadPoints.
func withLead(b Bid, lead string, leadPoints float64) Bid {
	i := slices.IndexFunc(b.Members, func(m Member) bool { return m.City == lead })
	b.Members[0].Role, b.Members[i].Role = Partner, Lead
	first := b.Members[i]
	b.Members = append([]Member{first}, slices.Delete(b.Members, i, i+1)...)
	b.Lead = lead
	b.Value.Total += leadPoints - b.Value.LeadExperience
	b.Value.LeadExperience = leadPoints
	return b
}
