package consortium

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
//   - the newcomer bonus is at most 3 per newcomer, and 0 when r = 1 (see
//     below for the front-runner it needs);
//   - synergy: every pair's points s are split into shares α·s and
//     (1 − α)·s of its two cities, for any α in [0, 1] (s·x_i·x_j ≤
//     α·s·x_i + (1 − α)·s·x_j for x in {0, 1}); a city in S then gets at
//     most its r − 1 largest shares, so the pairs inside S are worth at most
//     the members' shares. The split starts on the city weaker on its own
//     and moves towards the city the last bound did not rest on, so that
//     the points land on cities no good bid takes;
//   - coverage and lead are a maximum over the members per concept (the
//     lead's points are at most the largest among the members), so with
//     u_i the member's sum of the terms above, D a set of cities and τ a
//     number at most every u in D, Σ_{i∈S} u_i ≤ Σ_{i∈D} u_i − Σ_{i∈S∖D}
//     (τ − u_i) + τ·(|S| − |D|), and the last term is at most 0 when τ ≥ 0
//     and no S is larger than D, or τ ≤ 0 and none is smaller. D is the r
//     cities with the largest u, of which the first m (the programme's
//     minimum) are kept whatever their sign and the rest only when
//     positive; τ is the smallest u in D when D is full, else the smaller
//     of it and 0. Each concept (and the lead) is then covered either by D
//     at D's best strength or by a city j outside D that pays τ − u_j once
//     for all the concepts it covers; the best such assignment is found
//     exactly by a dynamic programme over the subsets of concepts.
//
// That relaxation alone is loose by a point or two per call, and it
// misleads the subgradient: on 24 cities × 20 calls its best prices gave a
// bound 8 % above the optimum, where the call's exact priced maximum at
// every step gives 0.3 %. So a call's bound is lowered by branch and bound
// over the bids that hold or leave out single candidates, each node bounded
// by the same relaxation with its held cities fixed (their synergy with the
// others exact, and once a held city is eligible, only eligible cities'
// lead points), and:
//
//   - newcomers earn their bonus only with a front-runner in the bid, so
//     unless a held city is one, the bids without one are bounded with no
//     bonus and every front-runner left out, and those with one by the
//     relaxation with the bonus where, if D holds no front-runner, one from
//     outside D must pay its τ − u_f (holding bounds the bids holding a
//     given city j outside D from the same tables: Σ_D u + u_j − τ plus the
//     best split of the concepts between j and the programme's groups);
//   - before branching, every candidate whose bids, bounded with it held,
//     are worth no more than the best bid found is left out;
//   - a leaf of the tree whose bound rests on its held cities alone is
//     their exact priced value, so with enough nodes the bound is the
//     call's priced maximum. The incumbent, the open nodes' bounds and the
//     leaves' together bound every bid, at any node budget.
//
// Subgradient steps on λ and μ lower L; every iterate is a valid bound, so
// stopping early only loosens it. The first steps use the relaxation alone
// (fast), the later ones the branch and bound (exact, slower).
// TestCallBoundHoldsAtRandomPrices checks a call's bound against
// enumeration at random prices, at several node budgets, and
// TestBoundHoldsOnRandomPortfolios the whole bound against the optimum.

// coFundingUnit scales co-funding (euro) to the size of the slot counts, so
// that one subgradient step suits both kinds of price.
const coFundingUnit = 100_000.0

// maxDPConcepts is the largest number of concepts (the lead counting as
// one) the dynamic programme handles; beyond it every concept is counted at
// the best strength of any candidate.
const maxDPConcepts = 10

