package matching

import (
	"cmp"
	"slices"
	"strings"
)

// baseline is plain BM25 over the whole text of each call, with the same
// tokeniser as the model but no stemming, concepts, compounds, eligibility or
// experience: the yardstick the model must beat. It uses an inverted index
// too, so its benchmark compares like with like.
type baseline struct {
	ids      []string
	lens     []int
	avgLen   float64
	postings map[string][]wordCount
}

type wordCount struct {
	doc, tf int
}

func newBaseline(calls []Call) *baseline {
	b := &baseline{postings: map[string][]wordCount{}}
	total := 0
	for d, c := range calls {
		text := strings.Join([]string{c.Title, c.Summary, c.Description, strings.Join(c.Keywords, " "), strings.Join(c.Tags, " ")}, " ")
		ws := contentWords(words(text))
		tf := map[string]int{}
		for _, w := range ws {
			tf[w]++
		}
		for w, n := range tf {
			b.postings[w] = append(b.postings[w], wordCount{doc: d, tf: n})
		}
		b.ids = append(b.ids, c.Identifier)
		b.lens = append(b.lens, len(ws))
		total += len(ws)
	}
	b.avgLen = float64(total) / float64(max(1, len(calls)))
	return b
}

// rank returns the call identifiers by BM25 score for the keywords.
func (b *baseline) rank(keywords []string) []string {
	const k1, bl = 1.2, 0.75
	scores := make([]float64, len(b.ids))
	for _, w := range contentWords(words(strings.Join(keywords, " "))) {
		ps := b.postings[w]
		for _, p := range ps {
			norm := 1 - bl + bl*float64(b.lens[p.doc])/b.avgLen
			f := float64(p.tf)
			scores[p.doc] += idf(len(ps), len(b.ids)) * f * (k1 + 1) / (f + k1*norm)
		}
	}
	order := make([]int, len(b.ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(scores[y], scores[x]), strings.Compare(b.ids[x], b.ids[y]))
	})
	ranking := make([]string, len(order))
	for i, d := range order {
		ranking[i] = b.ids[d]
	}
	return ranking
}
