package consortium

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
