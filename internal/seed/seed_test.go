package seed_test

import (
	"context"
	"slices"
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

func TestSeedLoadsEveryMunicipalityAndASecondRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	first, err := seed.Run(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cities.Changed != 14 || first.Municipalities.Changed != 272 || first.Profiles.Changed != 14 ||
		first.Projects.Changed != 10 || first.Derived != 272 {
		t.Fatalf("first run changed %+v, want 14 cities, 272 more municipalities, 14 profiles, 10 projects, 272 derived profiles", first)
	}
	before := snapshot(t, st)
	second, err := seed.Run(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if second.Cities.Changed+second.Municipalities.Changed+second.Profiles.Changed+second.Projects.Changed+second.Derived != 0 {
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
	if len(cities) != 286 {
		t.Fatalf("got %d cities, want 285 Flemish municipalities and the VGC", len(cities))
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

func TestSeedHoldsThe285MunicipalitiesOf2025UnderTheirOfficialCodes(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	cities, err := st.Cities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byNIS := map[string]store.City{}
	perProvince := map[string]int{}
	for _, c := range cities {
		byNIS[c.NISCode] = c
		perProvince[c.Province]++
	}
	// Statbel's count of municipalities per province since 1 January 2025.
	want := map[string]int{"Antwerpen": 67, "Vlaams-Brabant": 63, "West-Vlaanderen": 62, "Oost-Vlaanderen": 55, "Limburg": 38, "Brussel": 1}
	for p, n := range want {
		if perProvince[p] != n {
			t.Errorf("%s has %d municipalities, want %d", p, perProvince[p], n)
		}
	}
	tests := []struct {
		nis, slug, name, province, arrondissement, nuts3, kind string
	}{
		{"11001", "aartselaar", "Aartselaar", "Antwerpen", "Antwerpen", "BE211", store.KindMunicipality},
		{"44021", "gent", "Gent", "Oost-Vlaanderen", "Gent", "BE234", store.KindCentreCity},
		{"73109", "voeren", "Voeren", "Limburg", "Tongeren", "BE223", store.KindMunicipality},
		{"23101", "sint-genesius-rode", "Sint-Genesius-Rode", "Vlaams-Brabant", "Halle-Vilvoorde", "BE241", store.KindMunicipality},
		// merged on 1 January 2025, under their new codes
		{"46030", "beveren-kruibeke-zwijndrecht", "Beveren-Kruibeke-Zwijndrecht", "Oost-Vlaanderen", "Sint-Niklaas", "BE236", store.KindMunicipality},
		{"23106", "pajottegem", "Pajottegem", "Vlaams-Brabant", "Halle-Vilvoorde", "BE241", store.KindMunicipality},
		{"71071", "tessenderlo-ham", "Tessenderlo-Ham", "Limburg", "Hasselt", "BE221", store.KindMunicipality},
		{"71072", "hasselt", "Hasselt", "Limburg", "Hasselt", "BE221", store.KindCentreCity},
		{"04000", "vgc", "Vlaamse Gemeenschapscommissie", "Brussel", "Brussel-Hoofdstad", "BE100", store.KindVGC},
	}
	for _, tt := range tests {
		c, ok := byNIS[tt.nis]
		if !ok {
			t.Errorf("no municipality with NIS code %s (%s)", tt.nis, tt.name)
			continue
		}
		if c.Slug != tt.slug || c.NameNL != tt.name || c.Province != tt.province || c.Arrondissement != tt.arrondissement ||
			c.NUTS3 != tt.nuts3 || c.Kind != tt.kind {
			t.Errorf("%s = %+v, want %+v", tt.nis, c, tt)
		}
	}
	// The former municipalities are gone; the centre cities keep their data
	// (Hasselt's population is Statbel's count of 1 January 2026, Kortessem's
	// included, its postcodes bpost's with Kortessem's 3720-3724).
	for _, old := range []string{"46003", "46013", "11056", "11007", "71022", "73040", "23024", "44045"} {
		if c, ok := byNIS[old]; ok {
			t.Errorf("former municipality %s is still listed as %s", old, c.Slug)
		}
	}
	if h := byNIS["71072"]; h.Population != 90914 || len(h.Postcodes) != 10 || h.NameEN != "Hasselt" {
		t.Errorf("Hasselt lost its data: %+v", h)
	}
}

func TestSeedDerivesAProfileForEveryMunicipalityUntilAnOfficerSavesIt(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	profiles, err := st.Profiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	derived := 0
	for _, p := range profiles {
		if p.Derived {
			derived++
		}
	}
	if len(profiles) != 286 || derived != 272 {
		t.Fatalf("%d profiles, %d derived; want one for each of the 286 cities, 272 of them derived", len(profiles), derived)
	}
	p, err := st.ProfileBySlug(ctx, "herstappe")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Derived || len(p.KeywordsNL) == 0 || len(p.KeywordsEN) == 0 || p.DomainWeights.Economy == 0 || p.MaxConcurrentBids < 1 {
		t.Fatalf("Herstappe's starter profile = %+v, want keywords, weights and a bid capacity", p)
	}
	for _, k := range p.KeywordsNL {
		if k == "Dender" {
			t.Fatalf("Herstappe inherited another city's proper name: %q", p.KeywordsNL)
		}
	}

	// An officer saves the profile as it is: it is theirs now, and a reseed
	// leaves it alone.
	p.KeywordsNL = append(p.KeywordsNL, "trage wegen")
	p.Derived = false
	if _, err := st.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := st.ProfileBySlug(ctx, "herstappe")
	if err != nil {
		t.Fatal(err)
	}
	if got.Derived || !slices.Contains(got.KeywordsNL, "trage wegen") {
		t.Fatalf("after the officer's edit and a reseed: derived %v, keywords %q", got.Derived, got.KeywordsNL)
	}
}
