package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

//go:embed templates
var templateFS embed.FS

// The templates are parsed once and never modified, so they are safe to share.
var (
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl"))
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl"))
)

// Email is a rendered email, ready for a Mailer.
type Email struct {
	To      string
	Subject string
	Text    string // the plain-text part
	HTML    string // the HTML part
	// UnsubscribeURL goes into the List-Unsubscribe header.
	UnsubscribeURL string
	// Key identifies the delivery (subscription, call, event, revision). The
	// Message-ID is derived from it, so a retried delivery keeps its
	// Message-ID. Empty gives a random Message-ID.
	Key string
}

// emailView is what the email templates see: every string already in the
// recipient's language.
type emailView struct {
	Lang           Language
	Title          string
	Greeting       string
	Digest         bool
	Sections       []sectionView
	UnsubscribeURL string
	MuteURL        string // only for a single alert
	L              *labels
	// Paragraphs and Action make a notice: plain text and one button.
	Paragraphs []string
	Action     *actionView
}

type actionView struct {
	URL, Label string
}

// labels are the fixed words of the email templates in one language. They
// are fields rather than a lookup method because templates call methods
// through reflection, which is slow when 1,500 digests go out at once.
type labels struct {
	Score, Reasons, Deadline, Budget, OpenCall, Changed string
	Lead, Members, Rationale                            string
	Why, Unsubscribe, Mute                              string
	Alternatives, FrontRunners                          string
}

func newLabels(lang Language) *labels {
	return &labels{
		Score: phrase(lang, "score"), Reasons: phrase(lang, "mail.why_this_call"), Deadline: phrase(lang, "next_deadline"),
		Budget: phrase(lang, "budget_per_project"), OpenCall: phrase(lang, "mail.view_call"), Changed: phrase(lang, "mail.what_changed"),
		Lead: phrase(lang, "invite.leadcity"), Members: phrase(lang, "members"),
		Rationale: phrase(lang, "invite.rationale"), Alternatives: phrase(lang, "invite.alternatives"), Why: phrase(lang, "footer.why"),
		FrontRunners: phrase(lang, "mail.frontrunners"),
		Unsubscribe:  phrase(lang, "footer.unsubscribe"), Mute: phrase(lang, "footer.mute"),
	}
}

// labelSets is built once and only read.
var labelSets = map[Language]*labels{Dutch: newLabels(Dutch), English: newLabels(English)}

func labelsFor(lang Language) *labels {
	if l, ok := labelSets[lang]; ok {
		return l
	}
	return labelSets[Dutch]
}

type sectionView struct {
	Title   string
	Alerts  []alertView
	More    string // "en nog 12 meer op fundmatch", when the section was cut
	MoreURL string
}

// alertView is one alert with its values formatted; the email templates and
// the Slack renderer share it.
type alertView struct {
	Lang    Language
	L       *labels
	Kind    Kind
	Label   string
	Call    Call
	Score   string
	Reasons []string
	// FrontRunners are sentences such as "Brugge deed al een gelijkaardig
	// project: Mobipunten (2021, Kohesio)".
	FrontRunners []string
	Eligibility  string
	Deadline     string
	DaysLeft     string
	Budget       string
	Changes      []changeView
	Reminder     string
	Invitation   *invitationView
	MuteURL      string
	City         string
}

type changeView struct {
	Label, Old, New string
}

type invitationView struct {
	Intro      string
	Lead       string
	Members    string
	Rationale  string
	AcceptURL  string
	DeclineURL string
	// AcceptLabel and DeclineLabel are the words of the plan page's buttons
	// the two links lead to (see answerLabels).
	AcceptLabel, DeclineLabel string
	// Alternatives are the run's other consortia, one line each, e.g.
	// "Trekker: Gent · Partners: Antwerpen, Gent".
	Alternatives []string
}

