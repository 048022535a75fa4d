package web

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/fundmatch/fundmatch/i18n"
)

// plainNumber is what strconv may read once the marks are normalised: no
// exponents, hexadecimal, underscores, Inf or NaN.
var plainNumber = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// parseNumber reads a number as a person types it on a page in lang. In
// Dutch a comma is the decimal mark and dots group thousands (12,5 and
// 1.250.000,50); in English the other way round (12.5 and 1,250,000.50).
// The other language's mark is read as the decimal mark when it cannot be
// a thousands group, so 12.5 and 0.5 still work on a Dutch page, while
// 250.000 there is two hundred and fifty thousand. A euro sign and blanks
// (also non-breaking ones) are ignored.
func parseNumber(v, lang string) (float64, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "€")
	v = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, v)
	decimal, group := ",", "."
	if lang == "en" {
		decimal, group = ".", ","
	}
	switch {
	case strings.Contains(v, decimal) && strings.Contains(v, group):
		whole, fraction, _ := strings.Cut(v, decimal)
		if !grouped(whole, group) {
			return 0, false
		}
		v = strings.ReplaceAll(whole, group, "") + "." + fraction
	case grouped(v, group):
		v = strings.ReplaceAll(v, group, "")
	case strings.Count(v, group) == 1:
		v = strings.Replace(v, group, ".", 1)
	default:
		v = strings.Replace(v, decimal, ".", 1)
	}
	if !plainNumber.MatchString(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// grouped reports whether v is a whole number written in thousands groups
// split by mark, such as 1.250.000 (a leading zero is not a group: 0.125).
func grouped(v, mark string) bool {
	parts := strings.Split(strings.TrimPrefix(v, "-"), mark)
	if len(parts) < 2 || len(parts[0]) == 0 || len(parts[0]) > 3 || parts[0][0] == '0' {
		return false
	}
	for i, p := range parts {
		if strings.Trim(p, "0123456789") != "" || i > 0 && len(p) != 3 {
			return false
		}
	}
	return true
}

// formatNumber writes v as parseNumber reads it in lang: thousands grouped,
// at most two decimals, none when whole (250.000 and 0,5 in Dutch).
func formatNumber(v float64, lang string) string {
	decimal := ","
	if lang == "en" {
		decimal = "."
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	whole, fraction, _ := strings.Cut(strconv.FormatFloat(v, 'f', 2, 64), ".")
	fraction = strings.TrimRight(fraction, "0")
	n, _ := strconv.Atoi(whole)
	l, _ := i18n.Parse(lang)
	out := sign + i18n.Number(l, float64(n))
	if fraction != "" {
		out += decimal + fraction
	}
	return out
}
