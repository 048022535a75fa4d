package consortium

import (
	"cmp"
	"slices"
)

// MaxExactCandidates is the number of candidates PlanCall searches exactly;
// beyond it the strongest candidates on their own are kept.
const MaxExactCandidates = 30

// PlanCall proposes the k best bids for one call (distinct member sets, best
// first) by branch and bound over the candidates' subsets. Candidates that
// are ineligible, have no free bid slot or too little co-funding, or lie
// outside a required programme area are left out and listed in Excluded.
// With more than MaxExactCandidates candidates, the strongest on their own
// are searched and the plan is not marked optimal.
func PlanCall(c Call, cands []Candidate, h History, k int) CallPlan {
	cities := make([]City, 0, len(cands))
	seen := make(map[string]bool, len(cands))
	for _, cand := range cands {
		if !seen[cand.City.Slug] {
			seen[cand.City.Slug] = true
			cities = append(cities, cand.City)
		}
	}
	m := newCallModel(c, cands, newNetwork(cities, h))
	plan := CallPlan{Call: c.Identifier, Optimal: true}
	if len(m.cands) > MaxExactCandidates {
		m = m.shortlist(MaxExactCandidates)
		plan.Optimal = false
	}
	plan.Excluded = m.excluded
	sets, nodes := m.best(max(k, 1))
	plan.Nodes = nodes
	for _, s := range sets {
		plan.Bids = append(plan.Bids, m.bid(s.members, m.singleUsage()))
	}
	return plan
}

// shortlist keeps the n candidates worth most on their own.
func (m *callModel) shortlist(n int) *callModel {
	idx := make([]int, len(m.cands))
	alone := make([]float64, len(m.cands))
	for i := range idx {
		idx[i] = i
		alone[i] = m.value([]int{i}).Total
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(alone[b], alone[a]) })
	short := m.subset(idx[:n])
	for _, i := range idx[n:] {
		short.excluded = append(short.excluded, Exclusion{m.cands[i].City.Slug, reasonCut})
	}
	return short
}

// subset is the model restricted to the candidates idx, in that order.
func (m *callModel) subset(idx []int) *callModel {
	sub := &callModel{call: m.call, rule: m.rule, net: m.net, weight: m.weight, excluded: slices.Clone(m.excluded)}
	for _, i := range idx {
		sub.cands = append(sub.cands, m.cands[i])
		sub.city = append(sub.city, m.city[i])
		sub.fit = append(sub.fit, m.fit[i])
		sub.strength = append(sub.strength, m.strength[i])
		sub.lead = append(sub.lead, m.lead[i])
		sub.eligible = append(sub.eligible, m.eligible[i])
		sub.front = append(sub.front, m.front[i])
		sub.newcomer = append(sub.newcomer, m.newcomer[i])
	}
	return sub
}

// scoredSet is a set of members (candidate indexes, ascending) and its value.
type scoredSet struct {
	members []int
	value   float64
}

// best returns the k most valuable feasible member sets, best first, and
// the number of search nodes visited. k <= 0 returns every feasible set.
func (m *callModel) best(k int) ([]scoredSet, int) {
	s := newSearch(m, k)
	if m.rule.minCities <= m.rule.maxCities {
		s.dfs(0)
	}
	if k <= 0 {
		slices.SortStableFunc(s.top, func(a, b scoredSet) int { return cmp.Compare(b.value, a.value) })
	}
	return s.top, s.nodes
}

// above returns every feasible member set worth more than floor, best
// first; bounds that stay at or below floor (within eps) prune the search.
func (m *callModel) above(floor float64) []scoredSet {
	s := newSearch(m, 0)
	s.floor, s.hasFloor = floor, true
	if m.rule.minCities <= m.rule.maxCities {
		s.dfs(0)
	}
	slices.SortStableFunc(s.top, func(a, b scoredSet) int { return cmp.Compare(b.value, a.value) })
	return s.top
}

