package consortium

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
)

// checkPlan fails t unless every bid keeps the rules it claims and the plan
// stays within every city's capacity.
func checkPlan(t *testing.T, p Portfolio, plan Plan) {
	t.Helper()
	cands := make(map[string]map[string]Candidate)
	calls := make(map[string]Call)
	for _, cc := range p.Calls {
		calls[cc.Call.Identifier] = cc.Call
		cands[cc.Call.Identifier] = make(map[string]Candidate)
		for _, c := range cc.Candidates {
			cands[cc.Call.Identifier][c.City.Slug] = c
		}
	}
	bids := make(map[string]int)
	money := make(map[string]float64)
	capacity := make(map[string]Capacity)
	seenCall := make(map[string]bool)
	for _, b := range plan.Bids {
		if seenCall[b.Call] {
			t.Fatalf("call %s has two bids", b.Call)
		}
		seenCall[b.Call] = true
		checkBid(t, calls[b.Call], cands[b.Call], b)
		for _, m := range b.Members {
			c := cands[b.Call][m.City]
			bids[m.City]++
			money[m.City] += c.CoFundingNeeded
			capacity[m.City] = c.City.Capacity
		}
	}
	for city, n := range bids {
		capa := capacity[city]
		if capa.BidsInProgress+n > capa.MaxConcurrentBids {
			t.Fatalf("%s joins %d bids with %d of %d slots in use", city, n, capa.BidsInProgress, capa.MaxConcurrentBids)
		}
		if money[city] > capa.CoFunding+1e-6 {
			t.Fatalf("%s spends %.0f co-funding of %.0f", city, money[city], capa.CoFunding)
		}
	}
}

// checkBid fails t unless the bid meets the constraints it lists as met.
func checkBid(t *testing.T, call Call, cands map[string]Candidate, b Bid) {
	t.Helper()
	leads := 0
	var members []string
	for _, m := range b.Members {
		c, ok := cands[m.City]
		if !ok {
			t.Fatalf("%s: member %s is not a candidate", b.Call, m.City)
		}
		if !joinable(call, c) {
			t.Fatalf("%s: member %s may not join (eligibility %s)", b.Call, m.City, c.Eligibility)
		}
		if m.Role == Lead {
			leads++
			if m.City != b.Lead {
				t.Fatalf("%s: lead role on %s, Lead is %s", b.Call, m.City, b.Lead)
			}
		}
		members = append(members, m.City)
	}
	if leads != 1 || b.Members[0].Role != Lead {
		t.Fatalf("%s: %d leads, first member %s", b.Call, leads, b.Members[0].Role)
	}
	codes := func(cs []Constraint) []string {
		var out []string
		for _, c := range cs {
			if c.NL == "" || c.EN == "" {
				t.Fatalf("%s: constraint %s lacks a Dutch or English text", b.Call, c.Code)
			}
			out = append(out, c.Code)
		}
		return out
	}
	met, missing := codes(b.ConstraintsMet), codes(b.ConstraintsMissing)
	n := len(members)
	r := ruleFor(call)
	if slices.Contains(met, CodeMinCities) && n < 2 {
		t.Fatalf("%s: claims a joint bid with %d cities", b.Call, n)
	}
	if slices.Contains(met, CodeSingleApplicant) && n != 1 {
		t.Fatalf("%s: claims a single applicant with %d cities", b.Call, n)
	}
	if n < r.minCities || n > r.maxCities {
		t.Fatalf("%s (%s): %d cities, rule allows %d to %d", b.Call, call.Programme, n, r.minCities, r.maxCities)
	}
	if slices.Contains(met, CodeMaxCities) && n > r.maxCities {
		t.Fatalf("%s: claims the size limit with %d cities", b.Call, n)
	}
	unknown := false
	for _, s := range members {
		unknown = unknown || cands[s].Eligibility == funding.EligibilityUnknown
		if slices.Contains(met, CodeBorderArea) && !cands[s].City.InVlaanderenNederland {
			t.Fatalf("%s: claims the border area with %s outside it", b.Call, s)
		}
	}
	if unknown == slices.Contains(met, CodeEligibility) || unknown != slices.Contains(missing, CodeEligibility) {
		t.Fatalf("%s: unknown eligibility %v, met %v, missing %v", b.Call, unknown, met, missing)
	}
	if needsForeign := r.countries > 1; needsForeign != slices.Contains(missing, CodeForeign) {
		t.Fatalf("%s (%s): needs foreign partners %v, missing %v", b.Call, call.Programme, needsForeign, missing)
	}
	countries := make(map[string]bool)
	for _, f := range b.ForeignPartners {
		if countries[f.Country] || f.Country == "BE" || (r.foreignPool != nil && !slices.Contains(r.foreignPool, f.Country)) {
			t.Fatalf("%s: suggested partner %s from %s", b.Call, f.Name, f.Country)
		}
		countries[f.Country] = true
	}
	if len(b.ForeignPartners) > r.countries-1 {
		t.Fatalf("%s: %d partners suggested, %d needed", b.Call, len(b.ForeignPartners), r.countries-1)
	}
	if ref := referenceValue(call, slices.Collect(mapValues(cands)), Portfolio{}.History, members); b.Value.Synergy == 0 && !near(ref, b.Value.Total) {
		t.Fatalf("%s: value %.4f, formula %.4f", b.Call, b.Value.Total, ref)
	}
}

func mapValues(m map[string]Candidate) func(func(Candidate) bool) {
	return func(yield func(Candidate) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

func TestEveryPlanKeepsItsConstraintsAndCapacity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for trial := range 40 {
		p := randomPortfolio(rng, instanceSpec{cities: 4 + rng.IntN(9), calls: 1 + rng.IntN(10), concepts: 4, historyPairs: 15})
		exact, err := PlanPortfolio(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, p, exact)
		h, err := PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{Rounds: 10, Seed: uint64(trial)})
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, p, h)
		for _, cc := range p.Calls {
			plan := PlanCall(cc.Call, cc.Candidates, p.History, 3)
			for _, b := range plan.Bids {
				checkBid(t, cc.Call, candidateMap(cc.Candidates), b)
			}
		}
	}
}

func candidateMap(cs []Candidate) map[string]Candidate {
	m := make(map[string]Candidate, len(cs))
	for _, c := range cs {
		m[c.City.Slug] = c
	}
	return m
}

func TestCancelledSearchesReturnAFeasiblePlanNotProvenOptimal(t *testing.T) {
	p := roomy(benchPortfolio(14, 30))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	exact, err := PlanPortfolio(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, exact)
	if exact.Optimal || exact.UpperBound < exact.Value || exact.Gap <= 0 {
		t.Errorf("cancelled exact search: optimal %v, value %.2f, bound %.2f, gap %.4f", exact.Optimal, exact.Value, exact.UpperBound, exact.Gap)
	}
	h, err := PlanPortfolioHeuristic(ctx, p, HeuristicOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, p, h)
	if len(h.Bids) == 0 || h.UpperBound < h.Value {
		t.Errorf("cancelled heuristic: %d bids, value %.2f, bound %.2f", len(h.Bids), h.Value, h.UpperBound)
	}
}
