package i18n

// messages are the texts of alerts by email and Slack. The labels they share
// with the pages (score, programme, next deadline, call statuses, confirm
// and decline an invitation) are the pages' keys, so both say the same.
var messages = map[string]Text{
	"kind.new_match":         {"Nieuwe match", "New match"},
	"kind.call_changed":      {"Oproep gewijzigd", "Call changed"},
	"kind.deadline_reminder": {"Deadline nadert", "Deadline approaching"},
	"kind.invitation":        {"Uitnodiging voor een consortium", "Consortium invitation"},

	"section.new_match":         {"Nieuwe matches", "New matches"},
	"section.call_changed":      {"Wijzigingen", "Changes"},
	"section.deadline_reminder": {"Herinneringen", "Reminders"},
	"section.invitation":        {"Uitnodigingen", "Invitations"},

	"digest.daily":  {"Dagelijks overzicht", "Daily digest"},
	"digest.weekly": {"Wekelijks overzicht", "Weekly digest"},
	"digest.count":  {"meldingen", "alerts"},
	"digest.one":    {"melding", "alert"},
	"digest.more":   {"en nog %d meer op fundmatch", "and %d more on fundmatch"},
	// A grouped message of an instant subscription, and the city a message
	// is for ("Nieuwe match voor Gent").
	"digest.instant": {"Nieuwe meldingen", "New alerts"},
	"digest.for":     {"voor", "for"},

	"mail.greeting":      {"Beste", "Dear"},
	"mail.why_this_call": {"Waarom deze oproep", "Why this call"},
	"mail.view_call":     {"Bekijk de oproep", "View the call"},
	"mail.what_changed":  {"Wat is er veranderd", "What changed"},
	// Municipalities that did a project like the call, in an alert to a
	// city that did none: "Brugge deed al een gelijkaardig project: ...".
	"mail.frontrunners":  {"Wie deed dit al?", "Who did this before?"},
	"mail.frontrunner":   {"%s deed al een gelijkaardig project: %s (%s)", "%s already did a similar project: %s (%s)"},
	"budget_per_project": {"Budget per project", "Budget per project"},
	"not_stated":         {"niet vermeld", "not stated"},

	"reminder.days":     {"Je volgt deze oproep. De deadline valt over %d dagen.", "You follow this call. The deadline is in %d days."},
	"reminder.tomorrow": {"Je volgt deze oproep. De deadline valt morgen.", "You follow this call. The deadline is tomorrow."},

	"change.deadline": {"Deadline", "Deadline"},
	"change.budget":   {"Budget", "Budget"},
	"change.status":   {"Status", "Status"},

	"eligibility.eligible":   {"Je stad komt in aanmerking", "Your city is eligible"},
	"eligibility.unknown":    {"In aanmerking komen: onbekend, controleer de voorwaarden", "Eligibility unknown: check the conditions"},
	"eligibility.ineligible": {"Je stad komt niet in aanmerking", "Your city is not eligible"},

	"invite.lead":        {"Je stad wordt voorgesteld als trekker van een gezamenlijk voorstel.", "Your city is proposed as the lead of a joint bid."},
	"invite.member":      {"Je stad wordt voorgesteld als partner in een gezamenlijk voorstel.", "Your city is proposed as a partner in a joint bid."},
	"invite.coordinator": {"Er is een gezamenlijk voorstel voor steden die je coördineert.", "There is a joint bid proposal for cities you coordinate."},
	"invite.leadcity":    {"Trekker", "Lead"},
	"invite.rationale":   {"Waarom samen", "Why together"},
	// The answers match the buttons of the plan page the links open: a
	// member city confirms or declines its part, the coordinator accepts or
	// rejects the plan.
	"invite.confirm":      {"Bevestigen", "Confirm"},
	"invite.decline":      {"Afzeggen", "Decline"},
	"invite.accept":       {"Aanvaarden", "Accept"},
	"invite.reject":       {"Verwerpen", "Reject"},
	"invite.alternatives": {"Alternatieven uit dezelfde planning", "Alternatives from the same planner run"},

	"broken.subject": {"Je fundmatch-abonnement is gepauzeerd", "Your fundmatch subscription is paused"},
	"broken.what": {
		"%s weigert de berichten van je abonnement “%s” (reden: %s). Meestal is de webhook ingetrokken, het kanaal verwijderd of het adres opgeheven.",
		"%s refuses the messages of your subscription “%s” (reason: %s). Usually the webhook was revoked, the channel deleted or the address closed.",
	},
	"broken.paused": {"We hebben het abonnement gepauzeerd, zodat er geen berichten verloren gaan. Stel een nieuw kanaal of adres in om weer meldingen te krijgen.", "We paused the subscription so that no messages get lost. Set a new channel or address to receive alerts again."},
	"broken.fix":    {"Abonnement herstellen", "Fix the subscription"},

	"footer.why":         {"Je krijgt dit bericht omdat je een fundmatch-abonnement hebt.", "You receive this message because you have a fundmatch subscription."},
	"footer.unsubscribe": {"Uitschrijven", "Unsubscribe"},
	"footer.mute":        {"Geen berichten meer over deze oproep", "Stop messages about this call"},

	"test.subject": {"Testbericht van fundmatch", "Test message from fundmatch"},
	"test.body":    {"Dit is een testbericht voor je abonnement %s. Het kanaal werkt: meldingen komen hier aan.", "This is a test message for your subscription %s. The channel works: alerts arrive here."},
	"test.manage":  {"Je abonnementen beheren", "Manage your subscriptions"},

	// A moment: "31 december 2026 om 17:00".
	"date_at_time": {"%s om %s", "%s at %s"},
}
