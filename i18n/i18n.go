// Package i18n is the one catalogue of words fundmatch shows to people, in
// Dutch and English, and the one way each language writes a date and an
// amount of money. Web pages, emails and Slack messages, CLI output, API
// texts and the matching and planning explanations all take their words
// from here, so one thing has one name everywhere (the glossary is
// docs/GLOSSARY.md, checked against this catalogue by the tests).
//
// Dutch is the first language and the default; English is complete: every
// key has both texts, which the tests check.
package i18n

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Lang is a language of the interface and of messages.
type Lang string

// The languages fundmatch speaks.
const (
	NL Lang = "nl" // Dutch (Belgium), the default
	EN Lang = "en" // English
)

// Langs are the languages, Dutch first.
var Langs = []Lang{NL, EN}

// Parse returns the language for a code such as "nl" or "en"; an unknown or
// empty code gives Dutch and false.
func Parse(code string) (Lang, bool) {
	switch Lang(code) {
	case NL, EN:
		return Lang(code), true
	}
	return NL, false
}

// Text is one text in both languages.
type Text struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// In returns the text in lang, falling back to Dutch, then to English when
// one of them is empty.
func (t Text) In(lang Lang) string {
	if lang == EN && t.EN != "" || t.NL == "" {
		return t.EN
	}
	return t.NL
}

// catalogue holds every text by key; it is put together from the tables of
// each area (pages, messages, CLI, explanations) at start-up, and a key
// defined twice stops the program there.
var catalogue = join(pages, messages, cli, explanations)

func join(tables ...map[string]Text) map[string]Text {
	all := map[string]Text{}
	for _, table := range tables {
		for key, text := range table {
			if _, dup := all[key]; dup {
				panic("i18n: key " + key + " is defined twice")
			}
			all[key] = text
		}
	}
	return all
}

// Has reports whether the catalogue holds key.
func Has(key string) bool {
	_, ok := catalogue[key]
	return ok
}

// Keys returns every key of the catalogue, in no particular order.
func Keys() []string {
	keys := make([]string, 0, len(catalogue))
	for k := range catalogue {
		keys = append(keys, k)
	}
	return keys
}

// T returns the text with the given key in lang, with args filled in by
// fmt.Sprintf when there are any; an argument that is itself a Text is
// filled in in lang. A missing key is a programming error the tests catch;
// it shows as the key itself, so it is noticed.
func T(lang Lang, key string, args ...any) string {
	text, ok := catalogue[key]
	if !ok {
		return key
	}
	s := text.In(lang)
	if len(args) == 0 {
		return s
	}
	in := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(Text); ok {
			a = t.In(lang)
		}
		in[i] = a
	}
	return fmt.Sprintf(s, in...)
}

// Both returns the text with the given key in both languages, with args
// filled in; the pure packages keep the pair in their structured reasons.
func Both(key string, args ...any) Text {
	return Text{NL: T(NL, key, args...), EN: T(EN, key, args...)}
}

var monthsNL = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// Date writes a calendar date the way the language does: "31 december 2026"
// in Dutch, "31 December 2026" in English. The zero time is "onbekend" or
// "unknown". The date is read in t's own location.
func Date(lang Lang, t time.Time) string {
	if t.IsZero() {
		return T(lang, "unknown")
	}
	month := t.Month().String()
	if lang != EN {
		month = monthsNL[t.Month()-1]
	}
	return strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
}

// DateTime writes a moment with its date and 24-hour time:
// "31 december 2026 om 17:00" in Dutch, "31 December 2026 at 17:00" in
// English, in t's own location.
func DateTime(lang Lang, t time.Time) string {
	if t.IsZero() {
		return T(lang, "unknown")
	}
	return T(lang, "date_at_time", Date(lang, t), t.Format("15:04"))
}

// Money writes an amount in whole euros with thousands grouped: "€ 1.250.000"
// in Dutch (Belgium), "€1,250,000" in English. Amounts are never shortened
// ("mln"), so a page, an email and a CSV show the same figure.
func Money(lang Lang, euros float64) string {
	if lang == EN {
		return "€" + Number(lang, euros)
	}
	return "€ " + Number(lang, euros)
}

// Number writes a whole number with thousands grouped: "266.000" in Dutch,
// "266,000" in English; a fraction is rounded to the nearest unit.
func Number(lang Lang, v float64) string {
	sep := "."
	if lang == EN {
		sep = ","
	}
	n := int64(math.Round(v))
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}

// Decimal writes v with one decimal, the language's decimal mark and its
// thousands grouped: "1.234,5" in Dutch, "1,234.5" in English.
func Decimal(lang Lang, v float64) string {
	tenths := int64(math.Round(math.Abs(v) * 10))
	mark, sign := ",", ""
	if lang == EN {
		mark = "."
	}
	if v < 0 && tenths > 0 {
		sign = "-"
	}
	return sign + Number(lang, float64(tenths/10)) + mark + strconv.FormatInt(tenths%10, 10)
}

// DaysLeft says how far a deadline is: "vandaag", "nog 1 dag",
// "nog 12 dagen", "verstreken" (and "today", "1 day left", …).
func DaysLeft(lang Lang, days int) string {
	switch {
	case days < 0:
		return T(lang, "deadline_passed")
	case days == 0:
		return T(lang, "due_today")
	case days == 1:
		return T(lang, "day_left")
	}
	return T(lang, "days_left", days)
}
