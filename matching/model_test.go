package matching

import (
	"context"
	"testing"
)

func TestDutchProfileRanksEnglishCallsByConcept(t *testing.T) {
	m, err := NewModel(testCalls(), Options{Vocabulary: smallVocabulary(t)})
	if err != nil {
		t.Fatal(err)
	}
	q := m.Query(gentApplicant())
	ms, err := m.ScoreCity(context.Background(), q, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ms {
		t.Logf("%-30s %3d %-10s %+v %v", x.Call, x.Score, x.Eligibility, x.Components, x.Reasons)
	}
	e, err := m.Explain("HORIZON-MISS-2027-CIT-01", q, testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(e.NL)
	t.Log(e.EN)
}
