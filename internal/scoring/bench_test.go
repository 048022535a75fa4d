package scoring_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// BenchmarkFullRescore stores 20,000 calls (the evaluation calls, varied)
// and rescores them for the 16 cities of seeded through the database: read
// calls, profiles and projects, score, write every match. The goal is 30 s.
func BenchmarkFullRescore(b *testing.B) {
	ctx := context.Background()
	st := seeded(b)
	base := evalCalls(b)
	calls := make([]funding.Call, 0, 20000)
	for i := range 20000 {
		c := base[i%len(base)]
		c.Identifier = fmt.Sprintf("%s-V%05d", c.Identifier, i)
		c.Title = fmt.Sprintf("%s (%d)", c.Title, i)
		calls = append(calls, c)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	run, _ := st.StartRun(ctx, "ftportal", now)
	if _, err := st.FinishRun(ctx, run, &crawlers.Result{Source: "ftportal", Calls: calls, Pages: 200}, now); err != nil {
		b.Fatal(err)
	}
	var pairs, written int
	for b.Loop() {
		b.StopTimer()
		st.DB().MustExec(`TRUNCATE matches`)
		b.StartTimer()
		res, err := scoring.New(st, quiet).ScoreAll(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		pairs, written = res.Pairs, res.Written
	}
	b.ReportMetric(float64(pairs), "pairs")
	b.ReportMetric(float64(written), "written")
}

// evalProfile is an evaluation profile: a Dutch profile with past projects.
type evalProfile struct {
	City           string                      `json:"city"`
	Name           string                      `json:"name"`
	Province       string                      `json:"province"`
	Arrondissement string                      `json:"arrondissement"`
	Population     int                         `json:"population"`
	Kind           string                      `json:"kind"`
	DomainWeights  map[matching.Domain]float64 `json:"domain_weights"`
	KeywordsNL     []string                    `json:"keywords_nl"`
	KeywordsEN     []string                    `json:"keywords_en"`
	Excluded       []string                    `json:"excluded_programmes"`
	Preparation    int                         `json:"preparation_days"`
	Projects       []struct {
		Title, Summary, Programme string
		Year                      int
		Domains                   []matching.Domain
	} `json:"projects"`
}

func evalSet(tb testing.TB) ([]evalProfile, map[string]map[string]int) {
	tb.Helper()
	b, err := os.ReadFile("../../matching/testdata/eval/profiles.json")
	if err != nil {
		tb.Fatal(err)
	}
	var profiles []evalProfile
	if err := json.Unmarshal(b, &profiles); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open("../../matching/testdata/eval/labels.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	grades := map[string]map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		g, err := strconv.Atoi(cols[2])
		if err != nil {
			tb.Fatalf("labels.tsv: %q", sc.Text())
		}
		if grades[cols[0]] == nil {
			grades[cols[0]] = map[string]int{}
		}
		grades[cols[0]][cols[1]] = g
	}
	return profiles, grades
}

// BenchmarkRankingAgainstPostgresFullText ranks the evaluation set twice in
// one run: with fundmatch's model, and with PostgreSQL full-text search
// (ts_rank_cd over the dutch and english configurations, title weighted
// above keywords and tags above description, ineligible calls not filtered
// since PostgreSQL knows no eligibility). It reports the time and quality
// (P@5, nDCG@10, MRR averaged over the cities) of both.
func BenchmarkRankingAgainstPostgresFullText(b *testing.B) {
	rankBoth(b, seeded(b), func(id string) string { return id })
}

// rankBoth ranks every stored call for each evaluation profile with
// fundmatch's model and with PostgreSQL, and reports both. base names the
// evaluation call a stored call stands for (its grade); a ranking keeps
// each evaluation call's first appearance only.
func rankBoth(b *testing.B, st *store.Store, base func(string) string) {
	ctx := context.Background()
	profiles, grades := evalSet(b)
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	records, err := st.Calls(ctx, store.CallFilter{})
	if err != nil {
		b.Fatal(err)
	}
	mcalls := make([]matching.Call, len(records))
	for i := range records {
		mcalls[i] = scoring.MatchingCall(&records[i])
	}
	// The documents PostgreSQL ranks, built once as a search engine would index them.
	st.DB().MustExec(`CREATE TABLE call_search AS SELECT identifier,
		setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('dutch', title), 'A') ||
		setweight(to_tsvector('english', array_to_string(keywords || tags, ' ')), 'B') ||
		setweight(to_tsvector('dutch', array_to_string(keywords || tags, ' ')), 'B') ||
		setweight(to_tsvector('english', description_text), 'D') || setweight(to_tsvector('dutch', description_text), 'D') AS doc
		FROM calls`)
	st.DB().MustExec(`CREATE INDEX ON call_search USING gin (doc)`)
	evaluate := func(ranking []string, city string) matching.Quality {
		seen := make(map[string]bool, len(ranking))
		kept := ranking[:0]
		for _, id := range ranking {
			if id = base(id); !seen[id] {
				seen[id] = true
				kept = append(kept, id)
			}
		}
		return matching.Evaluate(kept, grades[city])
	}

	var ours, pg matching.Quality
	var buildTime, oursTime, pgTime time.Duration
	for b.Loop() {
		ours, pg = matching.Quality{}, matching.Quality{}
		start := time.Now()
		m, err := matching.NewModel(mcalls, matching.Options{})
		if err != nil {
			b.Fatal(err)
		}
		buildTime += time.Since(start)
		// Each side's time is its ranking of every call for a city (the
		// profile analysed, every call ranked); grading the rankings is
		// the benchmark's own work and left out of both.
		ranked := make([][]matching.Match, len(profiles))
		start = time.Now()
		for i, p := range profiles {
			q := m.Query(applicantOf(p))
			if ranked[i], err = m.ScoreCity(ctx, q, now); err != nil {
				b.Fatal(err)
			}
		}
		oursTime += time.Since(start)
		for i, p := range profiles {
			ranking := make([]string, len(ranked[i]))
			for j, mt := range ranked[i] {
				ranking[j] = mt.Call
			}
			ours = ours.Plus(evaluate(ranking, p.City))
		}

		pgRanked := make([][]string, len(profiles))
		start = time.Now()
		for i, p := range profiles {
			if pgRanked[i], err = rankWithPostgres(ctx, st.DB(), p); err != nil {
				b.Fatal(err)
			}
		}
		pgTime += time.Since(start)
		for i, p := range profiles {
			pg = pg.Plus(evaluate(pgRanked[i], p.City))
		}
	}
	n := float64(len(profiles))
	perCity := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) / n / 1000 }
	ours, pg = ours.Div(n), pg.Div(n)
	b.ReportMetric(float64(len(records)), "calls")
	b.ReportMetric(ours.P5, "ours-P@5")
	b.ReportMetric(ours.NDCG10, "ours-nDCG@10")
	b.ReportMetric(ours.MRR, "ours-MRR")
	b.ReportMetric(float64(buildTime.Microseconds())/float64(b.N)/1000, "ours-model-ms")
	b.ReportMetric(perCity(oursTime), "ours-ms/city")
	b.ReportMetric(pg.P5, "pg-P@5")
	b.ReportMetric(pg.NDCG10, "pg-nDCG@10")
	b.ReportMetric(pg.MRR, "pg-MRR")
	b.ReportMetric(perCity(pgTime), "pg-ms/city")
	b.ReportMetric(float64(pgTime)/float64(oursTime), "speedup")
}

