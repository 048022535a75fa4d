package seed

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/store"
)

// Starter profiles: a municipality without a profile gets one derived from
// the profiles of the municipalities most like it, so that it sees sensible
// matches the first day. The profile is marked derived (pages and API say
// so) until an officer saves it.
const (
	similarCount    = 3  // profiles a starter profile is drawn from
	starterKeywords = 12 // keywords per language at most
	ownProjectBoost = 0.3
)

// DeriveProfiles gives every city without a profile a derived one, and
// brings derived profiles up to date with the profiles they come from, in one
// transaction. Profiles an officer has saved are never touched. It reports
// how many profiles it wrote.
func DeriveProfiles(ctx context.Context, st *store.Store) (int, error) {
	cities, err := st.Cities(ctx)
	if err != nil {
		return 0, err
	}
	profiles, err := st.Profiles(ctx)
	if err != nil {
		return 0, err
	}
	projects, err := st.ProjectsByCity(ctx)
	if err != nil {
		return 0, err
	}
	byCity := make(map[int64]store.Profile, len(profiles))
	for _, p := range profiles {
		byCity[p.CityID] = p
	}
	// Only profiles someone wrote (seeded or edited) are sources: derived
	// profiles are never derived from each other.
	var sources []source
	for _, c := range cities {
		if p, ok := byCity[c.ID]; ok && !p.Derived {
			sources = append(sources, source{city: c, profile: p})
		}
	}
	var derived []store.Profile
	for _, c := range cities {
		if p, ok := byCity[c.ID]; ok && !p.Derived {
			continue
		}
		if p, ok := starterProfile(c, projects[c.ID], sources); ok {
			derived = append(derived, p)
		}
	}
	if len(derived) == 0 {
		return 0, nil
	}
	var n int
	err = st.InTx(ctx, func(tx *store.Tx) error {
		n, err = tx.SaveDerivedProfiles(ctx, derived)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("derive starter profiles: %w", err)
	}
	return n, nil
}

// source is a city with a profile a starter profile may be drawn from.
type source struct {
	city    store.City
	profile store.Profile
}

// starterProfile derives a profile for city c from its own past projects and
// the profiles of the similarCount sources most like it (same province, then
// same arrondissement, then population band and size; sources with nothing in
// common are left out when alike ones exist): their domain weights
// averaged, raised for the domains of c's own projects; the union of their
// most frequent keywords; a bid capacity and co-funding scaled to c's size.
// It reports false when there is no source to draw from.
func starterProfile(c store.City, own []store.CityProject, sources []source) (store.Profile, bool) {
	type ranked struct {
		source
		score float64
	}
	var rs []ranked
	for _, s := range sources {
		if s.city.ID == c.ID || (s.city.Kind == store.KindVGC) != (c.Kind == store.KindVGC) {
			continue
		}
		rs = append(rs, ranked{s, similarity(c, s.city)})
	}
	if len(rs) == 0 {
		return store.Profile{}, false
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.city.Slug, b.city.Slug))
	})
	rs = rs[:min(similarCount, len(rs))]
	// A source that shares nothing with c (another province, size unknown)
	// is no better than any other: when some source is alike, only the alike
	// ones count, even if they are fewer than similarCount.
	best := rs[0].score
	rs = slices.DeleteFunc(rs, func(r ranked) bool { return r.score == 0 && best > 0 })

	p := store.Profile{CityID: c.ID, City: c.Slug, Derived: true, StartingPoint: true, ExcludedProgrammes: pq.StringArray{}}
	var nl, en [][]string
	var perInhabitant float64
	for _, r := range rs {
		for _, d := range store.Domains {
			w, _ := r.profile.DomainWeights.Get(d)
			v, _ := p.DomainWeights.Get(d)
			p.DomainWeights.Set(d, v+w/float64(len(rs)))
		}
		nl, en = append(nl, r.profile.KeywordsNL), append(en, r.profile.KeywordsEN)
		if r.city.Population > 0 {
			perInhabitant += r.profile.CoFundingCapacity / float64(r.city.Population) / float64(len(rs))
		}
	}
	// The domains of the municipality's own past projects weigh more: it has
	// done that work before.
	if len(own) > 0 {
		for _, d := range store.Domains {
			n := 0
			for _, pr := range own {
				if slices.Contains(pr.Domains, d) {
					n++
				}
			}
			v, _ := p.DomainWeights.Get(d)
			p.DomainWeights.Set(d, min(1, v+ownProjectBoost*float64(n)/float64(len(own))))
		}
	}
	for _, d := range store.Domains {
		v, _ := p.DomainWeights.Get(d)
		p.DomainWeights.Set(d, math.Round(v*100)/100)
	}
	p.KeywordsNL, p.KeywordsEN = frequentKeywords(nl), frequentKeywords(en)
	p.MaxConcurrentBids = bidsFor(c.Population)
	if c.Population > 0 {
		p.CoFundingCapacity = math.Round(perInhabitant*float64(c.Population)/1000) * 1000
	}
	return p, true
}

// similarity rates how alike two municipalities are for sharing a profile:
// the province counts most (regional programmes and themes), then the
// arrondissement, then the population band and the closeness in size when
// both populations are known.
func similarity(a, b store.City) float64 {
	s := 0.0
	if a.Province == b.Province {
		s += 4
	}
	if a.Arrondissement != "" && a.Arrondissement == b.Arrondissement {
		s += 2
	}
	if a.Population > 0 && b.Population > 0 {
		if band(a.Population) == band(b.Population) {
			s += 2
		}
		s += 1 / (1 + math.Abs(math.Log(float64(a.Population)/float64(b.Population))))
	}
	return s
}

// band is a municipality's population band: under 10,000, 20,000, 50,000,
// 100,000 inhabitants, or more.
func band(population int) int {
	for i, limit := range []int{10_000, 20_000, 50_000, 100_000} {
		if population < limit {
			return i
		}
	}
	return 4
}

// bidsFor is the number of bids a municipality of that size can run at once;
// a municipality whose size is unknown is taken to be small.
func bidsFor(population int) int {
	switch {
	case population >= 100_000:
		return 3
	case population >= 20_000:
		return 2
	}
	return 1
}

// frequentKeywords is the union of the keyword lists, the keywords most of
// them share first and then in the order of the lists (most similar first),
// without proper names (a capitalised keyword such as a river's name belongs
// to its own city), at most starterKeywords of them.
func frequentKeywords(lists [][]string) pq.StringArray {
	count := map[string]int{}
	var order []string
	first := map[string]string{}
	for _, l := range lists {
		seen := map[string]bool{}
		for _, k := range l {
			k = strings.TrimSpace(k)
			key := strings.ToLower(k)
			if k == "" || seen[key] || unicode.IsUpper([]rune(k)[0]) {
				continue
			}
			seen[key] = true
			if count[key] == 0 {
				order = append(order, key)
				first[key] = k
			}
			count[key]++
		}
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	out := pq.StringArray{}
	for _, k := range order[:min(starterKeywords, len(order))] {
		out = append(out, first[k])
	}
	return out
}