// search is a depth-first branch and bound over member subsets. The bound
// at a node adds to the current members the best r remaining candidates
// (r = free places) by an optimistic increment: fit, coverage gain against
// the current members (coverage is submodular, so gains only shrink), synergy
// with the current members plus half of the candidate's r−1 strongest
// synergies with anyone, and the newcomer bonus as if a front-runner were in.
// Total coverage is also capped at what is left to cover, and the lead term
// at the most experienced remaining city.
type search struct {
	m          *callModel
	k          int
	order      []int // candidates in search order, strongest alone first
	synTop     [][]float64
	top        []scoredSet
	nodes      int
	members    []int
	covs       [][]float64 // coverage per need, per depth
	fitSum     float64
	synSum     float64
	newbies    int
	nodeBounds []nodeBound // per depth
	leadSuffix []float64   // leadSuffix[q]: most lead points from position q on
	// With hasFloor, every set worth more than floor is kept (k <= 0).
	floor    float64
	hasFloor bool
}

func newSearch(m *callModel, k int) *search {
	n := len(m.cands)
	s := &search{m: m, k: k, order: make([]int, n), synTop: make([][]float64, n)}
	alone := make([]float64, n)
	for i := range n {
		s.order[i] = i
		alone[i] = m.value([]int{i}).Total
		syn := make([]float64, 0, n)
		for j := range n {
			if j != i && m.syn(i, j) > 0 {
				syn = append(syn, m.syn(i, j))
			}
		}
		slices.SortFunc(syn, func(a, b float64) int { return cmp.Compare(b, a) })
		// synTop[i][t] is the sum of i's t strongest synergies.
		s.synTop[i] = make([]float64, len(syn)+1)
		for t, v := range syn {
			s.synTop[i][t+1] = s.synTop[i][t] + v
		}
	}
	slices.SortStableFunc(s.order, func(a, b int) int { return cmp.Compare(alone[b], alone[a]) })
	s.covs = make([][]float64, m.rule.maxCities+2)
	for d := range s.covs {
		s.covs[d] = make([]float64, len(m.weight))
	}
	s.nodeBounds = make([]nodeBound, m.rule.maxCities+1)
	s.leadSuffix = make([]float64, n+1)
	for q := n - 1; q >= 0; q-- {
		s.leadSuffix[q] = max(s.leadSuffix[q+1], m.lead[s.order[q]])
	}
	return s
}

// threshold is the value a set must beat to be kept, once there is one:
// the floor when set, else the k-th best so far once the top k is filled.
func (s *search) threshold() (float64, bool) {
	if s.hasFloor {
		return s.floor, true
	}
	if s.k > 0 && len(s.top) >= s.k {
		return s.top[len(s.top)-1].value, true
	}
	return 0, false
}

func (s *search) dfs(p int) {
	s.nodes++
	m := s.m
	depth := len(s.members)
	if depth >= m.rule.maxCities {
		return
	}
	cov, next := s.covs[depth], s.covs[depth+1]
	nb := &s.nodeBounds[depth]
	nb.ready = false
	for q := p; q < len(s.order); q++ {
		if th, ok := s.threshold(); ok {
			if !nb.ready {
				s.prepareBound(nb, p)
			}
			if nb.at(q, p) <= th+eps {
				return // bounds only shrink as q grows
			}
		}
		i := s.order[q]
		var synAdd float64
		for _, j := range s.members {
			synAdd += m.syn(i, j)
		}
		for k := range cov {
			next[k] = max(cov[k], m.strength[i][k])
		}
		s.members = append(s.members, i)
		s.fitSum += m.fit[i]
		s.synSum += synAdd
		if m.newcomer[i] {
			s.newbies++
		}
		if len(s.members) >= m.rule.minCities {
			s.record()
		}
		s.dfs(q + 1)
		s.members = s.members[:depth]
		s.fitSum -= m.fit[i]
		s.synSum -= synAdd
		if m.newcomer[i] {
			s.newbies--
		}
	}
}

