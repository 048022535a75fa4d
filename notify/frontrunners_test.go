package notify

import (
	"strings"
	"testing"
)

// frontRunnerAlert is a new match for a city that did no project like the
// call, naming four front-runners; the second project's title carries HTML
// and Slack markup, as an imported title may.
func frontRunnerAlert(l *Links) Alert {
	a := sampleAlerts(l)[KindNewMatch]
	a.City = "Ronse"
	a.Call.FrontRunners = []FrontRunner{
		{City: "Brugge", Project: "Mobipunten met deelfietsen", Year: 2021, Source: "Kohesio"},
		{City: "Gent", Project: `<script>alert(1)</script> <!channel> <http://evil.example|Klik> & co`, Year: 2019, Source: "City of Things"},
		{City: "Leuven", Project: "Eigen project", Year: 2023},
		{City: "Mechelen", Project: "Vierde project", Year: 2020, Source: "CORDIS"},
	}
	return a
}

func TestAnAlertNamesUpToThreeFrontRunnersInEmail(t *testing.T) {
	l := testLinks(t)
	a := frontRunnerAlert(l)
	nl, err := RenderAlert(sampleRecipient(l, Dutch), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Wie deed dit al?\n- Brugge deed al een gelijkaardig project: Mobipunten met deelfietsen (2021, Kohesio)\n",
		"- Leuven deed al een gelijkaardig project: Eigen project (2023)\n",
	} {
		if !strings.Contains(nl.Text, want) {
			t.Errorf("Dutch text lacks %q:\n%s", want, nl.Text)
		}
	}
	if !strings.Contains(nl.HTML, "<li>Brugge deed al een gelijkaardig project: Mobipunten met deelfietsen (2021, Kohesio)</li>") {
		t.Errorf("Dutch HTML lacks Brugge:\n%s", nl.HTML)
	}
	if !strings.Contains(nl.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(nl.HTML, "<script>") {
		t.Errorf("the HTML does not escape the project title:\n%s", nl.HTML)
	}
	for _, body := range []string{nl.Text, nl.HTML} {
		if strings.Contains(body, "Mechelen") {
			t.Errorf("a fourth front-runner is named:\n%s", body)
		}
	}
	en, err := RenderAlert(sampleRecipient(l, English), a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(en.Text, "Who did this before?\n- Brugge already did a similar project: Mobipunten met deelfietsen (2021, Kohesio)") {
		t.Errorf("English text lacks Brugge:\n%s", en.Text)
	}
	// An alert without front-runners says nothing of them.
	plain, _ := RenderAlert(sampleRecipient(l, Dutch), sampleAlerts(l)[KindNewMatch])
	if strings.Contains(plain.Text, "Wie deed dit al?") || strings.Contains(plain.HTML, "Wie deed dit al?") {
		t.Error("an alert without front-runners names them")
	}
}

func TestAnAlertNamesFrontRunnersInSlackEscaped(t *testing.T) {
	l := testLinks(t)
	r := sampleRecipient(l, Dutch)
	a := frontRunnerAlert(l)
	d := sampleDigest(l, r, Daily, 0)
	d.Alerts = append([]Alert{a}, d.Alerts...)
	for name, m := range map[string]SlackMessage{"alert": SlackAlert(r, a), "digest": SlackDigest(d)} {
		texts := strings.Join(slackTexts(t, m), "\n")
		if !strings.Contains(texts, "Brugge deed al een gelijkaardig project: Mobipunten met deelfietsen (2021, Kohesio)") {
			t.Errorf("%s: no front-runner named:\n%s", name, texts)
		}
		for _, bad := range []string{"<!channel>", "<http://evil", "<script>"} {
			if strings.Contains(texts, bad) {
				t.Errorf("%s: a project title reaches Slack as markup %q:\n%s", name, bad, texts)
			}
		}
	}
	texts := strings.Join(slackTexts(t, SlackAlert(r, a)), "\n")
	if !strings.Contains(texts, "*Wie deed dit al?*") || !strings.Contains(texts, "&lt;!channel&gt; &lt;http://evil.example|Klik&gt; &amp; co") ||
		strings.Contains(texts, "Mechelen") {
		t.Errorf("the alert's front-runners are not the first three, escaped:\n%s", texts)
	}
}
