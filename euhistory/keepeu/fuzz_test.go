package keepeu

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fundmatch/fundmatch/euhistory"
)

// checkProject fails unless p has an id, and its partners normalised
// countries and roles.
func checkProject(t *testing.T, p Project) {
	t.Helper()
	if p.ID == "" {
		t.Fatalf("project without id: %+v", p)
	}
	for _, pt := range p.Partners {
		if euhistory.Country(pt.Country) != pt.Country {
			t.Fatalf("country %q is not normalised", pt.Country)
		}
		if hp := pt.Partner(""); (hp.Role == euhistory.RoleLead) != pt.Lead {
			t.Fatalf("lead %v became role %q", pt.Lead, hp.Role)
		}
	}
}

// FuzzDecodeJSON checks the project JSON: an error, or projects with an id;
// and the same objects read as a stream and as an array give the same
// projects. The seeds are the real array and stream.
func FuzzDecodeJSON(f *testing.F) {
	for _, name := range []string{"testdata/projects.json", "testdata/projects-stream.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{`[]`, `{}`, `{"id":1,"total_budget":"1.234,5","start_date":"31/12/2020","partnerships":[{"type":"Lead","partner":{"country":{"title":"België"}}}]}`,
		`[{"id":"x"},]`, `{"id":"x"} garbage`, `{"id":"x","eu_funding":"NaN"}`, `  `, `[{"id":{"title":"t"}}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Project
		err := DecodeJSON(bytes.NewReader(data), func(p Project) error {
			checkProject(t, p)
			got = append(got, p)
			return nil
		})
		if err != nil {
			return
		}
		// Split the input into its values, then read them the other way.
		dec := json.NewDecoder(bytes.NewReader(data))
		var values []json.RawMessage
		for {
			var v json.RawMessage
			if err := dec.Decode(&v); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("DecodeJSON read %q, which is not JSON values: %v", data, err)
			}
			values = append(values, v)
		}
		var other []byte
		if len(values) == 1 && bytes.HasPrefix(values[0], []byte("[")) {
			var items []json.RawMessage
			if err := json.Unmarshal(values[0], &items); err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				other = append(append(other, it...), '\n')
			}
		} else {
			other = append([]byte("["), bytes.Join(bytesOf(values), []byte(","))...)
			other = append(other, ']')
		}
		var again []Project
		if err := DecodeJSON(bytes.NewReader(other), func(p Project) error { again = append(again, p); return nil }); err != nil {
			if len(values) == 1 && bytes.HasPrefix(values[0], []byte("[")) && len(got) == 0 {
				return // an empty array is no stream
			}
			t.Fatalf("%q read, but not as %q: %v", data, other, err)
		}
		if diff := cmp.Diff(got, again, cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("stream and array differ (-first +second):\n%s", diff)
		}
	})
}

func bytesOf(vs []json.RawMessage) [][]byte {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// FuzzReadXLSX checks the search export: an error, or projects with an id
// whose partners are the rows that name them. The seed is the real
// projects written as an export.
func FuzzReadXLSX(f *testing.F) {
	ps := decodeFile(f, "testdata/projects.json")
	header := []string{"project_acronym", "name", "type", "country_code", "town", "postcode", "pic", "total_budget", "co_financing_eur"}
	f.Add(exportOf(f, ps, header).Bytes())
	f.Add(exportOf(f, ps[:1], []string{"Project Keep ID", "Partner name", "ROLE"}).Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadXLSX(bytes.NewReader(data), func(p Project) error {
			checkProject(t, p)
			for _, pt := range p.Partners {
				if strings.TrimSpace(pt.Name) != pt.Name {
					t.Fatalf("partner name %q is not trimmed", pt.Name)
				}
			}
			return nil
		})
	})
}
