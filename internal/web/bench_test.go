package web_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/web"
)

// Bench sizes: 20,000 calls and 300 municipalities, each matched to 2,000
// calls (600,000 matches), read by 50 concurrent clients.
const (
	benchCalls          = 20_000
	benchCities         = 300
	benchMatchesPerCity = 2_000
	benchClients        = 50
	benchRequests       = 5_000 // per iteration
)

// BenchmarkCityMatchesAPI drives GET /api/v1/cities/{slug}/matches (the
// first page sorted by score; every fifth request filtered by min_score and
// sorted by deadline) with 50 concurrent clients over HTTP, authenticated
// with an API token, and reports throughput, p50 and p99. Goal: p99 <= 50 ms.
func BenchmarkCityMatchesAPI(b *testing.B) {
	s := newSite(b, web.Config{})
	fillBench(b, s)
	token := s.token(b, s.addUser(b, "bench@vlaanderen.be", "government"))
	var slugs []string
	rows, err := s.db.Query(`SELECT slug FROM cities ORDER BY slug`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var slug string
		rows.Scan(&slug)
		slugs = append(slugs, slug)
	}
	rows.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}}
	get := func(url string) error {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s = %d", url, resp.StatusCode)
		}
		return nil
	}
	// One client shows the cost of a request; fifty show it under load.
	for _, clients := range []int{1, benchClients} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			driveMatches(b, s.URL, slugs, clients, get)
		})
	}
}

// driveMatches sends benchRequests requests per iteration from clients
// goroutines and reports throughput, p50 and p99.
func driveMatches(b *testing.B, base string, slugs []string, clients int, get func(string) error) {
	var all []time.Duration
	var elapsed time.Duration
	for b.Loop() {
		latencies := make([]time.Duration, benchRequests)
		work := make(chan int)
		var wg sync.WaitGroup
		var errOnce sync.Once
		var firstErr error
		start := time.Now()
		for range clients {
			wg.Go(func() {
				for i := range work {
					url := base + "/api/v1/cities/" + slugs[rand.IntN(len(slugs))] + "/matches"
					if i%5 == 0 {
						url += "?min_score=60&sort=deadline"
					}
					t0 := time.Now()
					if err := get(url); err != nil {
						errOnce.Do(func() { firstErr = err })
					}
					latencies[i] = time.Since(t0)
				}
			})
		}
		for i := range benchRequests {
			work <- i
		}
		close(work)
		wg.Wait()
		elapsed += time.Since(start)
		if firstErr != nil {
			b.Fatal(firstErr)
		}
		all = append(all, latencies...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	throughput := float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(throughput, "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.Logf("%d requests, %d clients: %.0f req/s, p50 %.1f ms, p99 %.1f ms", len(all), clients, throughput, pct(0.50), pct(0.99))
}

// fillBench adds municipalities up to benchCities, benchCalls calls and
// benchMatchesPerCity matches per city, in SQL.
func fillBench(b *testing.B, s *site) {
	b.Helper()
	start := time.Now()
	_, err := s.db.Exec(fmt.Sprintf(`
INSERT INTO crawl_sources (name, kind) VALUES ('ftportal', 'ftportal') ON CONFLICT DO NOTHING;
INSERT INTO cities (slug, nis_code, name_nl, province, kind)
SELECT 'bench-' || g, (60000 + g)::text, 'Benchgemeente ' || g, 'Antwerpen', 'municipality'
FROM generate_series(1, %[1]d - (SELECT count(*) FROM cities)) g;
INSERT INTO calls (source, identifier, kind, programme, title, summary, status, deadlines, budget_max, content_hash)
SELECT 'ftportal', 'BENCH-' || g, 'topic', (ARRAY['HORIZON', 'DIGITAL', 'LIFE', 'CEF', 'ERASMUS'])[1 + g %% 5],
	'Bench call ' || g, repeat('A call about cities and climate. ', 8), CASE WHEN g %% 10 = 0 THEN 'closed' ELSE 'open' END,
	ARRAY[current_date + g %% 365, current_date + 30 + g %% 365]::date[], 100000 + g, md5(g::text)
FROM generate_series(1, %[2]d) g;
INSERT INTO matches (call_id, city_id, score, eligibility, reasons, explanation, model_version, input_hash)
SELECT c.id, ct.id, (hashtext(c.id || '-' || ct.id) & 2147483647) %% 101,
	(ARRAY['eligible', 'ineligible', 'unknown'])[1 + (c.id + ct.id) %% 3],
	'[{"code": "deadline-too-close", "nl": "De deadline valt te vroeg.", "en": "The deadline is too close."}]',
	'{"nl": "Past bij klimaat en mobiliteit; lijkt op een eerder project.", "en": "Fits climate and mobility; resembles a past project."}',
	'bench', 'x'
FROM cities ct CROSS JOIN LATERAL (
	SELECT id FROM calls WHERE id %% 10 = ct.id %% 10 ORDER BY id LIMIT %[3]d) c;
`, benchCities, benchCalls, benchMatchesPerCity))
	if err != nil {
		b.Fatalf("fill: %v", err)
	}
	if _, err := s.db.Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM matches`).Scan(&n)
	b.Logf("filled %d calls, %d cities, %d matches in %s", benchCalls, benchCities, n, time.Since(start).Round(time.Millisecond))
}
