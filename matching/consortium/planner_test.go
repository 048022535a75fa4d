package consortium

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
)

// joinable says, independently of the planner, whether a candidate may join
// a bid for the call on its own capacity.
func joinable(call Call, c Candidate) bool {
	capa := c.City.Capacity
	return c.Eligibility != funding.Ineligible &&
		(call.Programme != InterregVLNL || c.City.InVlaanderenNederland) &&
		capa.MaxConcurrentBids-capa.BidsInProgress >= 1 &&
		c.CoFundingNeeded <= capa.CoFunding
}

// bruteBids lists every valid bid for a call (as member slugs) with its
// reference value.
func bruteBids(call Call, cands []Candidate, h History) (sets [][]string, values []float64) {
	var pool []Candidate
	for _, c := range cands {
		if joinable(call, c) {
			pool = append(pool, c)
		}
	}
	r := ruleFor(call)
	for mask := 1; mask < 1<<len(pool); mask++ {
		var members []string
		for i, c := range pool {
			if mask&(1<<i) != 0 {
				members = append(members, c.City.Slug)
			}
		}
		if len(members) < r.minCities || len(members) > r.maxCities {
			continue
		}
		sets = append(sets, members)
		values = append(values, referenceValue(call, cands, h, members))
	}
	return sets, values
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*max(1, math.Abs(a), math.Abs(b)) }

func memberSlugs(b Bid) []string {
	var s []string
	for _, m := range b.Members {
		s = append(s, m.City)
	}
	slices.Sort(s)
	return s
}

func TestPlanCallEqualsBruteForceOnRandomCalls(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	for trial := range 150 {
		p := randomPortfolio(rng, instanceSpec{cities: 2 + rng.IntN(10), calls: 1, concepts: 4, historyPairs: rng.IntN(15)})
		cc := p.Calls[0]
		k := 1 + rng.IntN(6)
		plan := PlanCall(cc.Call, cc.Candidates, p.History, k)
		_, values := bruteBids(cc.Call, cc.Candidates, p.History)
		slices.SortFunc(values, func(a, b float64) int { return cmp.Compare(b, a) })
		want := values[:min(k, len(values))]
		if len(plan.Bids) != len(want) {
			t.Fatalf("trial %d (%s): %d bids, brute force has %d", trial, cc.Call.Programme, len(plan.Bids), len(want))
		}
		seen := make(map[string]bool)
		for r, b := range plan.Bids {
			if !near(b.Value.Total, want[r]) {
				t.Fatalf("trial %d (%s): bid %d worth %.6f, brute force %.6f", trial, cc.Call.Programme, r, b.Value.Total, want[r])
			}
			if ref := referenceValue(cc.Call, cc.Candidates, p.History, memberSlugs(b)); !near(ref, b.Value.Total) {
				t.Fatalf("trial %d: bid %v reports %.6f, formula gives %.6f", trial, memberSlugs(b), b.Value.Total, ref)
			}
			key := slices.Concat(memberSlugs(b), []string{})
			if seen[joinKey(key)] {
				t.Fatalf("trial %d: member set %v proposed twice", trial, key)
			}
			seen[joinKey(key)] = true
		}
		if !plan.Optimal {
			t.Fatalf("trial %d: plan of %d candidates not marked optimal", trial, len(cc.Candidates))
		}
	}
}

func joinKey(s []string) string {
	out := ""
	for _, x := range s {
		out += x + ","
	}
	return out
}

// brutePortfolio is the best plan value by enumerating every combination of
// one valid bid (or none) per call within the cities' capacity.
func brutePortfolio(p Portfolio) float64 {
	type option struct {
		members []Candidate
		value   float64
	}
	options := make([][]option, len(p.Calls))
	for c, cc := range p.Calls {
		options[c] = []option{{}}
		sets, values := bruteBids(cc.Call, cc.Candidates, p.History)
		for s, set := range sets {
			var ms []Candidate
			for _, cand := range cc.Candidates {
				if slices.Contains(set, cand.City.Slug) {
					ms = append(ms, cand)
				}
			}
			options[c] = append(options[c], option{ms, values[s]})
		}
	}
	slots := make(map[string]int)
	money := make(map[string]float64)
	best := 0.0
	var walk func(c int, value float64)
	walk = func(c int, value float64) {
		if c == len(options) {
			best = max(best, value)
			return
		}
		for _, o := range options[c] {
			ok := true
			for _, m := range o.members {
				capa := m.City.Capacity
				if slots[m.City.Slug]+1 > capa.MaxConcurrentBids-capa.BidsInProgress || money[m.City.Slug]+m.CoFundingNeeded > capa.CoFunding {
					ok = false
				}
			}
			if !ok {
				continue
			}
			for _, m := range o.members {
				slots[m.City.Slug]++
				money[m.City.Slug] += m.CoFundingNeeded
			}
			walk(c+1, value+o.value)
			for _, m := range o.members {
				slots[m.City.Slug]--
				money[m.City.Slug] -= m.CoFundingNeeded
			}
		}
	}
	walk(0, 0)
	return best
}

