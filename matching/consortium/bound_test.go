package consortium

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// The bound of one call at random prices is never below the best priced
// bid found by enumerating every valid member set with the reference value,
// whatever the branch and bound's node budget, and with the full budget it
// is that best priced bid: the branch and bound closes on calls this small.
// Calls of up to twelve concepts also reach the bound's fallback for more
// concepts than its dynamic programme takes.
func TestCallBoundHoldsAtRandomPrices(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 17))
	loose := 0
	for trial := range 400 {
		p := randomPortfolio(rng, instanceSpec{cities: 2 + rng.IntN(9), calls: 1, concepts: 1 + rng.IntN(12), historyPairs: rng.IntN(30)})
		pm, err := newPortfolioModel(p)
		if err != nil {
			t.Fatal(err)
		}
		n := len(pm.slots)
		lambda, mu := make([]float64, n), make([]float64, n)
		for g := range n {
			if rng.IntN(3) > 0 {
				lambda[g], mu[g] = 8*rng.Float64(), 4*rng.Float64()
			}
		}
		cc := p.Calls[0]
		sets, values := bruteBids(cc.Call, cc.Candidates, p.History)
		want := 0.0 // no bid
		for s, set := range sets {
			v := values[s]
			for _, slug := range set {
				g := pm.net.index[slug]
				for _, cand := range cc.Candidates {
					if cand.City.Slug == slug {
						v -= lambda[g] + mu[g]*cand.CoFundingNeeded/coFundingUnit
					}
				}
			}
			want = max(want, v)
		}
		for _, nodes := range []int{0, 1, 8, pricingNodes} {
			b := newCallBound(pm.calls[0])
			b.nodes = nodes
			got := b.bound(lambda, mu, make([]int, n), make([]float64, n))
			if got < want-1e-6 {
				t.Fatalf("trial %d (%s, %d cities, %d nodes): bound %.6f below the best priced bid %.6f", trial, cc.Call.Programme, n, nodes, got, want)
			}
			if nodes == pricingNodes && len(cc.Call.Needs) < maxDPConcepts && got > want+1e-6 {
				t.Errorf("trial %d (%s, %d cities): bound %.6f with the full budget, best priced bid %.6f", trial, cc.Call.Programme, n, got, want)
			}
			if nodes == 0 && got > want+1e-6 {
				loose++
			}
		}
	}
	t.Logf("the relaxation alone is above the best priced bid in %d of 400 calls", loose)
}

// The portfolio bound, driven hard towards zero so that its prices roam,
// is never below the optimum found by enumeration.
func TestBoundHoldsOnRandomPortfolios(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 21))
	never := func() bool { return false }
	tight := 0
	for trial := range 150 {
		p := randomPortfolio(rng, instanceSpec{cities: 3 + rng.IntN(4), calls: 2 + rng.IntN(3), concepts: 1 + rng.IntN(4), historyPairs: rng.IntN(12)})
		pm, err := newPortfolioModel(p)
		if err != nil {
			t.Fatal(err)
		}
		want := brutePortfolio(p)
		for _, target := range []float64{0, want} {
			got := newSubgradient(pm).lower(target, 200, 0.5, never)
			if got < want-1e-6 {
				t.Fatalf("trial %d: bound %.6f (steps towards %.2f) below the optimum %.6f", trial, got, target, want)
			}
			if got <= want*1.02+1e-6 {
				tight++
			}
		}
	}
	t.Logf("bound within 2%% of the optimum in %d of 300 runs", tight)
}

// The heuristic's reported bound is the same bound: never below the exact
// optimum of the portfolio, and with each call's priced maximum found by
// branch and bound, within 1 % of it on average (the relaxation alone gave
// several per cent).
func TestHeuristicBoundIsAtLeastTheExactOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var above float64
	for trial := range 30 {
		p := randomPortfolio(rng, instanceSpec{cities: 6 + rng.IntN(6), calls: 4 + rng.IntN(6), concepts: 4, historyPairs: 25})
		exact, err := PlanPortfolio(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		h, err := PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{Rounds: 20, Seed: uint64(trial)})
		if err != nil {
			t.Fatal(err)
		}
		if !exact.Optimal || h.UpperBound < exact.Value-1e-6 || h.Gap < 0 {
			t.Fatalf("trial %d: optimum %.4f (proven %v), heuristic bound %.4f, gap %.4f", trial, exact.Value, exact.Optimal, h.UpperBound, h.Gap)
		}
		above += h.UpperBound/exact.Value - 1
	}
	if above/30 > 0.01 {
		t.Errorf("bound %.2f%% above the optimum on average", 100*above/30)
	}
}

// A step's calls are bounded on several goroutines; the bound is the same
// as on one, to the last bit, and so are the prices it leaves.
func TestBoundIsTheSameOnOneProcessorAndOnSeveral(t *testing.T) {
	p := benchPortfolio(60, 20)
	pm, err := newPortfolioModel(p)
	if err != nil {
		t.Fatal(err)
	}
	never := func() bool { return false }
	run := func(procs int) (float64, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		s := newSubgradient(pm)
		return s.lower(0, 30, 0.5, never), slices.Clone(s.bestLambda)
	}
	one, oneLambda := run(1)
	four, fourLambda := run(4)
	if one != four || !slices.Equal(oneLambda, fourLambda) {
		t.Errorf("bound %.9f on one processor, %.9f on four (prices equal: %v)", one, four, slices.Equal(oneLambda, fourLambda))
	}
}
