package i18n

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/GLOSSARY.md from the glossary")

// term is one entry of the Dutch glossary: a concept, the catalogue key
// that names it, and the words to avoid for it. The tests check that the
// catalogue gives the key these texts and that no Dutch text of the
// catalogue uses a word to avoid; docs/GLOSSARY.md is written from this list.
type term struct {
	Concept string   // what it is, in English
	Key     string   // the catalogue key that names it
	Avoid   []string // Dutch words that must not name it (whole words, any case)
}

// glossary is the one Dutch vocabulary of fundmatch: the same thing is
// called the same on pages, in emails and Slack, in the CLI and the API.
var glossary = []term{
	{"a city may apply", "eligible", []string{"geschikt", "subsidiabel"}},
	{"a city may not apply", "ineligible", []string{"ongeschikt"}},
	{"eligibility (a heading)", "eligibility", []string{"geschiktheid", "subsidiabiliteit"}},
	{"a funding call", "call", []string{"subsidieoproep"}},
	{"a joint bid the planner proposes", "plan", nil},
	{"the coordinator accepts a proposal", "accept", nil},
	{"the coordinator rejects a proposal", "reject", []string{"afwijzen"}},
	{"a rejected proposal", "rejected", []string{"afgewezen"}},
	{"a city confirms an invitation", "confirm", nil},
	{"a city declines an invitation", "decline", []string{"afwijzen", "weigeren"}},
	{"a declined invitation", "declined", []string{"afgewezen", "geweigerd"}},
	{"the city that leads a bid", "lead", []string{"penvoerder", "hoofdaanvrager"}},
	{"a city in a bid beside the lead", "partner", []string{"lid", "leden"}},
	{"a message about a call", "digest.one", []string{"notificatie", "notificaties"}},
	{"the last day to submit", "deadline", []string{"indiendatum"}},
	{"signing in", "sign_in", []string{"inloggen"}},
	{"addressing the reader", "you", []string{"u", "uw", "jouw"}},
}

// glossaryMarkdown is docs/GLOSSARY.md: the glossary as a table with the
// catalogue's texts, and how dates and amounts are written.
func glossaryMarkdown() string {
	var b strings.Builder
	b.WriteString("# Glossary\n\n")
	b.WriteString("The words fundmatch uses, one per concept, in Dutch (first) and English. Pages, emails, Slack,\n")
	b.WriteString("CLI output, API texts and the matching and planning explanations all take them from the one\n")
	b.WriteString("catalogue in package `i18n`. This file is generated from the glossary in `i18n/glossary_test.go`\n")
	b.WriteString("and checked by `go test ./i18n` (`go test ./i18n -run Glossary -update` rewrites it).\n\n")
	b.WriteString("| concept | key | Dutch | English | not in Dutch |\n|---|---|---|---|---|\n")
	for _, t := range glossary {
		avoid := make([]string, len(t.Avoid))
		for i, w := range t.Avoid {
			avoid[i] = "~~" + w + "~~"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", t.Concept, t.Key, T(NL, t.Key), T(EN, t.Key), strings.Join(avoid, ", "))
	}
	b.WriteString("\nDates, amounts and numbers are written one way per language (`i18n.Date`, `DateTime`, `Money`,\n")
	b.WriteString("`Number`); amounts are whole euros, never shortened to \"mln\":\n\n")
	b.WriteString("| | Dutch (Belgium) | English |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| date | %s | %s |\n", Date(NL, sampleMoment), Date(EN, sampleMoment))
	fmt.Fprintf(&b, "| moment | %s | %s |\n", DateTime(NL, sampleMoment), DateTime(EN, sampleMoment))
	fmt.Fprintf(&b, "| money | %s | %s |\n", Money(NL, 1_250_000), Money(EN, 1_250_000))
	fmt.Fprintf(&b, "| number | %s | %s |\n", Number(NL, 266_000), Number(EN, 266_000))
	fmt.Fprintf(&b, "| days left | %s | %s |\n", DaysLeft(NL, 12), DaysLeft(EN, 12))
	return b.String()
}

// sampleMoment is the date and time the glossary shows its formats with.
var sampleMoment = time.Date(2026, time.December, 31, 17, 0, 0, 0, time.UTC)

func TestGlossaryTermsAreTheCatalogueTexts(t *testing.T) {
	for _, term := range glossary {
		if !Has(term.Key) {
			t.Errorf("glossary: %s: no key %q in the catalogue", term.Concept, term.Key)
		}
		for _, w := range term.Avoid {
			if strings.Contains(strings.ToLower(T(NL, term.Key)), strings.ToLower(w)) {
				t.Errorf("glossary: %s is named %q, which it says to avoid", term.Concept, T(NL, term.Key))
			}
		}
	}
}

// TestDutchTextsUseTheGlossary forbids the words the glossary avoids in
// every Dutch text of the catalogue: one thing has one name.
func TestDutchTextsUseTheGlossary(t *testing.T) {
	checked := 0
	for _, term := range glossary {
		for _, w := range term.Avoid {
			avoid := regexp.MustCompile(`(?i)(^|[^\pL])` + regexp.QuoteMeta(w) + `($|[^\pL])`)
			for _, key := range Keys() {
				if nl := catalogue[key].NL; avoid.MatchString(nl) {
					t.Errorf("%s: %q says %q; the glossary calls %s %q", key, nl, w, term.Concept, T(NL, term.Key))
				}
				checked++
			}
		}
	}
	// The check itself: a banned word in a text is found.
	if !regexp.MustCompile(`(?i)(^|[^\pL])geschikt($|[^\pL])`).MatchString("Niet geschikt") {
		t.Fatal("the whole-word match misses a banned word")
	}
	if checked < 100 {
		t.Errorf("checked only %d texts", checked)
	}
}

func TestGlossaryDocumentIsCurrent(t *testing.T) {
	const path = "../docs/GLOSSARY.md"
	want := glossaryMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./i18n -run Glossary -update)", err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date with the catalogue; run go test ./i18n -run Glossary -update", path)
	}
}
