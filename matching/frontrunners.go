package matching

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// FrontRunnerSimilarity is the resemblance (0..1) from which a past
// project counts as a similar project: its city is a front-runner for the
// call, and a city without such a project is a newcomer to it. It is twice
// the resemblance from which an explanation names a project ("Lijkt op uw
// project ..."): on the evaluation set a third of the (call, city) pairs
// reach 0.2, mostly through one shared concept, and a tenth reach 0.4,
// where project and call share two or three themes.
const FrontRunnerSimilarity = 2 * projectShown

// MaxFrontRunners is how many front-runners a call has at most: the
// cities whose projects resemble it most. Pages name them, alerts name a
// few of them to the others, and the planner pairs them with newcomers;
// keeping ten bounds what is stored per call however many cities did
// something alike.
const MaxFrontRunners = 10

// FrontRunner is a city that did a project like a call: the past project
// of its that resembles the call most, by the same measure as the project
// evidence of its matches, and the vocabulary concepts the project and the
// call share.
type FrontRunner struct {
	City       string        // the city's slug
	Project    int           // index of the project in the applicant's Projects
	Similarity float64       // 0..1, at least FrontRunnerSimilarity
	Themes     []SharedTheme // concepts both the project and the call name, in vocabulary order
}

// SharedTheme is a vocabulary concept a past project and a call share.
type SharedTheme struct {
	Concept string `json:"concept"`
	LabelNL string `json:"label_nl"`
	LabelEN string `json:"label_en"`
}

// FrontRunners returns, for each call named, its front-runners among the
// cities of qs: the (at most MaxFrontRunners) cities whose past project
// resembles the call at least FrontRunnerSimilarity, most similar first
// (then by slug). A call without front-runners has no entry. Naming no
// call means every live call: the projects are then scored against all
// calls at once through the index, the way ScoreCities scores them,
// rather than call by call.
func (m *Model) FrontRunners(qs []*CityQuery, identifiers ...string) (map[string][]FrontRunner, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	found := map[int32][]FrontRunner{}
	if len(identifiers) > 0 {
		for _, id := range identifiers {
			doc, ok := m.byID[id]
			if !ok {
				return nil, fmt.Errorf("front-runners of call %q: not in the model", id)
			}
			for _, q := range qs {
				if sim, best := m.bestProject(&m.calls[doc], q); best >= 0 && sim >= FrontRunnerSimilarity {
					found[doc] = append(found[doc], FrontRunner{City: q.Applicant.City.Slug, Project: best, Similarity: sim})
				}
			}
		}
	} else {
		m.frontRunnersOfAll(qs, found)
	}
	bySlug := make(map[string]*CityQuery, len(qs))
	for _, q := range qs {
		bySlug[q.Applicant.City.Slug] = q
	}
	themes := m.newThemeFinder()
	out := make(map[string][]FrontRunner, len(found))
	for doc, frs := range found {
		slices.SortFunc(frs, func(a, b FrontRunner) int {
			return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), strings.Compare(a.City, b.City))
		})
		frs = frs[:min(len(frs), MaxFrontRunners)]
		ic := &m.calls[doc]
		for i := range frs {
			frs[i].Themes = themes.shared(bySlug[frs[i].City], frs[i].Project, ic)
		}
		out[ic.id] = frs
	}
	return out, nil
}

// frontRunnersOfAll finds the front-runners of every live call: each past
// project is scored against all calls through the index, as ScoreCities
// scores them, and each city keeps its most similar project per call.
func (m *Model) frontRunnersOfAll(qs []*CityQuery, found map[int32][]FrontRunner) {
	acc := make([]float32, len(m.calls))
	best := make([]float64, len(m.calls)) // this city's best similarity per call
	at := make([]int, len(m.calls))       // and its project
	var touched []int32
	for _, q := range qs {
		touched = touched[:0]
		for pi, p := range q.projects {
			clear(acc)
			m.ix.accumulate(p, m.live, acc)
			scale := m.ix.similarityScale(p, m.live)
			for d, x := range acc {
				if x <= 0 || !m.calls[d].live {
					continue
				}
				if sim := saturate(float64(x), scale); sim >= FrontRunnerSimilarity && sim > best[d] {
					if best[d] == 0 {
						touched = append(touched, int32(d))
					}
					best[d], at[d] = sim, pi
				}
			}
		}
		for _, d := range touched {
			found[d] = append(found[d], FrontRunner{City: q.Applicant.City.Slug, Project: at[d], Similarity: best[d]})
			best[d] = 0
		}
	}
}

// themeFinder finds the concepts a past project and a call share. It keeps
// each project's concepts, so that a project that resembles many calls is
// looked at once.
type themeFinder struct {
	m        *Model
	concepts map[int32]int // index terms of vocabulary concepts -> concepts
	projects map[*CityQuery][][]int32
}

func (m *Model) newThemeFinder() *themeFinder {
	tf := &themeFinder{m: m, concepts: make(map[int32]int, len(m.vocab.tokens)), projects: map[*CityQuery][][]int32{}}
	for c, tok := range m.vocab.tokens {
		if id, ok := m.ix.ids[tok]; ok {
			tf.concepts[id] = c
		}
	}
	return tf
}

// shared lists the concepts of q's project p that the call's text names
// too, in vocabulary order.
func (tf *themeFinder) shared(q *CityQuery, p int, ic *indexedCall) []SharedTheme {
	ps, ok := tf.projects[q]
	if !ok {
		ps = make([][]int32, len(q.projects))
		for i, project := range q.projects {
			for _, t := range project {
				if _, ok := tf.concepts[t.id]; ok {
					ps[i] = append(ps[i], t.id)
				}
			}
			slices.SortFunc(ps[i], func(a, b int32) int { return cmp.Compare(tf.concepts[a], tf.concepts[b]) })
		}
		tf.projects[q] = ps
	}
	out := []SharedTheme{}
	for _, t := range ps[p] {
		if _, found := slices.BinarySearchFunc(ic.terms, t, func(tw termWeight, t int32) int { return cmp.Compare(tw.id, t) }); found {
			concept := tf.m.vocab.concepts[tf.concepts[t]]
			out = append(out, SharedTheme{Concept: concept.ID, LabelNL: concept.LabelNL(), LabelEN: concept.LabelEN()})
		}
	}
	return out
}
