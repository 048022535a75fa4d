package matching

import (
	"math"
	"testing"
)

func TestEvaluateMetrics(t *testing.T) {
	grades := map[string]int{"a": 3, "b": 2, "c": 1}
	tests := []struct {
		name    string
		ranking []string
		want    Quality
	}{
		{"ideal ranking scores 1 on nDCG and MRR", []string{"a", "b", "c", "x", "y"}, Quality{P5: 0.4, NDCG10: 1, MRR: 1}},
		{"first relevant at rank 3 gives MRR one third", []string{"x", "y", "b", "a", "c"}, Quality{P5: 0.4, NDCG10: 0.5218, MRR: 1.0 / 3}},
		{"no relevant call scores zero", []string{"x", "y", "z"}, Quality{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.ranking, grades)
			if math.Abs(got.P5-tt.want.P5) > 1e-9 || math.Abs(got.NDCG10-tt.want.NDCG10) > 1e-3 || math.Abs(got.MRR-tt.want.MRR) > 1e-9 {
				t.Errorf("Evaluate(%v) = %+v, want %+v", tt.ranking, got, tt.want)
			}
		})
	}
}
