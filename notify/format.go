package notify

import (
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// phrase returns the catalogue's text with the given key in lang (package
// i18n holds every word of a message). A missing key is a programming error
// that the tests catch; it renders as the key itself.
func phrase(lang Language, key string) string {
	return i18n.T(lang, key)
}

// FormatDate formats a calendar date the way the language writes it:
// "23 november 2026" in Dutch, "23 November 2026" in English, on the
// Brussels calendar. The zero time gives "unknown".
func FormatDate(lang Language, t time.Time) string {
	if t.IsZero() {
		return i18n.T(lang, "unknown")
	}
	return i18n.Date(lang, funding.Date(t))
}

// FormatEuro formats an amount in whole euros, the catalogue's one way:
// Dutch "€ 1.250.000", English "€1,250,000". Nil gives "not stated".
func FormatEuro(lang Language, amount *float64) string {
	if amount == nil {
		return phrase(lang, "not_stated")
	}
	return i18n.Money(lang, *amount)
}
