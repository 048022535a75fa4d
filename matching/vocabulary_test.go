package matching

import (
	"strings"
	"testing"
)

func TestParseVocabularyRejectsBrokenRowsNamingTheLine(t *testing.T) {
	const header = "id\tdomain\tnl\ten\n"
	tests := []struct {
		name, tsv, want string
	}{
		{"wrong header", "id\tdomain\tnl\n", "line 1: header"},
		{"missing cell", header + "air-quality\tenvironment\tluchtkwaliteit\n", "line 2: 3 cells"},
		{"unknown domain", header + "air-quality\tclimate\tluchtkwaliteit\tair quality\n", `line 2: concept "air-quality": unknown domain "climate"`},
		{"empty cell", header + "air-quality\tenvironment\t\tair quality\n", "line 2: empty nl cell"},
		{"empty term", header + "air-quality\tenvironment\tluchtkwaliteit||fijnstof\tair quality\n", "line 2: concept \"air-quality\", nl: empty term"},
		{"duplicate id", header + "a\teconomy\tx\ty\na\teconomy\tz\tw\n", `line 3: duplicate id "a" (first on line 2)`},
		{"term in two concepts", header + "a\teconomy\thaven\tport\nb\teconomy\thavens\tport\n", `line 3: term "port" of "b" is also a term of "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseVocabulary(strings.NewReader(tt.tsv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseVocabulary error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEmbeddedVocabularyHasAtLeast300Concepts(t *testing.T) {
	v, err := DefaultVocabulary()
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() < 300 {
		t.Errorf("embedded vocabulary has %d concepts, want at least 300", v.Len())
	}
	for _, id := range []string{"air-quality", "shared-mobility", "digital-twin"} {
		if _, ok := v.Concept(id); !ok {
			t.Errorf("embedded vocabulary lacks %q", id)
		}
	}
}
