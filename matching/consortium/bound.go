package consortium

import (
	"cmp"
	"math"
	"slices"
)

// The upper bound the heuristic reports, and why it holds.
//
// A plan picks at most one member set S_c per call c, such that every city
// g joins at most slots_g bids and spends at most coFunding_g. Give every
// city a price λ_g ≥ 0 per bid slot and μ_g ≥ 0 per unit of co-funding. For
// a feasible plan, Σ_c Σ_{i∈S_c} (λ_g(i) + μ_g(i)·need_i) ≤ Σ_g λ_g·slots_g +
// μ_g·coFunding_g, so its value is at most
//
//	L(λ, μ) = Σ_g (λ_g·slots_g + μ_g·coFunding_g) + Σ_c max(0, max_S v_c(S) − π(S))
//
// where π(S) sums the members' prices: a Lagrangian relaxation of the
// capacity constraints. Any upper bound on each call's priced maximum keeps
// L an upper bound; callBound computes one from these facts about a member
// set S of at most r cities (r: the programme's maximum):
//
//   - fit and prices are a sum over the members;
//   - the newcomer bonus is at most 3 per newcomer, and 0 when r = 1;
//   - synergy: every pair's points s are split into shares α·s and
//     (1 − α)·s of its two cities, for any α in [0, 1] (s·x_i·x_j ≤
//     α·s·x_i + (1 − α)·s·x_j for x in {0, 1}); a city in S then gets at
//     most its r − 1 largest shares, so the pairs inside S are worth at most
//     the members' shares. The split starts on the city weaker on its own
//     and moves towards the city the last bound did not rest on, so that
//     the points land on cities no good bid takes;
//   - coverage and lead are a maximum over the members per concept (the
//     lead's points are at most the largest among the members), so with
//     u_i the member's sum of the terms above, D the r cities with the
//     largest positive u and τ the smallest u in D (0 when D has fewer than
//     r cities), Σ_{i∈S} u_i ≤ Σ_{i∈D} u_i − Σ_{i∈S∖D} (τ − u_i): each city
//     of S outside D displaces one of D worth at least τ. Each concept (and
//     the lead) is then covered either by D at D's best strength or by a
//     city j outside D that pays τ − u_j once for all the concepts it
//     covers; the best such assignment is found exactly by a dynamic
//     programme over the subsets of concepts.
//
// Subgradient steps on λ and μ lower L; every iterate is a valid bound, so
// stopping early only loosens it. TestCallBoundHoldsAtRandomPrices checks a
// call's bound against enumeration at random prices, and
// TestBoundHoldsOnRandomPortfolios the whole bound against the optimum.

// coFundingUnit scales co-funding (euro) to the size of the slot counts, so
// that one subgradient step suits both kinds of price.
const coFundingUnit = 100_000.0

// maxDPConcepts is the largest number of concepts (the lead counting as
// one) the dynamic programme handles; beyond it every concept is counted at
// the best strength of any candidate.
const maxDPConcepts = 10

// splitPasses is how many splits of the synergy each call's bound tries at
// given prices, and splitStep how far a split moves between them.
const (
	splitPasses = 2
	splitStep   = 0.1
)

// pair is a synergy between two candidates of a call.
type pair struct {
	i, j int
	s    float64
}

// callBound bounds one call's best bid at given prices; its slices are
// reused between evaluations.
type callBound struct {
	m     *callModel
	need  []float64   // co-funding need per candidate, in coFundingUnit
	gain  [][]float64 // [candidate][concept]: coverage points, then lead points
	pairs []pair
	// Scratch space.
	base, u   []float64
	share     [][]float64
	taken     []bool
	alpha     []float64 // per pair: the share of its synergy charged to its first city
	keep      []int
	order     []int
	inD       []bool
	best, g   []float64
	sums      []float64
	who, from []int
	d         []float64
	chosen    []int
}

func newCallBound(m *callModel) *callBound {
	n := len(m.cands)
	b := &callBound{m: m, need: make([]float64, n), gain: make([][]float64, n),
		base: make([]float64, n), u: make([]float64, n), share: make([][]float64, n), taken: make([]bool, n),
		order: make([]int, 0, n), inD: make([]bool, n)}
	for i := range m.cands {
		b.need[i] = m.cands[i].CoFundingNeeded / coFundingUnit
		row := make([]float64, len(m.weight)+1)
		for k, w := range m.weight {
			row[k] = w * m.strength[i][k]
		}
		row[len(m.weight)] = m.lead[i]
		b.gain[i] = row
		for j := i + 1; j < n; j++ {
			if s := m.syn(i, j); s > 0 {
				b.pairs = append(b.pairs, pair{i, j, s})
			}
		}
	}
	// Start with each pair's synergy on the city weaker on its own.
	b.alpha = make([]float64, len(b.pairs))
	for k, p := range b.pairs {
		if m.value([]int{p.i}).Total < m.value([]int{p.j}).Total {
			b.alpha[k] = 1
		}
	}
	k := len(m.weight) + 1
	if k <= maxDPConcepts {
		b.best, b.g, b.sums = make([]float64, 1<<k), make([]float64, 1<<k), make([]float64, 1<<k)
		b.who, b.from = make([]int, 1<<k), make([]int, 1<<k)
	}
	b.d = make([]float64, k)
	return b
}

