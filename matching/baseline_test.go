package matching

import (
	"cmp"
	"slices"
	"strings"
)

// baseline is plain BM25 over the whole text of each call, with the same
// tokeniser as the model but no stemming, concepts, compounds, eligibility or
// experience: the yardstick the model must beat.
type baseline struct {
	ids      []string
	tf       []map[string]int
	lens     []int
	avgLen   float64
	docFreqs map[string]int
}

func newBaseline(calls []Call) *baseline {
	b := &baseline{docFreqs: map[string]int{}}
	total := 0
	for _, c := range calls {
		text := strings.Join([]string{c.Title, c.Summary, c.Description, strings.Join(c.Keywords, " "), strings.Join(c.Tags, " ")}, " ")
		ws := contentWords(words(text))
		tf := map[string]int{}
		for _, w := range ws {
			tf[w]++
		}
		for w := range tf {
			b.docFreqs[w]++
		}
		b.ids = append(b.ids, c.Identifier)
		b.tf = append(b.tf, tf)
		b.lens = append(b.lens, len(ws))
		total += len(ws)
	}
	b.avgLen = float64(total) / float64(max(1, len(calls)))
	return b
}

// rank returns the call identifiers by BM25 score for the keywords.
func (b *baseline) rank(keywords []string) []string {
	const k1, bl = 1.2, 0.75
	query := contentWords(words(strings.Join(keywords, " ")))
	scores := make([]float64, len(b.ids))
	for d, tf := range b.tf {
		norm := 1 - bl + bl*float64(b.lens[d])/b.avgLen
		for _, w := range query {
			if f := float64(tf[w]); f > 0 {
				scores[d] += idf(b.docFreqs[w], len(b.ids)) * f * (k1 + 1) / (f + k1*norm)
			}
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
