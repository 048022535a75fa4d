package consortium_test

import (
	"fmt"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

func city(slug, name string, past, led int) consortium.City {
	return consortium.City{
		Slug: slug, Name: name, Country: "BE", InVlaanderenNederland: true,
		Experience: consortium.Experience{PastEUProjects: past, ProgrammesLed: led},
		Capacity:   consortium.Capacity{MaxConcurrentBids: 3, CoFunding: 500_000},
	}
}

// mobilityCall is a Horizon call on mobility and open data with four
// candidate cities and some history.
func mobilityCall() (consortium.Call, []consortium.Candidate, consortium.History) {
	call := consortium.Call{
		Identifier: "HORIZON-MISS-2026-CIT-01",
		Programme:  consortium.Horizon,
		Needs:      []consortium.Need{{Concept: "mobility", Weight: 1}, {Concept: "open data", Weight: 1}},
	}
	cands := []consortium.Candidate{
		{City: city("gent", "Gent", 9, 3), Fit: 82, Eligibility: funding.Eligible,
			Covers: []consortium.Coverage{{Concept: "mobility", Strength: 0.9, Evidence: consortium.Project{Title: "Circulatieplan", Year: 2017}}}},
		{City: city("kortrijk", "Kortrijk", 4, 1), Fit: 74, Eligibility: funding.Eligible,
			Covers: []consortium.Coverage{{Concept: "open data", Strength: 0.8, Evidence: consortium.Project{Title: "Open data platform", Year: 2020}}}},
		{City: city("mechelen", "Mechelen", 5, 0), Fit: 48, Eligibility: funding.Eligible,
			Covers: []consortium.Coverage{{Concept: "mobility", Strength: 0.7}}},
		{City: city("ronse", "Ronse", 0, 0), Fit: 55, Eligibility: funding.EligibilityUnknown},
	}
	history := consortium.History{
		Joint: []consortium.Collaboration{{A: "gent", B: "kortrijk", JointProjects: 2}, {A: "gent", B: "Eindhoven", JointProjects: 1}},
		Foreign: []consortium.ForeignPartner{
			{Name: "Eindhoven", Country: "NL", Programmes: []consortium.Programme{consortium.Horizon}},
			{Name: "Lille", Country: "FR", Programmes: []consortium.Programme{consortium.Horizon}},
		},
	}
	return call, cands, history
}

// A Horizon call on mobility and open data: Gent brings mobility, Kortrijk
// open data; Mechelen duplicates Gent's mobility, so it adds only its
// (below-par) fit; Ronse, a newcomer, gains from joining front-runners.
func ExamplePlanCall() {
	call, cands, history := mobilityCall()
	plan := consortium.PlanCall(call, cands, history, 2)
	for _, bid := range plan.Bids {
		v := bid.Value
		fmt.Printf("%.1f points: fit %.1f, coverage %.1f, lead %.1f, synergy %.1f, spreading %.1f\n",
			v.Total, v.Fit, v.Coverage, v.LeadExperience, v.Synergy, v.Spreading)
		for _, m := range bid.Members {
			fmt.Printf("  %s (%s)", m.Name, m.Role)
			for _, c := range m.Contribution.Concepts {
				if c.Strongest {
					fmt.Printf(" brings %s (%s, %d)", c.Concept, c.Evidence.Title, c.Evidence.Year)
				}
			}
			fmt.Println()
		}
		for _, c := range bid.ConstraintsMissing {
			fmt.Printf("  missing: %s / %s\n", c.EN, c.NL)
		}
		for _, p := range bid.ForeignPartners {
			fmt.Printf("  suggested: %s (%s)\n", p.Name, p.Country)
		}
	}
	// Output:
	// 44.1 points: fit 6.1, coverage 25.5, lead 7.5, synergy 2.0, spreading 3.0
	//   Gent (lead) brings mobility (Circulatieplan, 2017)
	//   Kortrijk (partner) brings open data (Open data platform, 2020)
	//   Ronse (partner)
	//   missing: needs two foreign partners from two other countries / heeft nog twee buitenlandse partners uit twee andere landen nodig
	//   missing: eligibility not yet confirmed for Ronse / in aanmerking komen nog niet bevestigd voor Ronse
	//   suggested: Eindhoven (NL)
	//   suggested: Lille (FR)
	// 43.9 points: fit 5.9, coverage 25.5, lead 7.5, synergy 2.0, spreading 3.0
	//   Gent (lead) brings mobility (Circulatieplan, 2017)
	//   Kortrijk (partner) brings open data (Open data platform, 2020)
	//   Ronse (partner)
	//   Mechelen (partner)
	//   missing: needs two foreign partners from two other countries / heeft nog twee buitenlandse partners uit twee andere landen nodig
	//   missing: eligibility not yet confirmed for Ronse / in aanmerking komen nog niet bevestigd voor Ronse
	//   suggested: Eindhoven (NL)
	//   suggested: Lille (FR)
}
