package htmlsource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/funding/calltest"
)

// textSeeds are the real deadline, budget and rate texts of the fixture
// pages, and edge cases.
var textSeeds = []string{
	"31 maart 2024 om 17u", "open until Thursday, 16 January 2025 12:00 CET", "16/01/2025", "16.01.2025",
	"January 16, 2025", "2025-01-16T12:00", "1 okt. 2021", "31/02/2024 is no date", "budget 2021-2027",
	"00/00/0000", "01/01/0000", "29/02/2100", "2024-13-01", "99 januari 9999",
	"€ 49,5 miljoen", "69 miljoen euro", "EUR 2,700,000.00", "12.500.000,00 €", "1.000 euro", "€ 0",
	"999999999999999999999999 miljard euro", "1e308 euro", ",,,.", "1.2.3,4,5",
	"max. 40%", "maximaal 50 procent", "100,5%", "0%", "12.345.678,9 percent", "",
}

// FuzzParseDates checks that every date found in a text is a calendar date
// at 00:00 UTC in the sane years, and that it is found again, alone, in each
// spelling the parser reads.
func FuzzParseDates(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range ParseDates(s) {
			if !funding.SaneDate(d) || d != funding.Date(d) {
				t.Fatalf("ParseDates(%q) gave %v", s, d)
			}
			for _, layout := range []string{"2 January 2006", "January 2, 2006", "02/01/2006", "2.1.2006", time.DateOnly, "2 Jan. 2006"} {
				spelt := d.Format(layout)
				if got := ParseDates(spelt); len(got) != 1 || !got[0].Equal(d) {
					t.Fatalf("ParseDates(%q) = %v, want %v", spelt, got, d)
				}
			}
		}
	})
}

// FuzzParseAmount checks that an amount found is money a call can have,
// and that an amount written in the Belgian or the English style, with or
// without a currency, reads back as itself.
func FuzzParseAmount(f *testing.F) {
	for i, s := range textSeeds {
		f.Add(s, uint64(i)*1234567)
	}
	f.Fuzz(func(t *testing.T, s string, cents uint64) {
		if v, ok := ParseAmount(s); ok && !funding.SaneAmount(v) {
			t.Fatalf("ParseAmount(%q) = %v", s, v)
		}
		cents %= 1e14 // up to a trillion euro
		want := float64(cents) / 100
		for _, spelt := range []string{
			"€ " + grouped(cents, ".", ","), grouped(cents, ",", ".") + " EUR",
			"EUR " + strconv.FormatUint(cents/100, 10) + "." + fmt.Sprintf("%02d", cents%100),
		} {
			if got, ok := ParseAmount(spelt); !ok || math.Abs(got-want) > want*1e-12 {
				t.Fatalf("ParseAmount(%q) = %v, %v, want %v", spelt, got, ok, want)
			}
		}
	})
}

// grouped writes cents as euro with thousands separated by sep and two
// decimals after mark: 1234567 cents is "12.345,67" in the Belgian style.
func grouped(cents uint64, sep, mark string) string {
	whole := strconv.FormatUint(cents/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s%02d", b.String(), mark, cents%100)
}

// FuzzParsePercent checks that a rate found is from 0 to 100, and that a
// rate written with a comma or a point and % or "procent" reads back.
func FuzzParsePercent(f *testing.F) {
	for i, s := range textSeeds {
		f.Add(s, uint16(i*397))
	}
	f.Fuzz(func(t *testing.T, s string, hundredths uint16) {
		if v, ok := ParsePercent(s); ok && (math.IsNaN(v) || v < 0 || v > 100) {
			t.Fatalf("ParsePercent(%q) = %v", s, v)
		}
		hundredths %= 10001
		want := float64(hundredths) / 100
		plain := strconv.FormatFloat(want, 'f', -1, 64)
		for _, spelt := range []string{"max. " + plain + "%", strings.Replace(plain, ".", ",", 1) + " procent"} {
			if got, ok := ParsePercent(spelt); !ok || got != want {
				t.Fatalf("ParsePercent(%q) = %v, %v, want %v", spelt, got, ok, want)
			}
		}
	})
}

// FuzzExtract reads a page as each shipped source would, as a list page and
// as a detail page, and checks every call it yields. The seeds are the
// fixture pages of the four sources.
func FuzzExtract(f *testing.F) {
	sources, err := Sources()
	if err != nil {
		f.Fatal(err)
	}
	root := filepath.Join("testdata", "sites")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		for i, s := range sources {
			if strings.HasPrefix(rel, s.Name+string(filepath.Separator)) {
				f.Add(uint8(i), data)
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), []byte(`<html lang="NL-be"><h1>Oproep &#0;</h1><p class="deadline">29/02/2100 en 01/01/0000</p></html>`))
	f.Fuzz(func(t *testing.T, source uint8, page []byte) {
		cfg := sources[int(source)%len(sources)]
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
		if err != nil {
			return
		}
		pageURL := "https://example.org/oproepen/" + cfg.Name
		var calls []funding.Call
		keep := func(part *goquery.Selection, detail bool) {
			if c, err := cfg.extract(part, doc.Selection, pageURL, detail, now); err == nil {
				calls = append(calls, c)
			}
		}
		if cfg.Link == "" {
			doc.Find(cfg.Item).Each(func(_ int, item *goquery.Selection) { keep(item, false) })
		}
		part := doc.Selection
		if cfg.Detail != "" {
			part = doc.Find(cfg.Detail).First()
		}
		if part.Length() > 0 {
			keep(part, true)
		}
		for _, c := range calls {
			if err := calltest.Check(c, page, now); err != nil {
				t.Fatalf("%s: %v", cfg.Name, err)
			}
			if c.Source != cfg.Name || c.Kind != funding.KindCall || c.Identifier != strings.TrimSpace(c.Identifier) {
				t.Fatalf("%s: call %q from %q", cfg.Name, c.Identifier, c.Source)
			}
		}
	})
}

// FuzzParseConfig checks that a configuration accepted is valid and comes
// back the same through its JSON. The seeds are the shipped sources.
func FuzzParseConfig(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("sources", "*.json"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"name":"x","programme":"P","list_urls":["https://a.b/"],"item":"li","fields":{"title":"@title"},"funding_rate":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := ParseConfig(again)
		if err != nil {
			t.Fatalf("config %s does not read back: %v", again, err)
		}
		if diff := cmp.Diff(c, c2); diff != "" {
			t.Fatalf("config changed through JSON (-first +second):\n%s", diff)
		}
	})
}
