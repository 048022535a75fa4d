// Package notify turns fundmatch events (a new match, a changed call, a
// deadline reminder, a consortium invitation) into messages people want to
// receive, and delivers them by email (SMTP) and Slack (incoming webhook or bot
// token). It renders from embedded templates in Dutch or English, signs the
// one-click unsubscribe and mute links, validates webhook URLs, and classifies
// every delivery failure so that the caller knows whether to retry, wait or
// mark a subscription broken. It holds no state: subscriptions, the delivery
// keys that make a message go out once, and the queue live elsewhere.
package notify

import (
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// Language is the language a message is written in: the catalogue's.
type Language = i18n.Lang

// The languages of fundmatch messages. Dutch is the default.
const (
	Dutch   = i18n.NL
	English = i18n.EN
)

// ParseLanguage returns the language for a code such as "nl" or "en"; an
// empty or unknown code gives Dutch, the default for Flemish officers.
func ParseLanguage(code string) Language {
	lang, _ := i18n.Parse(code)
	return lang
}

// Text is a string in both languages. Strings that reach a message (match
// reasons, a bid's rationale) are carried as Text so that every message exists
// in Dutch and in English.
type Text = i18n.Text

// Kind is the event an alert reports.
type Kind string

// The events that produce an alert.
const (
	KindNewMatch         Kind = "new_match"         // a call newly scores above the subscription's threshold
	KindCallChanged      Kind = "call_changed"      // a call marked interested or applying changed
	KindDeadlineReminder Kind = "deadline_reminder" // a deadline of a call marked interested or applying is near
	KindInvitation       Kind = "invitation"        // a consortium proposal invites the recipient
)

// kinds lists the kinds in the order a digest shows them.
var kinds = [...]Kind{KindNewMatch, KindCallChanged, KindDeadlineReminder, KindInvitation}

// Call is what a message says about a funding call: enough to judge it
// without opening the site, and a link to the call page for the rest.
type Call struct {
	Identifier  string              `json:"identifier"`
	Title       string              `json:"title"`
	Programme   string              `json:"programme"` // short code, e.g. "HORIZON"
	URL         string              `json:"url"`       // the call page on fundmatch (see Links.Call)
	Score       int                 `json:"score"`     // match score 0-100
	Reasons     []Text              `json:"reasons"`   // the top reasons for the score, best first
	Eligibility funding.Eligibility `json:"eligibility"`
	// Deadline is the next cut-off; the zero time means none is known.
	Deadline time.Time `json:"deadline"`
	// Budget is the EU contribution per grant in euro (the largest figure
	// the source gives); nil means the source does not say.
	Budget *float64 `json:"budget,omitempty"`
	// FrontRunners are municipalities that did a project like the call,
	// most similar first, named to a city that did none so that it can
	// learn from them; messages show at most MaxFrontRunners.
	FrontRunners []FrontRunner `json:"front_runners,omitempty"`
}

// FrontRunner is a municipality that did a project like a call.
type FrontRunner struct {
	City    string `json:"city"`    // e.g. "Brugge"
	Project string `json:"project"` // the past project's title
	Year    int    `json:"year"`
	// Source is where the project is known from: "City of Things",
	// "CORDIS", "Kohesio" or "keep.eu"; empty when none of those.
	Source string `json:"source,omitempty"`
}

// MaxFrontRunners is the most front-runners an alert names.
const MaxFrontRunners = 3

// ChangeField names what changed in a call.
type ChangeField string

// The changes that are reported to people who follow a call.
const (
	ChangeDeadline ChangeField = "deadline"
	ChangeBudget   ChangeField = "budget"
	ChangeStatus   ChangeField = "status"
)

// Change is one difference between two revisions of a call. Only the pair of
// fields that matches Field is used.
type Change struct {
	Field     ChangeField    `json:"field"`
	OldDate   time.Time      `json:"old_date,omitzero"`
	NewDate   time.Time      `json:"new_date,omitzero"`
	OldBudget *float64       `json:"old_budget,omitempty"`
	NewBudget *float64       `json:"new_budget,omitempty"`
	OldStatus funding.Status `json:"old_status,omitempty"`
	NewStatus funding.Status `json:"new_status,omitempty"`
}

// Role is the part the recipient of an invitation plays in a bid.
type Role string

// The roles in a consortium invitation.
const (
	RoleLead        Role = "lead"        // the recipient's city would lead the bid
	RoleMember      Role = "member"      // the recipient's city would be a partner
	RoleCoordinator Role = "coordinator" // the recipient coordinates the cities (province, VVSG, ...)
)

// Invitation is a consortium proposal as one recipient sees it.
type Invitation struct {
	Lead      string   `json:"lead"`    // the lead city
	Members   []string `json:"members"` // every city in the bid, lead included
	Role      Role     `json:"role"`
	Rationale Text     `json:"rationale"` // why these cities, and what each brings
	// AcceptURL and DeclineURL open the plan page at the buttons that say
	// yes and no: a member city's Confirm and Decline, the coordinator's
	// Accept and Reject; the links name them with the same words.
	AcceptURL  string `json:"accept_url"`
	DeclineURL string `json:"decline_url"`
	// Alternatives are the other consortia the same planner run proposes
	// for the call, best first: one invitation names them all.
	Alternatives []Consortium `json:"alternatives,omitempty"`
}

// Consortium is one proposed set of cities for a bid.
type Consortium struct {
	Lead    string   `json:"lead"`
	Members []string `json:"members"` // lead included
}

// Alert is one event about one call for one subscription.
type Alert struct {
	Kind Kind `json:"kind"`
	Call Call `json:"call"`
	// Day is the calendar date the event was detected; days left are
	// counted from it, so rendering never reads the clock.
	Day        time.Time   `json:"day"`
	Changes    []Change    `json:"changes,omitempty"`     // KindCallChanged
	DaysBefore int         `json:"days_before,omitempty"` // KindDeadlineReminder: the reminder's offset, e.g. 7
	Invitation *Invitation `json:"invitation,omitempty"`  // KindInvitation
	MuteURL    string      `json:"mute_url"`              // stops alerts about this call (see Links.Mute)
	// City is the city the event concerns, e.g. "Gent", named in the
	// alert's heading; empty for a coordinator's invitation, which names
	// its cities.
	City string `json:"city,omitempty"`
}

// DaysLeft returns the whole days from the alert's day to the call's
// deadline, and false when the call has no known deadline.
func (a Alert) DaysLeft() (int, bool) {
	if a.Call.Deadline.IsZero() {
		return 0, false
	}
	d := funding.Date(a.Call.Deadline).Sub(funding.Date(a.Day))
	return int(d.Round(24*time.Hour) / (24 * time.Hour)), true
}

// Recipient is the person or channel a message goes to.
type Recipient struct {
	Name     string   `json:"name"`
	Email    string   `json:"email,omitempty"` // empty for Slack subscriptions
	Language Language `json:"language"`
	// UnsubscribeURL is the signed one-click unsubscribe link of the
	// subscription (see Links.Unsubscribe).
	UnsubscribeURL string `json:"unsubscribe_url"`
}

// Frequency is how often a digest is sent.
type Frequency string

// The digest frequencies.
const (
	Daily  Frequency = "daily"
	Weekly Frequency = "weekly"
	// Instant groups the alerts of an instant subscription that fell due
	// together (its first sweep, a crawl with many new matches), so that a
	// burst is one message.
	Instant Frequency = "instant"
)

// Frequencies lists the digest frequencies, as a subscription stores them.
var Frequencies = []Frequency{Instant, Daily, Weekly}

// ParseFrequency reads a subscription's frequency; anything else is a
// *funding.ValueError.
func ParseFrequency(s string) (Frequency, error) {
	return funding.ParseValue("frequency", s, Frequencies)
}

// Digest groups the alerts of one subscription over a period into one message.
type Digest struct {
	Recipient Recipient `json:"recipient"`
	Frequency Frequency `json:"frequency"`
	From      time.Time `json:"from"` // first day of the period
	To        time.Time `json:"to"`   // last day of the period
	Alerts    []Alert   `json:"alerts"`
	// Cities are the cities the digest is about, named in its title.
	Cities []string `json:"cities,omitempty"`
	// MoreURL is the page that lists everything, linked when a digest is
	// too long to show in full (see MaxDigestSection).
	MoreURL string `json:"more_url,omitempty"`
}

// MaxDigestSection is the most alerts a section of an email digest shows;
// the rest are counted and linked. Officers asked for fewer, shorter
// messages; USDR's grant finder settled on about 30 per email.
const MaxDigestSection = 30

// Section is the alerts of one kind within a digest.
type Section struct {
	Kind   Kind
	Alerts []Alert
}

// Sections groups the digest's alerts by kind: new matches, changes,
// reminders, invitations, in that order, leaving out empty sections. Alerts
// keep their order within a section.
func (d Digest) Sections() []Section {
	var out []Section
	for _, k := range kinds {
		var s Section
		for _, a := range d.Alerts {
			if a.Kind == k {
				s.Alerts = append(s.Alerts, a)
			}
		}
		if len(s.Alerts) > 0 {
			s.Kind = k
			out = append(out, s)
		}
	}
	return out
}
