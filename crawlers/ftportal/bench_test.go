package ftportal

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
)

// benchPages derives n pages of size topics from the real records: the
// current-format STEP topic, the 2023 topic and the three older EIC ones in
// turn, each renamed so that every topic is distinct.
func benchPages(b *testing.B, n, size int) [][]byte {
	templates := append([]fixture{currentRecord(b), record2023(b)}, olderRecords(b)...)
	pages := make([][]byte, n)
	for p := range n {
		records := make([]fixture, size)
		for i := range size {
			f := templates[(p*size+i)%len(templates)].clone()
			id := fmt.Sprintf("HORIZON-BENCH-2026-%03d-%03d", p, i)
			f["reference"] = fmt.Sprintf("%d%03dTOPICSen", p, i)
			records[i] = f.set("identifier", id)
		}
		pages[p] = page(b, n*size, p+1, size, records...)
	}
	return pages
}

// BenchmarkParseNormalise is the parse and normalise part of the ingest
// benchmark: 100 pages of 100 topics through ParsePage and a Listing
// (normalise, dedupe), beside a plain json.Unmarshal of the same bytes
// into typed records. It reports calls/s for both and their ratio.
func BenchmarkParseNormalise(b *testing.B) {
	pages := benchPages(b, 100, 100)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size))
	n := Normaliser{Today: today}
	var decode, full time.Duration
	calls := 0
	for b.Loop() {
		start := time.Now()
		for _, data := range pages {
			var p struct {
				TotalResults int      `json:"totalResults"`
				Results      []Record `json:"results"`
			}
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatal(err)
			}
		}
		decode += time.Since(start)

		start = time.Now()
		res := &crawlers.Result{}
		l := NewListing(n, res)
		for _, data := range pages {
			p, err := ParsePage(data)
			if err != nil {
				b.Fatal(err)
			}
			if err := l.Add(p, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		if err := res.Add(l.Held()...); err != nil {
			b.Fatal(err)
		}
		full += time.Since(start)
		if len(res.Errors) > 0 || len(res.Calls) != 10000 {
			b.Fatalf("%d calls, errors %v", len(res.Calls), res.Errors)
		}
		calls += len(res.Calls)
	}
	b.ReportMetric(float64(calls)/full.Seconds(), "calls/s")
	b.ReportMetric(float64(calls)/decode.Seconds(), "decode-calls/s")
	b.ReportMetric(full.Seconds()/decode.Seconds(), "x-decode")
}