func TestPlanPortfolioEqualsBruteForceOnRandomPortfolios(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2))
	for trial := range 60 {
		p := randomPortfolio(rng, instanceSpec{cities: 3 + rng.IntN(4), calls: 2 + rng.IntN(2), concepts: 3, historyPairs: rng.IntN(8)})
		plan, err := PlanPortfolio(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		want := brutePortfolio(p)
		if !near(plan.Value, want) {
			t.Fatalf("trial %d: plan worth %.6f, brute force %.6f", trial, plan.Value, want)
		}
		if !plan.Optimal || plan.Gap != 0 {
			t.Fatalf("trial %d: exact plan not proven optimal (gap %.4f)", trial, plan.Gap)
		}
	}
}

// The columns the reduced costs keep always hold an optimal plan when the
// incumbent they are cut against is worse than the optimum: the search over
// them, started from that incumbent alone and bounded by the same prices,
// finds the brute-force optimum.
func TestPricedColumnsHoldAnOptimalPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	for trial := range 60 {
		p := randomPortfolio(rng, instanceSpec{cities: 3 + rng.IntN(4), calls: 2 + rng.IntN(3), concepts: 3, historyPairs: rng.IntN(10)})
		pm, err := newPortfolioModel(p)
		if err != nil {
			t.Fatal(err)
		}
		want := brutePortfolio(p)
		for _, share := range []float64{0.5, 0.97, 0.9999} {
			incumbent := share * want
			cols, lambda, mu, bound, err := pricedColumns(context.Background(), pm, incumbent)
			if err != nil {
				t.Fatal(err)
			}
			if bound < want-1e-6 {
				t.Fatalf("trial %d: bound %.6f below the optimum %.6f", trial, bound, want)
			}
			bb := newPortfolioSearch(pm, cols, incumbent, nil)
			copy(bb.price, lambda)
			copy(bb.mu, mu)
			bb.sortByReducedValue()
			bb.dfs(context.Background(), 0, 0)
			if !near(bb.best, want) {
				t.Fatalf("trial %d, incumbent %.4f: best over the priced columns %.6f, brute force %.6f", trial, incumbent, bb.best, want)
			}
		}
	}
}

// The whole priced path (columns from reduced costs for every call, the
// search started from the bound's prices) proves the same optimum as brute
// force: the path PlanPortfolio takes when a call has too many member sets
// to list.
func TestPricedPortfolioPlanIsTheOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	for trial := range 30 {
		p := randomPortfolio(rng, instanceSpec{cities: 3 + rng.IntN(4), calls: 2 + rng.IntN(3), concepts: 3, historyPairs: rng.IntN(10)})
		plan, err := planPortfolio(context.Background(), p, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := brutePortfolio(p); !near(plan.Value, want) || !plan.Optimal {
			t.Fatalf("trial %d: priced plan %.6f (optimal %v), brute force %.6f", trial, plan.Value, plan.Optimal, want)
		}
	}
}

// The heuristic is a local search: it must never beat a proven optimum, its
// bound must never fall below it, and it should land within 2 % of it. On
// these 70 seeded instances it is 0.18 % short at worst and 0.003 % on
// average (0.98 % and 0.017 % before it forced the bound's best bids, see
// forceBids); the test holds it to 2 % on each and 0.1 % on average.
func TestHeuristicStaysNearExactOptimumAndBoundHolds(t *testing.T) {
	var shortfalls []float64
	for _, seed := range []uint64{11, 12} {
		rng := rand.New(rand.NewPCG(seed, 3))
		for trial := range 35 {
			p := randomPortfolio(rng, instanceSpec{cities: 8 + rng.IntN(5), calls: 6 + rng.IntN(8), concepts: 4, historyPairs: 20})
			exact, err := PlanPortfolio(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if !exact.Optimal {
				t.Fatalf("seed %d trial %d: exact search did not finish", seed, trial)
			}
			h, err := PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{Seed: uint64(trial)})
			if err != nil {
				t.Fatal(err)
			}
			if h.Value > exact.Value+1e-6 {
				t.Fatalf("seed %d trial %d: heuristic %.4f beats the proven optimum %.4f", seed, trial, h.Value, exact.Value)
			}
			if h.UpperBound < exact.Value-1e-6 {
				t.Fatalf("seed %d trial %d: heuristic bound %.4f below the optimum %.4f", seed, trial, h.UpperBound, exact.Value)
			}
			short := 0.0
			if exact.Value > 0 {
				short = (exact.Value - h.Value) / exact.Value
			}
			shortfalls = append(shortfalls, short)
			if short > 0.02 {
				t.Errorf("seed %d trial %d: heuristic %.4f more than 2%% below the optimum %.4f", seed, trial, h.Value, exact.Value)
			}
		}
	}
	within, sum := 0, 0.0
	for _, s := range shortfalls {
		sum += s
		if s <= 0.02 {
			within++
		}
	}
	mean := sum / float64(len(shortfalls))
	t.Logf("within 2%%: %d of %d; mean shortfall %.3f%%; worst %.3f%%", within, len(shortfalls), 100*mean, 100*slices.Max(shortfalls))
	if within != len(shortfalls) {
		t.Errorf("heuristic within 2%% of the optimum on only %d of %d instances", within, len(shortfalls))
	}
	if mean > 0.001 {
		t.Errorf("heuristic %.3f%% below the optimum on average; want at most 0.1%%", 100*mean)
	}
}