// bound returns an upper bound on max(0, max_S v(S) − π(S)) at slot prices
// lambda and co-funding prices mu (per city), and adds to used and spent
// the slots and co-funding of the cities its bound rests on, for the
// subgradient.
func (b *callBound) bound(lambda, mu []float64, used []int, spent []float64) float64 {
	m := b.m
	r := m.rule.maxCities
	if len(m.cands) == 0 || r < m.rule.minCities || len(m.cands) < m.rule.minCities {
		return 0
	}
	n := len(m.cands)
	for i := range n {
		g := m.city[i]
		b.base[i] = m.fit[i] - lambda[g] - mu[g]*b.need[i]
		if r > 1 && m.newcomer[i] {
			b.base[i] += perNewcomer
		}
	}
	if r == 1 {
		// One member: no synergy, no newcomer bonus; the best alone is exact.
		top, at := 0.0, -1
		for i := range n {
			v := b.base[i]
			for _, x := range b.gain[i] {
				v += x
			}
			if v > top {
				top, at = v, i
			}
		}
		if at >= 0 {
			used[m.city[at]]++
			spent[m.city[at]] += b.need[at]
		}
		return top
	}
	// Each pair's synergy is split between its two cities; after every
	// evaluation the split moves towards the city the bound did not rest
	// on, and the lowest of the evaluations is the bound.
	best := math.Inf(1)
	for range splitPasses {
		v := b.evaluate()
		if v < best {
			best = v
			b.keep = append(b.keep[:0], b.chosen...)
		}
		clear(b.taken)
		for _, i := range b.chosen {
			b.taken[i] = true
		}
		for k, p := range b.pairs {
			switch {
			case b.taken[p.i] && !b.taken[p.j]:
				b.alpha[k] = max(0, b.alpha[k]-splitStep)
			case b.taken[p.j] && !b.taken[p.i]:
				b.alpha[k] = min(1, b.alpha[k]+splitStep)
			}
		}
	}
	for _, i := range b.keep {
		used[m.city[i]]++
		spent[m.city[i]] += b.need[i]
	}
	return max(best, 0)
}

// evaluate bounds the call's priced best bid given the candidates' base
// values, with a share alpha of every pair's synergy charged to its first
// city and the rest to its second. It leaves in chosen the cities the
// bound rests on.
func (b *callBound) evaluate() float64 {
	m := b.m
	r := m.rule.maxCities
	n := len(m.cands)
	copy(b.u, b.base)
	for i := range n {
		b.share[i] = b.share[i][:0]
	}
	for k, p := range b.pairs {
		if x := b.alpha[k] * p.s; x > 0 {
			b.share[p.i] = append(b.share[p.i], x)
		}
		if x := (1 - b.alpha[k]) * p.s; x > 0 {
			b.share[p.j] = append(b.share[p.j], x)
		}
	}
	for i := range n {
		if len(b.share[i]) == 0 {
			continue
		}
		slices.SortFunc(b.share[i], func(x, y float64) int { return cmp.Compare(y, x) })
		for _, s := range b.share[i][:min(r-1, len(b.share[i]))] {
			b.u[i] += s
		}
	}
	// D: the r cities with the largest positive u, best first, by insertion.
	b.order = b.order[:0]
	for i := range n {
		if b.u[i] <= 0 || (len(b.order) == r && b.u[i] <= b.u[b.order[r-1]]) {
			continue
		}
		if len(b.order) < r {
			b.order = append(b.order, i)
		}
		at := len(b.order) - 1
		for ; at > 0 && b.u[b.order[at-1]] < b.u[i]; at-- {
			b.order[at] = b.order[at-1]
		}
		b.order[at] = i
	}
	clear(b.inD)
	sum, tau, size := 0.0, 0.0, len(b.order)
	for _, i := range b.order {
		b.inD[i] = true
		sum += b.u[i]
	}
	if size == r {
		tau = b.u[b.order[r-1]]
	}
	b.chosen = append(b.chosen[:0], b.order[:size]...)
	return sum + b.cover(tau, size)
}

