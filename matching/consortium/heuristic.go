package consortium

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// HeuristicOptions tunes PlanPortfolioHeuristic. The search stops at
// whichever comes first: the time budget, the number of rounds, or ctx.
type HeuristicOptions struct {
	TimeBudget time.Duration // 0: no time limit
	// Rounds of ruin and repair after the first local optimum; 0 means
	// as many as the time budget allows, or 300 without a budget.
	Rounds    int
	Shortlist int    // candidates per call the moves consider; 0: 120
	Seed      uint64 // seeds the random choices, for repeatable plans
	// Now is the clock the time budget is measured on; nil means time.Now.
	// With the same Seed and a clock that reads the same times, a plan
	// under a time budget is the same plan every time.
	Now func() time.Time
	// Progress, when set, is told after each step of the bound how far the
	// search has come, on the goroutine that called PlanPortfolioHeuristic.
	Progress func(Progress)
}

// Progress is how far a heuristic search has come: the time it took so far
// (on the options' clock), the value of the best plan found and the lowest
// upper bound proven.
type Progress struct {
	Elapsed time.Duration
	Value   float64
	Bound   float64
}

// Gap is the share of the bound the best plan falls short of, as a plan's.
func (p Progress) Gap() float64 { return gap(p.Value, p.Bound) }

// PlanPortfolioHeuristic plans a portfolio too large for exact search
// (hundreds of municipalities, about a hundred calls) under the model of
// PlanPortfolio. It builds bids greedily, call by call, improves them by
// local search (add, remove or swap a member, move a city's slot from one
// bid to another, drop or rebuild a bid; the lead is always the strongest
// member as lead), and ruins and repairs part of the best plan for a tenth
// of the time budget. With the rest it lowers an upper bound on every plan,
// a Lagrangian relaxation of the cities' slot and co-funding limits (see
// bound.go for why it holds), and, on a second goroutine, improves the plan
// with the bids that relaxation finds best at each step's prices, and by
// exchanging members along cycles of many bids at once (see priced and
// reassign). The plan reports its value, the bound and the gap between them.
func PlanPortfolioHeuristic(ctx context.Context, p Portfolio, opt HeuristicOptions) (Plan, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	start := opt.Now()
	pm, err := newPortfolioModel(p)
	if err != nil {
		return Plan{}, fmt.Errorf("plan portfolio heuristically: %w", err)
	}
	h := newHeuristic(pm, opt)
	if opt.TimeBudget > 0 {
		h.deadline = start.Add(opt.TimeBudget / 10)
	}
	sol := h.run(ctx)
	var until time.Time
	if opt.TimeBudget > 0 {
		until = start.Add(opt.TimeBudget)
	}
	sol, bound := h.priced(ctx, sol, start, until)
	plan := pm.plan(sol.choice)
	plan.UpperBound = max(bound, plan.Value)
	plan.Gap = gap(plan.Value, plan.UpperBound)
	plan.Optimal = plan.Gap == 0
	plan.Elapsed = opt.Now().Sub(start)
	return plan, nil
}

