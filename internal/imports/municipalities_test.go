package imports_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/imports"
	"github.com/fundmatch/fundmatch/internal/store"
)

// shipped is the official municipalities file fundmatch seeds from.

// populationOf matches the end of a shipped row: its population, the year
// of that count and the year of the lists.
var populationOf = regexp.MustCompile(`,\d+,2026,2026$`)

func shipped(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../seed/municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// citiesRows returns every city row's xmin and values: a rewritten row gets
// a new xmin, so equal results prove nothing was written.
func citiesRows(t *testing.T, st *store.Store) []string {
	t.Helper()
	var rows []string
	if err := st.DB().Select(&rows, `SELECT concat_ws('|', xmin, id, slug, nis_code, name_nl, population) FROM cities ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

// edit applies f to every line of csv after the header, or only to the line
// starting with prefix when it is not empty.
func edit(csv, prefix string, f func(string) string) string {
	lines := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	for i := range lines {
		if i > 0 && strings.HasPrefix(lines[i], prefix) {
			lines[i] = f(lines[i])
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestImportMunicipalitiesRefusesAFileOfAnotherShapeOrYearAndChangesNothing(t *testing.T) {
	good := shipped(t)
	withoutYear := edit(good, "", func(l string) string { return l[:strings.LastIndex(l, ",")] })
	withoutYear = strings.Replace(withoutYear, ",year\n", "\n", 1)
	tests := []struct {
		name       string
		csv        string
		wantLine   int
		wantColumn string
		wantReason string
	}{
		{"the year column is missing", withoutYear, 1, "year", "required column is missing"},
		{"the cities file's shape", "slug,nis_code,name_nl,province,kind\nieper,33011,Ieper,West-Vlaanderen,municipality\n", 1, "slug", "unknown column"},
		{"a list from before the mergers", edit(good, "", func(l string) string { return strings.TrimSuffix(l, "2026") + "2024" }), 2, "year", "predates the municipal mergers"},
		{"a former municipality's code", edit(good, "46030,", func(string) string {
			return "46003,Beveren,Beveren,Oost-Vlaanderen,Sint-Niklaas,BE236,,,,2026"
		}), 248, "nis_code", "merged into 46030 Beveren-Kruibeke-Zwijndrecht"},
		{"a province that is not the code's", edit(good, "11001,", func(l string) string { return strings.Replace(l, ",Antwerpen,Antwerpen,", ",Limburg,Antwerpen,", 1) }),
			2, "province", "11001 is in Antwerpen"},
		{"a population that is not a number on the last line", edit(good, "73111,", func(l string) string { return populationOf.ReplaceAllString(l, ",veel,2026,2026") }),
			286, "population", "number of inhabitants"},
		{"a population without the year of its count", edit(good, "11001,", func(l string) string { return populationOf.ReplaceAllString(l, ",14427,,2026") }),
			2, "population_year", "year (1 January) of the population count"},
		{"a population counted after the lists", edit(good, "11001,", func(l string) string { return populationOf.ReplaceAllString(l, ",14427,2027,2026") }),
			2, "population_year", "from 1990 to 2026"},
	}
	st := seeded(t)
	before := citiesRows(t, st)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := imports.Municipalities(context.Background(), st, "refnis.csv", strings.NewReader(tt.csv))
			var re *imports.RowError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a RowError", err)
			}
			if re.Line != tt.wantLine || re.Column != tt.wantColumn || !strings.Contains(re.Reason, tt.wantReason) {
				t.Fatalf("got line %d column %q reason %q; want line %d column %q reason containing %q",
					re.Line, re.Column, re.Reason, tt.wantLine, tt.wantColumn, tt.wantReason)
			}
			if after := citiesRows(t, st); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Fatal("a refused file changed the cities")
			}
		})
	}
}

func TestImportMunicipalitiesUpdatesByNISCode(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	// A database seeded before the mergers held Beveren under its old code.
	var id int64
	if err := st.DB().Get(&id, `UPDATE cities SET nis_code = '46003' WHERE slug = 'beveren-kruibeke-zwijndrecht' RETURNING id`); err != nil {
		t.Fatal(err)
	}
	newer := edit(shipped(t), "11001,", func(l string) string { return populationOf.ReplaceAllString(l, ",14999,2026,2026") })
	res, err := imports.Municipalities(ctx, st, "refnis-2026.csv", strings.NewReader(newer))
	if err != nil || res.Rows != 285 || res.Changed != 2 {
		t.Fatalf("import = %+v, %v; want 285 rows, Aartselaar updated and Beveren renumbered", res, err)
	}
	a, err := st.CityBySlug(ctx, "aartselaar")
	if err != nil || a.Population != 14999 || len(a.Postcodes) != 1 || a.Postcodes[0] != "2630" {
		t.Fatalf("aartselaar = %+v, %v", a, err)
	}
	b, err := st.CityBySlug(ctx, "beveren-kruibeke-zwijndrecht")
	if err != nil || b.NISCode != "46030" || b.ID != id {
		t.Fatalf("beveren-kruibeke-zwijndrecht = %+v, %v; want the same city under 46030", b, err)
	}
	// Facts the file leaves empty keep what fundmatch knows.
	g, err := st.CityBySlug(ctx, "gent")
	if err != nil || g.Population == 0 || len(g.Postcodes) == 0 {
		t.Fatalf("gent lost its population or postcodes: %+v, %v", g, err)
	}
	before := citiesRows(t, st)
	res, err = imports.Municipalities(ctx, st, "refnis-2026.csv", strings.NewReader(newer))
	if err != nil || res.Changed != 0 {
		t.Fatalf("second import = %+v, %v; want nothing changed", res, err)
	}
	if after := citiesRows(t, st); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatal("the second import rewrote cities")
	}
}
