package consortium

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// portfolioModel is a portfolio prepared for search: one callModel per call
// over a shared network of cities, and each city's free capacity.
type portfolioModel struct {
	net       *network
	calls     []*callModel
	slots     []int     // free bid slots per city
	coFunding []float64 // co-funding available per city
}

func newPortfolioModel(p Portfolio) (*portfolioModel, error) {
	cities, err := citiesOf(p)
	if err != nil {
		return nil, err
	}
	pm := &portfolioModel{net: newNetwork(cities, p.History)}
	seen := make(map[string]bool, len(p.Calls))
	for _, cc := range p.Calls {
		if seen[cc.Call.Identifier] {
			return nil, fmt.Errorf("call %s appears twice in the portfolio", cc.Call.Identifier)
		}
		seen[cc.Call.Identifier] = true
		pm.calls = append(pm.calls, newCallModel(cc.Call, cc.Candidates, pm.net))
	}
	for _, c := range cities {
		pm.slots = append(pm.slots, max(c.Capacity.MaxConcurrentBids-c.Capacity.BidsInProgress, 0))
		pm.coFunding = append(pm.coFunding, c.Capacity.CoFunding)
	}
	return pm, nil
}

// plan turns a choice of members per call (candidate indexes; empty for no
// bid) into a Plan, with each member's capacity use across the whole plan.
func (pm *portfolioModel) plan(choice [][]int) Plan {
	bids := make([]int, len(pm.slots))
	spent := make([]float64, len(pm.slots))
	for c, members := range choice {
		m := pm.calls[c]
		for _, i := range members {
			bids[m.city[i]]++
			spent[m.city[i]] += m.cands[i].CoFundingNeeded
		}
	}
	use := func(city int) (int, float64) {
		capa := pm.net.cities[city].Capacity
		return capa.BidsInProgress + bids[city], capa.CoFunding - spent[city]
	}
	var p Plan
	for c, members := range choice {
		if len(members) == 0 {
			continue
		}
		b := pm.calls[c].bid(members, use)
		p.Bids = append(p.Bids, b)
		p.Value += b.Value.Total
	}
	return p
}

// MaxExactCities is the number of distinct cities PlanPortfolio handles.
const MaxExactCities = 64

// maxColumns caps the member sets enumerated per call by PlanPortfolio.
const maxColumns = 200_000

// PlanPortfolio finds a most valuable set of bids, at most one per call, by
// branch and bound. The model: every call gets one bid or none; a bid's
// members are candidates that may join it (eligible or of unknown
// eligibility, in the programme area where required) and meet the
// programme's size rule; across the plan a city joins no more bids than its
// free slots (MaxConcurrentBids − BidsInProgress) and spends no more than its
// co-funding. Every feasible member set of a call is a column when there are
// few enough; otherwise the columns are the member sets the Lagrangian
// bound's reduced costs cannot rule out (see pricedColumns). The bound is a
// Lagrangian relaxation of the slot limits with prices from subgradient
// steps, and the incumbent comes from the anytime heuristic. Cancelling ctx
// returns the best plan so far with its bound, not proven optimal.
func PlanPortfolio(ctx context.Context, p Portfolio) (Plan, error) {
	return planPortfolio(ctx, p, false)
}

