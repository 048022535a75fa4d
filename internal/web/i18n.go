package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// messages holds every text of the interface, Dutch first.
var messages = map[string]map[string]string{
	"nl": {
		"title":         "fundmatch — EU-subsidies voor Vlaamse steden en gemeenten",
		"tagline":       "Vind de Europese oproepen die bij je stad passen, bouw samen consortia en mis geen deadline.",
		"cities":        "Steden en gemeenten",
		"slug":          "Code",
		"nis":           "NIS-code",
		"name":          "Naam",
		"province":      "Provincie",
		"kind":          "Soort",
		"population":    "Inwoners",
		"centre_city":   "centrumstad",
		"municipality":  "gemeente",
		"vgc":           "VGC",
		"no_cities":     "Nog geen steden geladen. Voer 'fundmatch seed' uit.",
		"not_found":     "Deze pagina bestaat niet.",
		"internal":      "Er ging iets mis. Probeer het later opnieuw.",
		"back_home":     "Terug naar het begin",
		"language":      "Taal",
		"other_lang":    "English",
		"other_code":    "en",
		"open_data":     "De oproepen zijn open data.",
		"sign_in":       "Aanmelden",
		"sign_out":      "Afmelden",
		"email":         "E-mailadres",
		"password":      "Wachtwoord",
		"login_failed":  "Dit e-mailadres en wachtwoord horen niet bij elkaar.",
		"login_limited": "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
		"login_busy":    "Er melden zich nu veel mensen aan. Probeer het over enkele seconden opnieuw.",
		"forbidden":     "Je rol geeft geen toegang tot deze pagina.",

		"link_invalid_heading": "Ongeldige link",
		"link_invalid":         "Deze link is ongeldig of onvolledig. Kopieer de volledige link uit de e-mail.",
		"unsubscribe_heading":  "Uitschrijven",
		"unsubscribe_confirm":  "Wil je geen meldingen van dit abonnement meer ontvangen?",
		"unsubscribe_button":   "Uitschrijven",
		"unsubscribed":         "Je bent uitgeschreven. Je krijgt van dit abonnement geen meldingen meer.",
		"mute_heading":         "Oproep gedempt",
		"mute_confirm":         "Wil je geen meldingen meer over deze oproep ontvangen?",
		"mute_button":          "Dempen",
		"muted":                "Je krijgt geen meldingen meer over deze oproep.",
		"mute_gone":            "Deze oproep of dit abonnement bestaat niet meer.",
	},
	"en": {
		"title":         "fundmatch — EU funding for Flemish cities and municipalities",
		"tagline":       "Find the European calls that fit your city, build joint bids, and never miss a deadline.",
		"cities":        "Cities and municipalities",
		"slug":          "Code",
		"nis":           "NIS code",
		"name":          "Name",
		"province":      "Province",
		"kind":          "Kind",
		"population":    "Population",
		"centre_city":   "centre city",
		"municipality":  "municipality",
		"vgc":           "VGC",
		"no_cities":     "No cities loaded yet. Run 'fundmatch seed'.",
		"not_found":     "This page does not exist.",
		"internal":      "Something went wrong. Please try again later.",
		"back_home":     "Back to the start",
		"language":      "Language",
		"other_lang":    "Nederlands",
		"other_code":    "nl",
		"open_data":     "The calls are open data.",
		"sign_in":       "Sign in",
		"sign_out":      "Sign out",
		"email":         "Email address",
		"password":      "Password",
		"login_failed":  "This email address and password do not match.",
		"login_limited": "Too many failed attempts. Try again in fifteen minutes.",
		"login_busy":    "Many people are signing in right now. Try again in a few seconds.",
		"forbidden":     "Your role does not give access to this page.",

		"link_invalid_heading": "Invalid link",
		"link_invalid":         "This link is invalid or incomplete. Copy the whole link from the email.",
		"unsubscribe_heading":  "Unsubscribe",
		"unsubscribe_confirm":  "Stop receiving alerts from this subscription?",
		"unsubscribe_button":   "Unsubscribe",
		"unsubscribed":         "You are unsubscribed. This subscription sends you no more alerts.",
		"mute_heading":         "Call muted",
		"mute_confirm":         "Stop receiving alerts about this call?",
		"mute_button":          "Mute",
		"muted":                "You will receive no more alerts about this call.",
		"mute_gone":            "This call or subscription no longer exists.",
	},
}

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

// translator returns the lookup of interface texts for lang; a missing key
// shows itself, so it is noticed.
func translator(lang string) func(string) string {
	m := messages[lang]
	return func(key string) string {
		if s, ok := m[key]; ok {
			return s
		}
		return key
	}
}

var funcs = template.FuncMap{
	// thousands writes 266000 as 266.000, the Belgian way.
	"thousands": thousands,
	"list":      func(v ...string) []string { return v },
	"add":       func(a, b int) int { return a + b },
	"int":       func(f float64) int { return int(f) },
	"join":      func(v []string) string { return strings.Join(v, ", ") },
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
	"date": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.Format("02/01/2006")
	},
	"money": func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	},
	"budget": func(min, max, call *float64) string {
		euro := func(v float64) string { return "€ " + thousands(int(v)) }
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

// thousands writes 266000 as 266.000, the Belgian way.
func thousands(n int) string {
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}
