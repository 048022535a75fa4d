package consortium

import (
	"context"
	"math/rand/v2"
	"os"
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

// BenchmarkPlanPortfolioHeuristic300x100 plans 300 cities × 100 calls in
// 4.5 s and reports the plan's value, its certified bound and the gap
// between them. Before the bound of bound.go and the wider shortlist it
// reported value 5587, bound 7727, gap 27.7 %; with the bound's branch and
// bound, value 5741, bound 5997, gap 4.3 %; with the plan driven by the
// bound's steps (priced, forceBids), value 5785–5812, bound 5951–5953, gap
// 2.4–2.8 %; with reassign and 2048 pricing nodes, value 5833–5858, bound
// 5936–5942, gap 1.3–1.8 %. Given 20 s: value 5849, bound 5921, gap 1.2 %.
func BenchmarkPlanPortfolioHeuristic300x100(b *testing.B) {
	benchmarkHeuristic300x100(b, 4500*time.Millisecond)
}

// BenchmarkPlanPortfolioHeuristic300x100Budget20s is the same portfolio
// with 20 s: how far more time closes the gap (4.1 % before the plan was
// driven by the bound's steps, 1.7 % with it, 1.2 % with reassign).
func BenchmarkPlanPortfolioHeuristic300x100Budget20s(b *testing.B) {
	benchmarkHeuristic300x100(b, 20*time.Second)
}

// BenchmarkPlanPortfolioHeuristic300x100Instances plans three other
// seeded portfolios of 300 cities × 100 calls in 4.5 s each and reports the
// mean and the worst gap, so that a change is judged on more than one
// instance.
func BenchmarkPlanPortfolioHeuristic300x100Instances(b *testing.B) {
	var sum, worst float64
	const instances = 3
	for b.Loop() {
		sum, worst = 0, 0
		for seed := range uint64(instances) {
			rng := rand.New(rand.NewPCG(seed, 300100))
			p := randomPortfolio(rng, instanceSpec{cities: 300, calls: 100, concepts: 6, historyPairs: 900})
			budget := 4500 * time.Millisecond
			if v := os.Getenv("FUNDMATCH_PLANNER_BUDGET"); v != "" {
				budget, _ = time.ParseDuration(v)
			}
			plan, err := PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{TimeBudget: budget, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("instance %d: value %.1f, bound %.1f, gap %.2f%%", seed, plan.Value, plan.UpperBound, 100*plan.Gap)
			sum, worst = sum+plan.Gap, max(worst, plan.Gap)
		}
	}
	b.ReportMetric(100*sum/instances, "mean-gap%")
	b.ReportMetric(100*worst, "worst-gap%")
}

func benchmarkHeuristic300x100(b *testing.B, budget time.Duration) {
	p := benchPortfolio(300, 100)
	var plan Plan
	for b.Loop() {
		var err error
		if plan, err = PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{TimeBudget: budget, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(plan.Value, "value")
	b.ReportMetric(plan.UpperBound, "bound")
	b.ReportMetric(100*plan.Gap, "gap%")
}

// BenchmarkPlanPortfolioMediumExactVsHeuristic solves seeded medium
// portfolios (24 cities × 20 calls) exactly, and plans them heuristically
// with a fixed number of rounds, so that the heuristic's shortfall is
// measured against a proven optimum and its reported bound against the same
// optimum. Before the bound's branch and bound (bound.go) the bound was
// 7.7 % above the optimum on these.
func BenchmarkPlanPortfolioMediumExactVsHeuristic(b *testing.B) {
	benchmarkExactVsHeuristic(b, 24, 5)
}

// BenchmarkPlanPortfolio40x20ExactVsHeuristic is the same at 40 cities ×
// 20 calls, where a call has more member sets than PlanPortfolio lists and
// it searches the bids the Lagrangian's reduced costs keep instead.
func BenchmarkPlanPortfolio40x20ExactVsHeuristic(b *testing.B) {
	benchmarkExactVsHeuristic(b, 40, 3)
}

func benchmarkExactVsHeuristic(b *testing.B, cities, instances int) {
	var worst, sum, boundGap, certified float64
	proven := 0
	for b.Loop() {
		worst, sum, boundGap, certified, proven = 0, 0, 0, 0, 0
		for seed := range uint64(instances) {
			rng := rand.New(rand.NewPCG(seed, 2420))
			p := randomPortfolio(rng, instanceSpec{cities: cities, calls: 20, concepts: 6, historyPairs: 3 * cities})
			h, err := PlanPortfolioHeuristic(context.Background(), p, HeuristicOptions{Rounds: 300, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			// Some instances the exact search does not prove in minutes;
			// those are logged and left out of the figures.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			exact, err := PlanPortfolio(ctx, p)
			cancel()
			if err != nil {
				b.Fatalf("instance %d: exact search: %v", seed, err)
			}
			if h.UpperBound < exact.Value-1e-6 || (exact.Optimal && h.Value > exact.Value+1e-6) {
				b.Fatalf("instance %d: exact %.4f (proven %v), heuristic %.4f with bound %.4f", seed, exact.Value, exact.Optimal, h.Value, h.UpperBound)
			}
			if !exact.Optimal {
				b.Logf("instance %d: not proven in 2 minutes: best %.2f, heuristic %.2f, heuristic bound %.2f (gap %.2f%%)", seed, exact.Value, h.Value, h.UpperBound, 100*h.Gap)
				continue
			}
			proven++
			short := (exact.Value - h.Value) / exact.Value
			worst, sum = max(worst, short), sum+short
			boundGap += (h.UpperBound - exact.Value) / h.UpperBound
			certified += h.Gap
			b.Logf("instance %d: optimum %.2f (%v), heuristic %.2f (%.2f%% short), heuristic bound %.2f (gap %.2f%%)",
				seed, exact.Value, exact.Elapsed.Round(time.Millisecond), h.Value, 100*short, h.UpperBound, 100*h.Gap)
		}
	}
	if proven == 0 {
		b.Fatal("no instance proven optimal")
	}
	n := float64(proven)
	b.ReportMetric(float64(proven), "proven")
	b.ReportMetric(100*sum/n, "mean-short%")
	b.ReportMetric(100*worst, "worst-short%")
	b.ReportMetric(100*boundGap/n, "bound-above-opt%")
	b.ReportMetric(100*certified/n, "gap%")
}

// BenchmarkBoundSteps300x100 takes ten steps of the bound with branch and
// bound at 300 cities × 100 calls, from the relaxation's best prices: the
// cost of the bound alone, which the planner's 4.5 s share with the plan.
// Trying only the groups of concepts a free candidate took in cover's
// split took it from 1.64 s to 1.56–1.59 s, to the same bound (5946).
func BenchmarkBoundSteps300x100(b *testing.B) {
	p := benchPortfolio(300, 100)
	pm, err := newPortfolioModel(p)
	if err != nil {
		b.Fatal(err)
	}
	var bound float64
	for b.Loop() {
		s := newSubgradient(pm)
		steps := 0
		s.stepped = func() float64 { steps++; return 5800 }
		bound = s.lower(5800, 100, 0.25, func() bool { return steps >= 10 })
	}
	b.ReportMetric(bound, "bound")
}