// planPortfolio is PlanPortfolio, with the columns from reduced costs for
// every call when priced is set (for tests).
func planPortfolio(ctx context.Context, p Portfolio, priced bool) (Plan, error) {
	start := time.Now()
	pm, err := newPortfolioModel(p)
	if err != nil {
		return Plan{}, fmt.Errorf("plan portfolio: %w", err)
	}
	if len(pm.slots) > MaxExactCities {
		return Plan{}, fmt.Errorf("plan portfolio: %d cities, exact search handles at most %d", len(pm.slots), MaxExactCities)
	}
	for _, m := range pm.calls {
		if len(m.cands) > MaxExactCandidates || countSets(len(m.cands), m.rule) > maxColumns {
			priced = true
		}
	}
	h := newHeuristic(pm, HeuristicOptions{Rounds: 8, Seed: 1})
	incumbent := h.run(ctx)
	var bb *portfolioSearch
	var root float64
	if priced {
		cols, lambda, mu, bound, err := pricedColumns(ctx, pm, incumbent.value)
		if err != nil {
			return Plan{}, fmt.Errorf("plan portfolio: %w", err)
		}
		// The search bounds by the same prices, co-funding's included.
		bb = newPortfolioSearch(pm, cols, incumbent.value, incumbent.choice)
		copy(bb.price, lambda)
		copy(bb.mu, mu)
		root = bound
	} else {
		cols := make([][]column, len(pm.calls))
		for c, m := range pm.calls {
			cols[c] = columnsOf(m)
		}
		bb = newPortfolioSearch(pm, cols, incumbent.value, incumbent.choice)
		root = bb.lagrange(ctx, 200)
	}
	bb.sortByReducedValue()
	bb.dfs(ctx, 0, 0)
	plan := pm.plan(bb.bestChoice)
	plan.Optimal = !bb.stopped
	plan.UpperBound = plan.Value
	if !plan.Optimal {
		plan.UpperBound = max(root, plan.Value)
	}
	plan.Gap = gap(plan.Value, plan.UpperBound)
	plan.Elapsed = time.Since(start)
	return plan, nil
}

// pricedColumns lists for every call the member sets that a plan worth
// more than the incumbent may take, and "no bid". At prices λ, μ ≥ 0, with
// U_c a bound on call c's priced maximum (at least 0) and L the bound they
// give, a plan P is worth Σ_c v(S_c) ≤ Σ_c (v(S_c) − π(S_c)) + Σ_g
// (λ_g·slots_g + μ_g·coFunding_g) = L − Σ_c (U_c − v(S_c) + π(S_c)), each
// term of the last sum being at least 0. So if P beats the incumbent, every
// bid S_c of P has a priced value above U_c − (L − incumbent): only those
// sets are listed, found by the single-call search on the model with each
// candidate's fit lowered by its prices. The prices come from the bound's
// subgradient steps (see bound.go) and are returned with L. More than
// maxColumns such sets in one call is an error.
func pricedColumns(ctx context.Context, pm *portfolioModel, incumbent float64) (cols [][]column, lambda, mu []float64, bound float64, err error) {
	s := newSubgradient(pm)
	s.lower(incumbent, 100, 0.5, func() bool { return ctx.Err() != nil })
	// Each call's bound at the best prices, found as a step finds them.
	copy(s.lambda, s.bestLambda)
	copy(s.mu, s.bestMu)
	l := s.evaluate(pricingNodes)
	bounds := s.tops
	slack := max(l-incumbent, 0)
	cols = make([][]column, len(pm.calls))
	for c, m := range pm.calls {
		all := make([]int, len(m.cands))
		for i := range all {
			all[i] = i
		}
		pr := m.subset(all)
		for i := range pr.fit {
			pr.fit[i] -= s.bounds[c].cost[i]
		}
		// A margin below the floor, so that rounding drops no set.
		sets := pr.above(bounds[c] - slack - 1e-6)
		if len(sets) > maxColumns {
			return nil, nil, nil, 0, fmt.Errorf("call %s has %d bids the bound cannot rule out, exact search handles at most %d", m.call.Identifier, len(sets), maxColumns)
		}
		cols[c] = append(make([]column, 0, len(sets)+1), column{})
		for _, set := range sets {
			col := column{members: set.members, value: m.value(set.members).Total}
			for _, i := range set.members {
				col.cities = append(col.cities, m.city[i])
				col.need = append(col.need, m.cands[i].CoFundingNeeded)
			}
			cols[c] = append(cols[c], col)
		}
	}
	return cols, s.bestLambda, s.bestMu, l, nil
}

