package cordis

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/crawlers/history/resolve"
)

// writeOrganisations writes an organization.csv of n rows made from the
// testdata rows (the verbatim CORDIS sample plus the derived Flemish rows),
// giving every twelve rows a new project id so that projects look real.
func writeOrganisations(b *testing.B, n int) string {
	b.Helper()
	src, err := os.ReadFile("testdata/csv/organization.csv")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
	header, rows := lines[0], lines[1:]
	name := filepath.Join(b.TempDir(), "organization.csv")
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, header)
	for i := range n {
		row := rows[i%len(rows)]
		_, rest, _ := strings.Cut(row, ";") // drop the projectID field
		fmt.Fprintf(w, "\"%d\";%s\n", 200000000+i/12, rest)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return name
}

// memoryPeak samples the heap until stop is closed and returns the highest
// HeapInuse and Sys seen, in MB.
func memoryPeak(stop <-chan struct{}) (heap, sys func() float64) {
	var mu sync.Mutex
	var maxHeap, maxSys uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		maxHeap, maxSys = max(maxHeap, m.HeapInuse), max(maxSys, m.Sys)
		mu.Unlock()
	}
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	mb := func(v *uint64) func() float64 {
		return func() float64 {
			sample()
			mu.Lock()
			defer mu.Unlock()
			return float64(*v) / (1 << 20)
		}
	}
	return mb(&maxHeap), mb(&maxSys)
}

// BenchmarkParseAndResolveOrganisations streams a generated organization.csv
// and resolves every participant, reporting rows/s and peak memory: the goal
// is memory that stays flat, well under 200 MB, whatever the size.
func BenchmarkParseAndResolveOrganisations(b *testing.B) {
	f, err := os.Open("../resolve/testdata/municipalities.csv")
	if err != nil {
		b.Fatal(err)
	}
	ms, err := resolve.ReadMunicipalities(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	r, err := resolve.New(ms, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{50_000, 200_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			name := writeOrganisations(b, n)
			runtime.GC()
			stop := make(chan struct{})
			defer close(stop)
			heap, sys := memoryPeak(stop)
			rows, certain := 0, 0
			start := time.Now()
			for b.Loop() {
				in, err := os.Open(name)
				if err != nil {
					b.Fatal(err)
				}
				err = ReadParticipations(in, func(pt Participation) error {
					rows++
					if r.Resolve(party(pt)).Decision == resolve.Certain {
						certain++
					}
					return nil
				})
				in.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			if rows != n*b.N {
				b.Fatalf("read %d rows, want %d", rows, n*b.N)
			}
			b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(heap(), "peak-heap-inuse-MB")
			b.ReportMetric(sys(), "peak-sys-MB")
			b.ReportMetric(float64(certain)/float64(b.N), "certain/op")
		})
	}
}