// priced lowers the upper bound by the subgradient steps of lower
// and, while each step with branch and bound runs, improves the best plan on
// a second goroutine with the step's best bids (forceBids; the first step's
// bids also build plans of their own, see fromBids). No step starts that
// would end after until (if set) at the pace of the last one. It returns
// the best plan seen, best included, and the bound. The steps alone read
// the clock, so a plan under a time budget still depends only on the seed
// and the clock's readings.
func (h *heuristic) priced(ctx context.Context, best solution, start, until time.Time) (solution, float64) {
	s := newSubgradient(h.pm)
	h.deadline = time.Time{} // local search runs to its optimum; ctx still stops it
	var last time.Time
	var pace time.Duration
	stop := func() bool {
		return ctx.Err() != nil || (!until.IsZero() && !h.opt.Now().Add(pace).Before(until))
	}
	var (
		building sync.WaitGroup
		built    solution
	)
	adopt := func() {
		building.Wait()
		if built.value > best.value+eps {
			best = built
		}
	}
	first := true
	s.stepped = func() float64 {
		adopt()
		now := h.opt.Now()
		if !last.IsZero() {
			pace = now.Sub(last)
		}
		last = now
		if h.opt.Progress != nil {
			h.opt.Progress(Progress{Elapsed: now.Sub(start), Value: best.value, Bound: max(s.lowest, best.value)})
		}
		if stop() {
			return best.value
		}
		// Each call's best bid at these prices, and how much more it is
		// worth at them than the best plan's bid for the call.
		bids, worth, short := make([][]int, len(s.bounds)), make([]float64, len(s.bounds)), make([]float64, len(s.bounds))
		for c, b := range s.bounds {
			bids[c], worth[c] = slices.Clone(b.incumbent), b.incValue
			short[c] = b.incValue - b.priced(best.choice[c])
		}
		from, seed := best, first
		first = false
		building.Go(func() {
			built = from
			if seed {
				for _, by := range [][]float64{nil, worth} {
					if other := h.fromBids(ctx, bids, by); other.value > built.value+eps {
						built = other
					}
				}
			}
			built = h.forceBids(ctx, built, bids, short)
		})
		return best.value
	}
	theta := 0.5
	if !until.IsZero() {
		theta = timedTheta
	}
	bound := s.lower(best.value, 100, theta, stop)
	adopt()
	return best, bound
}

// forcedPerStep is how many calls forceBids gives their best bid at a
// step's prices, and reassignPerStep how many rounds of reassign follow:
// together about what fits in the time a step takes at 300 cities × 100
// calls. Over the benchmark's portfolio and three others (with 512 pricing
// nodes), 3 and 100 left a mean gap of 2.33 %, 6 and 50 2.52 %, 0 and 200
// 2.45 %, and 6 forces alone 3.23 %. Fixed numbers, not times, keep plans
// repeatable.
const (
	forcedPerStep   = 3
	reassignPerStep = 100
	// Once this many rounds in a row found nothing, the plan is about as
	// good as reassign makes it, and the rest of the step's rounds are
	// left to the bound: small portfolios reach that in a few rounds.
	reassignPatience = 30
)

// forceBids loads plan from and tries, by force, the given bids of the next
// forcedPerStep calls, in turn, whose bid in the plan falls short of them
// (short > 0: worth less at the step's prices), then reassignPerStep rounds
// of reassign. It returns the plan with the changes that paid. A call's
// priced best bid is what the relaxation would have it bid; the plan cannot
// take every such bid at once, but one at a time, with the bids it takes
// cities from repaired around it, a few of them pay: at 300 cities × 100
// calls one pass over the calls from a plan worth 5792 found 15 that did,
// together worth 32 more.
func (h *heuristic) forceBids(ctx context.Context, from solution, bids [][]int, short []float64) solution {
	h.load(from)
	var order []int
	for k := range bids {
		if c := (h.nextForced + k) % len(bids); short[c] > eps && len(order) < forcedPerStep {
			order = append(order, c)
			h.nextForced = c + 1
		}
	}
	for _, c := range order {
		h.force(ctx, c, bids[c])
	}
	for round, failed := 0, 0; round < reassignPerStep && failed < reassignPatience && ctx.Err() == nil; round++ {
		if h.reassign(h.places()) {
			failed = 0
		} else {
			failed++
		}
	}
	return h.snapshot()
}

