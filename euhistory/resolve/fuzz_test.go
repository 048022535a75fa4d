package resolve

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzResolve checks the resolver on any participant: the answer is
// deterministic, its confidence is from 0 to 1 and agrees with its
// decision, a slug is one of the reference list's, no body goes without a
// decision, and the name key is the normalised name, stable when normalised
// again. The seeds are the labelled participants of testdata.
func FuzzResolve(f *testing.F) {
	data, err := os.ReadFile("testdata/labelled.csv")
	if err != nil {
		f.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range recs[1:] {
		f.Add(r[0], "", r[1], r[2], "", r[3], "", r[4])
	}
	f.Add("OCMW", "", "BE", "B-9000", "Gent", "BE234", "BE_44021", "PUB")
	f.Add("Digipolis", "Digipolis Antwerpen", "", "", "", "", "", "")
	f.Add("\xff\x00Stad\u00a0Gent", "Ville de Gand", "belgique", "9000 ", "GENT", "be2", "44021;BE_44021", "pub")
	r := mustResolver(f, nil)
	f.Fuzz(func(t *testing.T, name, short, country, postcode, city, nuts, lau, activity string) {
		p := Party{Name: name, ShortName: short, Country: country, PostCode: postcode, City: city, NUTS: nuts,
			LAU: strings.Split(lau, ";"), ActivityType: activity}
		res := r.Resolve(p)
		if again := r.Resolve(p); !equal(res, again) {
			t.Fatalf("Resolve(%+v) gave %+v, then %+v", p, res, again)
		}
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Fatalf("confidence %v", res.Confidence)
		}
		if want := decide(res.Confidence); res.Decision != want {
			t.Fatalf("decision %s for confidence %v, want %s: %+v", res.Decision, res.Confidence, want, res)
		}
		if res.Slug != "" {
			if _, ok := r.bySlug[res.Slug]; !ok {
				t.Fatalf("slug %q is not on the reference list", res.Slug)
			}
		}
		if res.Decision == None && (res.Slug != "" || res.Body != "" && res.Body != BodyIntercommunale) {
			t.Fatalf("no decision, but slug %q and body %q", res.Slug, res.Body)
		}
		if res.Key != Key(name) || Key(res.Key) != res.Key {
			t.Fatalf("key %q of %q is not stable", res.Key, name)
		}
		if !utf8.ValidString(res.Key) || strings.ContainsAny(res.Key, "\x00\t\n") || res.Key != strings.Join(strings.Fields(res.Key), " ") {
			t.Fatalf("key %q is not a normalised name", res.Key)
		}
	})
}

func equal(a, b Resolution) bool {
	return a.Key == b.Key && a.Slug == b.Slug && a.Body == b.Body && a.Organisation == b.Organisation &&
		slices.Equal(a.Serves, b.Serves) && a.Confidence == b.Confidence && a.Decision == b.Decision &&
		slices.Equal(a.Evidence, b.Evidence)
}

// FuzzReadMunicipalities checks the reference list reader: an error, or
// municipalities with seven fields whose lists hold trimmed entries, from
// which New builds a resolver or says why not.
func FuzzReadMunicipalities(f *testing.F) {
	data, err := os.ReadFile("testdata/municipalities.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	header, _, _ := bytes.Cut(data, []byte("\n"))
	f.Add(append(bytes.Clone(header), "\n,,,,,,\ngent,44021,Gent, Gand | Ghent ,9000|,x,BE234\ngent,1,G,,,,\n"...))
	f.Add([]byte("slug,nis\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := ReadMunicipalities(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, m := range ms {
			for _, s := range append(slices.Clone(m.OtherNames), m.Postcodes...) {
				if s != strings.TrimSpace(s) {
					t.Fatalf("list entry %q is not trimmed", s)
				}
			}
		}
		r, err := New(ms, nil)
		if err != nil {
			return
		}
		for _, m := range ms {
			r.Resolve(Party{Name: m.Name, Country: "BE", PostCode: strings.Join(m.Postcodes, ""), NUTS: m.NUTS3, LAU: []string{m.NIS}})
		}
	})
}
