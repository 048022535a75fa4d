package crawl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/crawlers/ftportal"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// ingestPages derives pages×perPage distinct topics from the two real
// captured search results (the current format with its JSON-in-a-string
// fields, and the 2023 format), as search API pages.
func ingestPages(tb testing.TB, pages, perPage int) [][]byte {
	tb.Helper()
	var templates []map[string]any
	for _, f := range []string{"search-api-result-current-format-HORIZON-EIC-2026-STEP.json", "search-api-result-2023-HORIZON-CL5-2024-D2-01-03.json"} {
		raw, err := os.ReadFile("../../crawlers/ftportal/testdata/" + f)
		if err != nil {
			tb.Fatal(err)
		}
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			tb.Fatal(err)
		}
		templates = append(templates, rec)
	}
	out := make([][]byte, 0, pages)
	n := 0
	for p := 1; p <= pages; p++ {
		results := make([]map[string]any, 0, perPage)
		for range perPage {
			n++
			var rec map[string]any
			b, _ := json.Marshal(templates[n%len(templates)])
			json.Unmarshal(b, &rec)
			md := rec["metadata"].(map[string]any)
			id := fmt.Sprintf("HORIZON-BENCH-2027-%05d", n)
			md["identifier"] = []string{id}
			md["title"] = []string{fmt.Sprintf("Topic %d: %v", n, md["title"].([]any)[0])}
			rec["reference"] = fmt.Sprintf("%dTOPICSen", 90000000+n)
			md["REFERENCE"] = []string{rec["reference"].(string)}
			results = append(results, rec)
		}
		page, err := json.Marshal(map[string]any{"totalResults": pages * perPage, "pageNumber": p, "pageSize": perPage, "results": results})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, page)
	}
	return out
}

// BenchmarkIngest puts 100 pages of 100 topics through parse, normalise and
// the upsert into PostgreSQL the way a crawl run does (Runner.Run): each page
// is parsed and normalised (ftportal.ParsePage and a Listing) and its calls
// handed to the run's store.Ingest, which streams them into PostgreSQL while
// the next page is parsed; Finish then merges and commits. Beside it, it
// times a bare JSON decode of the same bytes; the ratio is the figure to
// watch (goal: at most 5). store-ms/op is the time Finish takes after the
// last page: the rest of the writing overlaps the parsing.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	pages := ingestPages(b, 100, 100)
	st := store.New(testdb.New(b))
	err := st.SaveCrawlSource(ctx, store.CrawlSource{Name: "ftportal", Kind: "ftportal", Enabled: true, Schedule: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var decode, ingest, storing time.Duration
	var calls int
	for b.Loop() {
		start := time.Now()
		for _, data := range pages {
			var p struct {
				TotalResults int               `json:"totalResults"`
				Results      []ftportal.Record `json:"results"`
			}
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatal(err)
			}
		}
		decode += time.Since(start)

		b.StopTimer()
		if _, err := st.DB().Exec(`TRUNCATE calls CASCADE`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start = time.Now()
		run, err := st.BeginRun(ctx, "ftportal", today)
		if err != nil {
			b.Fatal(err)
		}
		res := &crawlers.Result{Source: "ftportal", Sink: run.Add}
		l := ftportal.NewListing(ftportal.Normaliser{Today: today}, res)
		for _, data := range pages {
			p, err := ftportal.ParsePage(data)
			if err != nil {
				b.Fatal(err)
			}
			if err := l.Add(p, "bench"); err != nil {
				b.Fatal(err)
			}
			res.Pages++
		}
		if err := res.Add(l.Held()...); err != nil {
			b.Fatal(err)
		}
		if len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
		storeStart := time.Now()
		stats, err := run.Finish(ctx, res, today)
		if err != nil {
			b.Fatal(err)
		}
		ingest += time.Since(start)
		storing += time.Since(storeStart)
		if stats.New != 100*100 || res.Sent != 100*100 {
			b.Fatalf("stored %d new calls of %d", stats.New, res.Sent)
		}
		calls += res.Sent
	}
	b.ReportMetric(float64(calls)/ingest.Seconds(), "calls/s")
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(ingest.Milliseconds())/float64(b.N), "ingest-ms/op")
	b.ReportMetric(float64(storing.Milliseconds())/float64(b.N), "store-ms/op")
	b.ReportMetric(ingest.Seconds()/decode.Seconds(), "ingest/decode")
}