// fromBids builds a plan from one bid per call chosen without regard to the
// others, such as each call's best bid at the Lagrangian's prices: the bids
// worth most (by worth, or their value when nil) first, each without the
// members whose capacity earlier bids took, then improved by local search.
// The prices steer the bids towards cities that other calls need less: at
// 300 cities × 100 calls these plans were worth 5720–5775, where ruin and
// repair reached 5741 in 3.4 s.
func (h *heuristic) fromBids(ctx context.Context, bids [][]int, worth []float64) solution {
	h.reset()
	order := make([]int, len(bids))
	if worth == nil {
		worth = make([]float64, len(bids))
		for c, b := range bids {
			worth[c] = h.pm.calls[c].value(b).Total
		}
	}
	for c := range bids {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(worth[b], worth[a]) })
	for _, c := range order {
		h.applyJoinable(c, bids[c])
	}
	h.improve(ctx)
	return h.snapshot()
}

// solution is a choice of members per call (candidate indexes) and its value.
type solution struct {
	choice [][]int
	value  float64
}

// heuristic holds a plan under construction and the cities' capacity left.
type heuristic struct {
	pm       *portfolioModel
	opt      HeuristicOptions
	rng      *rand.Rand
	deadline time.Time
	short    [][]int // per call: candidates the moves consider
	local    [][]int // per call: candidate index of each city, or -1
	bids     [][]int
	vals     []float64
	total    float64
	slots    []int
	coFund   []float64
	inCalls  [][]int     // per city: calls whose bid it is in
	shortOf  [][]int     // per city: calls whose shortlist holds it
	touched  []int       // cities whose bids changed since the last look
	version  int         // counts changes to the plan
	releases [][]release // per city: cached releases, valid until what they read changes
	// The version at which each call's bid, and the capacity of any city
	// that may refill it (refillers), last changed: a cached release of the
	// call holds while neither did.
	bidChanged, refillChanged []int
	refilling                 [][]int // per city: calls it may refill
	scratch                   []int
	// Changes to bids while journaling (see mark), to roll them back.
	journal    []change
	journaling int
	nextForced int // the call forceBids starts from
}

// change is a call's bid before a change to it.
type change struct {
	call    int
	members []int
}

func newHeuristic(pm *portfolioModel, opt HeuristicOptions) *heuristic {
	if opt.Rounds <= 0 {
		opt.Rounds = 300
		if opt.TimeBudget > 0 {
			opt.Rounds = math.MaxInt
		}
	}
	if opt.Shortlist <= 0 {
		// Wide enough that cities weaker alone but with capacity to spare
		// are in reach: at 300 cities × 100 calls a shortlist of 40 left
		// the plan 3 % poorer in the same time.
		opt.Shortlist = 120
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	h := &heuristic{pm: pm, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, 0x6a1ca)),
		shortOf: make([][]int, len(pm.slots)), refilling: make([][]int, len(pm.slots))}
	for _, m := range pm.calls {
		idx := make([]int, len(m.cands))
		alone := make([]float64, len(m.cands))
		for i := range idx {
			idx[i] = i
			alone[i] = m.value([]int{i}).Total
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(alone[b], alone[a]) })
		h.short = append(h.short, idx[:min(len(idx), opt.Shortlist)])
		c := len(h.short) - 1
		for _, i := range h.short[c] {
			h.shortOf[m.city[i]] = append(h.shortOf[m.city[i]], c)
		}
		for _, i := range h.refillers(c) {
			h.refilling[m.city[i]] = append(h.refilling[m.city[i]], c)
		}
		local := make([]int, len(pm.slots))
		for g := range local {
			local[g] = -1
		}
		for i, g := range m.city {
			local[g] = i
		}
		h.local = append(h.local, local)
	}
	return h
}

func (h *heuristic) reset() {
	n := len(h.pm.calls)
	h.bids, h.vals, h.total = make([][]int, n), make([]float64, n), 0
	h.slots, h.coFund = slices.Clone(h.pm.slots), slices.Clone(h.pm.coFunding)
	h.inCalls = make([][]int, len(h.pm.slots))
	h.releases = make([][]release, len(h.pm.slots))
	if h.bidChanged == nil {
		h.bidChanged, h.refillChanged = make([]int, len(h.pm.calls)), make([]int, len(h.pm.calls))
	}
}

