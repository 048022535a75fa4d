package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// centreCityScale fills a database with 14 cities, 30 open calls of six
// programmes, a match of every call for every city (one in ten ineligible)
// with a concept each, and past joint projects, all derived from hashes so
// every run plans the same portfolio.
const centreCityScale = `
INSERT INTO cities (slug, nis_code, name_nl, province, arrondissement, kind)
SELECT 'city-' || g, lpad((10000 + g)::text, 5, '0'), 'City ' || g,
	(ARRAY['Antwerpen', 'Limburg', 'Oost-Vlaanderen', 'Vlaams-Brabant', 'West-Vlaanderen'])[1 + g % 5],
	CASE WHEN g % 7 = 0 THEN 'Ieper' ELSE 'Leuven' END, 'centre_city'
FROM generate_series(1, 14) g;
INSERT INTO profiles (city_id, max_concurrent_bids, cofunding_capacity)
SELECT id, 2 + id % 4, 500000 + 250000 * (id % 5) FROM cities;
INSERT INTO projects (source, source_id, title, year, programme)
SELECT 'cordis', 'p' || g, 'Project ' || g, 2015 + g % 10, 'H2020' FROM generate_series(1, 30) g;
INSERT INTO project_members (project_id, city_id, role)
SELECT DISTINCT ON (p.id, c.id) p.id, c.id, CASE WHEN k = 0 THEN 'lead' ELSE 'partner' END
FROM projects p, generate_series(0, 2) k, cities c
WHERE c.slug = 'city-' || (1 + abs(hashtext(p.source_id || k)) % 14)
ORDER BY p.id, c.id, k;
INSERT INTO project_partners (project_id, name, country)
SELECT id, 'Partner ' || (id % 6), (ARRAY['NL', 'FR', 'DE'])[1 + id % 3] FROM projects;
INSERT INTO crawl_sources (name, kind) VALUES ('bench', 'html');
INSERT INTO calls (source, identifier, kind, programme, title, status, budget_max, types_of_action, content_hash)
SELECT 'bench', 'CALL-' || g, 'topic', (ARRAY['HORIZON', 'LIFE', 'DIGITAL', 'INTERREG-VLNL', 'ERDF-VL', 'CEF'])[1 + g % 6],
	'Call ' || g, 'open', 1000000, '{}', 'h' || g
FROM generate_series(1, 30) g;
INSERT INTO matches (call_id, city_id, score, relevance, eligibility, explanation, model_version, input_hash, deadlines)
SELECT ca.id, ci.id, 20 + abs(hashtext(ca.identifier || ci.slug)) % 80, 0.6,
	CASE WHEN abs(hashtext(ci.slug || ca.identifier)) % 10 = 0 THEN 'ineligible' ELSE 'eligible' END,
	json_build_object('concepts', json_build_array(json_build_object(
		'concept', 'concept-' || abs(hashtext(ca.identifier || ci.slug || 'c')) % 5, 'domain', 'economy'))),
	'bench', 'x', ca.deadlines
FROM calls ca, cities ci;`

// BenchmarkPlanPortfolioCentreCities runs 'fundmatch plan --portfolio --json'
// end to end: read the inputs from PostgreSQL, plan 14 cities × 30 calls
// exactly, store the run and print it.
func BenchmarkPlanPortfolioCentreCities(b *testing.B) {
	ctx := context.Background()
	url := testdb.URL(b)
	db, err := database.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(centreCityScale); err != nil {
		b.Fatalf("load: %v", err)
	}
	env := map[string]string{"DATABASE_URL": url}
	var res struct {
		Bids  []json.RawMessage `json:"bids"`
		Value float64           `json:"value"`
	}
	for b.Loop() {
		code, stdout, stderr := fundmatch(ctx, env, "plan", "--portfolio", "--json")
		if code != 0 {
			b.Fatalf("plan --portfolio exited %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, `"method": "exact"`) || !strings.Contains(stdout, `"optimal": true`) {
			b.Fatalf("plan --portfolio was not an optimal exact plan:\n%.2000s", stdout)
		}
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Bids)), "bids")
	b.ReportMetric(res.Value, "points")
}
