package consortium

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// steppingClock is a clock that moves on by step at every reading, so a
// search under a time budget does the same work on any machine.
func steppingClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func TestHeuristicUnderATimeBudgetIsRepeatableWithItsSeedAndClock(t *testing.T) {
	p := benchPortfolio(40, 12)
	plan := func() Plan {
		// No round limit: only the budget, read on the options' clock, stops the search.
		opt := HeuristicOptions{TimeBudget: 500 * time.Millisecond, Seed: 7, Now: steppingClock(5 * time.Millisecond)}
		plan, err := PlanPortfolioHeuristic(context.Background(), p, opt)
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, p, plan)
		return plan
	}
	first, second := plan(), plan()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("same seed and options, different plans (-first +second):\n%s", diff)
	}
	if len(first.Bids) == 0 || first.Elapsed <= 0 || first.Elapsed > time.Second {
		t.Errorf("plan: %d bids, elapsed %v on the stepping clock; want bids and about the 500ms budget", len(first.Bids), first.Elapsed)
	}
}

// heuristicState is everything a move changes in a heuristic's plan.
type heuristicState struct {
	Bids   [][]int
	Slots  []int
	CoFund []float64
	Total  float64
}

func stateOf(h *heuristic) heuristicState {
	s := heuristicState{Slots: slices.Clone(h.slots), CoFund: slices.Clone(h.coFund), Total: h.total}
	for _, b := range h.bids {
		s.Bids = append(s.Bids, slices.Sorted(slices.Values(b)))
	}
	return s
}

// Forcing a call's bid either pays, leaving a plan whose capacity and value
// are what a fresh load of its bids gives, or puts every bid back as it
// was: the journal undoes nested rebuilds and releases alike.
func TestForcingABidPaysOrChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	paid, kept := 0, 0
	for trial := range 40 {
		p, h := movesHeuristic(t, rng, trial, instanceSpec{cities: 12 + rng.IntN(20), calls: 4 + rng.IntN(8), concepts: 4, historyPairs: 40})
		pm := h.pm
		h.construct(context.Background(), 0)
		for range 10 {
			c := rng.IntN(len(pm.calls))
			m := pm.calls[c]
			if len(m.cands) < m.rule.minCities {
				continue
			}
			members := rng.Perm(len(m.cands))[:m.rule.minCities+rng.IntN(min(m.rule.maxCities, len(m.cands))-m.rule.minCities+1)]
			before := stateOf(h)
			if checkMove(t, fmt.Sprintf("trial %d: force", trial), p, h, before, h.force(context.Background(), c, members)) {
				paid++
			} else {
				kept++
			}
		}
	}
	if paid == 0 || kept == 0 {
		t.Errorf("force paid %d times and was undone %d times; want both", paid, kept)
	}
}

// movesHeuristic is a heuristic over a random portfolio of spec, seeded by
// trial, for a test of its moves to start a plan in.
func movesHeuristic(t *testing.T, rng *rand.Rand, trial int, spec instanceSpec) (Portfolio, *heuristic) {
	t.Helper()
	p := randomPortfolio(rng, spec)
	pm, err := newPortfolioModel(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, newHeuristic(pm, HeuristicOptions{Seed: uint64(trial)})
}

// checkMove checks a move that reported paid on h, whose plan was before,
// and returns paid: a move that paid raised the value and left a plan that
// is what a fresh load of its bids gives, within every limit; one that did
// not left every bid as it was. Either way the journal is closed.
func checkMove(t *testing.T, move string, p Portfolio, h *heuristic, before heuristicState, paid bool) bool {
	t.Helper()
	if paid {
		if h.total <= before.Total {
			t.Fatalf("%s paid but the plan went from %.4f to %.4f", move, before.Total, h.total)
		}
		after := stateOf(h)
		h.load(h.snapshot())
		if diff := cmp.Diff(after, stateOf(h), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
			t.Fatalf("%s: the plan after it differs from its bids loaded afresh (-after +loaded):\n%s", move, diff)
		}
		checkPlan(t, p, h.pm.plan(h.snapshot().choice))
	} else if diff := cmp.Diff(before, stateOf(h), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Fatalf("%s did not pay but changed the plan (-before +after):\n%s", move, diff)
	}
	if h.journaling != 0 || len(h.journal) != 0 {
		t.Fatalf("%s: journal left open: %d marks, %d changes", move, h.journaling, len(h.journal))
	}
	return paid
}

// Progress comes after each step of the bound: time moves on, the plan
// only gets better and the bound only lower, never below the plan, and the
// last report is no better than the plan returned.
func TestHeuristicReportsItsProgress(t *testing.T) {
	p := benchPortfolio(40, 12)
	var reports []Progress
	opt := HeuristicOptions{TimeBudget: 500 * time.Millisecond, Seed: 7, Now: steppingClock(5 * time.Millisecond),
		Progress: func(pr Progress) { reports = append(reports, pr) }}
	plan, err := PlanPortfolioHeuristic(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) < 2 {
		t.Fatalf("%d progress reports, want one per step of the bound", len(reports))
	}
	for k, r := range reports {
		if r.Value > r.Bound+1e-9 || r.Elapsed <= 0 || r.Elapsed > opt.TimeBudget {
			t.Errorf("report %d: %+v; want a value under its bound, within the budget", k, r)
		}
		if k == 0 {
			continue
		}
		if prev := reports[k-1]; r.Elapsed <= prev.Elapsed || r.Value < prev.Value-1e-9 || r.Bound > prev.Bound+1e-9 {
			t.Errorf("report %d: %+v after %+v; want later, no worse a plan, no higher a bound", k, r, prev)
		}
	}
	if last := reports[len(reports)-1]; last.Value > plan.Value+1e-9 || last.Bound < plan.UpperBound-1e-9 {
		t.Errorf("last report %+v, plan value %.2f with bound %.2f", last, plan.Value, plan.UpperBound)
	}
}