func (h *heuristic) load(s solution) {
	h.reset()
	for c, members := range s.choice {
		h.apply(c, slices.Clone(members))
	}
}

func (h *heuristic) snapshot() solution {
	s := solution{choice: make([][]int, len(h.bids)), value: h.total}
	for c, b := range h.bids {
		s.choice[c] = slices.Clone(b)
	}
	return s
}

func (h *heuristic) done(ctx context.Context) bool {
	return ctx.Err() != nil || (!h.deadline.IsZero() && h.opt.Now().After(h.deadline))
}

// moveWidth is how many of a call's strongest candidates are considered for
// moves that take a city from another bid, or refill a bid a city leaves.
const moveWidth = 15

// chainRounds is the number of ruin-and-repair rounds before the search
// starts again from a fresh, noisy greedy plan.
const chainRounds = 50

// run builds a plan, improves it, and ruins and repairs it while allowed.
func (h *heuristic) run(ctx context.Context) solution {
	start := h.opt.Now()
	h.construct(ctx, 0)
	best, current := h.snapshot(), h.snapshot()
	// Ruin and repair with threshold acceptance: a plan a little worse than
	// the current one is accepted, less and less so along a chain of rounds,
	// to leave local optima; the best plan seen is kept.
	for round := range h.opt.Rounds {
		if h.done(ctx) {
			break
		}
		progress := float64(round%chainRounds) / chainRounds
		fresh := round > 0 && round%chainRounds == 0
		if fresh {
			h.construct(ctx, 1)
		} else {
			h.load(current)
			h.touched = h.touched[:0]
			ruined := h.ruin()
			dirty := make([]bool, len(h.bids))
			for _, c := range ruined {
				dirty[c] = true
			}
			for _, g := range h.touched {
				for _, c := range h.shortOf[g] {
					dirty[c] = true
				}
			}
			h.improveDirty(ctx, dirty)
		}
		if !h.deadline.IsZero() {
			progress = max(progress, float64(h.opt.Now().Sub(start))/float64(h.deadline.Sub(start)))
		}
		if h.total >= current.value-0.1*best.value/float64(len(h.bids))*(1-progress) || fresh {
			current = h.snapshot()
		}
		if h.total > best.value+eps {
			best = current
		}
	}
	return best
}

// construct builds a plan greedily, the calls worth most alone first (with
// noise, in a noisy order), and improves it by local search.
func (h *heuristic) construct(ctx context.Context, noise float64) {
	h.reset()
	order := make([]int, len(h.pm.calls))
	alone := make([]float64, len(order))
	for c := range order {
		order[c] = c
		alone[c] = h.pm.calls[c].value(h.greedyBid(c, 0)).Total + noise*10*h.rng.NormFloat64()
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(alone[b], alone[a]) })
	for _, c := range order {
		h.apply(c, h.greedyBid(c, noise))
	}
	h.improve(ctx)
}

// ruin drops the bids of a random city, of a call or two it could join, of
// about a tenth of the other calls and of a third of the calls without a
// bid, then rebuilds them in random order: greedily with noise, or, one
// time in five, each by exact search over the cities left free. It returns
// the calls it rebuilt.
func (h *heuristic) ruin() []int {
	var joined, ruined []int
	for g, calls := range h.inCalls {
		if len(calls) > 0 {
			joined = append(joined, g)
		}
	}
	if len(joined) > 0 {
		g := joined[h.rng.IntN(len(joined))]
		ruined = append(ruined, h.inCalls[g]...)
		// And a call or two the city could join instead.
		for range 2 {
			if c := h.rng.IntN(len(h.bids)); h.local[c][g] >= 0 && !slices.Contains(ruined, c) {
				ruined = append(ruined, c)
			}
		}
	}
	for c := range h.bids {
		if !slices.Contains(ruined, c) && (h.rng.IntN(10) == 0 || (len(h.bids[c]) == 0 && h.rng.IntN(3) == 0)) {
			ruined = append(ruined, c)
		}
	}
	for _, c := range ruined {
		h.apply(c, nil)
	}
	h.rng.Shuffle(len(ruined), func(i, j int) { ruined[i], ruined[j] = ruined[j], ruined[i] })
	exact := h.rng.IntN(5) == 0
	for _, c := range ruined {
		if exact {
			h.apply(c, h.bestBidNow(c))
		} else {
			h.apply(c, h.greedyBid(c, 1))
		}
	}
	return ruined
}

