package web_test

import (
	"testing"
)

// fixture fills the site with calls, matches, a plan with an alternative,
// interest marks and bids, directly in SQL as the other parts of fundmatch
// would.
func (s *site) fixture(t *testing.T) {
	t.Helper()
	_, err := s.db.Exec(`
INSERT INTO crawl_sources (name, kind, title) VALUES ('ftportal', 'ftportal', 'EU Funding & Tenders Portal') ON CONFLICT DO NOTHING;
INSERT INTO calls (source, identifier, kind, programme, title, summary, description_html, status, opening_date, deadlines, budget_min, budget_max, content_hash, url)
VALUES
 ('ftportal', 'HORIZON-CL5-2027-D4-01', 'topic', 'HORIZON', 'Climate-neutral cities pilots', 'Pilots for climate-neutral cities.',
  '<p>Cities test <strong>climate</strong> solutions.</p>', 'open', brussels_today() - 30, ARRAY[brussels_today() + 40, brussels_today() + 200]::date[], 1000000, 3000000, 'h1', 'https://ec.europa.eu/x'),
 ('ftportal', 'DIGITAL-2027-EDIH-02', 'topic', 'DIGITAL', 'Digital twins for local government', 'Local digital twins.',
  '<p>Twins.</p>', 'open', brussels_today() - 10, ARRAY[brussels_today() + 90]::date[], NULL, 500000, 'h2', ''),
 ('ftportal', 'LIFE-2027-XSS', 'topic', 'LIFE', 'Nature restoration in towns', 'Restoration.',
  '<p>Safe text</p><script>document.title="pwned"</script><img src="x" onerror="document.title=''pwned''">', 'open', NULL, ARRAY[brussels_today() + 60]::date[], NULL, NULL, 'h3', '');
INSERT INTO matches (call_id, city_id, score, eligibility, reasons, text_nl, text_en, model_version, input_hash, deadlines)
SELECT c.id, ct.id, v.score, v.elig, v.reasons::json, coalesce(v.expl::json->>'nl', ''), coalesce(v.expl::json->>'en', ''), 'test', 'x', c.deadlines
FROM (VALUES
 ('HORIZON-CL5-2027-D4-01', 'gent', 82, 'eligible', '[]', '{"nl": "Past bij klimaat en mobiliteit.", "en": "Fits climate and mobility."}'),
 ('HORIZON-CL5-2027-D4-01', 'aalst', 71, 'eligible', '[]', '{"nl": "Past bij klimaat.", "en": "Fits climate."}'),
 ('DIGITAL-2027-EDIH-02', 'gent', 55, 'unknown', '[{"code": "no-budget", "nl": "Budget onbekend.", "en": "Budget unknown."}]', '{"nl": "Digitale tweeling.", "en": "Digital twin."}'),
 ('LIFE-2027-XSS', 'gent', 40, 'ineligible', '[]', '{}')
) AS v(call, city, score, elig, reasons, expl)
JOIN calls c ON c.identifier = v.call JOIN cities ct ON ct.slug = v.city;
INSERT INTO plan_runs (scope) VALUES ('call');
INSERT INTO consortium_plans (plan_run_id, call_id, rank, value)
SELECT 1, id, r, 1.0 / r FROM calls, generate_series(1, 2) r WHERE identifier = 'HORIZON-CL5-2027-D4-01';
INSERT INTO consortium_members (plan_id, city_id, role)
SELECT p.id, ct.id, CASE WHEN ct.slug = 'gent' THEN 'lead' ELSE 'partner' END
FROM consortium_plans p, cities ct WHERE (p.rank = 1 AND ct.slug IN ('gent', 'aalst')) OR (p.rank = 2 AND ct.slug IN ('gent', 'leuven'));
INSERT INTO bids (programme, title, year, status, amount_requested, amount_granted, source, source_id)
VALUES ('HORIZON', 'Smart mobility pilot', 2024, 'won', 900000, 750000, 'cordis', '101'),
       ('INTERREG', 'Green roofs', 2025, 'lost', 300000, NULL, 'keep', 'k1');
INSERT INTO bid_members (bid_id, city_id, role) SELECT b.id, ct.id, 'lead' FROM bids b, cities ct
WHERE (b.source_id = '101' AND ct.slug = 'gent') OR (b.source_id = 'k1' AND ct.slug = 'leuven');
`)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
}
