package consortium

import (
	"fmt"
	"math/rand/v2"

	"github.com/fundmatch/fundmatch/funding"
)

// instanceSpec sizes a random instance.
type instanceSpec struct {
	cities, calls int
	concepts      int
	historyPairs  int
	programmes    []Programme
}

var allProgrammes = []Programme{Horizon, Digital, Life, CEF, ERDFFlanders, CityOfThings, InterregVLNL, InterregNWE, UrbanInitiative, "CERV"}

// randomPortfolio draws a portfolio: every city is a candidate for every
// call, with random fit, coverage, eligibility and a shared capacity.
func randomPortfolio(rng *rand.Rand, spec instanceSpec) Portfolio {
	programmes := spec.programmes
	if programmes == nil {
		programmes = allProgrammes
	}
	cities := make([]City, spec.cities)
	for i := range cities {
		past := rng.IntN(9)
		if rng.IntN(3) == 0 {
			past = 0
		}
		maxBids := 1 + rng.IntN(3)
		cities[i] = City{
			Slug: fmt.Sprintf("city-%03d", i), Name: fmt.Sprintf("City %d", i), Province: "Antwerpen", Country: "BE",
			InVlaanderenNederland: rng.IntN(2) == 0,
			Experience:            Experience{PastEUProjects: past, ProgrammesLed: rng.IntN(min(past, 3) + 1)},
			Capacity: Capacity{
				MaxConcurrentBids: maxBids, BidsInProgress: rng.IntN(2),
				CoFunding: float64(50_000 * rng.IntN(8)),
			},
		}
	}
	var p Portfolio
	for c := range spec.calls {
		call := Call{Identifier: fmt.Sprintf("CALL-%02d", c), Programme: programmes[rng.IntN(len(programmes))]}
		if rng.IntN(6) == 0 {
			call.Action = MonoBeneficiary
		}
		nNeeds := 1 + rng.IntN(spec.concepts)
		for k := range nNeeds {
			call.Needs = append(call.Needs, Need{Concept: fmt.Sprintf("concept-%d", k), Weight: 0.5 + rng.Float64()})
		}
		cc := CallCandidates{Call: call}
		for _, city := range cities {
			cand := Candidate{City: city, Fit: 20 + 80*rng.Float64(), Eligibility: funding.Eligible,
				CoFundingNeeded: float64(25_000 * rng.IntN(5))}
			switch rng.IntN(10) {
			case 0:
				cand.Eligibility = funding.Ineligible
			case 1, 2:
				cand.Eligibility = funding.EligibilityUnknown
			}
			for _, n := range call.Needs {
				if rng.IntN(2) == 0 {
					cand.Covers = append(cand.Covers, Coverage{Concept: n.Concept, Strength: rng.Float64(),
						Evidence: Project{Title: "Project " + n.Concept + " " + city.Slug, Year: 2018 + rng.IntN(7)}})
				}
			}
			cc.Candidates = append(cc.Candidates, cand)
		}
		p.Calls = append(p.Calls, cc)
	}
	for range spec.historyPairs {
		a, b := rng.IntN(spec.cities), rng.IntN(spec.cities)
		if a != b {
			p.History.Joint = append(p.History.Joint, Collaboration{A: cities[a].Slug, B: cities[b].Slug, JointProjects: 1 + rng.IntN(4)})
		}
	}
	countries := []string{"NL", "DE", "FR", "IT", "ES", "LU"}
	for f := range 6 {
		fp := ForeignPartner{Name: fmt.Sprintf("Partner %d", f), Country: countries[f], Programmes: []Programme{programmes[rng.IntN(len(programmes))]}}
		p.History.Foreign = append(p.History.Foreign, fp)
		p.History.Joint = append(p.History.Joint, Collaboration{A: cities[rng.IntN(spec.cities)].Slug, B: fp.Name, JointProjects: 1 + rng.IntN(3)})
	}
	return p
}

// referenceValue computes a bid's value straight from Value's documented
// formula, independently of the planner's precomputed model.
func referenceValue(call Call, cands []Candidate, h History, members []string) float64 {
	in := make(map[string]Candidate)
	for _, c := range cands {
		in[c.City.Slug] = c
	}
	var total, weights float64
	for _, n := range call.Needs {
		weights += n.Weight
	}
	for _, n := range call.Needs {
		best := 0.0
		for _, s := range members {
			for _, cov := range in[s].Covers {
				if cov.Concept == n.Concept {
					best = max(best, cov.Strength)
				}
			}
		}
		total += 30 * n.Weight / weights * best
	}
	front, newcomers := false, 0
	var lead *Candidate
	for a, s := range members {
		c := in[s]
		total += (c.Fit - 50) / 10
		for _, t := range members[a+1:] {
			joint := 0
			for _, j := range h.Joint {
				if (j.A == s && j.B == t) || (j.A == t && j.B == s) {
					joint += j.JointProjects
				}
			}
			total += float64(min(joint, 3))
		}
		front = front || c.City.Experience.PastEUProjects >= 3 || c.FrontRunner
		if c.City.Experience.PastEUProjects == 0 && !c.FrontRunner {
			newcomers++
		}
		if lead == nil || betterLeadRef(c, *lead) {
			lead = &c
		}
	}
	if front {
		total += 3 * float64(newcomers)
	}
	e := lead.City.Experience
	return total + 0.5*float64(min(e.PastEUProjects, 10)) + float64(min(e.ProgrammesLed, 5))
}

func leadPointsRef(c Candidate) float64 {
	e := c.City.Experience
	return 0.5*float64(min(e.PastEUProjects, 10)) + float64(min(e.ProgrammesLed, 5))
}

func betterLeadRef(a, b Candidate) bool {
	if (a.Eligibility == funding.Eligible) != (b.Eligibility == funding.Eligible) {
		return a.Eligibility == funding.Eligible
	}
	if leadPointsRef(a) != leadPointsRef(b) {
		return leadPointsRef(a) > leadPointsRef(b)
	}
	if a.Fit != b.Fit {
		return a.Fit > b.Fit
	}
	return a.City.Slug < b.City.Slug
}
