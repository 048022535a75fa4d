package notify

import (
	"fmt"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// testSecret is a 32-byte signing secret for tests.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

func testLinks(t testing.TB) *Links {
	t.Helper()
	l, err := NewLinks("https://fundmatch.example.be/", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func euro(v float64) *float64 { return &v }

// sampleCall is a realistic Horizon Europe Cities Mission topic.
func sampleCall(l *Links) Call {
	id := "HORIZON-MISS-2026-CIT-02-03"
	return Call{
		Identifier: id,
		Title:      "Positive Energy Districts & climate-neutral neighbourhoods <pilot>",
		Programme:  "HORIZON",
		URL:        l.Call(id),
		Score:      82,
		Reasons: []Text{
			{NL: "Sluit aan bij jullie thema's energie en mobiliteit", EN: "Fits your themes energy and mobility"},
			{NL: "Lijkt op City of Things-project 'Slimme wijkbatterij' (2022)", EN: "Resembles City of Things project 'Slimme wijkbatterij' (2022)"},
			{NL: "Steden zijn uitdrukkelijk genoemd als aanvrager", EN: "Cities are named as applicants"},
		},
		Eligibility: funding.Eligible,
		Deadline:    day(2026, time.December, 16),
		Budget:      euro(2_700_000),
	}
}

// sampleAlerts returns one alert of every kind, as subscription 42 of a Gent
// officer would get them on 23 November 2026.
func sampleAlerts(l *Links) map[Kind]Alert {
	c := sampleCall(l)
	base := Alert{Call: c, Day: day(2026, time.November, 23), MuteURL: l.Mute(42, c.Identifier)}
	match := base
	match.Kind = KindNewMatch
	changed := base
	changed.Kind = KindCallChanged
	changed.Changes = []Change{
		{Field: ChangeDeadline, OldDate: day(2026, time.December, 2), NewDate: day(2026, time.December, 16)},
		{Field: ChangeBudget, OldBudget: euro(2_000_000), NewBudget: euro(2_700_000)},
		{Field: ChangeStatus, OldStatus: funding.StatusForthcoming, NewStatus: funding.StatusOpen},
	}
	reminder := base
	reminder.Kind = KindDeadlineReminder
	reminder.Day = day(2026, time.December, 9)
	reminder.DaysBefore = 7
	invite := base
	invite.Kind = KindInvitation
	invite.Invitation = &Invitation{
		Lead:    "Gent",
		Members: []string{"Gent", "Kortrijk", "Leuven"},
		Role:    RoleMember,
		Rationale: Text{
			NL: "Gent brengt zijn warmtenet in, Kortrijk en Leuven hun wijkrenovaties; samen dekken jullie de drie pilootwijken die de oproep vraagt.",
			EN: "Ghent brings its heat network, Kortrijk and Leuven their district renovations; together you cover the three pilot districts the call asks for.",
		},
		AcceptURL:  "https://fundmatch.example.be/plans/17#confirm-kortrijk",
		DeclineURL: "https://fundmatch.example.be/plans/17#decline-kortrijk",
	}
	return map[Kind]Alert{KindNewMatch: match, KindCallChanged: changed, KindDeadlineReminder: reminder, KindInvitation: invite}
}

func sampleRecipient(l *Links, lang Language) Recipient {
	return Recipient{Name: "An Peeters", Email: "an.peeters@stad.gent", Language: lang, UnsubscribeURL: l.Unsubscribe(42)}
}

// sampleDigest builds a digest of n new matches plus one alert of every
// other kind.
func sampleDigest(l *Links, r Recipient, f Frequency, n int) Digest {
	alerts := sampleAlerts(l)
	d := Digest{Recipient: r, Frequency: f, From: day(2026, time.November, 23), To: day(2026, time.November, 23)}
	if f == Weekly {
		d.From = day(2026, time.November, 17)
	}
	for i := range n {
		a := alerts[KindNewMatch]
		a.Call.Identifier = fmt.Sprintf("DIGITAL-2026-CLOUD-AI-%02d", i+1)
		a.Call.Title = fmt.Sprintf("Local digital twins for cities, topic %d", i+1)
		a.Call.Programme = "DIGITAL"
		a.Call.URL = l.Call(a.Call.Identifier)
		a.Call.Score = 90 - i
		a.Call.Budget = euro(float64(500_000 * (i + 1)))
		a.MuteURL = l.Mute(42, a.Call.Identifier)
		d.Alerts = append(d.Alerts, a)
	}
	d.Alerts = append(d.Alerts, alerts[KindInvitation], alerts[KindDeadlineReminder], alerts[KindCallChanged])
	return d
}
