package consortium

import (
	"math"
	"slices"
)

// reassign is a move across many bids at once. Each call c opens one place
// unless out[c] is noPlace: out[c] ≥ 0 takes that member out of its bid,
// and addPlace opens a place for one more member. The cities set free,
// and those with a slot to spare, then fill the places again by an exact
// assignment, each place taking one city or none. As every bid changes by
// one member at most, the value of each (place, city) pair is exact, so the
// assignment finds the best of every exchange along a cycle of bids (a
// city moves from bid A to B, one from B to C, ..., one from Z to A) and
// every chain that ends in a city with capacity to spare, however long;
// local search only tries cycles of two. A city takes at most as many places
// as it has slots once the places are open; co-funding is checked once the
// bids are applied. It keeps the result if the plan gains, and reports
// whether it did. At 300 cities × 100 calls a round takes about 2 ms, and
// two seconds of rounds raised a plan of 5722 to 5804, and one of 5995 to
// 6072, where local search had stopped.
func (h *heuristic) reassign(out []int) bool {
	type place struct {
		call, out int
		rest      []int   // the bid without out
		base      float64 // the value of rest alone, or -inf when it cannot stand
	}
	var places []place
	nc := len(h.pm.slots)
	freed := make([]int, nc)       // per city: the places that set it free
	freedCo := make([]float64, nc) // per city: the co-funding they give back
	for c, o := range out {
		if o == noPlace {
			continue
		}
		m := h.pm.calls[c]
		bid := h.bids[c]
		if o == addPlace && len(bid) >= m.rule.maxCities {
			continue
		}
		rest := slices.DeleteFunc(slices.Clone(bid), func(i int) bool { return i == o })
		base := math.Inf(-1)
		switch {
		case len(rest) == 0:
			base = 0
		case len(rest) >= m.rule.minCities:
			base = m.value(rest).Total
		}
		places = append(places, place{call: c, out: o, rest: rest, base: base})
		if o >= 0 {
			freed[m.city[o]]++
			freedCo[m.city[o]] += m.cands[o].CoFundingNeeded
		}
	}
	if len(places) < 2 {
		return false
	}
	// The cities that may fill a place, each as often as it has slots free
	// once the places are open (at most once per place).
	var cities, copies []int
	seen := make([]bool, nc)
	for _, p := range places {
		for _, i := range h.short[p.call] {
			g := h.pm.calls[p.call].city[i]
			if k := min(h.slots[g]+freed[g], len(places)); !seen[g] && k > 0 {
				seen[g] = true
				cities, copies = append(cities, g), append(copies, k)
			}
		}
	}
	var cols []int // column → city
	for k, g := range cities {
		for range copies[k] {
			cols = append(cols, g)
		}
	}
	// Values: a place filled by a city, or left empty (its own column).
	n, m := len(places), len(cols)+len(places)
	value := make([][]float64, n)
	buf := make([]int, 0, 16)
	for r, p := range places {
		cm := h.pm.calls[p.call]
		row := make([]float64, m)
		for k := range row {
			row[k] = math.Inf(-1)
		}
		row[len(cols)+r] = p.base
		k := 0
		for d, g := range cities {
			if j := h.local[p.call][g]; j >= 0 && !slices.Contains(p.rest, j) && len(p.rest)+1 >= cm.rule.minCities &&
				h.coFund[g]+freedCo[g] >= cm.cands[j].CoFundingNeeded-eps {
				buf = append(append(buf[:0], p.rest...), j)
				v := cm.value(buf).Total
				for c := range copies[d] {
					row[k+c] = v
				}
			}
			k += copies[d]
		}
		value[r] = row
	}
	assigned := maxAssignment(value)
	// The new bids, applied together; checked for capacity, and kept only
	// if the plan gains.
	for r, k := range assigned {
		if math.IsInf(value[r][k], -1) {
			return false
		}
	}
	before := h.total
	since := h.mark()
	for r, p := range places {
		members := p.rest
		if k := assigned[r]; k < len(cols) {
			members = append(slices.Clone(p.rest), h.local[p.call][cols[k]])
		}
		if len(members) == 0 {
			members = nil
		}
		h.apply(p.call, members)
	}
	ok := h.total > before+eps
	for _, p := range places {
		for _, i := range h.bids[p.call] {
			g := h.pm.calls[p.call].city[i]
			ok = ok && h.slots[g] >= 0 && h.coFund[g] >= -eps
		}
	}
	return h.keepIf(since, ok)
}

// The places reassign opens: none for a call, or one for a new member.
const (
	noPlace  = -2
	addPlace = -1
)

// maxAssignment assigns each row of value (n rows, m ≥ n columns) a column
// of its own so that the sum of the values is largest (-inf: not allowed),
// by shortest augmenting paths with potentials (the Hungarian method, in
// O(n²·m)). A row with no column it may take gets one it may not, which
// the caller sees by its value.
func maxAssignment(value [][]float64) []int {
	n := len(value)
	m := len(value[0])
	const forbidden = 1e12
	cost := func(i, j int) float64 {
		if v := value[i][j]; !math.IsInf(v, -1) {
			return -v
		}
		return forbidden
	}
	// 1-based as in the textbook: row 0 and column 0 are the virtual start.
	u, v := make([]float64, n+1), make([]float64, m+1)
	p, way := make([]int, m+1), make([]int, m+1)
	minv, used := make([]float64, m+1), make([]bool, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j], used[j] = math.Inf(1), false
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				if cur := cost(i0-1, j-1) - u[i0] - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			if j0 = j1; p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	assigned := make([]int, n)
	for j := 1; j <= m; j++ {
		if p[j] != 0 {
			assigned[p[j]-1] = j - 1
		}
	}
	return assigned
}

// places picks the places of a round of reassign: a random member out of
// three bids in four, and one more member for half of the other calls.
func (h *heuristic) places() []int {
	out := make([]int, len(h.bids))
	for c, b := range h.bids {
		out[c] = noPlace
		switch {
		case len(b) > 0 && h.rng.IntN(4) > 0:
			out[c] = b[h.rng.IntN(len(b))]
		case h.rng.IntN(2) == 0:
			out[c] = addPlace
		}
	}
	return out
}
