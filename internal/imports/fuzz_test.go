package imports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fundmatch/fundmatch/internal/store"
)

// seedFiles adds the shipped seed and example files named and a few broken
// variants of the first to a corpus.
func seedFiles(f *testing.F, names ...string) {
	for i, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		if i > 0 {
			continue
		}
		f.Add(append([]byte("\ufeff"), data...))
		f.Add(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
		header, rest, _ := bytes.Cut(data, []byte("\n"))
		line, _, _ := bytes.Cut(rest, []byte("\n"))
		f.Add(append(append(bytes.Clone(header), '\n'), bytes.Replace(line, []byte(","), []byte(",\x00\xff"), 2)...))
	}
	f.Add([]byte{})
}

// checkRowError fails unless err tells the user which file and why, and
// that nothing was imported.
func checkRowError(t *testing.T, err error) {
	t.Helper()
	var re *RowError
	if !errors.As(err, &re) || re.File != "fuzz.csv" || re.Line < 0 || re.Reason == "" {
		t.Fatalf("error %v is not a RowError naming the file", err)
	}
	if !strings.HasSuffix(err.Error(), "(nothing was imported)") {
		t.Fatalf("error %q does not say that nothing was imported", err)
	}
}

// checkText fails unless every s is text PostgreSQL stores: valid UTF-8
// without NUL.
func checkText(t *testing.T, s ...string) {
	t.Helper()
	for _, v := range s {
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			t.Fatalf("%q is not text PostgreSQL stores", v)
		}
	}
}

// writeCSV writes rows as a comma-separated file.
func writeCSV(t *testing.T, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzParseCities checks a cities file: a RowError, or cities the cities
// table accepts, which come back the same when written out and read again.
func FuzzParseCities(f *testing.F) {
	seedFiles(f, "../seed/cities.csv", "../../examples/municipalities.csv")
	f.Add([]byte("slug,nis_code,name_nl,province,kind,population\nx,12345,X,Limburg,vgc,99999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cities, lines, err := ParseCities("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			checkRowError(t, err)
			return
		}
		if len(lines) != len(cities) {
			t.Fatalf("%d lines for %d cities", len(lines), len(cities))
		}
		rows := [][]string{cityColumns}
		for _, c := range cities {
			checkText(t, c.Slug, c.NISCode, c.NameNL, c.NameEN, c.NameFR, c.Province, c.Arrondissement, c.NUTS3, c.Kind)
			checkText(t, c.Postcodes...)
			if c.Population < 0 || c.Population > math.MaxInt32 {
				t.Fatalf("population %d", c.Population)
			}
			rows = append(rows, []string{c.Slug, c.NISCode, c.NameNL, c.NameEN, c.NameFR, c.Province, c.Arrondissement,
				c.NUTS3, strings.Join(c.Postcodes, "|"), strconv.Itoa(c.Population), c.Kind})
		}
		again, _, err := ParseCities("fuzz.csv", bytes.NewReader(writeCSV(t, rows)))
		if err != nil {
			t.Fatalf("cities read do not read again: %v", err)
		}
		if diff := cmp.Diff(cities, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("cities changed when written and read (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseProjects checks a projects file: a RowError, or projects the
// projects table accepts, which come back the same when written out and
// read again.
func FuzzParseProjects(f *testing.F) {
	seedFiles(f, "../seed/projects.csv", "../../examples/projects.csv")
	f.Add([]byte("source_id,title,year,lead,budget,eu_contribution\na,A,2020,gent,NaN,Inf\nb,B,2020,gent,1e20,0x1p4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		projects, _, err := ParseProjects("fuzz.csv", bytes.NewReader(data), "import")
		if err != nil {
			checkRowError(t, err)
			return
		}
		rows := [][]string{projectColumns}
		money := func(v *float64) string {
			if v == nil {
				return ""
			}
			if math.IsNaN(*v) || *v < 0 || *v > maxAmount {
				t.Fatalf("amount %v does not fit numeric(14, 2)", *v)
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		for _, p := range projects {
			if p.Year < 1990 || p.Year > 2100 || p.SourceID == "" || p.Title == "" {
				t.Fatalf("project %+v", p)
			}
			checkText(t, p.SourceID, p.Title, p.Summary, p.Programme, p.CallIdentifier, p.URL, p.Lead)
			checkText(t, p.Members...)
			var partners []string
			for _, pt := range p.Partners {
				checkText(t, pt.Name, pt.Country)
				if pt.Country != "" {
					partners = append(partners, pt.Name+" ("+pt.Country+")")
				} else {
					partners = append(partners, pt.Name)
				}
			}
			rows = append(rows, []string{p.SourceID, p.Title, p.Summary, strconv.Itoa(p.Year), p.Programme, p.CallIdentifier,
				strings.Join(p.Domains, "|"), money(p.Budget), money(p.EUContribution), p.Lead, strings.Join(p.Members, "|"),
				strings.Join(partners, "|"), p.URL})
		}
		again, _, err := ParseProjects("fuzz.csv", bytes.NewReader(writeCSV(t, rows)), "import")
		if err != nil {
			t.Fatalf("projects read do not read again: %v", err)
		}
		if diff := cmp.Diff(projects, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("projects changed when written and read (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseProfiles checks a profiles file: a RowError, or profiles the
// profiles table accepts, which come back the same when written out and
// read again.
func FuzzParseProfiles(f *testing.F) {
	seedFiles(f, "../seed/profiles.json", "../../examples/profiles.json")
	f.Add([]byte(`[{"city":"gent","keywords_nl":["a\u0000b"],"cofunding_capacity":1e300}]`))
	f.Add([]byte(`[{"city":"gent","domain_weights":{"economy":-0}},{"city":"gent"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		profiles, _, err := ParseProfiles("fuzz.csv", bytes.NewReader(data), ProfileOptions{})
		if err != nil {
			checkRowError(t, err)
			return
		}
		var files []ProfileFile
		for _, p := range profiles {
			checkText(t, p.City)
			checkText(t, p.KeywordsNL...)
			checkText(t, p.KeywordsEN...)
			if p.CoFundingCapacity < 0 || p.CoFundingCapacity > maxAmount {
				t.Fatalf("co-funding capacity %v does not fit numeric(14, 2)", p.CoFundingCapacity)
			}
			weights := map[string]float64{}
			for _, d := range store.Domains {
				w, _ := p.DomainWeights.Get(d)
				if w < 0 || w > 1 {
					t.Fatalf("weight %v", w)
				}
				weights[d] = w
			}
			files = append(files, ProfileFile{City: p.City, DomainWeights: weights, KeywordsNL: p.KeywordsNL,
				KeywordsEN: p.KeywordsEN, ExcludedProgrammes: p.ExcludedProgrammes, PreparationDays: p.PreparationDays,
				MaxConcurrentBids: &p.MaxConcurrentBids, CoFundingCapacity: &p.CoFundingCapacity})
		}
		out, err := json.Marshal(files)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			out = []byte("[]")
		}
		again, _, err := ParseProfiles("fuzz.csv", bytes.NewReader(out), ProfileOptions{})
		if err != nil {
			t.Fatalf("profiles read do not read again: %v", err)
		}
		if diff := cmp.Diff(profiles, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("profiles changed when written and read (-first +second):\n%s", diff)
		}
	})
}
