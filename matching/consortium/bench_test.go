package consortium

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// benchPortfolio is a seeded random portfolio of the given size.
func benchPortfolio(cities, calls int) Portfolio {
	rng := rand.New(rand.NewPCG(42, uint64(cities*1000+calls)))
	return randomPortfolio(rng, instanceSpec{cities: cities, calls: calls, concepts: 6, historyPairs: 3 * cities})
}

func BenchmarkPlanCall30CandidatesExact(b *testing.B) {
	p := roomy(benchPortfolio(30, 1))
	cc := p.Calls[0]
	cc.Call.Programme = Horizon // up to eight cities
	cc.Call.Action = Collaborative
	for i := range cc.Candidates {
		cc.Candidates[i].Eligibility = funding.Eligible // all 30 searched
	}
	var nodes int
	for b.Loop() {
		plan := PlanCall(cc.Call, cc.Candidates, p.History, 5)
		nodes = plan.Nodes
	}
	b.ReportMetric(float64(nodes), "nodes")
}

func BenchmarkPlanPortfolio14x30Exact(b *testing.B) {
	p := benchPortfolio(14, 30)
	var plan Plan
	for b.Loop() {
		var err error
		if plan, err = PlanPortfolio(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	if !plan.Optimal {
		b.Fatal("not proven optimal")
	}
	b.ReportMetric(plan.Value, "value")
}

// roomy gives every city 3 to 6 free bid slots and ample co-funding, so
// that bids compete less for cities and far more plans are feasible.
func roomy(p Portfolio) Portfolio {
	for c := range p.Calls {
		for i := range p.Calls[c].Candidates {
			capa := &p.Calls[c].Candidates[i].City.Capacity
			capa.MaxConcurrentBids, capa.BidsInProgress, capa.CoFunding = 3+i%4, 0, 1e6
		}
	}
	return p
}

func BenchmarkPlanPortfolio14x30ExactRoomy(b *testing.B) {
	p := roomy(benchPortfolio(14, 30))
	var plan Plan
	for b.Loop() {
		var err error
		if plan, err = PlanPortfolio(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	if !plan.Optimal {
		b.Fatal("not proven optimal")
	}
	b.ReportMetric(plan.Value, "value")
}

func BenchmarkPlanPortfolioHeuristic300x100(b *testing.B) {
	p := benchPortfolio(300, 100)
	var plan Plan
	for b.Loop() {
		var err error
		if plan, err = PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{TimeBudget: 4500 * time.Millisecond, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(plan.Value, "value")
	b.ReportMetric(plan.UpperBound, "bound")
	b.ReportMetric(100*plan.Gap, "gap%")
}
