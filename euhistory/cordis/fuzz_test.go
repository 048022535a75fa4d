package cordis

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/euhistory"
)

// csvSeeds adds a real CORDIS file and a few broken ones to a corpus.
func csvSeeds(f *testing.F, name string) {
	data, err := os.ReadFile("testdata/csv/" + name)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	header, _, _ := bytes.Cut(data, []byte("\n"))
	f.Add(header)
	f.Add(append(bytes.Clone(header), "\n\"1\";\"\"\"X\"\";\"\"\n"...))
	f.Add(append([]byte("\ufeff"), data...))
	f.Add([]byte(strings.ReplaceAll(string(data), "\n", "\r\n")))
	f.Add([]byte{})
}

// checkText fails when the reader corrupted clean input: invalid UTF-8 or
// a NUL in a field when the file had neither.
func checkText(t *testing.T, input []byte, fields ...string) {
	t.Helper()
	if !utf8.Valid(input) || bytes.IndexByte(input, 0) >= 0 {
		return
	}
	for _, s := range fields {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 || s != strings.TrimSpace(s) {
			t.Fatalf("field %q is not clean trimmed text (the file was)", s)
		}
	}
}

func checkDate(t *testing.T, d *time.Time) {
	t.Helper()
	if d != nil && *d != time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) {
		t.Fatalf("date %v is not a calendar date", *d)
	}
}

// FuzzReadProjects checks project.csv rows: an error, or projects with
// clean text and calendar dates.
func FuzzReadProjects(f *testing.F) {
	csvSeeds(f, "project.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadProjects(bytes.NewReader(data), func(p Project) error {
			checkText(t, data, p.ID, p.Acronym, p.Status, p.Title, p.Objective, p.Topics, p.FrameworkProgramme, p.FundingScheme)
			checkDate(t, p.Start)
			checkDate(t, p.End)
			h := p.History()
			if h.Source != euhistory.SourceCORDIS || h.SourceID != p.ID {
				t.Fatalf("history of %q is %+v", p.ID, h)
			}
			return nil
		})
	})
}

// FuzzReadParticipations checks organization.csv rows: an error, or
// participations with clean text and a normalised country.
func FuzzReadParticipations(f *testing.F) {
	csvSeeds(f, "organization.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadParticipations(bytes.NewReader(data), func(pt Participation) error {
			checkText(t, data, pt.ProjectID, pt.PIC, pt.Name, pt.ShortName, pt.ActivityType, pt.Role, pt.PostCode, pt.City, pt.Country, pt.NUTSCode)
			if euhistory.Country(pt.Country) != pt.Country {
				t.Fatalf("country %q is not normalised", pt.Country)
			}
			if p := pt.Partner(""); (p.Role == euhistory.RoleLead) != (pt.Role == "coordinator") {
				t.Fatalf("role %q became %q", pt.Role, p.Role)
			}
			return nil
		})
	})
}
