package matching

import (
	"math"
	"slices"
)

// RelevantGrade is the lowest graded-relevance label (0 not relevant, 1
// marginal, 2 relevant, 3 strong fit) that counts as relevant for P@5 and MRR.
const RelevantGrade = 2

// Quality measures a ranking of calls for a city against graded relevance
// labels: precision at 5, nDCG at 10 and the reciprocal rank of the first
// relevant call.
type Quality struct {
	P5, NDCG10, MRR float64
}

// Evaluate measures a ranking (call identifiers, best first) against the
// graded labels of one city; unlabelled calls have grade 0.
func Evaluate(ranking []string, grades map[string]int) Quality {
	var m Quality
	for _, id := range ranking[:min(5, len(ranking))] {
		if grades[id] >= RelevantGrade {
			m.P5 += 0.2
		}
	}
	for i, id := range ranking {
		if grades[id] >= RelevantGrade {
			m.MRR = 1 / float64(i+1)
			break
		}
	}
	dcg := func(gs []int) float64 {
		var s float64
		for i, g := range gs[:min(10, len(gs))] {
			s += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
		return s
	}
	got := make([]int, len(ranking))
	for i, id := range ranking {
		got[i] = grades[id]
	}
	var ideal []int
	for _, g := range grades {
		ideal = append(ideal, g)
	}
	slices.SortFunc(ideal, func(a, b int) int { return b - a })
	if d := dcg(ideal); d > 0 {
		m.NDCG10 = dcg(got) / d
	}
	return m
}

// Plus adds two measures, for averaging over cities.
func (q Quality) Plus(o Quality) Quality {
	return Quality{q.P5 + o.P5, q.NDCG10 + o.NDCG10, q.MRR + o.MRR}
}

// Div divides every measure by n.
func (q Quality) Div(n float64) Quality {
	return Quality{q.P5 / n, q.NDCG10 / n, q.MRR / n}
}
