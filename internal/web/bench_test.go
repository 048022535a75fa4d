package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/cpuprobe"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
)

// Bench sizes: 20,000 calls and 300 municipalities, each matched to 2,000
// calls (600,000 matches), read by 50 concurrent clients.
const (
	benchCalls          = 20_000
	benchCities         = 300
	benchMatchesPerCity = 2_000
	benchClients        = 50
	benchRequests       = 5_000  // per iteration without the caches
	benchCachedRequests = 20_000 // per iteration with them
	explainedBest       = 300    // each city's best, explained as fundmatch score explains them
)

// BenchmarkCityMatchesAPI drives GET /api/v1/cities/{slug}/matches (the
// first page sorted by score; every fifth request filtered by min_score and
// sorted by deadline) over HTTP, authenticated with an API token, and
// reports throughput, p50 and p99. Goal: p99 <= 50 ms with 50 clients.
//
// It runs the server three ways over the same data: without any of its
// caches, where every request reads PostgreSQL (the token's user, the
// city, the page with its calls); with the response cache off, where every
// page is read from PostgreSQL but who holds the token, the city and what
// the page shows of its calls are kept until a notification says they
// changed; and as deployed, with the answers kept too: first with nothing
// kept yet, then warm, then while officers mark calls in random cities 50
// times a second (each mark makes that city's kept answers stale).
func BenchmarkCityMatchesAPI(b *testing.B) {
	s := newSite(b, web.Config{})
	fillBench(b, s)
	officer := s.addUser(b, "officer@vlaanderen.be", "admin")
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
	uncachedCfg := s.cfg
	uncachedCfg.Changes = neverCache{}
	uncachedSrv, err := web.New(uncachedCfg)
	if err != nil {
		b.Fatal(err)
	}
	// Both servers are warmed as fundmatch serve warms its server at start.
	for _, srv := range []*web.Server{s.srv, uncachedSrv} {
		if err := srv.Warm(context.Background(), database.MaxConns); err != nil {
			b.Fatal(err)
		}
	}
	uncached := httptest.NewServer(uncachedSrv.Handler())
	defer uncached.Close()
	// The server as deployed but with its response cache off: who holds a
	// token and which city a slug names are still kept (until a
	// notification says they changed); every page is read from PostgreSQL.
	noAnswersCfg := s.cfg
	noAnswersCfg.Changes = noAnswerCache{s.cfg.Changes}
	noAnswersSrv, err := web.New(noAnswersCfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := noAnswersSrv.Warm(context.Background(), database.MaxConns); err != nil {
		b.Fatal(err)
	}
	noAnswers := httptest.NewServer(noAnswersSrv.Handler())
	defer noAnswers.Close()
	// One client shows the cost of a request; fifty show it under load.
	// The first cached run starts with nothing kept; the next ones find
	// what it kept.
	for _, c := range []struct {
		name     string
		base     string
		clients  int
		requests int
		writes   bool
	}{
		{"uncached/clients=1", uncached.URL, 1, benchRequests, false},
		{"uncached/clients=50", uncached.URL, benchClients, benchRequests, false},
		{"response-cache-off/clients=50", noAnswers.URL, benchClients, benchRequests, false},
		{"cached-cold/clients=50", s.URL, benchClients, benchRequests, false},
		{"cached/clients=50", s.URL, benchClients, benchCachedRequests, false},
		{"cached+writes/clients=50", s.URL, benchClients, benchCachedRequests, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.writes {
				stop := markEvery(b, s, officer, 20*time.Millisecond)
				defer stop()
			}
			driveMatches(b, c.base, slugs, c.clients, c.requests, get)
		})
	}
}

// neverCache is a Changes that never allows caching.
type neverCache struct{}

func (neverCache) Version(...string) (uint64, bool) { return 0, false }
func (neverCache) CityVersion(int64) uint64         { return 0 }

// noAnswerCache is the Changes it wraps, except that the matches
// (everything the response cache answers from) are never versioned, so no
// answer is kept.
type noAnswerCache struct{ web.Changes }

func (c noAnswerCache) Version(tables ...string) (uint64, bool) {
	if slices.Contains(tables, "matches") {
		return 0, false
	}
	return c.Changes.Version(tables...)
}

// markEvery marks a call of a random city interested, or not relevant,
// every period through the store (as another server would: this one learns
// of it from PostgreSQL's notification), until stop is called. Each mark
// makes what was kept for that city stale.
func markEvery(b *testing.B, s *site, officer store.User, period time.Duration) (stop func()) {
	type pair struct {
		City int64 `db:"city"`
		Call int64 `db:"call"`
	}
	var pairs []pair
	err := s.db.Select(&pairs, `SELECT DISTINCT ON (city_id) city_id AS city, call_id AS call FROM matches ORDER BY city_id, call_id`)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var marks int
	wg.Go(func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p := pairs[rand.IntN(len(pairs))]
				status := []store.InterestStatus{store.Interested, store.NotRelevant}[marks%2]
				if err := s.st.SetInterest(context.Background(), p.City, p.Call, officer.ID, store.Interest{Status: status}, time.Now()); err != nil {
					b.Error(err)
					return
				}
				marks++
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		b.Logf("%d marks in random cities meanwhile", marks)
	}
}

