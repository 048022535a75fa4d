package notify

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// phrases holds every fixed string of a message in both languages, keyed by
// an identifier the templates and the Slack renderer use.
var phrases = map[string]Text{
	"kind.new_match":         {NL: "Nieuwe match", EN: "New match"},
	"kind.call_changed":      {NL: "Oproep gewijzigd", EN: "Call changed"},
	"kind.deadline_reminder": {NL: "Deadline nadert", EN: "Deadline approaching"},
	"kind.invitation":        {NL: "Uitnodiging voor een consortium", EN: "Consortium invitation"},

	"section.new_match":         {NL: "Nieuwe matches", EN: "New matches"},
	"section.call_changed":      {NL: "Wijzigingen", EN: "Changes"},
	"section.deadline_reminder": {NL: "Herinneringen", EN: "Reminders"},
	"section.invitation":        {NL: "Uitnodigingen", EN: "Invitations"},

	"digest.daily":  {NL: "Dagelijks overzicht", EN: "Daily digest"},
	"digest.weekly": {NL: "Wekelijks overzicht", EN: "Weekly digest"},
	"digest.count":  {NL: "meldingen", EN: "alerts"},
	"digest.one":    {NL: "melding", EN: "alert"},
	"digest.more":   {NL: "en nog %d meer op fundmatch", EN: "and %d more on fundmatch"},

	// A grouped message of an instant subscription, and the city a message
	// is for ("Nieuwe match voor Gent").
	"digest.instant": {NL: "Nieuwe meldingen", EN: "New alerts"},
	"for":            {NL: "voor", EN: "for"},

	"greeting":   {NL: "Beste", EN: "Dear"},
	"score":      {NL: "Score", EN: "Score"},
	"reasons":    {NL: "Waarom deze oproep", EN: "Why this call"},
	"deadline":   {NL: "Volgende deadline", EN: "Next deadline"},
	"budget":     {NL: "Budget per project", EN: "Budget per project"},
	"programme":  {NL: "Programma", EN: "Programme"},
	"no_date":    {NL: "onbekend", EN: "unknown"},
	"no_budget":  {NL: "niet vermeld", EN: "not stated"},
	"open_call":  {NL: "Bekijk de oproep", EN: "View the call"},
	"changed":    {NL: "Wat is er veranderd", EN: "What changed"},
	"reminder":   {NL: "Je volgt deze oproep. De deadline valt over %d dagen.", EN: "You follow this call. The deadline is in %d days."},
	"reminder.1": {NL: "Je volgt deze oproep. De deadline valt morgen.", EN: "You follow this call. The deadline is tomorrow."},

	"change.deadline": {NL: "Deadline", EN: "Deadline"},
	"change.budget":   {NL: "Budget", EN: "Budget"},
	"change.status":   {NL: "Status", EN: "Status"},

	"status.open":        {NL: "open", EN: "open"},
	"status.forthcoming": {NL: "binnenkort open", EN: "forthcoming"},
	"status.closed":      {NL: "gesloten", EN: "closed"},

	"eligibility.eligible":   {NL: "Je stad komt in aanmerking", EN: "Your city is eligible"},
	"eligibility.unknown":    {NL: "In aanmerking komen: onbekend, controleer de voorwaarden", EN: "Eligibility unknown: check the conditions"},
	"eligibility.ineligible": {NL: "Je stad komt niet in aanmerking", EN: "Your city is not eligible"},

	"invite.lead":        {NL: "Je stad wordt voorgesteld als trekker van een gezamenlijk voorstel.", EN: "Your city is proposed as the lead of a joint bid."},
	"invite.member":      {NL: "Je stad wordt voorgesteld als partner in een gezamenlijk voorstel.", EN: "Your city is proposed as a partner in a joint bid."},
	"invite.coordinator": {NL: "Er is een gezamenlijk voorstel voor steden die je coördineert.", EN: "There is a joint bid proposal for cities you coordinate."},
	"invite.leadcity":    {NL: "Trekker", EN: "Lead"},
	"invite.members":     {NL: "Partners", EN: "Members"},
	"invite.rationale":   {NL: "Waarom samen", EN: "Why together"},
	// The answers match the buttons of the plan page the links open: a
	// member city confirms or declines its part, the coordinator accepts or
	// rejects the plan.
	"invite.confirm": {NL: "Bevestigen", EN: "Confirm"},
	"invite.decline": {NL: "Afzeggen", EN: "Decline"},
	"invite.accept":  {NL: "Aanvaarden", EN: "Accept"},
	"invite.reject":  {NL: "Verwerpen", EN: "Reject"},

	"invite.alternatives": {NL: "Alternatieven uit dezelfde planning", EN: "Alternatives from the same planner run"},

	"days.today": {NL: "vandaag", EN: "today"},
	"days.one":   {NL: "nog 1 dag", EN: "1 day left"},
	"days.many":  {NL: "nog %d dagen", EN: "%d days left"},
	"days.past":  {NL: "verstreken", EN: "passed"},

	"broken.subject": {NL: "Je fundmatch-abonnement is gepauzeerd", EN: "Your fundmatch subscription is paused"},
	"broken.what": {
		NL: "%s weigert de berichten van je abonnement “%s” (reden: %s). Meestal is de webhook ingetrokken, het kanaal verwijderd of het adres opgeheven.",
		EN: "%s refuses the messages of your subscription “%s” (reason: %s). Usually the webhook was revoked, the channel deleted or the address closed.",
	},
	"broken.paused": {NL: "We hebben het abonnement gepauzeerd, zodat er geen berichten verloren gaan. Stel een nieuw kanaal of adres in om weer meldingen te krijgen.", EN: "We paused the subscription so that no messages get lost. Set a new channel or address to receive alerts again."},
	"broken.fix":    {NL: "Abonnement herstellen", EN: "Fix the subscription"},

	"footer.why":         {NL: "Je krijgt dit bericht omdat je een fundmatch-abonnement hebt.", EN: "You receive this message because you have a fundmatch subscription."},
	"footer.unsubscribe": {NL: "Uitschrijven", EN: "Unsubscribe"},
	"footer.mute":        {NL: "Geen berichten meer over deze oproep", EN: "Stop messages about this call"},
}

