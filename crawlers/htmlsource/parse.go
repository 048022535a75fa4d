package htmlsource

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// months maps Dutch and English month names and abbreviations to months.
var months = map[string]time.Month{
	"januari": 1, "january": 1, "jan": 1,
	"februari": 2, "february": 2, "feb": 2,
	"maart": 3, "march": 3, "mrt": 3, "mar": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "june": 6, "jun": 6,
	"juli": 7, "july": 7, "jul": 7,
	"augustus": 8, "august": 8, "aug": 8,
	"september": 9, "sept": 9, "sep": 9,
	"oktober": 10, "october": 10, "okt": 10, "oct": 10,
	"november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

const monthPattern = `januari|january|jan|februari|february|feb|maart|march|mrt|mar|april|apr|mei|may|juni|june|jun|juli|july|jul|augustus|august|aug|september|sept|sep|oktober|october|okt|oct|november|nov|december|dec`

// datePattern finds "29 maart 2024", "16 January 2025", "January 16, 2025",
// "16/01/2025", "16.01.2025" and "2025-01-16" in running text. Times and
// zones after a date ("om 17u", "stipt om 18:00", "12:00 CET") are ignored:
// only the date is kept.
var datePattern = regexp.MustCompile(`(?i)\b(\d{1,2})\.?\s+(` + monthPattern + `)\.?,?\s+(\d{4})\b` +
	`|\b(` + monthPattern + `)\.?\s+(\d{1,2}),?\s+(\d{4})\b` +
	`|\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b` +
	`|\b(\d{4})-(\d{2})-(\d{2})`)

// ParseDates returns every date in s, in order of appearance, as calendar
// dates at 00:00 UTC. Day-first numeric dates are read the Belgian way.
// Dates outside the years funding.SaneDate accepts ("01/01/0000") are
// left out.
func ParseDates(s string) []time.Time {
	var out []time.Time
	for _, m := range datePattern.FindAllStringSubmatch(s, -1) {
		var d, mo, y string
		var month time.Month
		switch {
		case m[1] != "":
			d, y, month = m[1], m[3], months[strings.ToLower(m[2])]
		case m[4] != "":
			d, y, month = m[5], m[6], months[strings.ToLower(m[4])]
		case m[7] != "":
			d, mo, y = m[7], m[8], m[9]
		default:
			d, mo, y = m[12], m[11], m[10]
		}
		if mo != "" {
			n, _ := strconv.Atoi(mo)
			month = time.Month(n)
		}
		day, _ := strconv.Atoi(d)
		year, _ := strconv.Atoi(y)
		t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
		if month < 1 || month > 12 || t.Day() != day {
			continue // 31/02 and the like
		}
		if !funding.SaneDate(t) {
			continue // 01/01/0000 and the like
		}
		out = append(out, t)
	}
	return out
}

// amountPattern finds a number with an optional currency before or after
// and an optional multiplier: "€ 49,5 miljoen", "69 miljoen euro",
// "€287 million", "1.000.000 euro", "EUR 2,700,000.00".
var amountPattern = regexp.MustCompile(`(?i)(€|\beur\b|\beuro\b)?\s*(\d[\d.,]*)\s*(miljard|billion|miljoen|million|mln\.?|mio\.?|m\b|duizend|thousand|k\b)?\s*(€|\beur\b|\beuro\b)?`)

var multipliers = map[string]float64{
	"miljard": 1e9, "billion": 1e9,
	"miljoen": 1e6, "million": 1e6, "mln": 1e6, "mln.": 1e6, "mio": 1e6, "mio.": 1e6, "m": 1e6,
	"duizend": 1e3, "thousand": 1e3, "k": 1e3,
}

// ParseAmount returns the first amount in euro in s. An amount with a
// currency sign or word wins over a bare number; a bare number with a
// multiplier over one without. A number funding.SaneAmount refuses (more
// than any EU budget) is no amount.
func ParseAmount(s string) (float64, bool) {
	best, bestScore := 0.0, -1
	for _, m := range amountPattern.FindAllStringSubmatch(s, -1) {
		v, ok := parseNumber(m[2])
		if !ok {
			continue
		}
		score := 0
		if mult := strings.ToLower(m[3]); mult != "" {
			v *= multipliers[mult]
			score++
		}
		if !funding.SaneAmount(v) {
			continue // no call has that much money: a mistake or not an amount
		}
		if m[1] != "" || m[4] != "" {
			score += 2
		}
		if score > bestScore {
			best, bestScore = v, score
		}
	}
	return best, bestScore >= 0
}

// parseNumber reads "49,5", "1.000.000", "2,700,000.00" and
// "12.500.000,00": with both separators the last one is the decimal mark;
// with one, it is a thousands separator when repeated or followed by
// exactly three digits, else the decimal mark.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimRight(s, ".,")
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0:
		if dot > comma {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.ReplaceAll(s, ".", "")
			s = strings.Replace(s, ",", ".", 1)
		}
	case dot >= 0 || comma >= 0:
		sep := "."
		if comma >= 0 {
			sep = ","
		}
		last := strings.LastIndex(s, sep)
		if strings.Count(s, sep) > 1 || len(s)-last-1 == 3 {
			s = strings.ReplaceAll(s, sep, "")
		} else {
			s = strings.Replace(s, sep, ".", 1)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

var percentPattern = regexp.MustCompile(`(?i)(\d{1,3}(?:[.,]\d+)?)\s*(%|procent\b|percent\b)`)

// ParsePercent returns the first percentage in s: "max. 40%" gives 40,
// "maximaal 50 procent" 50.
func ParsePercent(s string) (float64, bool) {
	m := percentPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
	if err != nil || v > 100 {
		return 0, false
	}
	return v, true
}