// pricingNodes caps the branch and bound of a call's priced maximum. With
// candidates left out first (see certify) most calls need a tenth of them
// at 300 cities × 100 calls, but the few that reach the cap loosen the
// bound and mislead the steps: after 4.5 s of planning four such portfolios
// the bounds were 0.2–0.4 % lower with 2048 than with 512 (1024 was
// between them, 4096 and 8192 no better).
const pricingNodes = 2048

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
	m    *callModel
	need []float64   // co-funding need per candidate, in coFundingUnit
	gain [][]float64 // [candidate][concept]: coverage points, then lead points
	// eligibleGain is gain without the lead points of a candidate not known
	// to be eligible: once a bid holds an eligible city, one of those leads.
	eligibleGain [][]float64
	pairs        []pair
	// nodes caps the branch and bound per evaluation; 0 leaves only the
	// relaxation at the root.
	nodes int
	// Scratch space.
	cost, base, u []float64
	share         [][]float64
	taken         []bool
	alpha         []float64 // per pair: the share of its synergy charged to its first city
	order         []int
	inD           []bool
	in            []int  // the current node's candidates that every bid it bounds holds
	isIn, out     []bool // marks of the node's candidates held and left out
	best, g       []float64
	sums          []float64
	who, from     []int
	d             []float64
	chosen        []int
	tree          []priceNode
	// The best bid found at the current prices, and its priced value.
	incumbent  []int
	incValue   float64
	last       []int // the best bid at the last prices
	scratchSet []int
	// What the last certified bound rests on: whether it is the best bid's
	// value, and the candidates the relaxation at the root rests on.
	closed bool
	rests  []int
	// The candidates, and the pairs of them, not left out of every bid at
	// the current prices.
	active, activePairs []int
	// Σ_D u and τ of the last evaluation, for held reckoning.
	lastSum, lastTau float64
	lastGain         [][]float64
	cov              []float64 // coverage points per concept of the bid priceBest builds
}

// priceNode is a node of the branch and bound over a call's bids: the bids
// holding every candidate in in and none in out, and their bound.
type priceNode struct {
	in, out []int
	bound   float64
	free    []int // candidates outside in the bound rests on, to branch on
}