// phrase returns the phrase with the given key in lang. A missing key is a
// programming error that the tests catch; it renders as the key itself.
func phrase(lang Language, key string) string {
	t, ok := phrases[key]
	if !ok {
		return key
	}
	return t.In(lang)
}

var monthsNL = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// FormatDate formats a calendar date the way the language writes it:
// "23 november 2026" in Dutch, "23 November 2026" in English. The zero time
// gives "unknown".
func FormatDate(lang Language, t time.Time) string {
	if t.IsZero() {
		return phrase(lang, "no_date")
	}
	t = funding.Date(t)
	month := t.Month().String()
	if lang != English {
		month = monthsNL[t.Month()-1]
	}
	return strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
}

// FormatEuro formats an amount in euro, shortened above a million: Dutch
// "€ 2,7 mln", "€ 1,2 mld", "€ 500.000"; English "€2.7M", "€1.2bn", "€500,000".
// Nil gives "not stated".
func FormatEuro(lang Language, amount *float64) string {
	if amount == nil {
		return phrase(lang, "no_budget")
	}
	v := *amount
	var num, unit string
	switch abs := math.Abs(v); {
	case abs >= 1e9:
		num, unit = oneDecimal(lang, v/1e9), pick(lang, " mld", "bn")
	case abs >= 1e6:
		num, unit = oneDecimal(lang, v/1e6), pick(lang, " mln", "M")
	default:
		num = grouped(lang, int64(math.Round(v)))
	}
	if lang == English {
		return "€" + num + unit
	}
	return "€ " + num + unit
}

// pick returns en for English and nl otherwise.
func pick(lang Language, nl, en string) string {
	if lang == English {
		return en
	}
	return nl
}

// oneDecimal writes v with one decimal, dropping a trailing zero decimal.
func oneDecimal(lang Language, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if lang != English {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// grouped writes n with thousands separators: "500.000" or "500,000".
func grouped(lang Language, n int64) string {
	sep := "."
	if lang == English {
		sep = ","
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatDaysLeft says how far a deadline is: "nog 12 dagen", "1 day left",
// "vandaag".
func formatDaysLeft(lang Language, days int) string {
	switch {
	case days < 0:
		return phrase(lang, "days.past")
	case days == 0:
		return phrase(lang, "days.today")
	case days == 1:
		return phrase(lang, "days.one")
	}
	return strings.Replace(phrase(lang, "days.many"), "%d", strconv.Itoa(days), 1)
}