// rankWithPostgres ranks every call for a profile by ts_rank_cd against the
// profile's Dutch keywords (dutch configuration) or English ones (english).
func rankWithPostgres(ctx context.Context, db *database.DB, p evalProfile) ([]string, error) {
	var ids []string
	err := db.SelectContext(ctx, &ids, `
		WITH q AS (SELECT
			(SELECT coalesce(string_agg(x, ' OR '), '') FROM unnest($1::text[]) x) AS nl,
			(SELECT coalesce(string_agg(x, ' OR '), '') FROM unnest($2::text[]) x) AS en)
		SELECT identifier FROM call_search, q
		ORDER BY ts_rank_cd(doc, websearch_to_tsquery('dutch', q.nl) || websearch_to_tsquery('english', q.en)) DESC, identifier`,
		pq.StringArray(p.KeywordsNL), pq.StringArray(p.KeywordsEN))
	return ids, err
}

func applicantOf(p evalProfile) matching.Applicant {
	a := matching.Applicant{
		City: matching.City{Slug: p.City, Name: p.Name, Province: p.Province, Arrondissement: p.Arrondissement,
			Population: p.Population, Kind: matching.CityKind(p.Kind)},
		Profile: matching.Profile{City: p.City, DomainWeights: p.DomainWeights, KeywordsNL: p.KeywordsNL,
			KeywordsEN: p.KeywordsEN, ExcludedProgrammes: p.Excluded, PreparationDays: p.Preparation},
	}
	for _, pr := range p.Projects {
		a.Projects = append(a.Projects, matching.Project{Title: pr.Title, Summary: pr.Summary, Year: pr.Year, Programme: pr.Programme, Domains: pr.Domains})
	}
	return a
}
