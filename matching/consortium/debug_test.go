package consortium

import (
	"context"
	"math/rand/v2"
	"testing"
)

func TestDebugHeuristic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	for trial := range 80 {
		p := randomPortfolio(rng, instanceSpec{cities: 8 + rng.IntN(5), calls: 6 + rng.IntN(8), concepts: 4, historyPairs: 20})
		if trial != 47 {
			continue
		}
		exact, _ := PlanPortfolio(context.Background(), p)
		h, _ := PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{Restarts: 200, Seed: uint64(trial)})
		for _, pl := range []Plan{exact, h} {
			t.Logf("value %.2f ub %.2f", pl.Value, pl.UpperBound)
			for _, b := range pl.Bids {
				t.Logf("  %s %s %.2f %v", b.Call, b.Programme, b.Value.Total, memberSlugs(b))
			}
		}
		for _, cc := range p.Calls {
			c := cc.Candidates[0].City.Capacity
			_ = c
		}
		for _, c := range p.Calls[0].Candidates {
			t.Logf("%s slots %d cof %.0f", c.City.Slug, c.City.Capacity.MaxConcurrentBids-c.City.Capacity.BidsInProgress, c.City.Capacity.CoFunding)
		}
	}
}
