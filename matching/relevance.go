package matching

import (
	"math"
	"slices"
	"strings"
)

// Relevance says how much of a city's profile a call covers, and how
// substantively. A profile is a list of themes (each keyword the officer
// wrote, paired with its translation when the profile gives both lists in
// step); a call covers a theme through any of its alternatives: the
// keyword's own stems, its stems in the other language, the parts of a
// Dutch compound, or a vocabulary concept the keyword names. A theme's
// strength in a call (0..1) is
//
//	field quality × specificity
//
// where field quality is the term's saturated BM25F weight (a word in the
// title or keywords counts fully, one mention in a long description about
// two thirds) and specificity shrinks words most calls use ("digital",
// "innovation"), so one generic hit cannot carry a call.
//
// Relevance combines the themes' strengths S (weighted sum) in two ways and
// keeps the larger: coverage, S over the profile's whole weight (a short
// profile covered fully is a strong fit), and breadth, 1-exp(-S/breadthScale)
// (a long profile is well served by a call that covers three or four of its
// themes well). Both are multiplied by themeFactor of the number of
// substantive themes, so that a single theme, however strong, stays a
// partial fit. Relevance is 0..1 and never saturates on one hit.
const (
	fullQuality  = 0.7  // a BM25F weight at which a term counts fully (a title hit, or a few description mentions)
	specificDocs = 0.03 // a term found in this share of the calls (or fewer) is fully specific
	statsDocs    = 50   // calls from which document frequencies are trusted fully
	breadthScale = 1.2  // themes of full strength at which breadth is 1-1/e...
	breadthShare = 8    // ...or this share of a long profile's weight, if more
	substantive  = 0.5  // a theme of at least this strength counts as one substantive theme
	// A past project the call resembles is evidence of substance, worth
	// up to this many themes of full strength (breadth only, not coverage).
	projectEvidence = 1.0
	// A keyword found through the dictionary, word by word, is a little
	// less certain than one found as written or through the vocabulary.
	translationShare = 0.8
	// Relevance of a profile without keywords, scored on its domain
	// weights alone, is scaled down: a domain is no request for a call.
	domainOnlyFactor = 0.6
)

// theme is one thing a profile asks for.
type theme struct {
	label  string // the keyword(s) as the officer wrote them
	weight float64
	alts   []alternative
}

// alternative is one way a call covers a theme: a term of each of its slots
// must occur for a full match (a slot is a word with its synonyms or
// translations), and a full match covers share of the theme.
type alternative struct {
	slots   [][]int32
	share   float64
	concept int    // vocabulary concept, -1 for stems
	surface string // the keyword as written, for stems
}

// themeFactor is the part of relevance a call keeps for n substantive
// themes: 0.45 with none, 0.73 with one, 0.86 with two, 0.93 with three.
func themeFactor(n float64) float64 { return 1 - 0.55*math.Exp(-0.9*n) }

// relevanceOf combines theme strengths into relevance: s is their weighted
// sum, n the number of substantive themes (fractional), total the profile's
// weight.
func relevanceOf(s, n, total, similarity float64, domainOnly bool) float64 {
	if s <= 0 || total <= 0 {
		return 0
	}
	e := projectEvidence * similarity
	r := max(s/total, 1-math.Exp(-(s+e)/max(breadthScale, total/breadthShare))) * themeFactor(n+min(1, e/substantive))
	if domainOnly {
		r *= domainOnlyFactor
	}
	return min(1, r)
}

// specificity is how much a term found in df of the live calls says about a
// call: 1 for rare terms, less for terms many calls use.
// A corpus of few calls says little about which words are generic, so
// specificity counts fully only from statsDocs calls on.
func specificity(df, live int) float64 {
	ref := idf(max(1, int(specificDocs*float64(live))), live)
	if ref <= 0 {
		return 1
	}
	s := math.Sqrt(min(1, idf(df, live)/ref))
	return 1 - (1-s)*min(1, float64(live)/statsDocs)
}

// quality turns a saturated BM25F term weight into field quality 0..1.
func quality(w float32) float64 { return min(1, float64(w)/fullQuality) }

// relevanceScratch holds the per-call buffers of scoring relevance.
type relevanceScratch struct {
	sum, subst       []float32 // weighted theme strengths, substantive themes
	theme, alt, slot []float32 // one theme's strength, one alternative's mean, one slot's best
	themeDocs        []int32   // calls touched by the current theme
	altDocs          []int32   // calls touched by the current alternative
	slotDocs         []int32   // calls touched by the current slot
}

