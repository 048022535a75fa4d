package imports_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/imports"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func seeded(t *testing.T) *store.Store {
	t.Helper()
	st := store.New(testdb.New(t))
	if _, err := seed.Run(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func count(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

const goodCities = `slug,nis_code,name_nl,province,arrondissement,population,kind,postcodes
bonheiden,12005,Bonheiden,Antwerpen,Mechelen,15000,municipality,2820
lubbeek,24066,Lubbeek,Vlaams-Brabant,Leuven,14500,municipality,3210|3211|3212
`

func TestImportCities(t *testing.T) {
	tests := []struct {
		name       string
		csv        string
		wantLine   int
		wantColumn string
		wantReason string
	}{
		{name: "BadPopulationRejectsTheWholeFile", csv: goodCities + "zaventem,23094,Zaventem,Vlaams-Brabant,Halle-Vilvoorde,veel,municipality,1930\n",
			wantLine: 4, wantColumn: "population", wantReason: "whole number"},
		{name: "UnknownProvince", csv: "slug,nis_code,name_nl,province,kind\nieper,33011,Ieper,Vlaanderen,municipality\n",
			wantLine: 2, wantColumn: "province", wantReason: "want one of"},
		{name: "DuplicateSlugNamesTheFirstLine", csv: goodCities + "bonheiden,12006,Bonheiden bis,Antwerpen,,,municipality,\n",
			wantLine: 4, wantColumn: "slug", wantReason: "already on line 2"},
		{name: "NISCodeOfAnotherCityInTheDatabase", csv: "slug,nis_code,name_nl,province,kind\ngent-bis,44021,Gent bis,Oost-Vlaanderen,municipality\n",
			wantLine: 2, wantColumn: "nis_code", wantReason: "already belongs to another city"},
		{name: "MissingRequiredColumn", csv: "slug,name_nl,province,kind\nieper,Ieper,West-Vlaanderen,municipality\n",
			wantLine: 1, wantColumn: "nis_code", wantReason: "required column"},
		{name: "UnknownColumnIsATypo", csv: "slug,nis_code,name_nl,province,kind,populaton\nieper,33011,Ieper,West-Vlaanderen,municipality,35000\n",
			wantLine: 1, wantColumn: "populaton", wantReason: "unknown column"},
		{name: "ShortRow", csv: "slug,nis_code,name_nl,province,kind\nieper,33011,Ieper\n",
			wantLine: 2, wantReason: "has 3 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := seeded(t)
			_, err := imports.Cities(context.Background(), st, "more.csv", strings.NewReader(tt.csv))
			var re *imports.RowError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a RowError", err)
			}
			if re.Line != tt.wantLine || re.Column != tt.wantColumn || !strings.Contains(re.Reason, tt.wantReason) {
				t.Fatalf("got line %d column %q reason %q; want line %d column %q reason containing %q",
					re.Line, re.Column, re.Reason, tt.wantLine, tt.wantColumn, tt.wantReason)
			}
			if n := count(t, st, "cities"); n != 286 {
				t.Fatalf("%d cities after a rejected import, want the 286 seeded ones", n)
			}
		})
	}
	t.Run("GoodFileLoadsAndLoadsOnlyOnce", func(t *testing.T) {
		st := seeded(t)
		res, err := imports.Cities(context.Background(), st, "more.csv", strings.NewReader(goodCities))
		if err != nil || res.Rows != 2 || res.Changed != 2 {
			t.Fatalf("first import: %+v, %v; want 2 rows changed", res, err)
		}
		res, err = imports.Cities(context.Background(), st, "more.csv", strings.NewReader(goodCities))
		if err != nil || res.Changed != 0 {
			t.Fatalf("second import: %+v, %v; want nothing changed", res, err)
		}
		c, err := st.CityBySlug(context.Background(), "lubbeek")
		if err != nil || len(c.Postcodes) != 3 || c.Kind != store.KindMunicipality {
			t.Fatalf("lubbeek = %+v, %v", c, err)
		}
	})
}

