package consortium

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The assignment is the best one: on small matrices, every way of giving
// each row a column of its own is tried.
func TestMaxAssignmentFindsTheBestAssignment(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 300 {
		n := 1 + rng.IntN(5)
		m := n + rng.IntN(4)
		value := make([][]float64, n)
		for i := range value {
			value[i] = make([]float64, m)
			for j := range value[i] {
				value[i][j] = math.Inf(-1)
				if rng.IntN(3) > 0 {
					value[i][j] = math.Round(rng.NormFloat64()*100) / 10
				}
			}
			value[i][i] = float64(rng.IntN(5)) // every row has a column it may take
		}
		got := maxAssignment(value)
		taken := make([]bool, m)
		sum := 0.0
		for i, j := range got {
			if taken[j] || math.IsInf(value[i][j], -1) {
				t.Fatalf("trial %d: row %d took column %d, taken or not allowed: %v", trial, i, j, got)
			}
			taken[j] = true
			sum += value[i][j]
		}
		if best := bestAssignment(value, 0, make([]bool, m)); math.Abs(sum-best) > 1e-9 {
			t.Fatalf("trial %d: assignment %v sums to %.2f, the best is %.2f\n%v", trial, got, sum, best, value)
		}
	}
}

// bestAssignment is the largest sum over rows from row on, by trying every
// free column for each.
func bestAssignment(value [][]float64, row int, taken []bool) float64 {
	if row == len(value) {
		return 0
	}
	best := math.Inf(-1)
	for j, v := range value[row] {
		if taken[j] || math.IsInf(v, -1) {
			continue
		}
		taken[j] = true
		best = max(best, v+bestAssignment(value, row+1, taken))
		taken[j] = false
	}
	return best
}

// Reassigning either pays, leaving a plan whose capacity and value are what
// a fresh load of its bids gives and that breaks no limit, or leaves every
// bid as it was.
func TestReassigningPaysOrChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	paid, kept := 0, 0
	for trial := range 40 {
		p, h := movesHeuristic(t, rng, trial, instanceSpec{cities: 12 + rng.IntN(30), calls: 4 + rng.IntN(10), concepts: 4, historyPairs: 40})
		// A poor plan, from noisy greedy bids without local search, so that
		// there is something to gain.
		h.reset()
		for c := range h.pm.calls {
			h.apply(c, h.greedyBid(c, 5))
		}
		for range 20 {
			before := stateOf(h)
			if checkMove(t, fmt.Sprintf("trial %d: reassign", trial), p, h, before, h.reassign(h.places())) {
				paid++
			} else {
				kept++
			}
		}
	}
	if paid == 0 || kept == 0 {
		t.Errorf("reassign paid %d times and changed nothing %d times; want both", paid, kept)
	}
}
