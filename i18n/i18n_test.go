package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestEveryKeyHasDutchAndEnglish(t *testing.T) {
	keys := Keys()
	if len(keys) < 300 {
		t.Fatalf("the catalogue has only %d keys; the tables were not joined", len(keys))
	}
	for _, key := range keys {
		text := catalogue[key]
		if text.NL == "" || text.EN == "" {
			t.Errorf("%q lacks a text: %+v", key, text)
		}
	}
}

// TestBothLanguagesTakeTheSameArguments keeps T's arguments meaningful in
// both languages: the same verbs, in either order when indexed.
func TestBothLanguagesTakeTheSameArguments(t *testing.T) {
	verb := regexp.MustCompile(`%(\[\d\])?[-+# 0-9.]*[a-zA-Z%]`)
	verbs := func(s string) []string {
		var v []string
		for _, m := range verb.FindAllString(s, -1) {
			v = append(v, regexp.MustCompile(`\[\d\]`).ReplaceAllString(m, ""))
		}
		slices.Sort(v)
		return v
	}
	for _, key := range Keys() {
		text := catalogue[key]
		if nl, en := verbs(text.NL), verbs(text.EN); !slices.Equal(nl, en) {
			t.Errorf("%q: Dutch takes %v, English %v", key, nl, en)
		}
	}
}

func TestTFillsArgumentsAndTextsInTheLanguage(t *testing.T) {
	tests := []struct {
		name string
		lang Lang
		key  string
		args []any
		want string
	}{
		{"plain", NL, "eligible", nil, "komt in aanmerking"},
		{"english", EN, "eligible", nil, "eligible"},
		{"a number", NL, "days_left", []any{12}, "nog 12 dagen"},
		{"a Text argument in dutch", NL, "rule.max_cities", []any{Count(6)}, "niet meer dan zes Vlaamse steden"},
		{"a Text argument in english", EN, "rule.max_cities", []any{Count(6)}, "no more than six Flemish cities"},
		{"indexed arguments in another order", EN, "explain.project", []any{"Meetnet", 2022, "COT"}, `Resembles your 2022 project "Meetnet" (COT).`},
		{"a missing key shows itself", EN, "no.such_key", nil, "no.such_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
				t.Errorf("T(%s, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
			}
		})
	}
	if got := Both("reason.population_min", 50000, 12000); got.NL == got.EN || got.NL == "" {
		t.Errorf("Both gave %+v", got)
	}
}

func TestFormatsPerLanguage(t *testing.T) {
	at := time.Date(2026, time.December, 31, 17, 5, 0, 0, time.UTC)
	tests := []struct {
		name   string
		format func(Lang) string
		nl, en string
	}{
		{"date", func(l Lang) string { return Date(l, at) }, "31 december 2026", "31 December 2026"},
		{"march", func(l Lang) string { return Date(l, time.Date(2027, time.March, 1, 0, 0, 0, 0, time.UTC)) }, "1 maart 2027", "1 March 2027"},
		{"no date", func(l Lang) string { return Date(l, time.Time{}) }, "onbekend", "unknown"},
		{"moment", func(l Lang) string { return DateTime(l, at) }, "31 december 2026 om 17:05", "31 December 2026 at 17:05"},
		{"millions in full", func(l Lang) string { return Money(l, 1_250_000) }, "€ 1.250.000", "€1,250,000"},
		{"cents rounded", func(l Lang) string { return Money(l, 12_345.6) }, "€ 12.346", "€12,346"},
		{"small amount", func(l Lang) string { return Money(l, 950) }, "€ 950", "€950"},
		{"negative", func(l Lang) string { return Money(l, -1_500) }, "€ -1.500", "€-1,500"},
		{"number", func(l Lang) string { return Number(l, 266_000) }, "266.000", "266,000"},
		{"decimal", func(l Lang) string { return Decimal(l, 1234.56) }, "1.234,6", "1,234.6"},
		{"negative decimal", func(l Lang) string { return Decimal(l, -0.25) }, "-0,3", "-0.3"},
		{"today", func(l Lang) string { return DaysLeft(l, 0) }, "vandaag", "today"},
		{"one day", func(l Lang) string { return DaysLeft(l, 1) }, "nog 1 dag", "1 day left"},
		{"days", func(l Lang) string { return DaysLeft(l, 12) }, "nog 12 dagen", "12 days left"},
		{"passed", func(l Lang) string { return DaysLeft(l, -3) }, "deadline voorbij", "deadline passed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.format(NL); got != tt.nl {
				t.Errorf("Dutch %q, want %q", got, tt.nl)
			}
			if got := tt.format(EN); got != tt.en {
				t.Errorf("English %q, want %q", got, tt.en)
			}
		})
	}
}

func TestCountWritesSmallNumbersInWords(t *testing.T) {
	for n, want := range map[int]string{1: "een/one", 2: "twee/two", 8: "acht/eight", 12: "12/12"} {
		c := Count(n)
		if got := fmt.Sprintf("%s/%s", c.NL, c.EN); got != want {
			t.Errorf("Count(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestParseDefaultsToDutch(t *testing.T) {
	for code, want := range map[string]Lang{"nl": NL, "en": EN, "": NL, "fr": NL} {
		if got, _ := Parse(code); got != want {
			t.Errorf("Parse(%q) = %s, want %s", code, got, want)
		}
	}
	if _, ok := Parse("fr"); ok {
		t.Error(`Parse("fr") reports a known language`)
	}
}