// countSets is the number of member sets a call's rule allows among n candidates.
func countSets(n int, r rule) int {
	total, binom := 0, 1 // binom = C(n, size)
	for size := 1; size <= min(n, r.maxCities); size++ {
		binom = binom * (n - size + 1) / size
		if size >= r.minCities {
			total += binom
		}
	}
	return total
}

// column is one possible bid for a call.
type column struct {
	members []int     // candidate indexes
	cities  []int     // network indexes
	need    []float64 // co-funding per member
	value   float64
	reduced float64 // value minus the members' slot prices
}

// columnsOf lists the feasible member sets of a call that are not dominated,
// and "no bid". A set is dominated when dropping one member leaves a valid
// bid worth at least as much: that bid uses less capacity, so some optimal
// plan never needs the larger set.
func columnsOf(m *callModel) []column {
	sets, _ := m.best(0)
	value := make(map[uint32]float64, len(sets))
	mask := func(members []int) uint32 {
		var b uint32
		for _, i := range members {
			b |= 1 << i
		}
		return b
	}
	for _, s := range sets {
		value[mask(s.members)] = s.value
	}
	cols := make([]column, 0, len(sets)+1)
	cols = append(cols, column{})
	for _, s := range sets {
		b := mask(s.members)
		dominated := false
		for _, i := range s.members {
			if v, ok := value[b&^(1<<i)]; ok && v >= s.value {
				dominated = true
				break
			}
		}
		if dominated {
			continue
		}
		col := column{members: s.members, value: s.value}
		for _, i := range s.members {
			col.cities = append(col.cities, m.city[i])
			col.need = append(col.need, m.cands[i].CoFundingNeeded)
		}
		cols = append(cols, col)
	}
	return cols
}

// portfolioSearch is the branch and bound over calls.
type portfolioSearch struct {
	pm         *portfolioModel
	cols       [][]column // per call (in search order)
	order      []int      // call indexes in search order
	price      []float64  // Lagrangian price of a bid slot, per city
	mu         []float64  // Lagrangian price of coFundingUnit of co-funding, per city
	slots      []int
	coFunding  []float64
	chosen     []int // column per search position
	best       float64
	bestChoice [][]int // members per call
	nodes      int
	stopped    bool
}

func newPortfolioSearch(pm *portfolioModel, cols [][]column, incumbent float64, choice [][]int) *portfolioSearch {
	s := &portfolioSearch{
		pm: pm, price: make([]float64, len(pm.slots)), mu: make([]float64, len(pm.slots)),
		slots: slices.Clone(pm.slots), coFunding: slices.Clone(pm.coFunding),
		best: incumbent, bestChoice: choice, chosen: make([]int, len(cols)),
	}
	s.order = make([]int, len(cols))
	for c := range s.order {
		s.order[c] = c
	}
	top := func(c int) float64 {
		v := 0.0
		for _, col := range cols[c] {
			v = max(v, col.value)
		}
		return v
	}
	slices.SortStableFunc(s.order, func(a, b int) int { return cmp.Compare(top(b), top(a)) })
	for _, c := range s.order {
		s.cols = append(s.cols, cols[c])
	}
	return s
}

