package consortium

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/fundmatch/fundmatch/funding"
)

// The weights of the objective; Value's doc comment states them in words.
const (
	fitBar           = 50.0 // a member with a lower fit weakens the bid
	fitScale         = 10.0
	coveragePoints   = 30.0
	perPastProject   = 0.5
	maxPastProjects  = 10
	perProjectLed    = 1.0
	maxProjectsLed   = 5
	perJointProject  = 1.0
	maxJointProjects = 3
	perNewcomer      = 3.0
	frontRunnerFrom  = 3 // past EU projects
)

// network indexes the cities of a problem and their past collaboration.
type network struct {
	index   map[string]int
	cities  []City
	synergy [][]float64 // points between two cities
	history History
}

// newNetwork indexes cities (unique by slug) and turns the history into
// synergy points.
func newNetwork(cities []City, h History) *network {
	n := &network{index: make(map[string]int, len(cities)), cities: cities, history: h}
	for i, c := range cities {
		n.index[c.Slug] = i
	}
	joint := make([][]int, len(cities))
	for i := range joint {
		joint[i] = make([]int, len(cities))
	}
	for _, c := range h.Joint {
		a, okA := n.index[c.A]
		b, okB := n.index[c.B]
		if !okA || !okB || a == b || c.JointProjects <= 0 {
			continue
		}
		joint[a][b] += c.JointProjects
		joint[b][a] += c.JointProjects
	}
	n.synergy = make([][]float64, len(cities))
	for i := range joint {
		n.synergy[i] = make([]float64, len(cities))
		for j, k := range joint[i] {
			n.synergy[i][j] = perJointProject * float64(min(k, maxJointProjects))
		}
	}
	return n
}

// callModel is one call prepared for search: the candidates that may join a
// bid, with every term of the objective precomputed.
type callModel struct {
	call     Call
	rule     rule
	net      *network
	cands    []Candidate
	city     []int       // network index of each candidate
	fit      []float64   // fit points
	strength [][]float64 // [candidate][need] in 0..1
	weight   []float64   // coverage points per unit strength, per need
	lead     []float64   // lead points
	eligible []bool
	front    []bool
	newcomer []bool
	excluded []Exclusion
}

// newCallModel keeps the candidates that may join a bid for the call and
// records why the others may not.
func newCallModel(c Call, cands []Candidate, net *network) *callModel {
	m := &callModel{call: c, rule: ruleFor(c), net: net}
	var total float64
	for _, n := range c.Needs {
		total += max(n.Weight, 0)
	}
	m.weight = make([]float64, len(c.Needs))
	for k, n := range c.Needs {
		if total > 0 {
			m.weight[k] = coveragePoints * max(n.Weight, 0) / total
		}
	}
	seen := make(map[string]bool, len(cands))
	for _, cand := range cands {
		if seen[cand.City.Slug] {
			m.excluded = append(m.excluded, Exclusion{cand.City.Slug, reasonDuplicate})
			continue
		}
		seen[cand.City.Slug] = true
		if why, out := exclusion(m.rule, cand); out {
			m.excluded = append(m.excluded, Exclusion{cand.City.Slug, why})
			continue
		}
		m.add(cand)
	}
	return m
}

func (m *callModel) add(cand Candidate) {
	exp := cand.City.Experience
	m.cands = append(m.cands, cand)
	m.city = append(m.city, m.net.index[cand.City.Slug])
	m.fit = append(m.fit, (cand.Fit-fitBar)/fitScale)
	s := make([]float64, len(m.call.Needs))
	for _, cov := range cand.Covers {
		for k, n := range m.call.Needs {
			if n.Concept == cov.Concept {
				s[k] = max(s[k], min(max(cov.Strength, 0), 1))
			}
		}
	}
	m.strength = append(m.strength, s)
	m.lead = append(m.lead, perPastProject*float64(min(exp.PastEUProjects, maxPastProjects))+
		perProjectLed*float64(min(exp.ProgrammesLed, maxProjectsLed)))
	m.eligible = append(m.eligible, cand.Eligibility == funding.Eligible)
	m.front = append(m.front, exp.PastEUProjects >= frontRunnerFrom || cand.FrontRunner)
	m.newcomer = append(m.newcomer, exp.PastEUProjects == 0 && !cand.FrontRunner)
}

// syn is the synergy between two candidates.
func (m *callModel) syn(i, j int) float64 { return m.net.synergy[m.city[i]][m.city[j]] }

// leadOf picks the lead among members: an eligible city before one whose
// eligibility is unknown, then the most experienced, then the best fit.
func (m *callModel) leadOf(members []int) int {
	best := members[0]
	for _, i := range members[1:] {
		if m.betterLead(i, best) {
			best = i
		}
	}
	return best
}

func (m *callModel) betterLead(i, j int) bool {
	if m.eligible[i] != m.eligible[j] {
		return m.eligible[i]
	}
	if m.lead[i] != m.lead[j] {
		return m.lead[i] > m.lead[j]
	}
	if m.cands[i].Fit != m.cands[j].Fit {
		return m.cands[i].Fit > m.cands[j].Fit
	}
	return m.cands[i].City.Slug < m.cands[j].City.Slug
}

// value scores a bid of the given members (candidate indexes).
func (m *callModel) value(members []int) Value {
	var v Value
	if len(members) == 0 {
		return v
	}
	hasFront, newcomers := false, 0
	for a, i := range members {
		v.Fit += m.fit[i]
		for _, j := range members[a+1:] {
			v.Synergy += m.syn(i, j)
		}
		hasFront = hasFront || m.front[i]
		if m.newcomer[i] {
			newcomers++
		}
	}
	for k, w := range m.weight {
		var best float64
		for _, i := range members {
			best = max(best, m.strength[i][k])
		}
		v.Coverage += w * best
	}
	v.LeadExperience = m.lead[m.leadOf(members)]
	if hasFront {
		v.Spreading = perNewcomer * float64(newcomers)
	}
	v.Total = v.Fit + v.Coverage + v.LeadExperience + v.Synergy + v.Spreading
	return v
}