func TestImportProjects(t *testing.T) {
	const header = "source_id,title,summary,year,programme,domains,budget,lead,members,partners\n"
	good := header + `lubbeek-wegdek,Wegdekinspectie met sensoren,"Kwaliteit van het wegdek inspecteren, City of Things 2018",2018,COT,mobility|government,250000,leuven,gent,imec (BE)|Stad Delft (NL)` + "\n"
	tests := []struct {
		name                 string
		csv                  string
		wantLine             int
		wantColumn, wantText string
	}{
		{"UnknownLeadCity", header + "x,Titel,,2020,COT,,,atlantis,,\n", 2, "lead", "unknown city"},
		{"UnknownDomain", header + "x,Titel,,2020,COT,weather,,gent,,\n", 2, "domains", "unknown domain"},
		{"BadYear", header + "x,Titel,,twintig,COT,,,gent,,\n", 2, "year", "want a year"},
		{"BadBudgetOnSecondRow", good + "y,Titel,,2020,COT,,1.000.000,gent,,\n", 3, "budget", "amount in euro"},
		{"NoCity", header + "x,Titel,,2020,COT,,,,,\n", 2, "lead", "lead city or at least one member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := seeded(t)
			before := count(t, st, "projects")
			_, err := imports.Projects(context.Background(), st, "p.csv", strings.NewReader(tt.csv), "import")
			var re *imports.RowError
			if !errors.As(err, &re) || re.Line != tt.wantLine || re.Column != tt.wantColumn || !strings.Contains(re.Reason, tt.wantText) {
				t.Fatalf("err = %v; want line %d column %s with %q", err, tt.wantLine, tt.wantColumn, tt.wantText)
			}
			if after := count(t, st, "projects"); after != before {
				t.Fatalf("%d projects after a rejected import, want %d", after, before)
			}
		})
	}
	t.Run("GoodFileLoadsMembersAndPartnersOnce", func(t *testing.T) {
		st := seeded(t)
		for i, want := range []int{1, 0} {
			res, err := imports.Projects(context.Background(), st, "p.csv", strings.NewReader(good), "import")
			if err != nil || res.Changed != want {
				t.Fatalf("import %d: %+v, %v; want %d changed", i+1, res, err, want)
			}
		}
		ps, err := st.ProjectsOfCity(context.Background(), "gent")
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, p := range ps {
			if p.SourceID == "lubbeek-wegdek" && len(p.Members) == 1 {
				found = true
			}
		}
		if !found {
			t.Fatalf("gent is not a member of the imported project: %+v", ps)
		}
	})
}

