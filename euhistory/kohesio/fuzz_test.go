package kohesio

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/euhistory"
)

// FuzzRead checks an export: an error, or operations whose beneficiary is
// no natural person, with clean text, calendar dates, a normalised country
// and trimmed LAU ids, and counts that add up.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"testdata/BE-pp21-27-excerpt.csv", "testdata/IE-pp14-20-excerpt.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		header, _, _ := bytes.Cut(data, []byte("\n"))
		f.Add(header)
		f.Add(append(bytes.Clone(header), "\nx,\"a\"\"b\",\"\n\",31/02/2024\n"...))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ops := 0
		st, err := Read(bytes.NewReader(data), func(o Operation) error {
			ops++
			if euhistory.NaturalPerson(o.Beneficiary.Name) {
				t.Fatalf("natural person %q kept", o.Beneficiary.Name)
			}
			if euhistory.Country(o.Country) != o.Country {
				t.Fatalf("country %q is not normalised", o.Country)
			}
			for _, l := range append(o.LAUIDs, o.LAULabels...) {
				if l == "" || l != strings.TrimSpace(l) || strings.ContainsAny(l, ";,|") {
					t.Fatalf("LAU %q of %v", l, o.LAUIDs)
				}
			}
			for _, d := range []*time.Time{o.Start, o.End} {
				if d != nil && *d != time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) {
					t.Fatalf("date %v is not a calendar date", *d)
				}
			}
			if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
				for _, s := range []string{o.ID, o.Name, o.Summary, o.Beneficiary.Name, o.Fund, o.ProgrammeName, o.PostalCode, o.NUTS3Code} {
					if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
						t.Fatalf("field %q is not clean text (the file was)", s)
					}
				}
			}
			return nil
		})
		if err == nil && st.Rows != ops+st.NaturalPersons {
			t.Fatalf("stats %+v with %d operations", st, ops)
		}
	})
}