// repairWidth is how many free cities bestBidNow searches exactly.
const repairWidth = 20

// bestBidNow is the best bid for call c among its strongest shortlisted
// cities that have capacity left, by exact search; nil when none is worth
// anything.
func (h *heuristic) bestBidNow(c int) []int {
	var free []int
	for _, j := range h.short[c] {
		if h.canJoin(c, j) && len(free) < repairWidth {
			free = append(free, j)
		}
	}
	sets, _ := h.pm.calls[c].subset(free).best(1)
	if len(sets) == 0 || sets[0].value <= eps {
		return nil
	}
	members := make([]int, len(sets[0].members))
	for k, i := range sets[0].members {
		members[k] = free[i]
	}
	return members
}

// canJoin reports whether candidate i of call c has the capacity to join.
func (h *heuristic) canJoin(c, i int) bool {
	m := h.pm.calls[c]
	g := m.city[i]
	return h.slots[g] >= 1 && h.coFund[g] >= m.cands[i].CoFundingNeeded-eps
}

// greedyBid builds a bid for call c from the cities with capacity left,
// adding the member with the largest gain (plus noise) until no member adds
// value or the bid is full. It returns nil when no valid bid is worth anything.
func (h *heuristic) greedyBid(c int, noise float64) []int {
	m := h.pm.calls[c]
	var members []int
	cur := 0.0
	for len(members) < m.rule.maxCities {
		at, gain, score := -1, 0.0, 0.0
		for _, j := range h.short[c] {
			if slices.Contains(members, j) || !h.canJoin(c, j) {
				continue
			}
			g := m.value(append(members, j)).Total - cur
			sc := g
			if noise > 0 {
				sc += noise * h.rng.NormFloat64()
			}
			if at < 0 || sc > score {
				at, gain, score = j, g, sc
			}
		}
		if at < 0 || (len(members) >= m.rule.minCities && gain <= eps) {
			break
		}
		members = append(members, at)
		cur += gain
	}
	if len(members) < m.rule.minCities || cur <= eps {
		return nil
	}
	return members
}

// apply replaces call c's bid with members, moving capacity accordingly.
func (h *heuristic) apply(c int, members []int) {
	m := h.pm.calls[c]
	if h.journaling > 0 {
		h.journal = append(h.journal, change{c, h.bids[c]})
	}
	h.version++
	h.bidChanged[c] = h.version
	for _, i := range h.bids[c] {
		g := m.city[i]
		h.capacityChanged(g)
		h.slots[g]++
		h.coFund[g] += m.cands[i].CoFundingNeeded
		h.inCalls[g] = slices.DeleteFunc(h.inCalls[g], func(x int) bool { return x == c })
	}
	for _, i := range members {
		g := m.city[i]
		h.capacityChanged(g)
		h.slots[g]--
		h.coFund[g] -= m.cands[i].CoFundingNeeded
		h.inCalls[g] = append(h.inCalls[g], c)
	}
	h.total -= h.vals[c]
	h.bids[c] = members
	h.vals[c] = 0
	if len(members) > 0 {
		h.vals[c] = m.value(members).Total
	}
	h.total += h.vals[c]
}

// capacityChanged notes that city g's capacity changes at this version.
func (h *heuristic) capacityChanged(g int) {
	h.touched = append(h.touched, g)
	for _, c := range h.refilling[g] {
		h.refillChanged[c] = h.version
	}
}