// cover bounds the coverage and lead points of a set given D (the cities
// marked in inD) and τ, adding to chosen the cities outside D it assigns a
// concept to.
func (b *callBound) cover(tau float64, size int) float64 {
	k := len(b.d)
	clear(b.d)
	for i, in := range b.inD {
		if in {
			for c, x := range b.gain[i] {
				b.d[c] = max(b.d[c], x)
			}
		}
	}
	if b.best == nil {
		// Too many concepts for the dynamic programme: each at the best
		// strength of any candidate.
		var sum float64
		for c := range k {
			top := b.d[c]
			for _, row := range b.gain {
				top = max(top, row[c])
			}
			sum += top
		}
		return sum
	}
	// g[T]: the most concepts T are worth covered together, by D or by one
	// city outside D that pays τ − u once.
	full := 1<<k - 1
	who, from, sums := b.who, b.from, b.sums
	for t := 1; t <= full; t++ {
		low := t & -t
		c := bitIndex(low)
		b.g[t] = b.g[t^low] + b.d[c]
		who[t] = -1
	}
	for i, row := range b.gain {
		if b.inD[i] {
			continue
		}
		cost := tau - b.u[i]
		var extra float64
		for c, x := range row {
			extra += max(0, x-b.d[c])
		}
		if extra <= cost {
			continue // never better than D on any set of concepts
		}
		for t := 1; t <= full; t++ {
			low := t & -t
			sums[t] = sums[t^low] + row[bitIndex(low)]
			if v := sums[t] - cost; v > b.g[t] {
				b.g[t], who[t] = v, i
			}
		}
	}
	// best[S]: the most the concepts S are worth, split into groups.
	b.best[0] = 0
	for s := 1; s <= full; s++ {
		low := s & -s
		b.best[s], from[s] = b.g[s], s
		// Groups holding the lowest concept of s, so each split is seen once.
		for t := (s - 1) & s; t > 0; t = (t - 1) & s {
			if t&low == 0 {
				continue
			}
			if v := b.g[t] + b.best[s^t]; v > b.best[s] {
				b.best[s], from[s] = v, t
			}
		}
	}
	for s := full; s > 0; s ^= from[s] {
		if i := who[from[s]]; i >= 0 && !slices.Contains(b.chosen[size:], i) {
			b.chosen = append(b.chosen, i)
		}
	}
	return b.best[full]
}

// bitIndex is the position of the single bit set in x.
func bitIndex(x int) int {
	i := 0
	for x > 1 {
		x >>= 1
		i++
	}
	return i
}

// lagrangeBound is an upper bound on any plan (see the comment at the top of
// this file), lowered by subgradient steps on the prices; value is a known
// plan's value, to size the steps. It stops early when stop says so.
func lagrangeBound(pm *portfolioModel, value float64, iterations int, stop func() bool) float64 {
	n := len(pm.slots)
	lambda, mu := make([]float64, n), make([]float64, n)
	used, spent := make([]int, n), make([]float64, n)
	coFund := make([]float64, n)
	for g, x := range pm.coFunding {
		coFund[g] = x / coFundingUnit
	}
	bounds := make([]*callBound, len(pm.calls))
	for c, m := range pm.calls {
		bounds[c] = newCallBound(m)
	}
	// Steps start at half the Polyak step: larger ones overshoot and
	// oscillate on portfolios of hundreds of cities.
	best, theta, stale := 0.0, 0.5, 0
	for it := range iterations {
		clear(used)
		clear(spent)
		l := 0.0
		for g := range n {
			l += lambda[g]*float64(pm.slots[g]) + mu[g]*coFund[g]
		}
		for _, b := range bounds {
			l += b.bound(lambda, mu, used, spent)
		}
		if it == 0 || l < best-eps {
			best, stale = l, 0
		} else if stale++; stale >= 5 {
			theta, stale = theta/2, 0
		}
		// The subgradient: free capacity per city, zero where a price at
		// zero would have to fall.
		var norm float64
		gs, gm := make([]float64, n), make([]float64, n)
		for g := range n {
			gs[g], gm[g] = float64(pm.slots[g]-used[g]), coFund[g]-spent[g]
			if gs[g] > 0 && lambda[g] == 0 {
				gs[g] = 0
			}
			if gm[g] > 0 && mu[g] == 0 {
				gm[g] = 0
			}
			norm += gs[g]*gs[g] + gm[g]*gm[g]
		}
		if norm == 0 || best-value <= eps || theta < 1e-3 || stop() {
			break
		}
		step := theta * max(l-value, 1e-3) / norm
		for g := range n {
			lambda[g] = max(0, lambda[g]-step*gs[g])
			mu[g] = max(0, mu[g]-step*gm[g])
		}
	}
	return best
}
