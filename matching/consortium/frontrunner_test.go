package consortium

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
)

// spreadingCall is a call for two cities of equal fit and coverage: Ronse
// has no EU record, Aalst and Brugge one past EU project each, so that on
// their record alone neither is a front-runner and every pair is worth the
// same.
func spreadingCall(bruggeDidIt bool) (Call, []Candidate) {
	call := Call{Identifier: "CERV-2027-CITIZENS", Programme: "CERV", MaxCities: 2,
		Needs: []Need{{Concept: "citizen-engagement", Weight: 1}}}
	cand := func(slug string, past int) Candidate {
		return Candidate{City: City{Slug: slug, Name: slug, Country: "BE",
			Experience: Experience{PastEUProjects: past},
			Capacity:   Capacity{MaxConcurrentBids: 2, CoFunding: 100_000}},
			Fit: 70, Eligibility: funding.Eligible,
			Covers: []Coverage{{Concept: "citizen-engagement", Strength: 0.8}}}
	}
	brugge := cand("brugge", 1)
	brugge.FrontRunner = bruggeDidIt
	return call, []Candidate{cand("aalst", 1), brugge, cand("ronse", 0)}
}

func TestAFrontRunnerForTheCallIsPairedWithANewcomerWhenTheRestIsEqual(t *testing.T) {
	call, cands := spreadingCall(false)
	plan := PlanCall(call, cands, History{}, 3)
	if len(plan.Bids) != 3 || plan.Bids[0].Value.Total != plan.Bids[2].Value.Total || plan.Bids[0].Value.Spreading != 0 {
		t.Fatalf("without a front-runner the three pairs should be worth the same, without spreading: %+v", plan.Bids)
	}

	call, cands = spreadingCall(true) // Brugge did a project like the call
	plan = PlanCall(call, cands, History{}, 3)
	best := plan.Bids[0]
	if got := memberSlugs(best); !slices.Equal(got, []string{"brugge", "ronse"}) {
		t.Fatalf("best bid %v, want the front-runner Brugge with the newcomer Ronse", got)
	}
	if best.Value.Spreading != perNewcomer || best.Value.Total <= plan.Bids[1].Value.Total {
		t.Fatalf("best bid %+v is not worth more than the next %+v", best.Value, plan.Bids[1].Value)
	}
	// A front-runner for the call is no newcomer to it, even without an EU
	// record: Ronse with a project like the call earns no spreading of its own.
	cands[2].FrontRunner = true
	for _, b := range PlanCall(call, cands, History{}, 3).Bids {
		if b.Value.Spreading != 0 {
			t.Fatalf("bid %v earns spreading %.1f without a newcomer", memberSlugs(b), b.Value.Spreading)
		}
	}
}

func TestPlanCallEqualsBruteForceWithFrontRunnersForTheCall(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	for trial := range 80 {
		p := randomPortfolio(rng, instanceSpec{cities: 2 + rng.IntN(9), calls: 1, concepts: 3, historyPairs: rng.IntN(10)})
		cc := p.Calls[0]
		for i := range cc.Candidates {
			cc.Candidates[i].FrontRunner = rng.IntN(3) == 0
		}
		plan := PlanCall(cc.Call, cc.Candidates, p.History, 1)
		_, values := bruteBids(cc.Call, cc.Candidates, p.History)
		if len(values) == 0 {
			if len(plan.Bids) != 0 {
				t.Fatalf("trial %d: a bid where brute force finds none", trial)
			}
			continue
		}
		if len(plan.Bids) != 1 || !near(plan.Bids[0].Value.Total, slices.Max(values)) {
			t.Fatalf("trial %d: best bid %+v, brute force %.6f", trial, plan.Bids, slices.Max(values))
		}
	}
}