// move is a change to one bid, possibly freeing a city from another bid.
type move struct {
	gain     float64
	members  []int
	from     int // call the city is taken from, or -1
	fromBids []int
}

// improve applies the best improving move per call until none is left.
func (h *heuristic) improve(ctx context.Context) {
	dirty := make([]bool, len(h.bids))
	for c := range dirty {
		dirty[c] = true
	}
	h.improveDirty(ctx, dirty)
}

// improveDirty looks for moves on the calls marked dirty; a move marks every
// call whose shortlist holds a city the move changed, until none is left.
func (h *heuristic) improveDirty(ctx context.Context, dirty []bool) {
	for again := true; again && !h.done(ctx); {
		again = false
		for c := range h.bids {
			if !dirty[c] {
				continue
			}
			dirty[c] = false
			h.touched = h.touched[:0]
			if mv, ok := h.bestMove(c); ok {
				if mv.from >= 0 {
					h.apply(mv.from, mv.fromBids)
				}
				h.apply(c, mv.members)
			} else if !h.rebuild(c) {
				continue
			}
			for _, g := range h.touched {
				for _, c2 := range h.shortOf[g] {
					dirty[c2] = true
				}
			}
			again = true
		}
	}
}

// bestMove finds the most valuable change to call c's bid.
func (h *heuristic) bestMove(c int) (move, bool) {
	m := h.pm.calls[c]
	bid, cur := h.bids[c], h.vals[c]
	best := move{gain: eps, from: -1}
	found := false
	consider := func(members []int, gain float64, from int, fromBids []int) {
		if gain > best.gain {
			best = move{gain: gain, members: slices.Clone(members), from: from, fromBids: fromBids}
			found = true
		}
	}
	valueOf := func(members []int) float64 {
		if len(members) == 0 {
			return 0
		}
		if len(members) < m.rule.minCities || len(members) > m.rule.maxCities {
			return -1e18
		}
		return m.value(members).Total
	}
	if len(bid) == 0 {
		if nb := h.greedyBid(c, 0); nb != nil {
			consider(nb, m.value(nb).Total, -1, nil)
		}
	} else {
		consider(nil, -cur, -1, nil)
	}
	// Removing a member.
	for a := range bid {
		rest := h.without(bid, a)
		consider(rest, valueOf(rest)-cur, -1, nil)
	}
	for rank, j := range h.short[c] {
		if slices.Contains(bid, j) {
			continue
		}
		from, fromBids, loss := -1, []int(nil), 0.0
		if !h.canJoin(c, j) {
			if rank >= moveWidth {
				continue
			}
			// Free city j from the bid where leaving costs least.
			from, fromBids, loss = h.cheapestRelease(c, j)
			if from < 0 {
				continue
			}
		}
		// Adding j, or swapping a member for j.
		if len(bid) > 0 || m.rule.minCities <= 1 {
			added := append(slices.Clone(bid), j)
			consider(added, valueOf(added)-cur-loss, from, fromBids)
		}
		for a := range bid {
			swapped := h.without(bid, a)
			swapped = append(swapped, j)
			v := valueOf(swapped) - cur
			consider(swapped, v-loss, from, fromBids)
			if from >= 0 {
				// Or exchange: j leaves another bid, and member a takes its place there.
				if f, fb, l := h.exchange(c, j, bid[a]); f >= 0 {
					consider(swapped, v-l, f, fb)
				}
			}
		}
	}
	return best, found
}

