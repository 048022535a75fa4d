package store_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
)

// TestNextDeadlineMatchesGo checks the SQL next_deadline against
// funding.Call.NextDeadline on random ascending cut-offs around the day.
func TestNextDeadlineMatchesGo(t *testing.T) {
	st, ctx := setup(t)
	today := day("2026-11-23")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var ds []time.Time
		for range rng.IntN(5) {
			ds = append(ds, today.AddDate(0, 0, rng.IntN(21)-10))
		}
		ds = funding.SortDeadlines(ds)
		c := funding.Call{Deadlines: ds}
		want, ok := c.NextDeadline(today)
		var got *time.Time
		if err := st.DB().GetContext(ctx, &got, `SELECT next_deadline($1::date[], $2::date)`, dateArray(ds), today.Format(time.DateOnly)); err != nil {
			t.Fatal(err)
		}
		if ok != (got != nil) || ok && !got.Equal(want) {
			t.Fatalf("case %d: next_deadline(%v) = %v, want %v (%v)", i, dateArray(ds), got, want, ok)
		}
	}
}

func dateArray(ds []time.Time) string {
	s := "{"
	for i, d := range ds {
		if i > 0 {
			s += ","
		}
		s += d.Format(time.DateOnly)
	}
	return s + "}"
}

// TestCityMatchesSortsAndPages reads a city's matches page by page in every
// sort, with and without filters, and compares them with the order worked
// out in Go from the same rows.
func TestCityMatchesSortsAndPages(t *testing.T) {
	st, ctx := setup(t)
	today := day("2026-11-23")
	rng := rand.New(rand.NewPCG(3, 4))
	db := st.DB()
	var city, other int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.GetContext(ctx, &city, `INSERT INTO cities (slug, nis_code, name_nl, province, kind) VALUES ('a', '90001', 'A', 'Antwerpen', 'municipality') RETURNING id`))
	must(db.GetContext(ctx, &other, `INSERT INTO cities (slug, nis_code, name_nl, province, kind) VALUES ('b', '90002', 'B', 'Antwerpen', 'municipality') RETURNING id`))
	type row struct {
		id         string
		programme  string
		status     string
		score      int
		relevance  float64
		elig       string
		next       *time.Time
		budget     *float64
		interested bool
		callID     int64
	}
	var rows []row
	for i := range 120 {
		var ds []time.Time
		for range rng.IntN(4) {
			ds = append(ds, today.AddDate(0, 0, rng.IntN(60)-20))
		}
		ds = funding.SortDeadlines(ds)
		r := row{id: fmt.Sprintf("CALL-%03d", i), programme: []string{"HORIZON", "LIFE", "digital"}[rng.IntN(3)],
			status: []string{"open", "forthcoming", "closed"}[rng.IntN(3)], score: rng.IntN(8) * 10, // ties on purpose
			relevance: float64(rng.IntN(3)) / 2,
			elig:      []string{"eligible", "ineligible", "unknown"}[rng.IntN(3)], interested: rng.IntN(4) == 0}
		if d, ok := (&funding.Call{Deadlines: ds}).NextDeadline(today); ok {
			r.next = &d
		}
		var budgetMax, callBudget *float64
		switch rng.IntN(3) {
		case 0:
			budgetMax = ptr(float64(rng.IntN(5)+1) * 1e6)
			r.budget = budgetMax
		case 1:
			callBudget = ptr(float64(rng.IntN(5)+1) * 1e6)
			r.budget = callBudget
		}
		must(db.GetContext(ctx, &r.callID, `INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, budget_max, call_budget, content_hash)
			VALUES ('ftportal', $1, 'topic', $2, 'T', $3, $4::date[], $5, $6, 'h') RETURNING id`,
			r.id, r.programme, r.status, dateArray(ds), budgetMax, callBudget))
		for _, c := range []int64{city, other} {
			_, err := db.ExecContext(ctx, `INSERT INTO matches (call_id, city_id, score, relevance, eligibility, reasons, text_nl, text_en, model_version, input_hash, deadlines)
				VALUES ($1, $2, $3, $4, $5, '[{"code":"x","nl":"n","en":"e"}]', 'n', 'e', 't', 'x', $6::date[])`, r.callID, c, r.score, r.relevance, r.elig, dateArray(ds))
			must(err)
		}
		if r.interested {
			_, err := db.ExecContext(ctx, `INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($1, $2, 'interested', now())`, city, r.callID)
			must(err)
		}
		rows = append(rows, r)
	}
	// Go's order: the sort keys, then the score and relevance (highest
	// first), the next deadline, then the call.
	nullsLast := func(a, b *time.Time) int {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		case b == nil:
			return -1
		}
		return a.Compare(*b)
	}
	orders := map[string]func(a, b row) int{
		"score": func(a, b row) int {
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.relevance, a.relevance), nullsLast(a.next, b.next), cmp.Compare(a.callID, b.callID))
		},
		"deadline": func(a, b row) int {
			return cmp.Or(nullsLast(a.next, b.next), cmp.Compare(b.score, a.score), cmp.Compare(b.relevance, a.relevance), cmp.Compare(a.callID, b.callID))
		},
		"budget": func(a, b row) int {
			var c int
			switch {
			case a.budget == nil && b.budget != nil:
				c = 1
			case a.budget != nil && b.budget == nil:
				c = -1
			case a.budget != nil:
				c = cmp.Compare(*b.budget, *a.budget)
			}
			return cmp.Or(c, cmp.Compare(b.score, a.score), cmp.Compare(b.relevance, a.relevance), cmp.Compare(a.callID, b.callID))
		},
	}
	filters := []struct {
		name string
		f    store.MatchFilter
		keep func(row) bool
	}{
		{"all", store.MatchFilter{}, func(row) bool { return true }},
		{"min score", store.MatchFilter{MinScore: 40}, func(r row) bool { return r.score >= 40 }},
		{"programme", store.MatchFilter{Programme: "DIGITAL"}, func(r row) bool { return r.programme == "digital" }},
		{"not closed, eligible", store.MatchFilter{ExcludeClosed: true, ExcludeIneligible: true},
			func(r row) bool { return r.status != "closed" && r.elig != "ineligible" }},
		{"interested", store.MatchFilter{Interest: "interested"}, func(r row) bool { return r.interested }},
	}
	check := func(t *testing.T) {
		for _, fl := range filters {
			for sortName, order := range orders {
				t.Run(fl.name+"/"+sortName, func(t *testing.T) {
					var want []string
					kept := slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return !fl.keep(r) })
					slices.SortFunc(kept, order)
					for _, r := range kept {
						want = append(want, r.id)
					}
					var got []string
					f := fl.f
					f.Sort, f.Limit = sortName, 7
					for f.Offset = 0; ; f.Offset += f.Limit {
						page, total, err := st.CityMatches(ctx, city, f, today)
						if err != nil {
							t.Fatal(err)
						}
						if total != len(want) {
							t.Fatalf("total = %d, want %d", total, len(want))
						}
						checkCards(t, st, city, f, today, page)
						for _, m := range page {
							if m.City != "a" || len(m.Reasons.List()) != 1 || m.Explanation.NL != "n" {
								t.Fatalf("row %+v", m)
							}
							got = append(got, m.CallIdentifier)
							r := rows[slices.IndexFunc(rows, func(r row) bool { return r.id == m.CallIdentifier })]
							if (m.NextDeadline == nil) != (r.next == nil) || r.next != nil && !m.NextDeadline.Equal(*r.next) {
								t.Fatalf("%s: next deadline %v, want %v", r.id, m.NextDeadline, r.next)
							}
							if (m.Interest == "interested") != r.interested {
								t.Fatalf("%s: interest %q", r.id, m.Interest)
							}
						}
						if len(page) < f.Limit {
							break
						}
					}
					if !slices.Equal(got, want) {
						t.Fatalf("order:\n got %v\nwant %v", got, want)
					}
					// The first page in one, by score read row by row in
					// the index's order up to its longest, in two steps
					// past it.
					for _, limit := range []int{store.DirectRows, store.DirectRows + 1} {
						f.Offset, f.Limit = 0, limit
						page, _, err := st.CityMatches(ctx, city, f, today)
						if err != nil {
							t.Fatal(err)
						}
						var ids []string
						for _, m := range page {
							ids = append(ids, m.CallIdentifier)
						}
						if !slices.Equal(ids, want) {
							t.Fatalf("%d at once:\n got %v\nwant %v", limit, ids, want)
						}
						checkCards(t, st, city, f, today, page)
					}
				})
			}
		}
	}
	t.Run("as stored", check)
	// New cut-offs for a third of the calls (as a crawl writes them) reorder
	// the matches at once.
	for i := range rows {
		if i%3 != 0 {
			continue
		}
		ds := funding.SortDeadlines([]time.Time{today.AddDate(0, 0, rng.IntN(90)), today.AddDate(0, 0, rng.IntN(90)-45)})
		rows[i].next = nil
		if d, ok := (&funding.Call{Deadlines: ds}).NextDeadline(today); ok {
			rows[i].next = &d
		}
		must(exec(db.ExecContext(ctx, `UPDATE calls SET deadlines = $2::date[] WHERE id = $1`, rows[i].callID, dateArray(ds))))
	}
	t.Run("after new deadlines", check)
}

