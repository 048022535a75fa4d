package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

// icalURL is the secret address of a user's iCal feed: the user id and an
// HMAC of it and of the user's iCal version under SECRET_KEY, so it works in
// calendar apps without a session, cannot be guessed, and changes when an
// operator rotates it.
func (s *Server) icalURL(u store.User) string {
	return s.cfg.BaseURL + "/ical/" + s.icalToken(u) + ".ics"
}

func (s *Server) icalToken(u store.User) string {
	id := strconv.FormatInt(u.ID, 10)
	message := "ical:" + id
	if u.ICalVersion > 0 { // version 0 keeps the URLs made before rotation existed
		message += ":" + strconv.Itoa(u.ICalVersion)
	}
	return id + "-" + auth.Sign(s.cfg.SecretKey, message)
}

// ical serves the deadlines of the calls a user's cities marked interested
// or applying, as an iCalendar feed.
func (s *Server) ical(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(r.PathValue("token"), ".ics")
	idPart, _, _ := strings.Cut(token, "-")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	u, err := s.cfg.Store.UserByID(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if err != nil || u.DisabledAt != nil || subtle.ConstantTimeCompare([]byte(token), []byte(s.icalToken(u))) != 1 {
		s.notFound(w, r)
		return
	}
	deadlines, err := s.cfg.Store.InterestedDeadlines(r.Context(), u.CityIDs, s.today())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var b strings.Builder
	line := func(format string, args ...any) { b.WriteString(icalFold(fmt.Sprintf(format, args...))) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//fundmatch//deadlines//NL")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:fundmatch")
	b.WriteString(brusselsVTimezone)
	stamp := s.now().UTC().Format("20060102T150405Z")
	for _, d := range deadlines {
		line("BEGIN:VEVENT")
		line("UID:%s-%s-%s@fundmatch", d.City, icalText(d.CallIdentifier), d.Deadline.Format("20060102"))
		line("DTSTAMP:%s", stamp)
		if d.At != nil {
			// A cut-off with a time of day is a moment in Brussels, with
			// no DTEND: the event ends when it starts (RFC 5545 §3.6.1).
			line("DTSTART;TZID=Europe/Brussels:%s", d.At.In(funding.Brussels).Format("20060102T150405"))
		} else {
			line("DTSTART;VALUE=DATE:%s", d.Deadline.Format("20060102"))
			line("DTEND;VALUE=DATE:%s", d.Deadline.AddDate(0, 0, 1).Format("20060102"))
		}
		summary := "Deadline " + d.CallIdentifier + " (" + d.City + "): " + d.Title
		line("SUMMARY:%s", icalText(summary))
		if d.URL != "" {
			line("URL:%s", icalText(d.URL))
		}
		line("DESCRIPTION:%s", icalText(s.cfg.BaseURL+"/calls/"+url.PathEscape(d.CallIdentifier)+" — "+string(d.Status)))
		// A week's notice: enough to finish a proposal, not so early it is ignored.
		line("BEGIN:VALARM")
		line("ACTION:DISPLAY")
		line("TRIGGER:-P7D")
		line("DESCRIPTION:%s", icalText(summary))
		line("END:VALARM")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	fmt.Fprint(w, b.String())
}

// icalText escapes a TEXT value (RFC 5545 §3.3.11).
func icalText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "").Replace(s)
}

// brusselsVTimezone defines the Europe/Brussels zone the timed deadlines
// refer to (RFC 5545 §3.6.5): CET, and CEST from the last Sunday of March
// to the last Sunday of October, the EU rule since 1996.
const brusselsVTimezone = "BEGIN:VTIMEZONE\r\n" +
	"TZID:Europe/Brussels\r\n" +
	"BEGIN:DAYLIGHT\r\n" +
	"TZOFFSETFROM:+0100\r\n" +
	"TZOFFSETTO:+0200\r\n" +
	"TZNAME:CEST\r\n" +
	"DTSTART:19700329T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" +
	"END:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\n" +
	"TZOFFSETFROM:+0200\r\n" +
	"TZOFFSETTO:+0100\r\n" +
	"TZNAME:CET\r\n" +
	"DTSTART:19701025T030000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
	"END:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

// icalFold ends a content line with CRLF, folding it into lines of at most
// 75 octets each (RFC 5545 §3.1): a continuation starts with one space, and
// a UTF-8 sequence is never split across lines.
func icalFold(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