// driveMatches sends requests requests per iteration from clients
// goroutines and reports throughput, p50 and p99.
func driveMatches(b *testing.B, base string, slugs []string, clients, requests int, get func(string) error) {
	var all, byScore, byDeadline []time.Duration
	var elapsed, goCPU, pgCPU time.Duration
	cpuKnown := true
	for b.Loop() {
		latencies := make([]time.Duration, requests)
		work := make(chan int)
		var wg sync.WaitGroup
		var errOnce sync.Once
		var firstErr error
		start, cpu := time.Now(), cpuprobe.Take()
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
		for i := range requests {
			work <- i
		}
		close(work)
		wg.Wait()
		elapsed += time.Since(start)
		self, pg, ok := cpu.Since()
		goCPU, pgCPU, cpuKnown = goCPU+self, pgCPU+pg, cpuKnown && ok
		if firstErr != nil {
			b.Fatal(firstErr)
		}
		all = append(all, latencies...)
		for i, l := range latencies {
			if i%5 == 0 {
				byDeadline = append(byDeadline, l)
			} else {
				byScore = append(byScore, l)
			}
		}
	}
	pct := func(ls []time.Duration, p float64) float64 {
		slices.Sort(ls)
		return float64(ls[int(p*float64(len(ls)-1))].Microseconds()) / 1000
	}
	throughput := float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(throughput, "req/s")
	b.ReportMetric(pct(all, 0.50), "p50-ms")
	b.ReportMetric(pct(all, 0.99), "p99-ms")
	// The CPU time of a request, the server's and the clients' (this
	// process) and PostgreSQL's: steadier than the throughput on a shared
	// machine, where neighbours take the cores by turns.
	perReq := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(len(all)) }
	b.ReportMetric(perReq(goCPU), "go-cpu-ms/req")
	if cpuKnown {
		b.ReportMetric(perReq(pgCPU), "pg-cpu-ms/req")
	}
	b.Logf("%d requests, %d clients: %.0f req/s, p50 %.1f ms, p99 %.1f ms; by score p50 %.1f p99 %.1f, by deadline p50 %.1f p99 %.1f ms; CPU a request: %.3f ms here, %.3f ms PostgreSQL",
		len(all), clients, throughput, pct(all, 0.50), pct(all, 0.99),
		pct(byScore, 0.50), pct(byScore, 0.99), pct(byDeadline, 0.50), pct(byDeadline, 0.99), perReq(goCPU), perReq(pgCPU))
}

// fillBench adds municipalities up to benchCities, benchCalls calls and
// benchMatchesPerCity matches per city, in SQL, of the shape scoring stores:
// calls the city may apply for (eligible or unknown) scoring 40 or more.
// A match's relevance goes with its score and differs from every other's,
// as a real match's does: with every relevance 0, as before, a city's
// matches of one score (some 33) tied, and PostgreSQL read and sorted the
// whole tie by deadline to fill a page, a third more rows than a real first
// page.
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
INSERT INTO matches (call_id, city_id, score, relevance, eligibility, reasons, text_nl, text_en, model_version, input_hash, deadlines)
SELECT c.id, ct.id, s.score, (s.score + (hashtext(ct.id || '/' || c.id) & 1023) / 1024.0) / 101,
	(ARRAY['eligible', 'unknown'])[1 + (c.id + ct.id) %% 2],
	'[{"code": "deadline-too-close", "nl": "De deadline valt te vroeg.", "en": "The deadline is too close."}]',
	'Past bij klimaat en mobiliteit; lijkt op een eerder project.', 'Fits climate and mobility; resembles a past project.',
	'bench', 'x', c.deadlines
FROM cities ct CROSS JOIN LATERAL (
	SELECT id, deadlines FROM calls WHERE id %% 10 = ct.id %% 10 ORDER BY id LIMIT %[3]d) c
CROSS JOIN LATERAL (SELECT 40 + (hashtext(c.id || '-' || ct.id) & 2147483647) %% 61 AS score) s
ORDER BY ct.id, 3 DESC, 4 DESC, c.id; -- each city's rows by score and relevance, as SaveMatches copies them
`, benchCities, benchCalls, benchMatchesPerCity))
	if err != nil {
		b.Fatalf("fill: %v", err)
	}
	// Each city's best explainedBest matches carry what a full rescore
	// stores for its best (reasons, texts and explanation), taken from
	// samples of a real one: a first page weighs what a real one does.
	samples, err := os.ReadFile("testdata/explained_matches.json.gz")
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(samples))
	if err != nil {
		b.Fatal(err)
	}
	if samples, err = io.ReadAll(zr); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.Exec(`
WITH s AS (
	SELECT row_number() OVER () - 1 AS k, x.*, count(*) OVER () AS n
	FROM json_to_recordset($1::json) AS x(reasons json, explanation json, text_nl text, text_en text, summary_nl text, summary_en text)),
best AS (
	SELECT call_id, city_id, row_number() OVER (PARTITION BY city_id ORDER BY score DESC, relevance DESC, call_id) AS r FROM matches)
UPDATE matches m SET reasons = s.reasons, explanation = s.explanation, text_nl = s.text_nl, text_en = s.text_en,
	summary_nl = s.summary_nl, summary_en = s.summary_en
FROM best JOIN s ON s.k = (best.call_id + best.city_id) % s.n
WHERE best.r <= $2 AND m.city_id = best.city_id AND m.call_id = best.call_id`, samples, explainedBest); err != nil {
		b.Fatalf("explain the best: %v", err)
	}
	if _, err := s.db.Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM matches`).Scan(&n)
	b.Logf("filled %d calls, %d cities, %d matches in %s", benchCalls, benchCities, n, time.Since(start).Round(time.Millisecond))
}
