package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testsmtp"
)

// slackTexts is every mrkdwn or fallback text of a message, as Slack
// would parse it.
func slackTexts(t *testing.T, m SlackMessage) []string {
	t.Helper()
	out := []string{m.Text}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				out = append(out, v["text"].(string))
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var blocks any
	if err := json.Unmarshal(slackJSON(t, SlackMessage{Blocks: m.Blocks}), &blocks); err != nil {
		t.Fatal(err)
	}
	walk(blocks)
	return out
}

// TestSlackTextCannotNotifyOrDisguiseLinks: a crawled title (or URL) with
// Slack's control sequences reaches neither the fallback text nor the
// blocks as a mention or a link.
func TestSlackTextCannotNotifyOrDisguiseLinks(t *testing.T) {
	l := testLinks(t)
	r := sampleRecipient(l, English)
	a := sampleAlerts(l)[KindNewMatch]
	a.Call.Title = "<!channel> urgent: <http://evil.example|Ghent portal> & <@U123>"
	a.Call.URL = "https://ec.europa.eu/x?a=1|<!here>"
	d := sampleDigest(l, r, Daily, 0)
	d.Alerts = append(d.Alerts, a)
	for name, m := range map[string]SlackMessage{"alert": SlackAlert(r, a), "digest": SlackDigest(d)} {
		for _, text := range slackTexts(t, m) {
			for _, bad := range []string{"<!channel>", "<!here>", "<http://evil", "<@U123>", "|<"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s: text %q contains %q", name, text, bad)
				}
			}
		}
	}
	if m := SlackAlert(r, a); !strings.Contains(m.Text, "&lt;!channel&gt;") {
		t.Errorf("fallback text %q does not show the title escaped", m.Text)
	}
}

// TestEmailSubjectCannotInjectHeaders: a line break in a crawled title
// neither ends the Subject header nor adds a recipient.
func TestEmailSubjectCannotInjectHeaders(t *testing.T) {
	sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
	m := testMailer(t, sink, sink.Password(), 0)
	l := testLinks(t)
	a := sampleAlerts(l)[KindNewMatch]
	a.Call.Title = "Pilots\r\nBcc: victim@example.org\r\n\r\nforged body"
	e, err := RenderAlert(sampleRecipient(l, Dutch), a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		t.Errorf("rendered subject %q has a line break", e.Subject)
	}
	e.Subject += "\nX-Injected: yes" // and the mailer cleans what it is given
	if err := m.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 1 || len(got[0].To) != 1 {
		t.Fatalf("received %+v, want one message to one recipient", got)
	}
	p := parseMail(t, got[0].Data)
	if p.header.Get("Bcc") != "" || p.header.Get("X-Injected") != "" {
		t.Errorf("headers were injected: %v", p.header)
	}
	if !strings.Contains(p.subject, "Bcc: victim@example.org forged body") {
		t.Errorf("subject %q, want the title on one line", p.subject)
	}
}

// TestCallLinksEscapeTheIdentifier: an identifier is one path segment, so
// "../../admin/users" cannot make a link point at another page.
func TestCallLinksEscapeTheIdentifier(t *testing.T) {
	l := testLinks(t)
	for id, want := range map[string]string{
		"HORIZON-CL5-2027-D4-01": "https://fundmatch.example.be/calls/HORIZON-CL5-2027-D4-01",
		"../../admin/users":      "https://fundmatch.example.be/calls/..%2F..%2Fadmin%2Fusers",
		"a b?c#d":                "https://fundmatch.example.be/calls/a%20b%3Fc%23d",
	} {
		if got := l.Call(id); got != want {
			t.Errorf("Call(%q) = %q, want %q", id, got, want)
		}
	}
}
