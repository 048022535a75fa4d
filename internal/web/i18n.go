package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// language picks the interface language: ?lang= (remembered in a cookie),
// then the cookie, then Dutch unless the browser prefers English.
func language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "nl" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "nl" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "nl"):
			return "nl"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "nl"
}

// translator returns the lookup of interface texts for lang, which
// templates call as {{call .T "key"}}; the texts are package i18n's
// catalogue, and a missing key shows itself, so it is noticed. A key is a
// message key or a typed value (a role, a status) whose value is its key:
// templates pass either.
func translator(lang string) func(key any) string {
	l, _ := i18n.Parse(lang)
	return func(key any) string { return i18n.T(l, fmt.Sprint(key)) }
}

// lang reads a page's language (its .Lang) for the catalogue.
func lang(code string) i18n.Lang {
	l, _ := i18n.Parse(code)
	return l
}

// The formatters take the page's language first, {{date $.Lang .Next}}:
// dates, amounts and numbers are written the one way the catalogue writes
// them in that language.
var funcs = template.FuncMap{
	// number writes 266000 as 266.000 in Dutch and 266,000 in English.
	"number": func(code string, n int) string { return i18n.Number(lang(code), float64(n)) },
	// euro writes an amount as € 1.250.000 or €1,250,000.
	"euro": func(code string, v float64) string { return i18n.Money(lang(code), v) },
	"list": func(v ...string) []string { return v },
	"add":  func(a, b int) int { return a + b },
	"int":  func(f float64) int { return int(f) },
	"join": func(v []string) string { return strings.Join(v, ", ") },
	// segment escapes an identifier from outside as one path segment, so
	// that "../../admin/users" cannot make a link leave /calls/.
	"segment": url.PathEscape,
	// loc picks the Dutch or English version of a text, falling back to
	// the other when one is missing.
	"loc": func(lang, nl, en string) string {
		if lang == "en" && en != "" || nl == "" {
			return en
		}
		return nl
	},
	// daysLeft says how far off a deadline daysLeft days away is.
	"daysLeft": func(code string, daysLeft int) string { return i18n.DaysLeft(lang(code), daysLeft) },
	// points writes a plan's value with one decimal, a comma in Dutch.
	"points": func(code string, v float64) string { return i18n.Decimal(lang(code), v) },
	// date writes a calendar date on the Brussels calendar, "31 december
	// 2026"; none is "—".
	"date": func(code string, t *time.Time) string {
		if t == nil {
			return "—"
		}
		return i18n.Date(lang(code), funding.Date(*t))
	},
	// datetime writes a moment in Brussels, "31 december 2026 om 17:00".
	"datetime": func(code string, t time.Time) string {
		return i18n.DateTime(lang(code), t.In(funding.Brussels))
	},
	"money": func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	},
	"budget": func(code string, min, max, call *float64) string {
		euro := func(v float64) string { return i18n.Money(lang(code), v) }
		switch {
		case min != nil && max != nil && *min != *max:
			return euro(*min) + " – " + euro(*max)
		case max != nil:
			return euro(*max)
		case call != nil:
			return euro(*call)
		}
		return "—"
	},
	"timeline": timelineSVG,
	"pageLink": func(path string, q url.Values, page int) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		c.Set("page", strconv.Itoa(page))
		return path + "?" + c.Encode()
	},
}