func (s *search) record() {
	v := s.m.value(s.members).Total
	if th, ok := s.threshold(); ok && v <= th {
		return
	}
	set := scoredSet{members: slices.Sorted(slices.Values(s.members)), value: v}
	if s.k <= 0 {
		s.top = append(s.top, set) // every set is kept; best sorts them once
		return
	}
	at, _ := slices.BinarySearchFunc(s.top, set.value, func(e scoredSet, v float64) int { return cmp.Compare(v, e.value) })
	// Equal values keep discovery order: insert after them.
	for at < len(s.top) && s.top[at].value == set.value {
		at++
	}
	s.top = slices.Insert(s.top, at, set)
	if s.k > 0 && len(s.top) > s.k {
		s.top = s.top[:s.k]
	}
}

// nodeBound holds what a search node needs to bound its children quickly:
// each remaining candidate's optimistic increment, with and without its
// coverage gain, ranked best first.
type nodeBound struct {
	ready        bool
	base         float64 // current value without lead, newcomer bonus counted
	lead         float64 // best lead points among the current members
	coverLeft    float64 // coverage points not yet covered
	r            int     // free places
	u, u2        []float64
	rank1, rank2 []int // positions (q − p) by u and by u2, best first
	leadSuffix   []float64
}

// prepareBound fills nb for the current members and candidates from p on.
// A set made of the current members plus candidates from position q on is
// worth at most nb.at(q): see search.
func (s *search) prepareBound(nb *nodeBound, p int) {
	m := s.m
	depth := len(s.members)
	cov := s.covs[depth]
	var curCov, maxCov float64
	for k, w := range m.weight {
		curCov += w * cov[k]
		maxCov += w
	}
	nb.lead = 0
	for _, i := range s.members {
		nb.lead = max(nb.lead, m.lead[i])
	}
	nb.base = s.fitSum + s.synSum + curCov + perNewcomer*float64(s.newbies)
	nb.coverLeft = maxCov - curCov
	nb.r = m.rule.maxCities - depth
	nb.u, nb.u2, nb.rank1, nb.rank2 = nb.u[:0], nb.u2[:0], nb.rank1[:0], nb.rank2[:0]
	for x, j := range s.order[p:] {
		var gain float64
		for k, w := range m.weight {
			gain += w * max(0, m.strength[j][k]-cov[k])
		}
		inc := m.fit[j] + 0.5*s.synTop[j][min(nb.r-1, len(s.synTop[j])-1)]
		for _, i := range s.members {
			inc += m.syn(i, j)
		}
		if m.newcomer[j] {
			inc += perNewcomer
		}
		nb.u = append(nb.u, inc+gain)
		nb.u2 = append(nb.u2, inc)
		nb.rank1 = append(nb.rank1, x)
		nb.rank2 = append(nb.rank2, x)
	}
	slices.SortFunc(nb.rank1, func(a, b int) int { return cmp.Compare(nb.u[b], nb.u[a]) })
	slices.SortFunc(nb.rank2, func(a, b int) int { return cmp.Compare(nb.u2[b], nb.u2[a]) })
	nb.leadSuffix = s.leadSuffix[p:]
	nb.ready = true
}

// at bounds sets made of the current members plus candidates from position
// q on (q >= p, the node's first position).
func (nb *nodeBound) at(q, p int) float64 {
	from := q - p
	top := func(xs []float64, rank []int) float64 {
		var sum float64
		taken := 0
		for _, x := range rank {
			if taken == nb.r || xs[x] <= 0 {
				break
			}
			if x >= from {
				sum += xs[x]
				taken++
			}
		}
		return sum
	}
	lead := nb.lead
	if from < len(nb.leadSuffix) {
		lead = max(lead, nb.leadSuffix[from])
	}
	return nb.base + lead + min(top(nb.u, nb.rank1), top(nb.u2, nb.rank2)+nb.coverLeft)
}
