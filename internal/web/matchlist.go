package web

import (
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// matchRow is one line of a city's matches list: what an officer scans
// for (the band, a one-line why, the themes, how soon the deadline is);
// the whole explanation is on the call page.
type matchRow struct {
	store.CityMatch
	Band           string // strong, partial, weak or none: the CSS class
	BandNL, BandEN string
	Why            Why
	Themes         []string // the call's words for the themes it covers
	DaysLeft       int      // to the next deadline; meaningless without one
	Urgency        string   // urgent (< 14 days), soon (< 45 days) or ""
}

// Why is a one-line reason in both languages.
type Why struct{ NL, EN string }

// maxThemes is how many theme chips a row shows.
const maxThemes = 4

// Days before a deadline from which the list colours it.
const (
	urgentDays = 14
	soonDays   = 45
)

// matchRows makes the list's rows of a page of matches; today counts the
// days left.
func matchRows(matches []store.CityMatch, today time.Time) []matchRow {
	rows := make([]matchRow, 0, len(matches))
	for _, m := range matches {
		r := matchRow{CityMatch: m}
		r.BandNL, r.BandEN = matching.Band(m.Score)
		switch {
		case m.Score >= matching.BandStrong:
			r.Band = "strong"
		case m.Score >= matching.BandPartial:
			r.Band = "partial"
		case m.Score >= matching.BandWeak:
			r.Band = "weak"
		default:
			r.Band = "none"
		}
		r.Why.NL, r.Why.EN = summaryOf(m.Explanation)
		for _, reason := range m.Reasons.List() {
			if reason.Code != matching.ReasonTheme {
				continue
			}
			words := reason.CallWords
			if len(words) == 0 {
				words = reason.ProfileWords
			}
			for _, w := range words {
				if len(r.Themes) < maxThemes && !containsFold(r.Themes, w) {
					r.Themes = append(r.Themes, w)
				}
			}
		}
		if m.NextDeadline != nil {
			r.DaysLeft = daysUntil(*m.NextDeadline, today)
			r.Urgency = urgency(r.DaysLeft)
		}
		rows = append(rows, r)
	}
	return rows
}

// summaryOf is the one line a list shows of an explanation: its summary,
// or for a match explained before summaries existed, the first sentence of
// its texts.
func summaryOf(e store.MatchExplanation) (nl, en string) {
	if e.SummaryNL == "" && e.SummaryEN == "" {
		return firstSentence(e.NL), firstSentence(e.EN)
	}
	return e.SummaryNL, e.SummaryEN
}

// firstSentence is the text up to its first full stop or line break, at
// most 200 bytes (cut at a space).
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\n"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	if len(s) > 200 {
		cut := strings.LastIndex(s[:200], " ")
		if cut < 0 {
			cut = 200
			for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
				cut--
			}
		}
		s = s[:cut] + " …"
	}
	return s
}

func containsFold(list []string, v string) bool {
	for _, w := range list {
		if strings.EqualFold(w, v) {
			return true
		}
	}
	return false
}