func TestImportProfiles(t *testing.T) {
	tests := []struct {
		name, json           string
		wantLine             int
		wantColumn, wantText string
	}{
		{"WeightOutOfRangeOnTheSecondEntry", `[
  {"city": "gent", "domain_weights": {"mobility": 1}},
  {"city": "leuven",
   "domain_weights": {"mobility": 3}}
]`, 3, "domain_weights.mobility", "from 0 to 1"},
		{"UnknownField", `[{"city": "gent", "keywords": ["x"]}]`, 1, "", "unknown field"},
		{"UnknownCity", "[\n{\"city\": \"atlantis\"}]", 2, "city", "unknown city"},
		{"WrongType", `[{"city": "gent", "max_concurrent_bids": "veel"}]`, 1, "max_concurrent_bids", "want int"},
		{"BrokenJSON", "[\n{\"city\": \"gent\",,}]", 2, "", "invalid JSON"},
		{"NotAnArray", `{"city": "gent"}`, 1, "", "JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := seeded(t)
			before, _ := st.ProfileBySlug(context.Background(), "gent")
			_, err := imports.Profiles(context.Background(), st, "profiles.json", strings.NewReader(tt.json), imports.ProfileOptions{})
			var re *imports.RowError
			if !errors.As(err, &re) || re.Line != tt.wantLine || re.Column != tt.wantColumn || !strings.Contains(re.Reason, tt.wantText) {
				t.Fatalf("err = %v; want line %d column %q with %q", err, tt.wantLine, tt.wantColumn, tt.wantText)
			}
			after, _ := st.ProfileBySlug(context.Background(), "gent")
			if !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Fatal("a rejected file changed gent's profile")
			}
		})
	}
	t.Run("GoodFileReplacesTheStartingPoint", func(t *testing.T) {
		st := seeded(t)
		in := `[{"city": "gent", "domain_weights": {"mobility": 1, "economy": 0.2}, "keywords_nl": ["deelmobiliteit", " deelmobiliteit ", "hittestress"], "preparation_days": 30, "max_concurrent_bids": 5, "cofunding_capacity": 2000000}]`
		res, err := imports.Profiles(context.Background(), st, "p.json", strings.NewReader(in), imports.ProfileOptions{})
		if err != nil || res.Changed != 1 {
			t.Fatalf("%+v, %v", res, err)
		}
		p, err := st.ProfileBySlug(context.Background(), "gent")
		if err != nil {
			t.Fatal(err)
		}
		if p.StartingPoint || p.DomainWeights.Mobility != 1 || p.DomainWeights.Economy < 0.19 || len(p.KeywordsNL) != 2 ||
			p.PreparationDays == nil || *p.PreparationDays != 30 || p.MaxConcurrentBids != 5 || p.CoFundingCapacity != 2e6 {
			t.Fatalf("profile = %+v", p)
		}
	})
}

// Values the tables would refuse (text PostgreSQL cannot store, numbers
// beyond the columns, NaN) are a RowError naming the line and column, not
// a database error.
func TestParseRefusesWhatTheTablesCannotStore(t *testing.T) {
	tests := []struct {
		name       string
		parse      func() error
		wantLine   int
		wantColumn string
	}{
		{"NUL in a name", func() error {
			_, _, err := imports.ParseCities("c.csv", strings.NewReader("slug,nis_code,name_nl,province,kind\nieper,33011,Ie\x00per,West-Vlaanderen,municipality\n"))
			return err
		}, 2, "name_nl"},
		{"Latin-1 text", func() error {
			_, _, err := imports.ParseProjects("p.csv", strings.NewReader("source_id,title,year,lead\na,Caf\xe9,2020,gent\n"), "import")
			return err
		}, 2, "title"},
		{"population beyond an integer", func() error {
			_, _, err := imports.ParseCities("c.csv", strings.NewReader("slug,nis_code,name_nl,province,kind,population\nieper,33011,Ieper,West-Vlaanderen,municipality,9999999999\n"))
			return err
		}, 2, "population"},
		{"NaN budget", func() error {
			_, _, err := imports.ParseProjects("p.csv", strings.NewReader("source_id,title,year,lead,budget\na,A,2020,gent,NaN\n"), "import")
			return err
		}, 2, "budget"},
		{"budget beyond the column", func() error {
			_, _, err := imports.ParseProjects("p.csv", strings.NewReader("source_id,title,year,lead,eu_contribution\na,A,2020,gent,1e12\n"), "import")
			return err
		}, 2, "eu_contribution"},
		{"NUL in a keyword", func() error {
			_, _, err := imports.ParseProfiles("p.json", strings.NewReader(`[{"city":"gent","keywords_en":["a\u0000b"]}]`), imports.ProfileOptions{})
			return err
		}, 1, "keywords_en"},
		{"co-funding beyond the column", func() error {
			_, _, err := imports.ParseProfiles("p.json", strings.NewReader(`[{"city":"gent","cofunding_capacity":1e15}]`), imports.ProfileOptions{})
			return err
		}, 1, "cofunding_capacity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var re *imports.RowError
			if err := tt.parse(); !errors.As(err, &re) || re.Line != tt.wantLine || re.Column != tt.wantColumn {
				t.Fatalf("err = %v, want a RowError on line %d, column %s", err, tt.wantLine, tt.wantColumn)
			}
		})
	}
}