// accumulateThemes computes, for every call, the weighted sum of theme
// strengths and the number of substantive themes of a city's query. The
// buffers must have one entry per document and start zeroed.
func (m *Model) accumulateThemes(q *CityQuery, sc *relevanceScratch) {
	for _, th := range q.themes {
		sc.themeDocs = sc.themeDocs[:0]
		for _, alt := range th.alts {
			if len(alt.slots) == 1 && len(alt.slots[0]) == 1 {
				ps := m.ix.postings[alt.slots[0][0]]
				if len(ps) == 0 {
					continue
				}
				spec, share := specificity(len(ps), m.live), float32(alt.share)
				for _, p := range ps {
					v := share * float32(spec*quality(p.w))
					if sc.theme[p.doc] == 0 {
						sc.themeDocs = append(sc.themeDocs, p.doc)
					}
					sc.theme[p.doc] = max(sc.theme[p.doc], v)
				}
				continue
			}
			sc.altDocs = sc.altDocs[:0]
			n := float64(len(alt.slots))
			for _, slot := range alt.slots {
				// The best term of the slot in each call, then added to the
				// alternative's mean.
				sc.slotDocs = sc.slotDocs[:0]
				for _, t := range slot {
					ps := m.ix.postings[t]
					if len(ps) == 0 {
						continue
					}
					spec := specificity(len(ps), m.live)
					for _, p := range ps {
						if sc.slot[p.doc] == 0 {
							sc.slotDocs = append(sc.slotDocs, p.doc)
						}
						sc.slot[p.doc] = max(sc.slot[p.doc], float32(spec*quality(p.w)/n))
					}
				}
				for _, d := range sc.slotDocs {
					if sc.alt[d] == 0 {
						sc.altDocs = append(sc.altDocs, d)
					}
					sc.alt[d] += sc.slot[d]
					sc.slot[d] = 0
				}
			}
			for _, d := range sc.altDocs {
				v := float32(alt.share) * sc.alt[d]
				sc.alt[d] = 0
				if sc.theme[d] == 0 {
					sc.themeDocs = append(sc.themeDocs, d)
				}
				sc.theme[d] = max(sc.theme[d], v)
			}
		}
		w := float32(th.weight)
		for _, d := range sc.themeDocs {
			v := sc.theme[d]
			sc.theme[d] = 0
			sc.sum[d] += w * v
			sc.subst[d] += min(1, v/substantive)
		}
	}
}

// themeStrengths returns the strength of each theme of q in one call.
func (m *Model) themeStrengths(q *CityQuery, ic *indexedCall, specs []float64) []float64 {
	s, _ := m.themeMatches(q, ic, specs)
	return s
}

// specificities returns the specificity of each of a call's terms, for
// themeMatches.
func (m *Model) specificities(ic *indexedCall) []float64 {
	out := make([]float64, len(ic.terms))
	for i, t := range ic.terms {
		out[i] = specificity(len(m.ix.postings[t.id]), m.live)
	}
	return out
}

// themeMatches returns the strength of each theme of q in one call and the
// alternative that gave it (-1 where none matched); specs are the call's
// specificities.
func (m *Model) themeMatches(q *CityQuery, ic *indexedCall, specs []float64) ([]float64, []int) {
	weight := func(t int32) (float32, float64, bool) {
		i, ok := slices.BinarySearchFunc(ic.terms, t, func(tw termWeight, t int32) int { return int(tw.id - t) })
		if !ok {
			return 0, 0, false
		}
		return ic.terms[i].w, specs[i], true
	}
	out, best := make([]float64, len(q.themes)), make([]int, len(q.themes))
	for i, th := range q.themes {
		best[i] = -1
		for j, alt := range th.alts {
			// In float32 and in the order of accumulateThemes, so that
			// both give the same score to the last bit.
			var s float32
			n := float64(len(alt.slots))
			for _, slot := range alt.slots {
				var best float32
				for _, t := range slot {
					if w, spec, ok := weight(t); ok {
						best = max(best, float32(spec*quality(w)/n))
					}
				}
				s += best
			}
			if v := float64(float32(alt.share) * s); v > out[i] {
				out[i], best[i] = v, j
			}
		}
	}
	return out, best
}

// relevance is the relevance of one call for a city's query.
func (m *Model) relevance(ic *indexedCall, q *CityQuery, specs []float64, similarity float64) float64 {
	var s, n float32 // as accumulateThemes sums them
	for i, v := range m.themeStrengths(q, ic, specs) {
		s += float32(q.themes[i].weight) * float32(v)
		n += min(1, float32(v)/substantive)
	}
	return relevanceOf(float64(s), float64(n), q.mass, similarity, q.domainOnly)
}

