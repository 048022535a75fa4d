package euhistory

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzAmount checks the sources' amounts: an amount written in either
// decimal style, grouped or not, reads back as itself, and anything else
// is an error or a number, never a panic.
func FuzzAmount(f *testing.F) {
	for i, s := range []string{"528340.97", "960619,95", "6998410,5", "1.234.567,89", "1,234,567.89", "123819.00",
		"", " ", "0", "-5", "NaN", "Inf", "1e400", "0x1p-2", "1_000", ",", ".", "1.2.3", "1,2,3"} {
		f.Add(s, uint64(i)*7654321)
	}
	f.Fuzz(func(t *testing.T, s string, cents uint64) {
		if v, err := Amount(s); err == nil && v == nil && strings.TrimSpace(s) != "" {
			t.Fatalf("Amount(%q) is nil without an error", s)
		}
		cents %= 1e14
		want := float64(cents) / 100
		whole := strconv.FormatUint(cents/100, 10)
		for _, spelt := range []string{
			fmt.Sprintf("%s.%02d", whole, cents%100), fmt.Sprintf("%s,%02d", whole, cents%100),
			group(whole, ".") + fmt.Sprintf(",%02d", cents%100), group(whole, ",") + fmt.Sprintf(".%02d", cents%100),
		} {
			v, err := Amount(spelt)
			if err != nil || v == nil || math.Abs(*v-want) > want*1e-12 {
				t.Fatalf("Amount(%q) = %v, %v, want %v", spelt, v, err, want)
			}
		}
	})
}

// group separates the thousands of digits with sep.
func group(digits, sep string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FuzzDate checks the sources' dates: a date read is a calendar date at
// 00:00 UTC and reads back the same in the other layouts.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2022-10-01", "01/10/2022", "2022-10-01 00:00:00", "2022-10-01T23:30:00+02:00", "1/2/2022",
		"", "0000-01-01", "31/02/2024", "2022-10-01T25:00:00Z", " 2022-10-01 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil || d == nil {
			return
		}
		if *d != time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) {
			t.Fatalf("Date(%q) = %v, not a calendar date", s, *d)
		}
		for _, layout := range []string{"2006-01-02", "02/01/2006", "2006-01-02 15:04:05", "2/1/2006"} {
			spelt := d.Format(layout)
			if got, err := Date(spelt); err != nil || got == nil || !got.Equal(*d) {
				t.Fatalf("Date(%q) = %v, %v, want %v", spelt, got, err, *d)
			}
		}
	})
}

// FuzzCountryAndPerson checks the country and natural-person rules: a
// country normalises once and for all, and a name a source flags as a
// person's is one whatever surrounds it.
func FuzzCountryAndPerson(f *testing.F) {
	for _, s := range []string{"EL", "uk", " Belgium ", "België", "The Netherlands", "Stad Gent", "Jan Peeters",
		"CORDOVA Trey Christian", "Carlow LEO", "natural person", "", "ſtad", "İ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Country(s)
		if again := Country(c); again != c {
			t.Fatalf("Country(%q) = %q, but Country(%q) = %q", s, c, c, again)
		}
		NaturalPerson(s)
		if !NaturalPerson(s + " (natural person)") {
			t.Fatalf("%q flagged as a natural person is not one", s)
		}
	})
}
