package matching

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// synthetic builds n calls and k municipalities from the evaluation set (or
// the unit-test samples before it exists): every call mixes the text of two
// real calls, and every municipality takes a random part of a real profile,
// in one of the Flemish provinces.
func synthetic(tb testing.TB, n, k int) ([]Call, []Applicant) {
	tb.Helper()
	calls, apps := testCalls(), []Applicant{gentApplicant()}
	if _, err := os.Stat(filepath.Join(evalDir, "labels.tsv")); err == nil {
		set := loadEvalSet(tb)
		calls, apps = set.calls, set.applicants
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Call, n)
	for i := range out {
		c, other := calls[i%len(calls)], calls[rng.IntN(len(calls))]
		c.Identifier = fmt.Sprintf("%s-%d", c.Identifier, i)
		c.Description = c.Description + " " + firstWords(other.Description, 40)
		c.Keywords = append(c.Keywords[:len(c.Keywords):len(c.Keywords)], other.Keywords...)
		shift := time.Duration(rng.IntN(200)) * 24 * time.Hour
		c.Deadlines = nil
		for _, d := range calls[i%len(calls)].Deadlines {
			c.Deadlines = append(c.Deadlines, d.Add(shift))
		}
		out[i] = c
	}
	places := [][2]string{{"Antwerpen", "Turnhout"}, {"Limburg", "Hasselt"}, {"Oost-Vlaanderen", "Aalst"},
		{"Vlaams-Brabant", "Leuven"}, {"Vlaams-Brabant", "Halle-Vilvoorde"}, {"West-Vlaanderen", "Ieper"}, {"West-Vlaanderen", "Kortrijk"}}
	muni := make([]Applicant, k)
	for i := range muni {
		a := apps[i%len(apps)]
		place := places[i%len(places)]
		a.City = City{Slug: fmt.Sprintf("gemeente-%d", i), Name: fmt.Sprintf("Gemeente %d", i),
			Province: place[0], Arrondissement: place[1], Population: 5000 + rng.IntN(80000), Kind: CityMunicipality}
		a.Profile.City = a.City.Slug
		a.Profile.KeywordsNL = sample(rng, a.Profile.KeywordsNL, 0.7)
		a.Profile.KeywordsEN = nil
		a.Profile.CoFundingCapacity = 0
		muni[i] = a
	}
	return out, muni
}

func firstWords(s string, n int) string {
	ws := strings.Fields(s)
	return strings.Join(ws[:min(n, len(ws))], " ")
}

func sample(rng *rand.Rand, list []string, share float64) []string {
	var out []string
	for _, s := range list {
		if rng.Float64() < share {
			out = append(out, s)
		}
	}
	if len(out) == 0 && len(list) > 0 {
		out = list[:1]
	}
	return out
}

// BenchmarkScoreAll scores 20,000 calls for 300 municipalities (6 M pairs)
// from memory on all cores; goal: at most 3 s per operation on 2 cores.
func BenchmarkScoreAll(b *testing.B) {
	calls, apps := synthetic(b, 20000, 300)
	m, err := NewModel(calls, Options{})
	if err != nil {
		b.Fatal(err)
	}
	qs := make([]*CityQuery, len(apps))
	for i, a := range apps {
		qs[i] = m.Query(a)
	}
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		pairs := 0
		err := m.ScoreCities(context.Background(), qs, evalNow, func(_ *CityQuery, ms []Match) error {
			pairs += len(ms)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if pairs != len(calls)*len(apps) {
			b.Fatalf("scored %d pairs, want %d", pairs, len(calls)*len(apps))
		}
	}
}

// BenchmarkScoreNewCall adds one call to a model of 20,000 and scores it for
// 300 municipalities; goal: at most 5 ms.
func BenchmarkScoreNewCall(b *testing.B) {
	calls, apps := synthetic(b, 20001, 300)
	m, err := NewModel(calls[:20000], Options{})
	if err != nil {
		b.Fatal(err)
	}
	qs := make([]*CityQuery, len(apps))
	for i, a := range apps {
		qs[i] = m.Query(a)
	}
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if err := m.Add(calls[20000]); err != nil {
			b.Fatal(err)
		}
		if _, err := m.ScoreCall(calls[20000].Identifier, qs, evalNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineAll ranks the same 20,000 calls for 300 municipalities
// with the plain BM25 baseline on one core, for comparison.
func BenchmarkBaselineAll(b *testing.B) {
	calls, apps := synthetic(b, 20000, 300)
	base := newBaseline(calls)
	b.ResetTimer()
	for b.Loop() {
		for _, a := range apps {
			base.rank(a.Profile.KeywordsNL)
		}
	}
}

// reportCPU reports the CPU time per operation of the whole process, which
// says more than wall time on a machine shared with other work: on two free
// cores the wall time of a parallel benchmark is about half of it.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScoreCity ranks 20,000 calls for one city, as `fundmatch matches
// --city` needs.
func BenchmarkScoreCity(b *testing.B) {
	calls, apps := synthetic(b, 20000, 1)
	m, err := NewModel(calls, Options{})
	if err != nil {
		b.Fatal(err)
	}
	q := m.Query(apps[0])
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := m.ScoreCity(context.Background(), q, evalNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewModel builds the model of 20,000 calls: the first step of a
// full rescore (and of a worker's first task).
func BenchmarkNewModel(b *testing.B) {
	calls, _ := synthetic(b, 20000, 1)
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := NewModel(calls, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplainTop explains each of 300 municipalities' best 300 calls,
// as a full rescore stores them: one call's text analysed once for every
// municipality that has it among its best.
func BenchmarkExplainTop(b *testing.B) {
	calls, apps := synthetic(b, 20000, 300)
	m, err := NewModel(calls, Options{})
	if err != nil {
		b.Fatal(err)
	}
	byCall := map[string][]*CityQuery{}
	for _, a := range apps {
		q := m.Query(a)
		ms, err := m.ScoreCity(context.Background(), q, evalNow)
		if err != nil {
			b.Fatal(err)
		}
		for _, mt := range ms[:300] {
			byCall[mt.Call] = append(byCall[mt.Call], q)
		}
	}
	b.Logf("%d calls among the municipalities' best 300", len(byCall))
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		for id, qs := range byCall {
			if _, err := m.ExplainCities(id, qs, evalNow); err != nil {
				b.Fatal(err)
			}
		}
	}
}
