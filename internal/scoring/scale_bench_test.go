package scoring_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/cpuprobe"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/memprobe"
	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/matching"
)

// The benchmarks of the real path at scale (300 municipalities, 20,000
// calls) take a minute of setup each, so they run only when
// FUNDMATCH_BENCH_SCALE is set (make bench-scale); each reports its
// in-memory counterpart beside it.
const (
	scaleEnv    = "FUNDMATCH_BENCH_SCALE"
	scaleCities = 300
	scaleCalls  = 20_000
)

var benchNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// scaleStore returns a store with every seeded municipality and its
// (derived) profile, topped up to scaleCities with copies of them, and
// scaleCalls calls varied from the evaluation calls, stored as one crawl.
func scaleStore(b *testing.B) *store.Store {
	b.Helper()
	if os.Getenv(scaleEnv) == "" {
		b.Skipf("set %s=1 to run the benchmarks at %d municipalities and %d calls", scaleEnv, scaleCities, scaleCalls)
	}
	ctx := context.Background()
	start := time.Now()
	st := store.New(testdb.New(b))
	if _, err := seed.Run(ctx, st); err != nil {
		b.Fatal(err)
	}
	// Copies of the first municipalities (a new slug and NIS code) until
	// scaleCities have a profile.
	if _, err := st.DB().Exec(`
		WITH src AS (SELECT c.*, row_number() OVER (ORDER BY c.slug) AS n FROM cities c JOIN profiles p ON p.city_id = c.id),
		need AS (SELECT $1 - count(*) AS k FROM src)
		INSERT INTO cities (slug, nis_code, name_nl, province, arrondissement, population, kind)
		SELECT slug || '-bis', (90000 + n)::text, name_nl || ' bis', province, arrondissement, population, 'municipality'
		FROM src, need WHERE n <= k`, scaleCities); err != nil {
		b.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO profiles (city_id, weight_economy, weight_government, weight_people, weight_living,
			weight_mobility, weight_environment, keywords_nl, keywords_en, excluded_programmes, preparation_days,
			max_concurrent_bids, cofunding_capacity, derived)
		SELECT c.id, p.weight_economy, p.weight_government, p.weight_people, p.weight_living, p.weight_mobility,
			p.weight_environment, p.keywords_nl, p.keywords_en, p.excluded_programmes, p.preparation_days,
			p.max_concurrent_bids, p.cofunding_capacity, true
		FROM cities c JOIN cities o ON c.slug = o.slug || '-bis' JOIN profiles p ON p.city_id = o.id`); err != nil {
		b.Fatal(err)
	}
	var n int
	st.DB().Get(&n, `SELECT count(*) FROM profiles`)
	if n != scaleCities {
		b.Fatalf("%d municipalities with a profile, want %d", n, scaleCities)
	}
	crawlRun(b, st, scaleCallSet(b), benchNow)
	if _, err := st.DB().Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("set up %d municipalities and %d calls in %s", scaleCities, scaleCalls, time.Since(start).Round(time.Second))
	return st
}

// scaleCallSet is scaleCalls calls varied from the evaluation calls (real
// texts): each a copy under its own identifier and title.
func scaleCallSet(tb testing.TB) []funding.Call {
	base := evalCalls(tb)
	calls := make([]funding.Call, 0, scaleCalls)
	for i := range scaleCalls {
		calls = append(calls, variant(base[i%len(base)], i))
	}
	return calls
}

func variant(c funding.Call, i int) funding.Call {
	c.Identifier = fmt.Sprintf("%s-V%05d", c.Identifier, i)
	c.Title = fmt.Sprintf("%s (%d)", c.Title, i)
	return c
}

// benchLogger discards the service's log, or with FUNDMATCH_BENCH_LOG set
// writes it to stderr at debug level: how long scoring and explaining took.
func benchLogger() *slog.Logger {
	if os.Getenv("FUNDMATCH_BENCH_LOG") == "" {
		return quiet
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// sizes reports the stored matches and the database's size.
func sizes(b *testing.B, st *store.Store, prefix string) {
	var rows int
	var table, db float64
	st.DB().QueryRow(`SELECT count(*), pg_total_relation_size('matches') / 1048576.0, pg_database_size(current_database()) / 1048576.0
		FROM matches`).Scan(&rows, &table, &db)
	b.ReportMetric(float64(rows), prefix+"rows")
	b.ReportMetric(table, prefix+"matches-MB")
	b.ReportMetric(db, prefix+"db-MB")
}

// inMemory is the in-memory counterpart of a full rescore: the model built
// from the stored calls and every city scored, nothing written.
func inMemory(b *testing.B, st *store.Store) time.Duration {
	start := time.Now()
	m, qs := inMemoryModel(b, st)
	err := m.ScoreCities(context.Background(), qs, benchNow, func(*matching.CityQuery, []matching.Match) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkScaleFullRescore rescores 300 municipalities against 20,000
// calls through PostgreSQL as `fundmatch score` does (a fresh process: a
// new Service): first into an empty matches table, then again with nothing
// changed, compared (every city scored again and compared with what is
// stored) and rewritten (every row written again, as after a model change). Goals: 20 s and 3 s; worker peak heap 500 MB.
func BenchmarkScaleFullRescore(b *testing.B) {
	st := scaleStore(b)
	ctx := context.Background()
	sizes(b, st, "before-")
	// "compared" forgets what the cities were scored from, as a new day
	// does (deadlines move): every city is scored again and compared
	// with its stored matches, and only what changed is written.
	// "rewritten" makes every stored row look scored by another model
	// version, as a release that changes the model does: every row is
	// written again through the upsert.
	for _, phase := range []string{"first", "unchanged", "compared", "rewritten"} {
		b.Run(phase, func(b *testing.B) {
			var res scoring.Result
			var peak, peakSys float64
			var goCPU, pgCPU time.Duration
			for b.Loop() {
				switch phase {
				case "first":
					b.StopTimer()
					st.DB().MustExec(`TRUNCATE matches`)
					runtime.GC()
					b.StartTimer()
				case "compared":
					b.StopTimer()
					st.DB().MustExec(`DELETE FROM scored_inputs`)
					b.StartTimer()
				case "rewritten":
					b.StopTimer()
					st.DB().MustExec(`DELETE FROM scored_inputs`)
					st.DB().MustExec(`UPDATE matches SET model_version = 'older'`)
					st.DB().MustExec(`VACUUM ANALYZE matches`)
					b.StartTimer()
				}
				stop := make(chan struct{})
				heap, sys := memprobe.Peak(stop)
				cpu := cpuprobe.Take()
				var err error
				if res, err = scoring.New(st, benchLogger()).ScoreAll(ctx, nil); err != nil {
					b.Fatal(err)
				}
				self, pg, _ := cpu.Since()
				goCPU, pgCPU = goCPU+self, pgCPU+pg
				peak, peakSys = max(peak, heap()), max(peakSys, sys())
				close(stop)
			}
			// The CPU time it took, this process's and PostgreSQL's, a run:
			// the wall time is bounded by their sum over the two cores.
			b.ReportMetric(goCPU.Seconds()/float64(b.N), "go-cpu-s")
			b.ReportMetric(pgCPU.Seconds()/float64(b.N), "pg-cpu-s")
			b.ReportMetric(float64(res.Pairs), "pairs")
			b.ReportMetric(float64(res.Written), "written")
			b.ReportMetric(peak, "peak-heap-MB")
			// What the process took from the system, this benchmark's own
			// data included: an upper bound of a worker's memory.
			b.ReportMetric(peakSys, "peak-sys-MB")
			b.ReportMetric(inMemory(b, st).Seconds(), "in-memory-s")
			sizes(b, st, "after-")
		})
	}
}

// BenchmarkScaleNewCall times one new call from the end of its crawl (the
// run stored, the work in the outbox) to every municipality's stored
// matches, through the real path: the relay queues it on Redis and a
// running worker scores it with its warm Service. Goal: 1 s. Its in-memory
// counterpart adds the call to a model and scores it for every city.
func BenchmarkScaleNewCall(b *testing.B) {
	st := scaleStore(b)
	ctx := context.Background()
	// A worker that has warmed up: its model and every city's query built
	// (by scoring one city). Without a full rescore behind it, it explains
	// every kept pair of a new call, not only those in a city's top: more
	// work than in steady state.
	svc := scoring.New(st, quiet)
	if _, err := svc.ScoreCity(ctx, "gent"); err != nil {
		b.Fatal(err)
	}
	// The setup's crawl of 20,000 calls waits in the outbox: not the step
	// measured here.
	st.DB().MustExec(`DELETE FROM scoring_outbox`)
	addr, db := testdb.Redis(b)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	done := make(chan error, 1)
	w := tasks.NewWorker(tasks.WorkerConfig{Redis: opt, Concurrency: 2, Logger: quiet})
	(&scoring.Handlers{Service: svc}).Register(w)
	w.Use(func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			err := next.ProcessTask(ctx, t)
			if t.Type() == tasks.TypeScoreCalls {
				done <- err
			}
			return err
		})
	})
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go w.Run(wctx)

	base := evalCalls(b)
	var i atomic.Int64
	i.Store(scaleCalls)
	var written int
	var last int64 // the last new call
	for b.Loop() {
		b.StopTimer()
		n := int(i.Add(1))
		run, err := st.StartRun(ctx, "ftportal", benchNow)
		if err != nil {
			b.Fatal(err)
		}
		res := crawlResult(variant(base[n%len(base)], n))
		if _, err := st.FinishRun(ctx, run, res, benchNow); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := tasks.RelayScoring(ctx, st, client); err != nil {
			b.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				b.Fatal(err)
			}
		case <-time.After(time.Minute):
			b.Fatal("the score task did not run within a minute")
		}
		b.StopTimer()
		st.DB().Get(&last, `SELECT id FROM calls WHERE identifier = $1`, res.Calls[0].Identifier)
		st.DB().Get(&written, `SELECT count(*) FROM matches WHERE call_id = $1`, last)
		b.StartTimer()
	}
	b.ReportMetric(float64(written), "stored/call")

	// The in-memory counterpart: the same step without store or queue.
	records, err := st.Calls(ctx, store.CallFilter{IDs: []int64{last}})
	if err != nil || len(records) != 1 {
		b.Fatalf("the last new call: %v", err)
	}
	record := records[0]
	m, qs := inMemoryModel(b, st)
	const samples = 20
	start := time.Now()
	for k := range samples {
		c := scoring.MatchingCall(&record)
		c.Identifier = fmt.Sprintf("IN-MEMORY-%d", k)
		if err := m.Add(c); err != nil {
			b.Fatal(err)
		}
		if _, err := m.ScoreCall(c.Identifier, qs, benchNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/samples/1000, "in-memory-ms")
}

// baseIdentifier is the evaluation call a variant was made from.
var variantSuffix = regexp.MustCompile(`-V[0-9]{5}$`)

// BenchmarkScaleRankingAgainstPostgresFullText ranks the evaluation
// profiles against 20,000 calls with fundmatch's model and with
// PostgreSQL's ts_rank_cd in one run, and reports the time per city and
// the quality of each (a variant is graded as the evaluation call it was
// made from; a ranking keeps each evaluation call's first variant).
func BenchmarkScaleRankingAgainstPostgresFullText(b *testing.B) {
	if os.Getenv(scaleEnv) == "" {
		b.Skipf("set %s=1 to run the benchmarks at %d calls", scaleEnv, scaleCalls)
	}
	st := seeded(b)
	crawlRun(b, st, scaleCallSet(b), benchNow)
	rankBoth(b, st, func(id string) string { return variantSuffix.ReplaceAllString(id, "") })
}

// crawlResult is a crawl run that found the calls, and saw only part of
// the listing: it closes none of the others.
func crawlResult(calls ...funding.Call) *crawlers.Result {
	r := &crawlers.Result{Source: "ftportal", Calls: calls, Pages: 1}
	r.MarkPartial("the new calls only")
	return r
}

// BenchmarkScaleShards runs a full rescore (into an empty matches table)
// as the worker does: score:all splits it into score:shard tasks by
// municipality, which one or two asynq servers take, each with a Service of
// its own as separate worker processes would have (in one process here, so
// both share this machine's cores).
func BenchmarkScaleShards(b *testing.B) {
	st := scaleStore(b)
	ctx := context.Background()
	for _, servers := range []int{1, 2} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			// Each server's process would have a pool of its own: the
			// shared one holds as many connections as theirs would.
			database.Resize(st.DB(), servers*database.MaxConns)
			defer database.Resize(st.DB(), 0)
			addr, db := testdb.Redis(b)
			opt := asynq.RedisClientOpt{Addr: addr, DB: db}
			client := asynq.NewClient(opt)
			defer client.Close()
			shards := make(chan error, 64)
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			for range servers {
				w := tasks.NewWorker(tasks.WorkerConfig{Redis: opt, Concurrency: 1, Logger: quiet})
				(&scoring.Handlers{Service: scoring.New(st, quiet), Client: client}).Register(w)
				w.Use(func(next asynq.Handler) asynq.Handler {
					return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
						err := next.ProcessTask(ctx, t)
						if t.Type() == tasks.TypeScoreShard {
							shards <- err
						}
						return err
					})
				})
				go w.Run(wctx)
			}
			var n int
			st.DB().Get(&n, `SELECT count(*) FROM profiles`)
			want := (n + 49) / 50
			for b.Loop() {
				b.StopTimer()
				st.DB().MustExec(`TRUNCATE matches`)
				b.StartTimer()
				if _, err := client.Enqueue(tasks.NewScoreAllTask()); err != nil {
					b.Fatal(err)
				}
				deadline := time.After(time.Hour)
				for range want {
					select {
					case err := <-shards:
						if err != nil {
							b.Fatal(err)
						}
					case <-deadline:
						b.Fatal("the shards did not finish within an hour")
					}
				}
			}
			b.ReportMetric(float64(want), "shards")
		})
	}
}

// BenchmarkScaleExplainedSamples writes samples of what a full rescore
// stores for the cities' best matches (reasons, texts and explanation, as
// stored) to the file FUNDMATCH_WRITE_SAMPLES names, as gzipped JSON
// (internal/web/testdata/explained_matches.json.gz): the web benchmarks
// give their best matches these, so that a page weighs what a real one
// does. It runs only when both variables are set.
func BenchmarkScaleExplainedSamples(b *testing.B) {
	path := os.Getenv("FUNDMATCH_WRITE_SAMPLES")
	if path == "" {
		b.Skip("set FUNDMATCH_WRITE_SAMPLES to the file to write")
	}
	st := scaleStore(b)
	if _, err := scoring.New(st, benchLogger()).ScoreAll(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	// An explained row per pair of a real profile and a call of the
	// evaluation set (its variants share its texts), 64 of them picked
	// by a hash, in a stable order.
	var out []byte
	err := st.DB().Get(&out, `
		SELECT json_agg(s ORDER BY s.call, s.city) FROM (
			SELECT * FROM (
				SELECT DISTINCT ON (1, 2) regexp_replace(c.identifier, '-V[0-9]+$', '') AS call, ct.slug AS city,
					m.reasons, m.explanation, m.text_nl, m.text_en, m.summary_nl, m.summary_en
				FROM matches m JOIN calls c ON c.id = m.call_id JOIN cities ct ON ct.id = m.city_id
				WHERE m.explanation::text <> '{}' AND ct.slug NOT LIKE '%-bis'
				ORDER BY 1, 2, c.identifier) p
			ORDER BY hashtext(call || city) LIMIT 64) s`)
	if err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(append(out, '\n'))
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
}