// exchange finds the other bid that loses least when candidate j of call c
// leaves it for call c and the member a of call c's bid takes j's place.
// It returns the call, its new bid and the value lost, or -1.
func (h *heuristic) exchange(c, j, a int) (int, []int, float64) {
	m := h.pm.calls[c]
	gj, ga := m.city[j], m.city[a]
	from, rest, loss := -1, []int(nil), 0.0
	for _, c2 := range h.inCalls[gj] {
		m2 := h.pm.calls[c2]
		i2, ka := h.local[c2][gj], h.local[c2][ga]
		if c2 == c || ka < 0 || slices.Contains(h.bids[c2], ka) ||
			h.coFund[gj]+m2.cands[i2].CoFundingNeeded < m.cands[j].CoFundingNeeded-eps ||
			h.coFund[ga]+m.cands[a].CoFundingNeeded < m2.cands[ka].CoFundingNeeded-eps {
			continue
		}
		left := make([]int, 0, len(h.bids[c2]))
		for _, i := range h.bids[c2] {
			if i == i2 {
				i = ka
			}
			left = append(left, i)
		}
		if l := h.vals[c2] - m2.value(left).Total; from < 0 || l < loss {
			from, rest, loss = c2, left, l
		}
	}
	return from, rest, loss
}

// rebuild builds call c's bid again from scratch, greedily, taking cities
// from other bids when their gain here outweighs the loss there. It keeps
// the result only if the whole plan gains, and reports whether it did.
func (h *heuristic) rebuild(c int) bool {
	m := h.pm.calls[c]
	before := h.total
	since := h.mark()
	h.apply(c, nil)
	var members []int
	cur := 0.0
	for len(members) < m.rule.maxCities {
		at, gain, from, fromBids := -1, 0.0, -1, []int(nil)
		for _, j := range h.short[c] {
			if slices.Contains(members, j) {
				continue
			}
			f, fb, loss := -1, []int(nil), 0.0
			if !h.canJoin(c, j) {
				if f, fb, loss = h.cheapestRelease(c, j); f < 0 {
					continue
				}
			}
			if g := m.value(append(members, j)).Total - cur - loss; at < 0 || g > gain {
				at, gain, from, fromBids = j, g, f, fb
			}
		}
		if at < 0 || (len(members) >= m.rule.minCities && gain <= eps) {
			break
		}
		if from >= 0 {
			h.apply(from, fromBids)
		}
		// Take the capacity now, so that a later refill cannot spend it.
		members = append(members, at)
		h.apply(c, slices.Clone(members))
		cur = h.vals[c]
	}
	if len(members) < m.rule.minCities || cur <= eps {
		h.apply(c, nil)
	}
	return h.keepIf(since, h.total > before+eps)
}

// mark starts journaling the changes to bids, and returns where they start
// for keepIf.
func (h *heuristic) mark() int {
	h.journaling++
	return len(h.journal)
}

// keepIf ends the journaling that mark started at: it keeps the changes
// since then when keep is set, and otherwise puts every bid back as it was,
// in reverse order. It returns keep.
func (h *heuristic) keepIf(at int, keep bool) bool {
	if !keep {
		journaling := h.journaling
		h.journaling = 0 // putting back is not a change to journal
		for k := len(h.journal) - 1; k >= at; k-- {
			h.apply(h.journal[k].call, h.journal[k].members)
		}
		h.journaling = journaling
		h.journal = h.journal[:at]
	}
	if h.journaling--; h.journaling == 0 {
		h.journal = h.journal[:0]
	}
	return keep
}

// force makes members call c's bid. A member without a slot or co-funding to
// spare leaves the bid where that costs least (or, when leaving one bid is
// not enough, the bids it is in, in turn); local search then starts from
// the bids it left. It keeps the result if the plan gains, and reports
// whether it did.
func (h *heuristic) force(ctx context.Context, c int, members []int) bool {
	m := h.pm.calls[c]
	before := h.total
	since := h.mark()
	h.apply(c, nil)
	damaged := make([]bool, len(h.bids))
	for _, i := range members {
		for g := m.city[i]; !h.canJoin(c, i) && len(h.inCalls[g]) > 0; {
			from, rest, _ := h.cheapestRelease(c, i)
			if from < 0 { // leaving one bid frees too little co-funding
				from = h.inCalls[g][0]
				rest = h.release(g, from).left
			}
			h.apply(from, rest)
			damaged[from] = true
		}
	}
	h.applyJoinable(c, members)
	h.improveDirty(ctx, damaged)
	return h.keepIf(since, h.total > before+eps)
}

