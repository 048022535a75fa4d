package matching

import (
	"context"
	"testing"
)

func TestProbe(t *testing.T) {
	set := loadEvalSet(t)
	m, _ := NewModel(set.calls, Options{})
	for _, a := range set.applicants {
		ms, _ := m.ScoreCity(context.Background(), m.Query(dutchOnly(a)), evalNow)
		g := set.grades[a.City.Slug]
		t.Logf("== %s", a.City.Slug)
		for i, x := range ms {
			if i < 12 || (g[x.Call] >= 2) || (x.Eligibility != Ineligible && g[x.Call] == 0 && i < 20) {
				r := ""
				if len(x.Reasons) > 0 {
					r = x.Reasons[0].Code
				}
				t.Logf("%2d g%d %3d %-10s rel %.2f exp %.2f fea %.2f %-45s %s", i+1, g[x.Call], x.Score, x.Eligibility, x.Components.Relevance, x.Components.Experience, x.Components.Feasibility, x.Call, r)
			}
		}
	}
}