func newAlertView(lang Language, a Alert) alertView {
	v := alertView{
		Lang:        lang,
		L:           labelsFor(lang),
		Kind:        a.Kind,
		Label:       kindLabel(lang, a),
		City:        a.City,
		Call:        a.Call,
		Score:       strconv.Itoa(a.Call.Score) + "/100",
		Eligibility: phrase(lang, "eligibility."+string(eligibilityOrUnknown(a.Call.Eligibility))),
		Deadline:    FormatDate(lang, a.Call.Deadline),
		Budget:      FormatEuro(lang, a.Call.Budget),
		MuteURL:     a.MuteURL,
	}
	for _, r := range a.Call.Reasons {
		v.Reasons = append(v.Reasons, r.In(lang))
	}
	for _, f := range a.Call.FrontRunners[:min(len(a.Call.FrontRunners), MaxFrontRunners)] {
		when := strconv.Itoa(f.Year)
		if f.Source != "" {
			when += ", " + f.Source
		}
		v.FrontRunners = append(v.FrontRunners, fmt.Sprintf(phrase(lang, "mail.frontrunner"), f.City, f.Project, when))
	}
	if days, ok := a.DaysLeft(); ok {
		v.DaysLeft = i18n.DaysLeft(lang, days)
	}
	for _, c := range a.Changes {
		v.Changes = append(v.Changes, newChangeView(lang, c))
	}
	if a.Kind == KindDeadlineReminder {
		if a.DaysBefore == 1 {
			v.Reminder = phrase(lang, "reminder.tomorrow")
		} else {
			v.Reminder = i18n.T(lang, "reminder.days", a.DaysBefore)
		}
	}
	if inv := a.Invitation; inv != nil {
		v.Invitation = &invitationView{
			Intro:      phrase(lang, "invite."+string(inv.Role)),
			Lead:       inv.Lead,
			Members:    strings.Join(inv.Members, ", "),
			Rationale:  inv.Rationale.In(lang),
			AcceptURL:  inv.AcceptURL,
			DeclineURL: inv.DeclineURL,
		}
		v.Invitation.AcceptLabel, v.Invitation.DeclineLabel = answerLabels(lang, inv.Role)
		for _, c := range inv.Alternatives {
			v.Invitation.Alternatives = append(v.Invitation.Alternatives,
				phrase(lang, "invite.leadcity")+": "+c.Lead+" · "+phrase(lang, "members")+": "+strings.Join(c.Members, ", "))
		}
	}
	return v
}

// answerLabels are the words of an invitation's two links, those of the
// plan page's buttons they lead to: a member city confirms or declines its
// part, the coordinator accepts or rejects the plan.
func answerLabels(lang Language, role Role) (yes, no string) {
	if role == RoleCoordinator {
		return phrase(lang, "invite.accept"), phrase(lang, "invite.reject")
	}
	return phrase(lang, "invite.confirm"), phrase(lang, "invite.decline")
}

func eligibilityOrUnknown(e funding.Eligibility) funding.Eligibility {
	switch e {
	case funding.Eligible, funding.Ineligible:
		return e
	}
	return funding.EligibilityUnknown
}

func newChangeView(lang Language, c Change) changeView {
	v := changeView{Label: phrase(lang, "change."+string(c.Field))}
	switch c.Field {
	case ChangeDeadline:
		v.Old, v.New = FormatDate(lang, c.OldDate), FormatDate(lang, c.NewDate)
	case ChangeBudget:
		v.Old, v.New = FormatEuro(lang, c.OldBudget), FormatEuro(lang, c.NewBudget)
	case ChangeStatus:
		v.Old, v.New = phrase(lang, string(c.OldStatus)), phrase(lang, string(c.NewStatus))
	}
	return v
}

// kindLabel names the alert's event and, when it has one, its city, e.g.
// "Nieuwe match voor Gent".
func kindLabel(lang Language, a Alert) string {
	label := phrase(lang, "kind."+string(a.Kind))
	if a.City != "" {
		label += " " + phrase(lang, "digest.for") + " " + a.City
	}
	return label
}

// alertSubject is the subject line of a single alert, e.g.
// "Nieuwe match voor Gent (82/100): Smart mobility for cities".
func alertSubject(lang Language, a Alert) string {
	label := kindLabel(lang, a)
	switch a.Kind {
	case KindNewMatch:
		return fmt.Sprintf("%s (%d/100): %s", label, a.Call.Score, a.Call.Title)
	case KindDeadlineReminder:
		if days, ok := a.DaysLeft(); ok {
			return fmt.Sprintf("%s (%s): %s", label, i18n.DaysLeft(lang, days), a.Call.Title)
		}
	}
	return label + ": " + a.Call.Title
}

