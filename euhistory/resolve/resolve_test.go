package resolve

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

func mustResolver(t testing.TB, d Decisions) *Resolver {
	t.Helper()
	f, err := os.Open("testdata/municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := ReadMunicipalities(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(ms, d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// labelled is one row of testdata/labelled.csv: a participant as a source
// shows it, and what it really is (empty slug and body: not a city body).
type labelled struct {
	party      Party
	slug, body string
	note       string
}

func readLabelled(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open("testdata/labelled.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ls []labelled
	for _, r := range recs[1:] {
		ls = append(ls, labelled{
			party: Party{Name: r[0], Country: r[1], PostCode: r[2], NUTS: r[3], ActivityType: r[4]},
			slug:  r[5], body: r[6], note: r[7],
		})
	}
	return ls
}

func TestResolverPrecisionOnLabelledNames(t *testing.T) {
	r := mustResolver(t, nil)
	ls := readLabelled(t)
	if len(ls) < 80 {
		t.Fatalf("labelled list has %d names, want at least 80", len(ls))
	}
	var certain, correct, positives, found int
	for _, l := range ls {
		got := r.Resolve(l.party)
		right := got.Slug == l.slug && string(got.Body) == l.body && l.body != ""
		if l.body != "" {
			positives++
		}
		if got.Decision == Certain {
			certain++
			if right {
				correct++
				found++
			} else {
				t.Errorf("auto-accepted %q as %s/%s (%.2f), want %q/%q; evidence %q", l.party.Name, got.Slug, got.Body, got.Confidence, l.slug, l.body, got.Evidence)
			}
		} else if l.body != "" {
			t.Logf("not auto-accepted: %q -> %s %s/%s %.2f %q", l.party.Name, got.Decision, got.Slug, got.Body, got.Confidence, got.Evidence)
		}
	}
	precision := float64(correct) / float64(certain)
	recall := float64(found) / float64(positives)
	t.Logf("%d names, %d positives: %d auto-accepted, precision %.3f, recall %.3f", len(ls), positives, certain, precision, recall)
	if precision < 0.95 {
		t.Errorf("precision on auto-accepted matches = %.3f, want >= 0.95", precision)
	}
	if recall < 0.8 {
		t.Errorf("recall of auto-accepted matches = %.3f, want >= 0.8", recall)
	}
}

func TestResolveDecisions(t *testing.T) {
	r := mustResolver(t, nil)
	tests := []struct {
		name  string
		party Party
		want  Decision
		slug  string
	}{
		{"French name alone that is also a Walloon commune goes to review", Party{Name: "Commune de Saint-Nicolas", Country: "BE"}, Uncertain, "sint-niklaas"},
		{"Louvain without a code goes to review", Party{Name: "Ville de Louvain", Country: "BE"}, Uncertain, "leuven"},
		{"bare municipality name without codes goes to review", Party{Name: "Mechelen", Country: "BE"}, Uncertain, "mechelen"},
		{"marker plus unknown words goes to review", Party{Name: "Stad Gent Living Lab Zuid", Country: "BE"}, None, ""},
		{"name contradicted by postcode goes to review", Party{Name: "Stad Gent", Country: "BE", PostCode: "2000"}, Uncertain, "gent"},
		{"unknown intercommunale goes to review", Party{Name: "Intergemeentelijk Samenwerkingsverband Kempen", Country: "BE"}, Uncertain, ""},
		{"Digipolis without a location goes to review", Party{Name: "Digipolis", Country: "BE"}, Uncertain, ""},
		{"bare OCMW located by postcode goes to review", Party{Name: "OCMW", Country: "BE", PostCode: "9100"}, Uncertain, "sint-niklaas"},
		{"LAU code confirms an ambiguous name", Party{Name: "Gemeente Boom", Country: "Belgium", LAU: []string{"BE_11005"}}, Certain, "boom"},
		{"LAU code of another municipality sends a match to review", Party{Name: "Gemeente Boom", Country: "Belgium", LAU: []string{"BE_44021"}}, Uncertain, "boom"},
		{"bare name contradicted by two codes is none", Party{Name: "Boom", Country: "BE", PostCode: "2000", NUTS: "BE234"}, None, ""},
		{"short name rescues a long legal name", Party{Name: "Stadsbestuur", ShortName: "Stad Roeselare", Country: "BE", PostCode: "8800"}, Certain, "roeselare"},
		{"French name shared with a French town goes to review when the country is unknown", Party{Name: "Ville de Bruges"}, Uncertain, "brugge"},
		{"the same name in Belgium is certain", Party{Name: "Ville de Bruges", Country: "BE"}, Certain, "brugge"},
		{"empty name is none", Party{Name: "", Country: "BE"}, None, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Resolve(tt.party)
			if got.Decision != tt.want || got.Slug != tt.slug {
				t.Errorf("Resolve(%+v) = %s %q (%.2f, %q), want %s %q", tt.party, got.Decision, got.Slug, got.Confidence, got.Evidence, tt.want, tt.slug)
			}
		})
	}
}

func TestAdminDecisionsOverrideTheResolver(t *testing.T) {
	d := Decisions{
		Key("Stad Gent Living Lab Zuid"): {Slug: "gent"},
		Key("STAD ANTWERPEN"):            {Rejected: true},
		Key("PORT OF ANTWERP-BRUGES"):    {Slug: "antwerpen", Body: BodyAutonomous},
	}
	r := mustResolver(t, d)
	tests := []struct {
		name     string
		party    Party
		decision Decision
		slug     string
		body     Body
	}{
		{"confirmed name is certain", Party{Name: "stad gent - living lab zuid"}, Certain, "gent", BodyMunicipality},
		{"rejected name is none", Party{Name: "Stad Antwerpen", Country: "BE", PostCode: "2000"}, None, "", ""},
		{"confirmed body is kept", Party{Name: "Port of Antwerp-Bruges", Country: "BE"}, Certain, "antwerpen", BodyAutonomous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Resolve(tt.party)
			if got.Decision != tt.decision || got.Slug != tt.slug || got.Body != tt.body {
				t.Errorf("got %s %q %q, want %s %q %q", got.Decision, got.Slug, got.Body, tt.decision, tt.slug, tt.body)
			}
		})
	}
}

func TestKeyIgnoresCaseAccentsAndPunctuation(t *testing.T) {
	for _, name := range []string{"STAD GENT", "Stad  Gent", "stad-gent", "Stad Gent."} {
		if got := Key(name); got != "stad gent" {
			t.Errorf("Key(%q) = %q, want %q", name, got, "stad gent")
		}
	}
	if got := Key("Ville de Liège"); got != "ville de liege" {
		t.Errorf("Key(Ville de Liège) = %q", got)
	}
}

func TestReadMunicipalitiesHasTheCentreCities(t *testing.T) {
	f, err := os.Open("testdata/municipalities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := ReadMunicipalities(f)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]Municipality{}
	for _, m := range ms {
		have[m.Slug] = m
	}
	for _, slug := range strings.Fields("aalst antwerpen brugge genk gent hasselt kortrijk leuven mechelen oostende roeselare sint-niklaas turnhout vgc") {
		m, ok := have[slug]
		if !ok {
			t.Errorf("no %s", slug)
			continue
		}
		if len(m.Postcodes) == 0 || m.NUTS3 == "" || m.NIS == "" {
			t.Errorf("%s lacks postcodes, NUTS3 or NIS: %+v", slug, m)
		}
	}
	if len(ms) < 34 {
		t.Errorf("%d municipalities, want the 13 centre cities, the VGC and about 20 more", len(ms))
	}
}

// A name whose municipality mention scores nothing (a Walloon postcode
// against Leuven) still carries its key, under which an admin's verdict
// is kept.
func TestResolutionWithoutScoreKeepsTheKey(t *testing.T) {
	r := mustResolver(t, nil)
	res := r.Resolve(Party{Name: "Ville de Louvain-la-Neuve", Country: "BE", PostCode: "1348", NUTS: "BE310", ActivityType: "PUB"})
	if res.Decision != None || res.Key != Key("Ville de Louvain-la-Neuve") {
		t.Errorf("got %+v, want no decision under the key %q", res, Key("Ville de Louvain-la-Neuve"))
	}
}
