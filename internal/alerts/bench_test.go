package alerts_test

import (
	"testing"
	"time"
)

// BenchmarkDailyDigests runs the daily digests of 300 municipalities with 5
// subscribers each and 20 matches per municipality through the whole
// pipeline: sweep the matches into 30,000 notifications, compose 1,500
// digests, render them and deliver them to a local SMTP server. The goal is
// at most 10 s per run.
func BenchmarkDailyDigests(b *testing.B) {
	f := newFixture(b)
	f.exec(`INSERT INTO cities (slug, nis_code, name_nl, province, kind)
		SELECT 'gemeente-' || i, lpad((20000 + i)::text, 5, '0'), 'Gemeente ' || i, 'Antwerpen', 'municipality'
		FROM generate_series(1, 300) i`)
	f.exec(`INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, budget_max, content_hash)
		SELECT 'ftportal', 'CALL-' || i, 'topic', 'HORIZON', 'Oproep ' || i || ': slimme en klimaatneutrale steden', 'open',
			ARRAY['2027-03-24'::date], 1500000 + i * 1000, 'h'
		FROM generate_series(1, 20) i`)
	f.exec(`INSERT INTO matches (call_id, city_id, score, eligibility, reasons, model_version, input_hash, deadlines)
		SELECT c.id, ci.id, 60 + (c.id % 40), 'eligible',
			'[{"nl": "Past bij het klimaatplan", "en": "Fits the climate plan"}, {"nl": "Ervaring met Horizon", "en": "Horizon experience"}]',
			'bench', 'x', c.deadlines
		FROM calls c CROSS JOIN cities ci WHERE ci.slug LIKE 'gemeente-%'`)
	f.exec(`INSERT INTO users (email, role) SELECT 'officer' || s || '@' || c.slug || '.be', 'officer'
		FROM cities c CROSS JOIN generate_series(1, 5) s WHERE c.slug LIKE 'gemeente-%'`)
	f.exec(`INSERT INTO subscriptions (user_id, channel, email, min_score, frequency)
		SELECT u.id, 'email', u.email, 50, 'daily' FROM users u`)
	f.exec(`INSERT INTO subscription_cities (subscription_id, city_id)
		SELECT s.id, c.id FROM subscriptions s JOIN cities c ON s.email LIKE '%@' || c.slug || '.be'`)

	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		f.exec(`DELETE FROM notifications`)
		before := f.sink.Count()
		b.StartTimer()
		start := time.Now()
		added := f.sweep(monday)
		t1 := time.Now()
		n, err := f.svc.ComposeDigests(f.ctx, monday)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		r := f.deliver(monday)
		b.Logf("sweep %v compose %v deliver %v", t1.Sub(start), t2.Sub(t1), time.Since(t2))
		total += time.Since(start)
		got := f.sink.Count() - before
		if added["new_match"] != 30000 || n != 1500 || r.Sent != 1500 || got != 1500 {
			b.Fatalf("added %v, %d digests, %s, sink got %d; want 30000 matches and 1500 digests sent", added, n, r, got)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/1500-digests")
}
