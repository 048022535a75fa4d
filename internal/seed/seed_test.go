package seed_test

import (
	"context"
	"testing"

	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// snapshot returns the system column xmin of every seeded row: a row that is
// rewritten gets a new xmin, so equal snapshots prove nothing was written.
func snapshot(t *testing.T, st *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, q := range []string{
		`SELECT xmin::text FROM cities ORDER BY id`,
		`SELECT xmin::text FROM profiles ORDER BY city_id`,
		`SELECT xmin::text FROM projects ORDER BY id`,
		`SELECT xmin::text FROM project_members ORDER BY project_id, city_id`,
		`SELECT xmin::text FROM project_partners ORDER BY project_id, name`,
		`SELECT xmin::text FROM crawl_sources ORDER BY name`,
	} {
		var xs []string
		if err := st.DB().Select(&xs, q); err != nil {
			t.Fatal(err)
		}
		out[q] = xs
	}
	return out
}

func TestSeedLoadsFourteenCitiesAndASecondRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	first, err := seed.Run(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cities.Changed != 14 || first.Profiles.Changed != 14 || first.Projects.Changed != 10 {
		t.Fatalf("first run changed %+v, want 14 cities, 14 profiles, 10 projects", first)
	}
	before := snapshot(t, st)
	second, err := seed.Run(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if second.Cities.Changed+second.Profiles.Changed+second.Projects.Changed != 0 {
		t.Fatalf("second run changed %+v, want nothing", second)
	}
	after := snapshot(t, st)
	for q := range before {
		if len(before[q]) != len(after[q]) {
			t.Fatalf("%s: %d rows before, %d after", q, len(before[q]), len(after[q]))
		}
		for i := range before[q] {
			if before[q][i] != after[q][i] {
				t.Fatalf("%s: row %d was rewritten by the second run", q, i)
			}
		}
	}
	cities, err := st.Cities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cities) != 14 {
		t.Fatalf("got %d cities, want 14", len(cities))
	}
}

func TestSeedNeverOverwritesAnEditedProfile(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE profiles SET keywords_nl = '{fietsstraten}', starting_point = false
		WHERE city_id = (SELECT id FROM cities WHERE slug = 'gent')`); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	p, err := st.ProfileBySlug(ctx, "gent")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.KeywordsNL) != 1 || p.KeywordsNL[0] != "fietsstraten" || p.StartingPoint {
		t.Fatalf("the seed overwrote the officer's profile: %+v", p)
	}
}

func TestSeedProjectsNameTheirCities(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	ps, err := st.ProjectsOfCity(ctx, "mechelen")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("mechelen has %d projects, want 3 (N15 lighting and two from 2022)", len(ps))
	}
	var partners []string
	if err := st.DB().Select(&partners, `SELECT name FROM project_partners pp JOIN projects p ON p.id = pp.project_id
		WHERE p.source_id = 'cot-2018-mechelen-verlichting-n15' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	if got := len(partners); got != 3 || partners[0] != "Fluvius" {
		t.Fatalf("N15 partners = %v, want Fluvius, Gemeente Bonheiden, imec", partners)
	}
}