// buildThemes turns a profile into themes. Keywords given in both lists in
// step (as many Dutch as English) are paired, each pair one theme; otherwise
// every keyword is a theme of its own. A profile without keywords gets one
// theme per domain it weighs, covered by the domain's concepts.
func (m *Model) buildThemes(q *CityQuery) {
	p := q.Applicant.Profile
	nl, en := clean(p.KeywordsNL), clean(p.KeywordsEN)
	paired := len(nl) > 0 && len(nl) == len(en)
	add := func(th *theme, k string, lang language) {
		res := m.an.analyse(k, lang, false)
		stems := res.terms[:res.length]
		if len(stems) > 0 {
			th.alts = append(th.alts, m.alternative(stems, 1, -1, k))
		}
		other := m.an.analyse(k, lang.other(), false)
		if os := other.terms[:other.length]; len(os) > 0 && !slices.Equal(os, stems) {
			th.alts = append(th.alts, m.alternative(os, 1, -1, k))
		}
		var parts []string
		for _, t := range res.terms[res.length:] {
			if !strings.HasPrefix(t, conceptPrefix) {
				parts = append(parts, t)
			}
		}
		if len(parts) > 1 {
			th.alts = append(th.alts, m.alternative(parts, 1, -1, k))
		}
		if m.dict != nil {
			slots, phrases := m.dict.translate(m.an.st, k, lang)
			if len(slots) > 0 {
				th.alts = append(th.alts, m.slotted(slots, translationShare, -1, k))
			}
			for _, ph := range phrases {
				th.alts = append(th.alts, m.alternative(ph, translationShare, -1, k))
			}
		}
		for _, h := range append(res.concepts, other.concepts...) {
			if slices.ContainsFunc(th.alts, func(a alternative) bool { return a.concept == h.concept }) {
				continue
			}
			share := 1.0
			if n := len(contentWords(words(h.surface))); res.length > 0 && n < res.length {
				share = max(0.5, float64(n)/float64(res.length))
			}
			th.alts = append(th.alts, m.alternative([]string{m.vocab.tokens[h.concept]}, share, h.concept, h.surface))
			q.named[h.concept] = appendUnique(q.named[h.concept], h.surface)
			th.weight = max(th.weight, 0.5+domainWeight(p, m.vocab.concepts[h.concept].Domain))
		}
	}
	newTheme := func(label string) theme { return theme{label: label} }
	switch {
	case paired:
		for i := range nl {
			th := newTheme(nl[i] + " / " + en[i])
			add(&th, nl[i], langNL)
			add(&th, en[i], langEN)
			q.themes = append(q.themes, th)
		}
	case len(nl)+len(en) > 0:
		for _, k := range nl {
			th := newTheme(k)
			add(&th, k, langNL)
			q.themes = append(q.themes, th)
		}
		for _, k := range en {
			th := newTheme(k)
			add(&th, k, langEN)
			q.themes = append(q.themes, th)
		}
	default:
		q.domainOnly = true
		for _, d := range Domains {
			w := domainWeight(p, d)
			if len(p.DomainWeights) == 0 || w < 0.5 {
				continue
			}
			th := theme{label: string(d), weight: w}
			for c, concept := range m.vocab.concepts {
				if concept.Domain == d {
					th.alts = append(th.alts, m.alternative([]string{m.vocab.tokens[c]}, 1, c, ""))
				}
			}
			q.themes = append(q.themes, th)
		}
	}
	// Keywords that name one concept ("kernversterking", "lokale handel")
	// share it: a call that shows only the concept covers √k of k such
	// keywords' worth, not k (a stronger interest, but not k themes).
	shared := map[int]int{}
	for _, th := range q.themes {
		for c := range conceptsOf(th) {
			shared[c]++
		}
	}
	for i := range q.themes {
		th := &q.themes[i]
		for j := range th.alts {
			if c := th.alts[j].concept; c >= 0 && shared[c] > 1 && !q.domainOnly {
				th.alts[j].share /= math.Sqrt(float64(shared[c]))
			}
		}
		if th.weight == 0 {
			th.weight = 1
		}
		q.mass += th.weight
	}
}

// conceptsOf returns the concepts of a theme's alternatives.
func conceptsOf(th theme) map[int]bool {
	cs := map[int]bool{}
	for _, a := range th.alts {
		if a.concept >= 0 {
			cs[a.concept] = true
		}
	}
	return cs
}

// alternative resolves terms to ids, each term a slot of its own.
func (m *Model) alternative(terms []string, share float64, concept int, surface string) alternative {
	slots := make([][]string, 0, len(terms))
	for _, t := range uniq(terms) {
		slots = append(slots, []string{t})
	}
	return m.slotted(slots, share, concept, surface)
}

// slotted resolves the terms of slots to ids.
func (m *Model) slotted(slots [][]string, share float64, concept int, surface string) alternative {
	a := alternative{share: share, concept: concept, surface: surface}
	for _, slot := range slots {
		ids := make([]int32, 0, len(slot))
		for _, t := range uniq(slot) {
			ids = append(ids, m.ix.termID(t))
		}
		a.slots = append(a.slots, ids)
	}
	return a
}

// uniq drops repeats, keeping the first of each.
func uniq(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = appendUnique(out, s)
	}
	return out
}

// clean drops empty keywords.
func clean(ks []string) []string {
	return slices.DeleteFunc(slices.Clone(ks), func(k string) bool { return strings.TrimSpace(k) == "" })
}