// digestTitle is the subject line of a digest, e.g.
// "Dagelijks overzicht voor Gent: 12 meldingen (23 november 2026)".
func digestTitle(d Digest) string {
	lang := d.Recipient.Language
	noun := phrase(lang, "digest.count")
	if len(d.Alerts) == 1 {
		noun = phrase(lang, "digest.one")
	}
	period := FormatDate(lang, d.To)
	if d.Frequency == Weekly {
		period = FormatDate(lang, d.From) + " – " + period
	}
	title := phrase(lang, "digest."+string(d.Frequency))
	if len(d.Cities) > 0 {
		title += " " + phrase(lang, "digest.for") + " " + strings.Join(d.Cities, ", ")
	}
	return fmt.Sprintf("%s: %d %s (%s)", title, len(d.Alerts), noun, period)
}

// RenderAlert renders a single alert as an email to r.
func RenderAlert(r Recipient, a Alert) (Email, error) {
	lang := r.Language
	av := newAlertView(lang, a)
	av.MuteURL = "" // the footer carries it
	v := emailView{
		Lang:           lang,
		Title:          alertSubject(lang, a),
		Greeting:       greeting(r),
		L:              labelsFor(lang),
		Sections:       []sectionView{{Alerts: []alertView{av}}},
		UnsubscribeURL: r.UnsubscribeURL,
		MuteURL:        a.MuteURL,
	}
	return render(r, v)
}

// RenderDigest renders a digest as an email to its recipient. A digest
// without alerts renders, but should not be sent: fewer messages is the point.
func RenderDigest(d Digest) (Email, error) {
	lang := d.Recipient.Language
	v := emailView{
		Lang:           lang,
		Title:          digestTitle(d),
		Greeting:       greeting(d.Recipient),
		L:              labelsFor(lang),
		Digest:         true,
		UnsubscribeURL: d.Recipient.UnsubscribeURL,
	}
	for _, s := range d.Sections() {
		sv := sectionView{Title: phrase(lang, "section."+string(s.Kind))}
		for _, a := range s.Alerts[:min(len(s.Alerts), MaxDigestSection)] {
			sv.Alerts = append(sv.Alerts, newAlertView(lang, a))
		}
		if left := len(s.Alerts) - len(sv.Alerts); left > 0 {
			sv.More, sv.MoreURL = i18n.T(lang, "digest.more", left), d.MoreURL
		}
		v.Sections = append(v.Sections, sv)
	}
	return render(d.Recipient, v)
}

func greeting(r Recipient) string {
	if r.Name == "" {
		return ""
	}
	return phrase(r.Language, "mail.greeting") + " " + r.Name + ","
}

func render(r Recipient, v emailView) (Email, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, "email.txt.tmpl", v); err != nil {
		return Email{}, fmt.Errorf("render text email: %w", err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, "email.html.tmpl", v); err != nil {
		return Email{}, fmt.Errorf("render html email: %w", err)
	}
	return Email{
		To:             r.Email,
		Subject:        headerText(v.Title),
		Text:           text.String(),
		HTML:           html.String(),
		UnsubscribeURL: r.UnsubscribeURL,
	}, nil
}

// BrokenSubscription is the notice to a subscription's owner that its
// channel refuses messages (a Permanent DeliveryError), so the subscription
// was paused.
type BrokenSubscription struct {
	Owner        Recipient // gets the notice by email
	Subscription string    // how the owner knows it, e.g. "Gent, Slack #subsidies"
	Channel      string    // "Slack" or "e-mail"
	Reason       string    // DeliveryError.Reason, e.g. "no_service"
	SettingsURL  string    // the subscription's page on fundmatch
}

// RenderBrokenSubscription renders the notice that a subscription was paused
// because its channel refuses messages.
func RenderBrokenSubscription(b BrokenSubscription) (Email, error) {
	lang := b.Owner.Language
	v := emailView{
		Lang:     lang,
		Title:    phrase(lang, "broken.subject"),
		Greeting: greeting(b.Owner),
		L:        labelsFor(lang),
		Paragraphs: []string{
			i18n.T(lang, "broken.what", b.Channel, b.Subscription, b.Reason),
			phrase(lang, "broken.paused"),
		},
		Action: &actionView{URL: b.SettingsURL, Label: phrase(lang, "broken.fix")},
	}
	return render(b.Owner, v)
}