// applyJoinable makes the members that have the capacity to join call c's
// bid, if they are enough for one and it is worth anything.
func (h *heuristic) applyJoinable(c int, members []int) {
	m := h.pm.calls[c]
	kept := slices.DeleteFunc(slices.Clone(members), func(i int) bool { return !h.canJoin(c, i) })
	if len(kept) >= max(m.rule.minCities, 1) && m.value(kept).Total > eps {
		h.apply(c, kept)
	}
}

// without returns bid without its a-th member, in scratch space that the
// next call overwrites.
func (h *heuristic) without(bid []int, a int) []int {
	h.scratch = append(append(h.scratch[:0], bid[:a]...), bid[a+1:]...)
	return h.scratch
}

// cheapestRelease finds the other bid that loses least by letting candidate
// j of call c go, such that j can then join call c. It returns the call, its
// bid without the city (nil when too small to stand), and the value lost.
func (h *heuristic) cheapestRelease(c, j int) (int, []int, float64) {
	m := h.pm.calls[c]
	g := m.city[j]
	from, rest, loss := -1, []int(nil), 0.0
	for _, c2 := range h.inCalls[g] {
		i2 := h.local[c2][g]
		if h.coFund[g]+h.pm.calls[c2].cands[i2].CoFundingNeeded < m.cands[j].CoFundingNeeded-eps {
			continue
		}
		r := h.release(g, c2)
		if l := h.vals[c2] - r.value; from < 0 || l < loss {
			from, rest, loss = c2, r.left, l
		}
	}
	return from, rest, loss
}

// release is call's bid once a city leaves it: its members (refilled by a
// city with capacity to spare when that pays) and value, as of a version of
// the plan.
type release struct {
	version int
	call    int
	left    []int
	value   float64
}

// release returns what becomes of call c2's bid if city g leaves it. It
// reads call c2's bid and the capacity of the cities that may refill it, so
// a cached release holds until one of them changes.
func (h *heuristic) release(g, c2 int) release {
	at := slices.IndexFunc(h.releases[g], func(r release) bool { return r.call == c2 })
	if at >= 0 && h.stillHolds(h.releases[g][at]) {
		return h.releases[g][at]
	}
	m2 := h.pm.calls[c2]
	i2 := h.local[c2][g]
	left := make([]int, 0, len(h.bids[c2]))
	for _, i := range h.bids[c2] {
		if i != i2 {
			left = append(left, i)
		}
	}
	v := 0.0
	if len(left) >= m2.rule.minCities {
		v = m2.value(left).Total
	}
	if v <= 0 {
		left, v = nil, 0
	}
	// Refill the gap with a city that has capacity to spare, if that pays.
	if base := left; len(base)+1 >= m2.rule.minCities {
		buf := append(slices.Clone(base), 0)
		for _, k := range h.refillers(c2) {
			if k == i2 || slices.Contains(base, k) || !h.canJoin(c2, k) {
				continue
			}
			buf[len(buf)-1] = k
			if w := m2.value(buf).Total; w > v {
				v, left = w, slices.Clone(buf)
			}
		}
	}
	r := release{version: h.version, call: c2, left: left, value: v}
	if at >= 0 {
		h.releases[g][at] = r
	} else {
		h.releases[g] = append(h.releases[g], r)
	}
	return r
}

// refillers are the candidates that may refill call c's bid when a city
// leaves it: its moveWidth strongest.
func (h *heuristic) refillers(c int) []int {
	return h.short[c][:min(len(h.short[c]), moveWidth)]
}

// stillHolds is whether nothing a cached release read has changed since:
// the call's bid, and the capacity of its refillers.
func (h *heuristic) stillHolds(r release) bool {
	return h.bidChanged[r.call] <= r.version && h.refillChanged[r.call] <= r.version
}