// usage reports a city's bid count and co-funding left once a plan's bids
// are added.
type usage func(city int) (bidsAfter int, coFundingLeft float64)

// singleUsage is the usage of a bid planned on its own.
func (m *callModel) singleUsage() usage {
	return func(city int) (int, float64) {
		for l, g := range m.city {
			if g == city {
				c := m.cands[l].City.Capacity
				return c.BidsInProgress + 1, c.CoFunding - m.cands[l].CoFundingNeeded
			}
		}
		return 0, 0
	}
}

// bid turns members (candidate indexes) into an explained Bid.
func (m *callModel) bid(members []int, use usage) Bid {
	lead := m.leadOf(members)
	ordered := append([]int{lead}, slices.DeleteFunc(slices.Clone(members), func(i int) bool { return i == lead })...)
	slices.SortStableFunc(ordered[1:], func(a, b int) int {
		return cmp.Or(cmp.Compare(m.cands[b].Fit, m.cands[a].Fit), cmp.Compare(m.cands[a].City.Slug, m.cands[b].City.Slug))
	})
	b := Bid{Call: m.call.Identifier, Programme: m.call.Programme, Lead: m.cands[lead].City.Slug, Value: m.value(members)}
	for _, i := range ordered {
		cand := m.cands[i]
		role := Partner
		if i == lead {
			role = Lead
		}
		after, left := use(m.city[i])
		con := Contribution{
			Fit: cand.Fit, Eligibility: cand.Eligibility, Experience: cand.City.Experience,
			BidsAfter: after, MaxBids: cand.City.Capacity.MaxConcurrentBids,
			CoFundingNeeded: cand.CoFundingNeeded, CoFundingLeft: left,
		}
		for k, need := range m.call.Needs {
			s := m.strength[i][k]
			if s <= 0 {
				continue
			}
			strongest := true
			for _, j := range members {
				if m.strength[j][k] > s {
					strongest = false
				}
			}
			cc := ConceptContribution{Concept: need.Concept, Strength: s, Strongest: strongest}
			for _, cov := range cand.Covers {
				if cov.Concept == need.Concept && cov.Strength == s {
					cc.Evidence = cov.Evidence
				}
			}
			con.Concepts = append(con.Concepts, cc)
		}
		b.Members = append(b.Members, Member{City: cand.City.Slug, Name: cmp.Or(cand.City.Name, cand.City.Slug), Role: role, Contribution: con})
	}
	b.ConstraintsMet, b.ConstraintsMissing = constraints(m.call, b.Members)
	b.ForeignPartners = m.suggestPartners(members)
	return b
}

// suggestPartners proposes foreign partners from history for the countries
// the consortium still needs: partners who worked with the members most
// often, or in the same programme, one per country.
func (m *callModel) suggestPartners(members []int) []PartnerSuggestion {
	need := m.rule.countries - 1
	if need <= 0 {
		return nil
	}
	inBid := make(map[string]bool, len(members))
	for _, i := range members {
		inBid[m.cands[i].City.Slug] = true
	}
	joint := make(map[string]int)
	for _, c := range m.net.history.Joint {
		switch {
		case inBid[c.A]:
			joint[c.B] += c.JointProjects
		case inBid[c.B]:
			joint[c.A] += c.JointProjects
		}
	}
	type scored struct {
		PartnerSuggestion
		sameProgramme bool
	}
	var pool []scored
	for _, f := range m.net.history.Foreign {
		if f.Country == "" || f.Country == "BE" || (m.rule.foreignPool != nil && !slices.Contains(m.rule.foreignPool, f.Country)) {
			continue
		}
		s := scored{PartnerSuggestion{f.Name, f.Country, joint[f.Name]}, slices.Contains(f.Programmes, m.call.Programme)}
		if s.JointProjects > 0 || s.sameProgramme {
			pool = append(pool, s)
		}
	}
	slices.SortStableFunc(pool, func(a, b scored) int {
		if a.JointProjects != b.JointProjects {
			return cmp.Compare(b.JointProjects, a.JointProjects)
		}
		if a.sameProgramme != b.sameProgramme {
			if a.sameProgramme {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	var out []PartnerSuggestion
	countries := make(map[string]bool)
	for _, s := range pool {
		if len(out) == need {
			break
		}
		if !countries[s.Country] {
			countries[s.Country] = true
			out = append(out, s.PartnerSuggestion)
		}
	}
	return out
}

// citiesOf collects the distinct cities of a portfolio and checks that every
// call describes a city the same way.
func citiesOf(p Portfolio) ([]City, error) {
	var cities []City
	index := make(map[string]int)
	for _, cc := range p.Calls {
		for _, cand := range cc.Candidates {
			i, ok := index[cand.City.Slug]
			if !ok {
				index[cand.City.Slug] = len(cities)
				cities = append(cities, cand.City)
				continue
			}
			if cities[i].Capacity != cand.City.Capacity {
				return nil, fmt.Errorf("city %s: capacity differs between calls (%+v, %+v)", cand.City.Slug, cities[i].Capacity, cand.City.Capacity)
			}
		}
	}
	return cities, nil
}

const eps = 1e-9

// gap is the relative distance between a value and its upper bound.
func gap(value, bound float64) float64 {
	if bound <= eps || bound-value <= eps {
		return 0
	}
	return (bound - value) / math.Abs(bound)
}
