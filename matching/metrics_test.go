package matching

import (
	"math"
	"slices"
	"testing"
)

// relevantGrade is the lowest grade that counts as relevant for P@k and MRR.
const relevantGrade = 2

// metrics are the ranking quality measures of one ranking.
type metrics struct {
	p5, ndcg10, mrr float64
}

// evaluate measures a ranking (call identifiers, best first) against the
// graded labels of one city; unlabelled calls have grade 0.
func evaluate(ranking []string, grades map[string]int) metrics {
	var m metrics
	for _, id := range ranking[:min(5, len(ranking))] {
		if grades[id] >= relevantGrade {
			m.p5 += 0.2
		}
	}
	for i, id := range ranking {
		if grades[id] >= relevantGrade {
			m.mrr = 1 / float64(i+1)
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
		m.ndcg10 = dcg(got) / d
	}
	return m
}

func TestEvaluateMetrics(t *testing.T) {
	grades := map[string]int{"a": 3, "b": 2, "c": 1}
	tests := []struct {
		name    string
		ranking []string
		want    metrics
	}{
		{"ideal ranking scores 1 on nDCG and MRR", []string{"a", "b", "c", "x", "y"}, metrics{p5: 0.4, ndcg10: 1, mrr: 1}},
		{"first relevant at rank 3 gives MRR one third", []string{"x", "y", "b", "a", "c"}, metrics{p5: 0.4, ndcg10: 0.5218, mrr: 1.0 / 3}},
		{"no relevant call scores zero", []string{"x", "y", "z"}, metrics{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evaluate(tt.ranking, grades)
			if math.Abs(got.p5-tt.want.p5) > 1e-9 || math.Abs(got.ndcg10-tt.want.ndcg10) > 1e-3 || math.Abs(got.mrr-tt.want.mrr) > 1e-9 {
				t.Errorf("evaluate(%v) = %+v, want %+v", tt.ranking, got, tt.want)
			}
		})
	}
}