func exec(_ any, err error) error { return err }

// checkCards requires the page read without the calls' cards, then given
// the cards CallCards reads, to equal the page read with them.
func checkCards(t *testing.T, st *store.Store, city int64, f store.MatchFilter, today time.Time, want []store.CityMatch) {
	t.Helper()
	got, _, err := st.CityMatchesWithoutCards(context.Background(), city, f, today)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range got {
		if m.CallIdentifier != "" || m.Title != "" {
			t.Fatalf("a page without cards has %q %q", m.CallIdentifier, m.Title)
		}
		ids = append(ids, m.CallID)
	}
	cards, err := st.CallCards(context.Background(), append(ids, -1)) // -1: no such call
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != len(ids) {
		t.Fatalf("%d cards for %d calls", len(cards), len(ids))
	}
	for i := range got {
		got[i].SetCall(cards[got[i].CallID])
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("without cards, then given them:\n%+v\nwith them:\n%+v", got, want)
	}
}

// TestMatchesAreFoundByCall covers what finds matches by call, although
// they are keyed by city first: which calls have none, a call's cities, a
// call's new deadlines copied to its matches, and a deleted call or city
// taking its matches with it.
func TestMatchesAreFoundByCall(t *testing.T) {
	st, ctx := setup(t)
	db := st.DB()
	today := day("2026-11-23")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cities := map[string]int64{}
	for i, slug := range []string{"a", "b", "c"} {
		var id int64
		must(db.GetContext(ctx, &id, `INSERT INTO cities (slug, nis_code, name_nl, province, kind)
			VALUES ($1, $2, $1, 'Antwerpen', 'municipality') RETURNING id`, slug, fmt.Sprint(91001+i)))
		cities[slug] = id
	}
	calls := map[string]int64{}
	for _, ident := range []string{"A", "B", "C"} {
		var id int64
		must(db.GetContext(ctx, &id, `INSERT INTO calls (source, identifier, kind, title, status, deadlines, content_hash)
			VALUES ('ftportal', $1, 'topic', 'T', 'open', '{2026-12-01}', 'h') RETURNING id`, ident))
		calls[ident] = id
	}
	for _, p := range []struct{ city, call string }{{"a", "A"}, {"b", "A"}, {"c", "A"}, {"b", "B"}} {
		_, err := db.ExecContext(ctx, `INSERT INTO matches (call_id, city_id, score, eligibility, model_version, input_hash, deadlines)
			VALUES ($1, $2, 70, 'eligible', 't', 'x', '{2026-12-01}')`, calls[p.call], cities[p.city])
		must(err)
	}
	citiesOf := func(call string) []string {
		t.Helper()
		byCall, err := st.MatchesOfCalls(ctx, []int64{calls["A"], calls["B"], calls["C"]}, today)
		must(err)
		var slugs []string
		for _, m := range byCall[calls[call]] {
			slugs = append(slugs, m.City)
		}
		slices.Sort(slugs)
		return slugs
	}
	if got := citiesOf("A"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("cities of A: %v", got)
	}
	if got := citiesOf("C"); got != nil {
		t.Fatalf("cities of C: %v", got)
	}
	without, err := st.CallsWithoutMatches(ctx, []int64{calls["A"], calls["B"], calls["C"]})
	must(err)
	if !maps.Equal(without, map[int64]bool{calls["C"]: true}) {
		t.Fatalf("calls without matches: %v, want only C (%d)", without, calls["C"])
	}
	// A's new cut-off reaches every city's match of it.
	_, err = db.ExecContext(ctx, `UPDATE calls SET deadlines = '{2027-02-01}' WHERE id = $1`, calls["A"])
	must(err)
	for _, slug := range []string{"a", "b", "c"} {
		page, _, err := st.CityMatches(ctx, cities[slug], store.MatchFilter{Limit: 10}, today)
		must(err)
		for _, m := range page {
			if m.CallIdentifier == "A" && (m.NextDeadline == nil || !m.NextDeadline.Equal(day("2027-02-01"))) {
				t.Fatalf("%s: A's next deadline %v", slug, m.NextDeadline)
			}
		}
	}
	// A deleted call, then a deleted city, take their matches along.
	_, err = db.ExecContext(ctx, `DELETE FROM calls WHERE id = $1`, calls["A"])
	must(err)
	_, err = db.ExecContext(ctx, `DELETE FROM cities WHERE id = $1`, cities["c"])
	must(err)
	var left []string
	must(db.SelectContext(ctx, &left, `SELECT ct.slug || '/' || c.identifier FROM matches m
		JOIN cities ct ON ct.id = m.city_id JOIN calls c ON c.id = m.call_id ORDER BY 1`))
	var n int
	must(db.GetContext(ctx, &n, `SELECT count(*) FROM matches`))
	if !slices.Equal(left, []string{"b/B"}) || n != 1 {
		t.Fatalf("matches left: %v (%d rows), want b/B", left, n)
	}
}
