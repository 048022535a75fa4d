package resolve

import "testing"

// merged is a reference list as fundmatch seeds it since 2025: the merged
// municipalities under their new codes, and no entry for the former ones.
var merged = []Municipality{
	{Slug: "beveren-kruibeke-zwijndrecht", NIS: "46030", Name: "Beveren-Kruibeke-Zwijndrecht", Province: "Oost-Vlaanderen", NUTS3: "BE236"},
	{Slug: "tessenderlo-ham", NIS: "71071", Name: "Tessenderlo-Ham", Province: "Limburg", NUTS3: "BE221"},
	{Slug: "pajottegem", NIS: "23106", Name: "Pajottegem", Province: "Vlaams-Brabant", NUTS3: "BE241"},
	{Slug: "tongeren-borgloon", NIS: "73111", Name: "Tongeren-Borgloon", Province: "Limburg", NUTS3: "BE223"},
	{Slug: "antwerpen", NIS: "11002", Name: "Antwerpen", OtherNames: []string{"Anvers"}, Province: "Antwerpen", NUTS3: "BE211"},
	{Slug: "gent", NIS: "44021", Name: "Gent", Province: "Oost-Vlaanderen", NUTS3: "BE234"},
}

func TestResolveFormerMunicipalitiesLandOnTheMergedOne(t *testing.T) {
	r, err := New(merged, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		party Party
		want  Decision
		slug  string
	}{
		{"a former municipality's name with its old LAU code", Party{Name: "Gemeente Kruibeke", Country: "BE", LAU: []string{"BE_46013"}}, Certain, "beveren-kruibeke-zwijndrecht"},
		{"a former municipality of another province", Party{Name: "Gemeente Zwijndrecht", Country: "BE", NUTS: "BE211", LAU: []string{"11056"}}, Certain, "beveren-kruibeke-zwijndrecht"},
		{"a former name with a body marker in Belgium", Party{Name: "OCMW Tessenderlo", Country: "BE"}, Certain, "tessenderlo-ham"},
		{"Ham, also a place abroad, confirmed by its old code", Party{Name: "Gemeente Ham", Country: "Belgium", LAU: []string{"BE_71069"}}, Certain, "tessenderlo-ham"},
		{"Herne without a country goes to review", Party{Name: "Gemeente Herne"}, Uncertain, "pajottegem"},
		{"a French former name", Party{Name: "Ville de Tongres", Country: "BE"}, Certain, "tongeren-borgloon"},
		{"a bare body marker located by an old LAU code", Party{Name: "OCMW", Country: "BE", LAU: []string{"23024"}}, Uncertain, "pajottegem"},
		{"Borsbeek lands on Antwerpen", Party{Name: "Gemeente Borsbeek", Country: "BE", LAU: []string{"BE_11007"}}, Certain, "antwerpen"},
		{"an old code of another merger contradicts the name", Party{Name: "Gemeente Kruibeke", Country: "BE", LAU: []string{"BE_71069"}}, Uncertain, "beveren-kruibeke-zwijndrecht"},
		{"an unmerged municipality is unchanged", Party{Name: "Stad Gent", Country: "BE", LAU: []string{"44021"}}, Certain, "gent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Resolve(tt.party)
			if got.Decision != tt.want || got.Slug != tt.slug {
				t.Fatalf("Resolve(%+v) = %s %q (%.2f, %q), want %s %q", tt.party, got.Decision, got.Slug, got.Confidence, got.Evidence, tt.want, tt.slug)
			}
		})
	}
}

func TestResolveAListSeededBeforeTheMergers(t *testing.T) {
	// A database seeded before 2025 still holds Hasselt under 71022: Kortessem
	// and its code still land on Hasselt.
	r, err := New([]Municipality{{Slug: "hasselt", NIS: "71022", Name: "Hasselt", Province: "Limburg", NUTS3: "BE221"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Resolve(Party{Name: "Gemeente Kortessem", Country: "BE", LAU: []string{"BE_73040"}})
	if got.Decision != Certain || got.Slug != "hasselt" {
		t.Fatalf("Kortessem = %s %q %q, want certain hasselt", got.Decision, got.Slug, got.Evidence)
	}
}

func TestMergersNameEveryOldCodeOnce(t *testing.T) {
	seen := map[string]bool{}
	news := map[string]bool{}
	for _, m := range Mergers2025 {
		if seen[m.OldNIS] || len(m.OldNames) == 0 || len(m.OldNIS) != 5 || len(m.NewNIS) != 5 {
			t.Errorf("bad or repeated merger %+v", m)
		}
		seen[m.OldNIS] = true
		news[m.NewNIS] = true
	}
	if len(Mergers2025) != 27 || len(news) != 13 {
		t.Fatalf("%d former municipalities into %d, want 27 into 13", len(Mergers2025), len(news))
	}
	if m, ok := MergedInto("23024"); !ok || m.NewName != "Pajottegem" {
		t.Fatalf("Gooik merged into %+v", m)
	}
}

func TestAPostcodeTheListLacksNeitherConfirmsNorContradicts(t *testing.T) {
	// The seeded list has no postcodes for most municipalities yet: Kruibeke's
	// 9150 must not count against Beveren-Kruibeke-Zwijndrecht.
	r, err := New(merged, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Resolve(Party{Name: "Gemeente Kruibeke", Country: "BE", PostCode: "9150", LAU: []string{"BE_46013"}})
	if got.Decision != Certain || got.Slug != "beveren-kruibeke-zwijndrecht" {
		t.Fatalf("Kruibeke with its postcode = %s %q %.2f %q", got.Decision, got.Slug, got.Confidence, got.Evidence)
	}
	if got := r.Resolve(Party{Name: "OCMW", Country: "BE", PostCode: "9150", LAU: []string{"46013"}}); got.Slug != "beveren-kruibeke-zwijndrecht" {
		t.Fatalf("a bare OCMW with an unknown postcode and an old LAU code = %s %q", got.Decision, got.Slug)
	}
}