// lagrange runs subgradient steps on the slot prices and returns the best
// (lowest) upper bound found, leaving the prices that gave it. Every
// iterate is a valid bound, so cancelling ctx only loosens it.
func (s *portfolioSearch) lagrange(ctx context.Context, iterations int) float64 {
	// The columns' cities, flattened per call: the loop below is the hot spot.
	type flat struct {
		cities []int32
		end    []int32 // column k's cities are cities[end[k-1]:end[k]]
		value  []float64
	}
	calls := make([]flat, len(s.cols))
	for c, cols := range s.cols {
		f := flat{end: make([]int32, len(cols)), value: make([]float64, len(cols))}
		for k, col := range cols {
			for _, city := range col.cities {
				f.cities = append(f.cities, int32(city))
			}
			f.end[k], f.value[k] = int32(len(f.cities)), col.value
		}
		calls[c] = f
	}
	n := len(s.price)
	used := make([]int, n)
	bestPrice := slices.Clone(s.price)
	bound, theta, stale := 0.0, 2.0, 0
	for it := range iterations {
		clear(used)
		l := 0.0
		for i, p := range s.price {
			l += p * float64(s.slots[i])
		}
		for c, f := range calls {
			top, at, from := 0.0, 0, int32(0)
			for k, end := range f.end {
				r := f.value[k]
				for _, city := range f.cities[from:end] {
					r -= s.price[city]
				}
				if r > top {
					top, at = r, k
				}
				from = end
			}
			l += top
			for _, city := range s.cols[c][at].cities {
				used[city]++
			}
		}
		if it == 0 || l < bound-eps {
			bound, stale = l, 0
			copy(bestPrice, s.price)
		} else if stale++; stale >= 10 {
			theta, stale = theta/2, 0
		}
		var norm float64
		for i := range n {
			g := float64(s.slots[i] - used[i])
			if g > 0 && s.price[i] == 0 {
				g = 0 // a free city's price cannot drop below zero
			}
			norm += g * g
		}
		if norm == 0 || bound-s.best <= eps || theta < 1e-4 || ctx.Err() != nil {
			break
		}
		step := theta * max(l-s.best, 1e-3) / norm
		for i := range n {
			s.price[i] = max(0, s.price[i]-step*float64(s.slots[i]-used[i]))
		}
	}
	copy(s.price, bestPrice)
	return bound
}

// sortByReducedValue orders each call's columns by value minus prices,
// best first, so that branching can stop at the first column whose bound
// falls short.
func (s *portfolioSearch) sortByReducedValue() {
	for _, cols := range s.cols {
		for k := range cols {
			cols[k].reduced = cols[k].value
			for m, city := range cols[k].cities {
				cols[k].reduced -= s.price[city] + s.mu[city]*cols[k].need[m]/coFundingUnit
			}
		}
		slices.SortStableFunc(cols, func(a, b column) int { return cmp.Compare(b.reduced, a.reduced) })
	}
}

func (s *portfolioSearch) fits(col column) bool {
	for k, city := range col.cities {
		if s.slots[city] < 1 || s.coFunding[city] < col.need[k]-eps {
			return false
		}
	}
	return true
}

// rest bounds what calls from position t on can still add, Lagrangian style:
// each call's best feasible column at reduced value, plus the price of every
// free slot and of the co-funding left.
func (s *portfolioSearch) rest(t int) float64 {
	var sum float64
	for i, p := range s.price {
		sum += p*float64(s.slots[i]) + s.mu[i]*s.coFunding[i]/coFundingUnit
	}
	for _, cols := range s.cols[t:] {
		for _, col := range cols {
			if col.reduced <= 0 {
				break // "no bid" is worth 0 and always fits
			}
			if s.fits(col) {
				sum += col.reduced
				break
			}
		}
	}
	return sum
}

func (s *portfolioSearch) dfs(ctx context.Context, t int, value float64) {
	s.nodes++
	if s.nodes%1024 == 0 && ctx.Err() != nil {
		s.stopped = true
	}
	if s.stopped {
		return
	}
	if t == len(s.cols) {
		if value > s.best+eps {
			s.best = value
			s.bestChoice = make([][]int, len(s.cols))
			for pos, k := range s.chosen {
				s.bestChoice[s.order[pos]] = s.cols[pos][k].members
			}
		}
		return
	}
	rest := s.rest(t + 1)
	for k, col := range s.cols[t] {
		if value+col.reduced+rest <= s.best+eps {
			return
		}
		if !s.fits(col) {
			continue
		}
		for m, city := range col.cities {
			s.slots[city]--
			s.coFunding[city] -= col.need[m]
		}
		s.chosen[t] = k
		s.dfs(ctx, t+1, value+col.value)
		for m, city := range col.cities {
			s.slots[city]++
			s.coFunding[city] += col.need[m]
		}
	}
}
