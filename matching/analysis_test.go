package matching

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestWordsFoldsAccentsAndCase(t *testing.T) {
	got := words("Financiële steun voor ÉÉN café, CO2-reductie!")
	want := []string{"financiele", "steun", "voor", "een", "cafe", "co2", "reductie"}
	if !slices.Equal(got, want) {
		t.Errorf("words = %q, want %q", got, want)
	}
}

func TestStemmersReduceDutchAndEnglishInflections(t *testing.T) {
	st := newStemmer()
	tests := []struct {
		lang language
		a, b string
	}{
		{langNL, "wijken", "wijk"},
		{langNL, "gemeenten", "gemeente"},
		{langEN, "cities", "city"},
		{langEN, "monitoring", "monitored"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"="+tt.b, func(t *testing.T) {
			if x, y := st.stem(tt.a, tt.lang), st.stem(tt.b, tt.lang); x != y {
				t.Errorf("stem(%q) = %q, stem(%q) = %q; want equal", tt.a, x, tt.b, y)
			}
		})
	}
}

func TestSplitCompoundUsesVocabularyWords(t *testing.T) {
	v := smallVocabulary(t)
	tests := []struct {
		word string
		want []string
	}{
		{"luchtkwaliteitsmeetnet", []string{"luchtkwaliteit", "meetnet"}},
		{"fietsinfrastructuurplan", []string{"fietsinfrastructuur", "plan"}},
		{"buurtparticipatie", []string{"buurt", "participatie"}},
		{"luchtkwaliteit", nil}, // a vocabulary word itself
		{"gemeentehuis", nil},   // no known part
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := v.splitCompound(tt.word); !slices.Equal(got, tt.want) {
				t.Errorf("splitCompound(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestConceptsAreRecognisedAcrossLanguages(t *testing.T) {
	an := newAnalyser(smallVocabulary(t))
	tests := []struct {
		name, text string
		lang       language
		concept    string
	}{
		{"Dutch term", "Meer aandacht voor luchtkwaliteit in de stad", langNL, "air-quality"},
		{"English plural phrase", "Cities measure particulate matter and air pollution", langEN, "air-quality"},
		{"Dutch compound", "Een luchtkwaliteitsmeetnet in elke wijk", langNL, "air-quality"},
		{"English phrase in Dutch text", "De stad bouwt een digital twin", langNL, "digital-twin"},
		{"Dutch inflection", "De digitale tweelingen van steden", langNL, "digital-twin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := an.analyse(tt.text, tt.lang, false)
			if !slices.Contains(res.terms, conceptPrefix+tt.concept) {
				t.Errorf("analyse(%q) terms %q lack concept %q", tt.text, res.terms, tt.concept)
			}
		})
	}
}

func TestDetectLanguage(t *testing.T) {
	for text, want := range map[string]language{
		"De oproep richt zich op steden en gemeenten die een project indienen": langNL,
		"The call is open to cities and regions that submit a proposal":        langEN,
	} {
		if got := detectLanguage(words(text)); got != want {
			t.Errorf("detectLanguage(%q) = %v, want %v", strings.Fields(text)[0], got, want)
		}
	}
}

// wordsByRune is words as first written, rune by rune: the fast path for
// lower-case ASCII must split and fold exactly as it does.
func wordsByRune(text string) []string {
	out := []string{}
	var b strings.Builder
	for _, r := range text + " " {
		if r = fold(unicode.ToLower(r)); unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			continue
		}
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	return out
}

func TestWordsSplitsAsRuneByRune(t *testing.T) {
	for _, text := range []string{
		"", "   ", "plain words only", "Mixed CASE and 2030 targets", "naïve café-déjà vu",
		"ÉÉN\u00a0twee\tdrie\nvier", "bad \xff utf8\xc3", "Straße ΑΘΗΝΑ İstanbul", "x_y-z.a,b;c",
		"emoji 🚲 fiets", "ﬁnance ligature", "digits١٢٣arabic",
	} {
		if got, want := words(text), wordsByRune(text); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", text, got, want)
		}
	}
}

func FuzzWords(f *testing.F) {
	f.Add("Financiële steun voor ÉÉN café, CO2-reductie!")
	f.Add("bad \xff utf8")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := words(text), wordsByRune(text); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", text, got, want)
		}
	})
}

func TestStemmerRemembersWithoutChangingStems(t *testing.T) {
	fresh, warm := newStemmer(), newStemmer()
	for _, w := range []string{"gemeenten", "wijken", "cities", "monitoring", "gemeenten"} {
		for _, lang := range []language{langNL, langEN} {
			want := fresh.stem(w, lang)
			fresh = newStemmer()
			if got := warm.stem(w, lang); got != want {
				t.Errorf("stem(%q, %d) = %q after others, want %q", w, lang, got, want)
			}
		}
	}
	if n := len(warm.known[langNL]) + len(warm.known[langEN]); n != 8 {
		t.Errorf("the stemmer remembers %d stems, want 8", n)
	}
}