func newCallBound(m *callModel) *callBound {
	n := len(m.cands)
	b := &callBound{m: m, need: make([]float64, n), gain: make([][]float64, n), eligibleGain: make([][]float64, n),
		cost: make([]float64, n), base: make([]float64, n), u: make([]float64, n), share: make([][]float64, n),
		taken: make([]bool, n), order: make([]int, 0, n), inD: make([]bool, n), isIn: make([]bool, n), out: make([]bool, n)}
	for i := range m.cands {
		b.need[i] = m.cands[i].CoFundingNeeded / coFundingUnit
		row := make([]float64, len(m.weight)+1)
		for k, w := range m.weight {
			row[k] = w * m.strength[i][k]
		}
		row[len(m.weight)] = m.lead[i]
		b.gain[i] = row
		b.eligibleGain[i] = row
		if !m.eligible[i] {
			b.eligibleGain[i] = slices.Clone(row)
			b.eligibleGain[i][len(m.weight)] = 0
		}
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
	b.d, b.cov = make([]float64, k), make([]float64, k)
	return b
}

// bound returns an upper bound on max(0, max_S v(S) − π(S)) at slot prices
// lambda and co-funding prices mu (per city), and adds to used and spent
// the slots and co-funding of the best bid it found, for the subgradient.
func (b *callBound) bound(lambda, mu []float64, used []int, spent []float64) float64 {
	b.setPrices(lambda, mu)
	b.priceBest()
	top := b.certify()
	b.use(used, spent)
	return top
}

// use adds to used and spent the slots and co-funding of the bid the last
// certified bound rests on, for the subgradient: the best bid when the
// bound is proven to be its value, else the candidates the relaxation at
// the root rests on.
func (b *callBound) use(used []int, spent []float64) {
	at := b.rests
	if b.closed {
		at = b.incumbent
	}
	for _, i := range at {
		used[b.m.city[i]]++
		spent[b.m.city[i]] += b.need[i]
	}
}

// setPrices prices the candidates at slot prices lambda and co-funding
// prices mu (per city), and keeps the best bid of the last prices aside
// for priceBest to try.
func (b *callBound) setPrices(lambda, mu []float64) {
	m := b.m
	b.last = append(b.last[:0], b.incumbent...)
	b.incumbent, b.incValue = b.incumbent[:0], 0
	for i := range m.cands {
		g := m.city[i]
		b.cost[i] = lambda[g] + mu[g]*b.need[i]
		b.base[i] = m.fit[i] - b.cost[i]
		if m.rule.maxCities > 1 && m.newcomer[i] {
			b.base[i] += perNewcomer
		}
	}
}

// valid is whether the call admits a bid at all.
func (b *callBound) valid() bool {
	m := b.m
	return len(m.cands) > 0 && m.rule.maxCities >= m.rule.minCities && len(m.cands) >= m.rule.minCities
}

// priceBest builds a good bid at the current prices, greedily: it adds the
// candidate that adds most (the best ones while the bid is too small) until
// none adds anything, then tries it and the last prices' best bid. Its priced value is a
// lower estimate of the call's priced maximum and its members point the
// subgradient.
func (b *callBound) priceBest() {
	m := b.m
	if !b.valid() {
		return
	}
	n := len(m.cands)
	set := b.scratchSet[:0]
	cov := b.cov // the bid's coverage points per concept
	clear(cov)
	lead, eligible, front, newcomers := 0.0, false, false, 0
	for len(set) < m.rule.maxCities {
		at, gain := -1, 0.0
		for j := range n {
			if slices.Contains(set, j) {
				continue
			}
			g := m.fit[j] - b.cost[j]
			for _, i := range set {
				g += m.syn(i, j)
			}
			for k, x := range b.gain[j][:len(m.weight)] {
				g += max(0, x-cov[k])
			}
			switch l := m.lead[j]; {
			case len(set) == 0:
				g += l
			case m.eligible[j] && !eligible:
				g += l - lead
			case m.eligible[j] == eligible:
				g += max(0, l-lead)
			}
			nc := newcomers
			if m.newcomer[j] {
				nc++
			}
			if front || m.front[j] {
				g += perNewcomer * float64(nc)
			}
			if front {
				g -= perNewcomer * float64(newcomers)
			}
			if at < 0 || g > gain {
				at, gain = j, g
			}
		}
		if at < 0 || (len(set) >= m.rule.minCities && gain <= eps) {
			break
		}
		set = append(set, at)
		for k, x := range b.gain[at][:len(m.weight)] {
			cov[k] = max(cov[k], x)
		}
		switch l := m.lead[at]; {
		case len(set) == 1, m.eligible[at] && !eligible:
			lead = l
		case m.eligible[at] == eligible:
			lead = max(lead, l)
		}
		eligible = eligible || m.eligible[at]
		front = front || m.front[at]
		if m.newcomer[at] {
			newcomers++
		}
	}
	b.scratchSet = set
	b.try(set)
	// Prices move little between steps: the last best bid is often still
	// the best, and the sooner the search has it, the more it leaves out.
	b.try(b.last)
}

// certify returns an upper bound on the call's priced maximum, or 0 for no
// bid, at the current prices: the relaxation described at the top of this
// file, lowered by branch and bound for at most b.nodes nodes.
func (b *callBound) certify() float64 {
	m := b.m
	if !b.valid() {
		return 0
	}
	b.active = b.active[:0]
	for i := range m.cands {
		b.active = append(b.active, i)
	}
	b.activePairs = b.activePairs[:0]
	for k := range b.pairs {
		b.activePairs = append(b.activePairs, k)
	}
	if m.rule.maxCities == 1 {
		// One member: no synergy, no newcomer bonus; the best alone is exact.
		top, at := 0.0, -1
		for i := range m.cands {
			v := b.base[i]
			for _, x := range b.gain[i] {
				v += x
			}
			if v > top {
				top, at = v, i
			}
		}
		if at >= 0 && top > b.incValue {
			b.incumbent, b.incValue = append(b.incumbent[:0], at), top
		}
		b.rests, b.closed = b.incumbent, true
		return top
	}
	// Each pair's synergy is split between its two cities; after every
	// evaluation the split moves towards the city the bound did not rest
	// on, and the lowest of the evaluations is the root's bound.
	root, rootFree := math.Inf(1), []int(nil)
	for range splitPasses {
		v := b.evaluate()
		b.try(b.chosen)
		if v < root {
			root, rootFree = v, slices.Clone(b.chosen)
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
	b.rests = rootFree
	start := priceNode{bound: root, free: rootFree}
	if b.nodes > 0 && root > b.incValue+eps {
		// Leave out every candidate whose bids, bounded with it held, are
		// worth no more than the best bid found: the bids left are the
		// only ones that can be worth more.
		// First from the last evaluation's tables, then by evaluation with
		// the candidates left out so far out of the bids bounded: a bid
		// holding several left-out candidates is bounded with the first.
		var fixed, doubt []int
		for _, j := range b.active {
			if b.best != nil && !b.inD[j] && b.holding(j) <= b.incValue+eps {
				fixed = append(fixed, j)
			} else {
				doubt = append(doubt, j)
			}
		}
		for _, j := range fixed {
			b.out[j] = true
		}
		for _, j := range doubt {
			if v, _ := b.node([]int{j}, nil); v <= b.incValue+eps {
				fixed = append(fixed, j)
				b.out[j] = true
			}
		}
		// The rest of the search looks at the candidates left only.
		b.active = slices.DeleteFunc(b.active, func(i int) bool { return b.out[i] })
		b.activePairs = slices.DeleteFunc(b.activePairs, func(k int) bool { return b.out[b.pairs[k].i] || b.out[b.pairs[k].j] })
		start.bound, start.free = b.node(nil, nil)
		defer func() {
			for _, j := range fixed {
				b.out[j] = false
			}
		}()
	}
	top := max(0, min(root, b.branch(start)))
	b.closed = top <= b.incValue+eps
	return top
}

// holding bounds the bids that hold free candidate j outside D, from the
// tables of the last evaluation at the root: j pays τ − u_j once and covers
// a group of concepts T, and the dynamic programme's best[full ∖ T] covers
// the rest, as in the relaxation itself.
func (b *callBound) holding(j int) float64 {
	full := len(b.best) - 1
	row := b.lastGain[j]
	sums := b.sums
	top := b.best[full]
	for t, sup := 0, b.support(row); ; {
		if t = (t - sup) & sup; t == 0 {
			break
		}
		low := t & -t
		sums[t] = sums[t^low] + row[bits.TrailingZeros(uint(low))]
		top = max(top, sums[t]+b.best[full^t])
	}
	return b.lastSum + b.u[j] - b.lastTau + top
}

// node bounds the bids that hold every candidate in in and none in out,
// tries the bid its bound rests on, and returns the bound and the
// candidates outside in it rests on.
func (b *callBound) node(in, out []int) (float64, []int) {
	b.in = in
	for _, i := range in {
		b.isIn[i] = true
	}
	for _, i := range out {
		b.out[i] = true
	}
	v := b.evaluate()
	b.try(b.chosen)
	free := slices.Clone(b.chosen[len(in):])
	for _, i := range in {
		b.isIn[i] = false
	}
	for _, i := range out {
		b.out[i] = false
	}
	b.in = nil
	return v, free
}

// branch searches the bids below root best bound first, splitting a node
// into the bids that hold one of the candidates its bound rests on and the
// bids that do not, for at most b.nodes nodes. Every bid lies in exactly
// one leaf of the tree, so the incumbent, the bounds of the leaves still
// open and of the leaves that cannot be split are an upper bound together.
func (b *callBound) branch(root priceNode) float64 {
	m := b.m
	settled := math.Inf(-1)
	b.tree = append(b.tree[:0], root)
	for visited := 0; len(b.tree) > 0; visited++ {
		at := 0
		for k, nd := range b.tree {
			if nd.bound > b.tree[at].bound {
				at = k
			}
		}
		nd := b.tree[at]
		if nd.bound <= b.incValue+eps {
			return max(b.incValue, settled)
		}
		if visited >= b.nodes {
			return max(b.incValue, settled, nd.bound)
		}
		b.tree[at] = b.tree[len(b.tree)-1]
		b.tree = b.tree[:len(b.tree)-1]
		if len(nd.free) == 0 {
			// The bound rests on the held candidates alone: no split lowers it.
			settled = max(settled, nd.bound)
			continue
		}
		j := nd.free[0]
		children := []priceNode{{in: append(slices.Clone(nd.in), j), out: nd.out}, {in: nd.in, out: append(slices.Clone(nd.out), j)}}
		if len(nd.in) == m.rule.maxCities {
			children = children[1:]
		}
		for _, c := range children {
			if c.bound, c.free = b.node(c.in, c.out); c.bound > b.incValue+eps {
				b.tree = append(b.tree, c)
			}
		}
	}
	return max(b.incValue, settled)
}

// try makes members (the held candidates and those a bound rests on) a bid,
// drops members while that pays, and keeps the bid if it is the best at the
// current prices.
func (b *callBound) try(members []int) {
	m := b.m
	set := slices.Clone(members[:min(len(members), m.rule.maxCities)])
	if len(set) < m.rule.minCities {
		return
	}
	v := b.priced(set)
	for improved := true; improved && len(set) > m.rule.minCities; {
		improved = false
		for a := range set {
			rest := slices.Delete(slices.Clone(set), a, a+1)
			if w := b.priced(rest); w > v+eps {
				set, v, improved = rest, w, true
				break
			}
		}
	}
	if v > b.incValue+eps {
		b.incumbent, b.incValue = append(b.incumbent[:0], set...), v
	}
}

// priced is a bid's value less its members' prices.
func (b *callBound) priced(members []int) float64 {
	v := b.m.value(members).Total
	for _, i := range members {
		v -= b.cost[i]
	}
	return v
}

// evaluate bounds the priced value of the bids that hold every candidate in
// b.in and none marked in b.out, and leaves in chosen the held candidates,
// then the others the bound rests on. Newcomers earn their bonus only in a
// bid with a front-runner: unless a held candidate is one, the bids without
// a front-runner are bounded without the bonus, and those with one by the
// relaxation with it, through the free front-runner that must join.
func (b *callBound) evaluate() float64 {
	m := b.m
	if m.rule.maxCities == 1 || slices.ContainsFunc(b.in, func(i int) bool { return m.front[i] }) {
		return b.relax()
	}
	// Bids without a front-runner: no bonus, every front-runner left out.
	var marked []int
	for _, i := range b.active {
		if m.newcomer[i] {
			b.base[i] -= perNewcomer
		}
		if m.front[i] && !b.out[i] {
			b.out[i] = true
			marked = append(marked, i)
		}
	}
	without := b.relax()
	for _, i := range b.active {
		if m.newcomer[i] {
			b.base[i] += perNewcomer
		}
	}
	for _, i := range marked {
		b.out[i] = false
	}
	chosen := slices.Clone(b.chosen)
	// Bids with a free front-runner: when D holds none, one joins from
	// outside D, and the bound on the bids holding it is the larger.
	with := b.relax()
	if b.best != nil && !math.IsInf(with, -1) && !slices.ContainsFunc(b.order, func(i int) bool { return m.front[i] }) {
		with = math.Inf(-1)
		at := -1
		for _, f := range b.active {
			if m.front[f] && !b.out[f] && !b.isIn[f] {
				if h := b.holding(f); h > with {
					with, at = h, f
				}
			}
		}
		if at >= 0 && !slices.Contains(b.chosen, at) {
			b.chosen = append(b.chosen, at)
		}
	}
	if with < without {
		b.chosen = append(b.chosen[:0], chosen...)
		return without
	}
	return with
}

// relax bounds the priced value of the bids that hold every candidate in
// b.in and none marked in b.out, given the candidates' base values, with a
// share alpha of every pair's synergy between two other candidates charged
// to its first city and the rest to its second. It leaves in chosen the
// held candidates, then the others the bound rests on.
func (b *callBound) relax() float64 {
	m := b.m
	r := m.rule.maxCities - len(b.in) // places left
	fixed, eligibleIn := 0.0, false
	for a, i := range b.in {
		fixed += b.base[i]
		for _, j := range b.in[a+1:] {
			fixed += m.syn(i, j)
		}
		eligibleIn = eligibleIn || m.eligible[i]
	}
	copy(b.u, b.base)
	for _, i := range b.active {
		b.share[i] = b.share[i][:0]
	}
	for _, k := range b.activePairs {
		p := b.pairs[k]
		switch {
		case b.out[p.i] || b.out[p.j] || (b.isIn[p.i] && b.isIn[p.j]):
			// Never in a bid here, or already in fixed.
		case b.isIn[p.i]:
			b.u[p.j] += p.s
		case b.isIn[p.j]:
			b.u[p.i] += p.s
		default:
			if x := b.alpha[k] * p.s; x > 0 {
				b.share[p.i] = append(b.share[p.i], x)
			}
			if x := (1 - b.alpha[k]) * p.s; x > 0 {
				b.share[p.j] = append(b.share[p.j], x)
			}
		}
	}
	for _, i := range b.active {
		if len(b.share[i]) == 0 || r < 2 {
			continue
		}
		slices.SortFunc(b.share[i], func(x, y float64) int { return cmp.Compare(y, x) })
		for _, s := range b.share[i][:min(r-1, len(b.share[i]))] {
			b.u[i] += s
		}
	}
	// D: the r free candidates with the largest u, best first, by
	// insertion; then only the first need and the positive ones are kept.
	need := max(0, m.rule.minCities-len(b.in))
	b.order = b.order[:0]
	for _, i := range b.active {
		if r == 0 || b.isIn[i] || b.out[i] || (len(b.order) == r && b.u[i] <= b.u[b.order[r-1]]) {
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
	if len(b.order) < need {
		return math.Inf(-1) // too few candidates left for a valid bid
	}
	size := need
	for size < len(b.order) && b.u[b.order[size]] > 0 {
		size++
	}
	b.order = b.order[:size]
	clear(b.inD)
	sum := fixed
	for _, i := range b.order {
		b.inD[i] = true
		sum += b.u[i]
	}
	// τ must be at most every u in D; when positive, no bid has more free
	// candidates than D, and when negative none has fewer: then each free
	// candidate outside D displaces one of D worth at least τ, or takes a
	// place D leaves empty at a cost of at most τ (see the file comment).
	tau := 0.0
	switch {
	case r == 0:
		tau = math.Inf(1) // no free candidate can join
	case size == r:
		tau = b.u[b.order[r-1]]
	case size > 0:
		tau = min(0, b.u[b.order[size-1]])
	}
	b.chosen = append(append(b.chosen[:0], b.in...), b.order...)
	gain := b.gain
	if eligibleIn {
		gain = b.eligibleGain
	}
	b.lastSum, b.lastTau, b.lastGain = sum, tau, gain
	return sum + b.cover(gain, tau, len(b.chosen))
}

// cover bounds the coverage and lead points of a bid given the held
// candidates and D (marked in isIn and inD) and τ, adding to chosen the
// free candidates it assigns a concept to.
func (b *callBound) cover(gain [][]float64, tau float64, size int) float64 {
	k := len(b.d)
	clear(b.d)
	for _, i := range b.active {
		if row := gain[i]; b.inD[i] || b.isIn[i] {
			for c, x := range row {
				b.d[c] = max(b.d[c], x)
			}
		}
	}
	if b.best == nil {
		// Too many concepts for the dynamic programme: each at the best
		// strength of any candidate not left out.
		var sum float64
		for c := range k {
			top := b.d[c]
			for _, i := range b.active {
				if !b.out[i] {
					top = max(top, gain[i][c])
				}
			}
			sum += top
		}
		return sum
	}
	// g[T]: the most concepts T are worth covered together, by D and the
	// held candidates or by one free candidate outside D that pays τ − u once.
	full := 1<<k - 1
	who, from, sums := b.who, b.from, b.sums
	for t := 1; t <= full; t++ {
		low := t & -t
		c := bits.TrailingZeros(uint(low))
		b.g[t] = b.g[t^low] + b.d[c]
		who[t] = -1
	}
	for _, i := range b.active {
		row := gain[i]
		if b.inD[i] || b.isIn[i] || b.out[i] {
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
		// Only groups of concepts it covers better than D: on any other
		// concept D's strength is already counted in g.
		for t, sup := 0, b.support(row); ; {
			if t = (t - sup) & sup; t == 0 {
				break
			}
			low := t & -t
			sums[t] = sums[t^low] + row[bits.TrailingZeros(uint(low))]
			if v := sums[t] - cost; v > b.g[t] {
				b.g[t], who[t] = v, i
			}
		}
	}
	// best[S]: the most the concepts S are worth, split into groups. A
	// group of two or more concepts that no free candidate took (who < 0)
	// is worth what D covers of it, no more than its lowest concept alone
	// beside the best split of the rest, so only the lowest concept alone
	// and the groups a free candidate took are tried.
	b.best[0] = 0
	for s := 1; s <= full; s++ {
		low := s & -s
		b.best[s], from[s] = b.g[low]+b.best[s^low], low
		// Groups holding the lowest concept of s, so each split is seen once.
		rest := s ^ low
		for r := rest; r > 0; r = (r - 1) & rest {
			t := r | low
			if who[t] < 0 {
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

// support is the set of concepts (as bits) a candidate's gains cover
// better than the strengths in d.
func (b *callBound) support(row []float64) int {
	sup := 0
	for c, x := range row {
		if x > b.d[c] {
			sup |= 1 << c
		}
	}
	return sup
}

// timedTheta is the first step of the descent with exact pricing under a
// time budget, as a share of the Polyak step: at 300 cities × 100 calls,
// where a step takes a tenth of a second, 0.25 reached in 4 s a bound 0.4 %
// lower than 0.5 did, and 1 oscillated. Without a time budget the larger
// first step of 0.5 goes further in a hundred steps: at 40
// cities × 20 calls 0.25 left a call with more bids the bound could not
// rule out than PlanPortfolio takes.
const timedTheta = 0.25

// lower returns an upper bound on any plan (see the comment at the top of
// this file), the lowest of subgradient steps on the prices, and leaves the
// prices that gave it in bestLambda and bestMu. value is a known plan's
// value, to size the steps; theta is the first step of the descent with
// exact pricing (see descend). Every step's value is a bound, so stopping
// early (when stop says so) only loosens it. The first steps bound each
// call by the relaxation alone, which is fast but loose in a way that
// misleads the steps; from the best prices they reach, the steps go on with
// each call's priced maximum found by branch and bound, which is the
// Lagrangian itself.
func (s *subgradient) lower(value float64, iterations int, theta float64, stop func() bool) float64 {
	s.descend(value, iterations, 0, 0.5, stop)
	if stop() {
		return s.lowest
	}
	copy(s.lambda, s.bestLambda)
	copy(s.mu, s.bestMu)
	s.descend(value, iterations, pricingNodes, theta, stop)
	return s.lowest
}

// evaluate bounds every call at the current prices with at most nodes nodes
// of branch and bound, and returns the Lagrangian: the sum of the bounds
// (each in tops) plus what the prices charge for the cities' slots and
// co-funding, with the slots and co-funding of the bids the bounds rest on
// in used and spent. With branch and bound the calls are shared among as
// many goroutines as there are processors; each call's bound depends on
// its own state and the prices alone, and the sums are taken in call
// order, so the result is the same.
func (s *subgradient) evaluate(nodes int) float64 {
	one := func(b *callBound) float64 {
		b.nodes = nodes
		b.setPrices(s.lambda, s.mu)
		if nodes > 0 {
			b.priceBest()
		}
		return b.certify()
	}
	if workers := min(runtime.GOMAXPROCS(0), len(s.bounds)); workers > 1 {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for c := int(next.Add(1) - 1); c < len(s.bounds); c = int(next.Add(1) - 1) {
					s.tops[c] = one(s.bounds[c])
				}
			})
		}
		wg.Wait()
	} else {
		for c, b := range s.bounds {
			s.tops[c] = one(b)
		}
	}
	clear(s.used)
	clear(s.spent)
	tops := 0.0
	for c, b := range s.bounds {
		tops += s.tops[c]
		b.use(s.used, s.spent)
	}
	l := 0.0
	for g := range s.lambda {
		l += s.lambda[g]*float64(s.pm.slots[g]) + s.mu[g]*s.coFund[g]
	}
	return l + tops
}

// subgradient is the state of the steps on the prices.
type subgradient struct {
	pm                    *portfolioModel
	bounds                []*callBound
	lambda, mu            []float64 // slot and co-funding prices per city
	bestLambda, bestMu    []float64
	coFund                []float64 // co-funding per city, in coFundingUnit
	used                  []int
	spent, slope, slopeMu []float64
	// stepped, when set, is called after every step with branch and bound,
	// when each call's incumbent is its best bid at the step's prices; it
	// returns the value of the best plan known, which sizes the next steps.
	stepped func() float64
	tops    []float64 // per call: its bound at the current prices
	lowest  float64   // the lowest bound of any step so far
}

func newSubgradient(pm *portfolioModel) *subgradient {
	n := len(pm.slots)
	s := &subgradient{pm: pm, lambda: make([]float64, n), mu: make([]float64, n),
		bestLambda: make([]float64, n), bestMu: make([]float64, n), coFund: make([]float64, n),
		used: make([]int, n), spent: make([]float64, n), slope: make([]float64, n), slopeMu: make([]float64, n)}
	for g, x := range pm.coFunding {
		s.coFund[g] = x / coFundingUnit
	}
	for _, m := range pm.calls {
		s.bounds = append(s.bounds, newCallBound(m))
	}
	s.tops = make([]float64, len(s.bounds))
	s.lowest = math.Inf(1)
	return s
}

// descend takes up to iterations steps from the current prices, each call
// bounded with at most nodes nodes of branch and bound, lowering lowest to
// every step's bound and leaving the prices of its own lowest in bestLambda
// and bestMu. theta is
// the first step as a share of the Polyak step; it halves after five steps
// without progress. Once stop says so, a step bounds the calls by the
// relaxation alone and no step follows. Only this goroutine calls stop.
func (s *subgradient) descend(value float64, iterations, nodes int, theta float64, stop func() bool) {
	pm := s.pm
	best, stale := math.Inf(1), 0
	for range iterations {
		n := nodes
		if n > 0 && stop() {
			n = 0 // out of time: the relaxation alone, which is fast
		}
		l := s.evaluate(n)
		s.lowest = min(s.lowest, l)
		if nodes > 0 && s.stepped != nil {
			value = max(value, s.stepped())
		}
		if l < best-eps {
			best, stale = l, 0
			copy(s.bestLambda, s.lambda)
			copy(s.bestMu, s.mu)
		} else if stale++; stale >= 5 {
			theta, stale = theta/2, 0
		}
		// The subgradient: free capacity per city, zero where a price at
		// zero would have to fall.
		var norm float64
		for g := range s.lambda {
			s.slope[g], s.slopeMu[g] = float64(pm.slots[g]-s.used[g]), s.coFund[g]-s.spent[g]
			if s.slope[g] > 0 && s.lambda[g] == 0 {
				s.slope[g] = 0
			}
			if s.slopeMu[g] > 0 && s.mu[g] == 0 {
				s.slopeMu[g] = 0
			}
			norm += s.slope[g]*s.slope[g] + s.slopeMu[g]*s.slopeMu[g]
		}
		if norm == 0 || best-value <= eps || theta < 1e-3 || stop() {
			break
		}
		step := theta * max(l-value, 1e-3) / norm
		for g := range s.lambda {
			s.lambda[g] = max(0, s.lambda[g]-step*s.slope[g])
			s.mu[g] = max(0, s.mu[g]-step*s.slopeMu[g])
		}
	}
}
