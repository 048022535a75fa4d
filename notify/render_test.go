package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

func slackJSON(t *testing.T, m SlackMessage) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"text": m.Text, "blocks": m.Blocks}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRenderedAlertsMatchGoldenFiles(t *testing.T) {
	l := testLinks(t)
	for kind, a := range sampleAlerts(l) {
		for _, lang := range []Language{Dutch, English} {
			t.Run(string(kind)+"/"+string(lang), func(t *testing.T) {
				r := sampleRecipient(l, lang)
				e, err := RenderAlert(r, a)
				if err != nil {
					t.Fatal(err)
				}
				name := string(kind) + "." + string(lang)
				golden(t, name+".txt", []byte("Subject: "+e.Subject+"\n\n"+e.Text))
				golden(t, name+".html", []byte(e.HTML))
				golden(t, name+".slack.json", slackJSON(t, SlackAlert(r, a)))
			})
		}
	}
}

func TestRenderedDigestsMatchGoldenFiles(t *testing.T) {
	l := testLinks(t)
	for _, f := range []Frequency{Daily, Weekly} {
		for _, lang := range []Language{Dutch, English} {
			t.Run(string(f)+"/"+string(lang), func(t *testing.T) {
				d := sampleDigest(l, sampleRecipient(l, lang), f, 3)
				e, err := RenderDigest(d)
				if err != nil {
					t.Fatal(err)
				}
				name := "digest-" + string(f) + "." + string(lang)
				golden(t, name+".txt", []byte("Subject: "+e.Subject+"\n\n"+e.Text))
				golden(t, name+".html", []byte(e.HTML))
				golden(t, name+".slack.json", slackJSON(t, SlackDigest(d)))
			})
		}
	}
}

func TestRenderedBrokenSubscriptionNoticesMatchGoldenFiles(t *testing.T) {
	for _, lang := range []Language{Dutch, English} {
		t.Run(string(lang), func(t *testing.T) {
			e, err := RenderBrokenSubscription(BrokenSubscription{
				Owner:        Recipient{Name: "An Peeters", Email: "an.peeters@stad.gent", Language: lang},
				Subscription: "Gent, Slack #subsidies",
				Channel:      "Slack",
				Reason:       "no_service",
				SettingsURL:  "https://fundmatch.example.be/subscriptions/42",
			})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "broken."+string(lang)+".txt", []byte("Subject: "+e.Subject+"\n\n"+e.Text))
			golden(t, "broken."+string(lang)+".html", []byte(e.HTML))
		})
	}
}

func TestEmailCarriesCallLinkAndFooterLinks(t *testing.T) {
	l := testLinks(t)
	a := sampleAlerts(l)[KindNewMatch]
	r := sampleRecipient(l, Dutch)
	e, err := RenderAlert(r, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, body string }{{"text", e.Text}, {"html", e.HTML}} {
		for _, link := range []string{a.Call.URL, r.UnsubscribeURL, a.MuteURL} {
			// html/template escapes & in attribute values; the links have none.
			if !strings.Contains(part.body, link) {
				t.Errorf("%s part lacks link %s", part.name, link)
			}
		}
	}
	if e.UnsubscribeURL != r.UnsubscribeURL || e.To != r.Email {
		t.Errorf("envelope = %q, %q; want %q, %q", e.To, e.UnsubscribeURL, r.Email, r.UnsubscribeURL)
	}
}

// TestInvitationLinksSayWhatThePageButtonsSay: a member city's invitation
// offers to confirm or decline its part, the coordinator's to accept or
// reject the plan, in the words of the plan page's buttons, in the email and
// on the Slack buttons.
func TestInvitationLinksSayWhatThePageButtonsSay(t *testing.T) {
	l := testLinks(t)
	for _, tc := range []struct {
		role    Role
		lang    Language
		yes, no string
	}{
		{RoleMember, Dutch, "Bevestigen", "Afzeggen"},
		{RoleLead, English, "Confirm", "Decline"},
		{RoleCoordinator, Dutch, "Aanvaarden", "Verwerpen"},
		{RoleCoordinator, English, "Accept", "Reject"},
	} {
		a := sampleAlerts(l)[KindInvitation]
		inv := *a.Invitation
		inv.Role = tc.role
		a.Invitation = &inv
		e, err := RenderAlert(sampleRecipient(l, tc.lang), a)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{tc.yes + ": " + inv.AcceptURL, tc.no + ": " + inv.DeclineURL} {
			if !strings.Contains(e.Text, line) {
				t.Errorf("%s %s invitation lacks the line %q:\n%s", tc.lang, tc.role, line, e.Text)
			}
		}
		for _, anchor := range []string{">" + tc.yes + "</a>", ">" + tc.no + "</a>"} {
			if !strings.Contains(e.HTML, anchor) {
				t.Errorf("%s %s invitation's HTML lacks %q", tc.lang, tc.role, anchor)
			}
		}
		blocks := slackJSON(t, SlackAlert(sampleRecipient(l, tc.lang), a))
		if !strings.Contains(string(blocks), `"text": "`+tc.yes+`"`) || !strings.Contains(string(blocks), `"text": "`+tc.no+`"`) {
			t.Errorf("%s %s invitation's Slack buttons do not say %q and %q: %s", tc.lang, tc.role, tc.yes, tc.no, blocks)
		}
	}
}

func TestUntrustedTextIsEscapedInHTMLAndSlack(t *testing.T) {
	l := testLinks(t)
	a := sampleAlerts(l)[KindNewMatch]
	a.Call.Title = `<script>alert(1)</script> & <b>bold</b>`
	r := sampleRecipient(l, English)
	e, err := RenderAlert(r, a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.HTML, "<script>") || strings.Contains(e.HTML, "<b>bold") {
		t.Errorf("HTML body contains the title unescaped:\n%s", e.HTML)
	}
	js := string(slackJSON(t, SlackAlert(r, a)))
	// The header is plain text (no escaping needed); mrkdwn fields must be escaped.
	d := sampleDigest(l, r, Daily, 0)
	d.Alerts = append(d.Alerts, a)
	digest := string(slackJSON(t, SlackDigest(d)))
	if !strings.Contains(digest, `&lt;script&gt;`) || strings.Contains(digest, `|<script>`) {
		t.Errorf("Slack digest does not escape the title for mrkdwn:\n%s", digest)
	}
	if !strings.Contains(js, `"type": "plain_text"`) {
		t.Errorf("Slack alert header is not plain text:\n%s", js)
	}
}

func TestSlackDigestStaysWithinBlockLimit(t *testing.T) {
	l := testLinks(t)
	for _, n := range []int{0, 20, 45, 46, 100} {
		d := sampleDigest(l, sampleRecipient(l, Dutch), Daily, n)
		m := SlackDigest(d)
		if len(m.Blocks) > maxBlocks {
			t.Errorf("%d matches: %d blocks, Slack allows %d", n, len(m.Blocks), maxBlocks)
		}
		shown := strings.Count(string(slackJSON(t, m)), "*<https://fundmatch.example.be/calls/")
		more := len(d.Alerts) - shown
		js := string(slackJSON(t, m))
		if more > 0 && !strings.Contains(js, "en nog "+strconv.Itoa(more)+" meer") {
			t.Errorf("%d alerts, %d shown: no line counting the %d left out", len(d.Alerts), shown, more)
		}
		if more == 0 && strings.Contains(js, "en nog ") {
			t.Errorf("%d alerts all shown, yet a 'more' line", len(d.Alerts))
		}
	}
}

func TestDigestSectionsFollowKindOrder(t *testing.T) {
	l := testLinks(t)
	d := sampleDigest(l, sampleRecipient(l, Dutch), Daily, 2)
	var got []Kind
	var counts []int
	for _, s := range d.Sections() {
		got = append(got, s.Kind)
		counts = append(counts, len(s.Alerts))
	}
	want := []Kind{KindNewMatch, KindCallChanged, KindDeadlineReminder, KindInvitation}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("section order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 1, 1, 1}, counts); diff != "" {
		t.Errorf("section sizes (-want +got):\n%s", diff)
	}
}

// TestEveryPhraseExistsInBothLanguages checks that every key the templates
// and the code ask for is in the catalogue (package i18n checks that each
// has both texts).
func TestEveryPhraseExistsInBothLanguages(t *testing.T) {
	var used []string
	for _, name := range []string{"slackmsg.go", "render.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`phrase\([a-zA-Z.]+, "([^"]+)"\)`).FindAllSubmatch(b, -1) {
			used = append(used, string(m[1]))
		}
	}
	for _, k := range kinds {
		used = append(used, "kind."+string(k), "section."+string(k))
	}
	for _, e := range []funding.Eligibility{funding.Eligible, funding.EligibilityUnknown, funding.Ineligible} {
		used = append(used, "eligibility."+string(e))
	}
	for _, r := range []Role{RoleLead, RoleMember, RoleCoordinator} {
		used = append(used, "invite."+string(r))
	}
	for _, f := range []ChangeField{ChangeDeadline, ChangeBudget, ChangeStatus} {
		used = append(used, "change."+string(f))
	}
	used = append(used, "open", "forthcoming", "closed") // the call statuses, the pages' words
	for _, f := range []Frequency{Daily, Weekly} {
		used = append(used, "digest."+string(f))
	}
	for _, k := range used {
		if !i18n.Has(k) {
			t.Errorf("phrase %q is used but not defined", k)
		}
	}
	if len(used) < 30 {
		t.Errorf("found only %d phrase uses; the template scan is broken", len(used))
	}
}

func TestEligibilityIsNeverShownAsMetUnlessItIs(t *testing.T) {
	l := testLinks(t)
	tests := []struct {
		name string
		in   funding.Eligibility
		want string
	}{
		{"eligible", funding.Eligible, "Je stad komt in aanmerking"},
		{"unknown", funding.EligibilityUnknown, "In aanmerking komen: onbekend, controleer de voorwaarden"},
		{"empty is unknown", "", "In aanmerking komen: onbekend, controleer de voorwaarden"},
		{"not eligible", funding.Ineligible, "Je stad komt niet in aanmerking"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sampleAlerts(l)[KindNewMatch]
			a.Call.Eligibility = tt.in
			e, err := RenderAlert(sampleRecipient(l, Dutch), a)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.Text, "\n"+tt.want+"\n") || !strings.Contains(e.HTML, ">"+tt.want+"<") {
				t.Errorf("email does not say %q", tt.want)
			}
			if tt.in != funding.Eligible && strings.Contains(e.Text, "Je stad komt in aanmerking") {
				t.Error("email claims the city is eligible")
			}
		})
	}
}

func TestSlackTextsStayWithinSlackLimits(t *testing.T) {
	l := testLinks(t)
	a := sampleAlerts(l)[KindInvitation]
	a.Call.Title = strings.Repeat("Climate-neutral and smart cities ", 10)
	a.Invitation.Rationale = Text{NL: strings.Repeat("Gent en Leuven delen een warmtenet. ", 200)}
	m := SlackAlert(sampleRecipient(l, Dutch), a)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if text, ok := v["text"].(string); ok {
				limit := maxText
				if v["type"] == "plain_text" {
					limit = maxHeaderText
				}
				if n := len([]rune(text)); n > limit {
					t.Errorf("%s text of %d characters, limit %d", v["type"], n, limit)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	var blocks any
	if err := json.Unmarshal(slackJSON(t, m), &blocks); err != nil {
		t.Fatal(err)
	}
	walk(blocks)
	if !strings.Contains(string(slackJSON(t, m)), "…") {
		t.Error("nothing was truncated; the test does not exercise the limits")
	}
}

// TestDigestSurvivesJSON proves a digest can travel as a queue payload and
// render the same on the other side.
func TestDigestSurvivesJSON(t *testing.T) {
	l := testLinks(t)
	d := sampleDigest(l, sampleRecipient(l, English), Weekly, 2)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Digest
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("digest changed through JSON (-before +after):\n%s", diff)
	}
	before, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	after, err := RenderDigest(back)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("the digest renders differently after a JSON round trip")
	}
}

func TestLongDigestSectionsAreCutAndLinked(t *testing.T) {
	l := testLinks(t)
	d := sampleDigest(l, sampleRecipient(l, Dutch), Weekly, MaxDigestSection+5)
	d.MoreURL = "https://fundmatch.example.be/cities/gent/matches"
	e, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, body string }{{"text", e.Text}, {"html", e.HTML}} {
		if n := strings.Count(part.body, "Local digital twins for cities, topic "); n != MaxDigestSection {
			t.Errorf("%s part shows %d new matches, want %d", part.name, n, MaxDigestSection)
		}
		if !strings.Contains(part.body, "en nog 5 meer op fundmatch") || !strings.Contains(part.body, d.MoreURL) {
			t.Errorf("%s part does not count and link the 5 matches left out", part.name)
		}
	}
	// The other sections are short and shown in full.
	if !strings.Contains(e.Text, "Uitnodiging voor een consortium: ") || !strings.Contains(e.Text, "Deadline nadert: ") {
		t.Error("the short sections lost their alerts")
	}
}

func TestAlertsAndGroupedMessagesNameTheCity(t *testing.T) {
	l := testLinks(t)
	a := sampleAlerts(l)[KindNewMatch]
	a.City = "Sint-Niklaas"
	for _, lang := range []Language{Dutch, English} {
		t.Run(string(lang), func(t *testing.T) {
			r := sampleRecipient(l, lang)
			e, err := RenderAlert(r, a)
			if err != nil {
				t.Fatal(err)
			}
			label := map[Language]string{Dutch: "Nieuwe match voor Sint-Niklaas", English: "New match for Sint-Niklaas"}[lang]
			if !strings.HasPrefix(e.Subject, label+" (") || !strings.Contains(e.Text, label+": ") || !strings.Contains(e.HTML, label) {
				t.Errorf("alert does not name the city as %q: subject %q", label, e.Subject)
			}
			if s := SlackAlert(r, a); !strings.Contains(string(slackJSON(t, s)), label) {
				t.Errorf("Slack alert does not name the city as %q", label)
			}

			d := sampleDigest(l, r, Instant, 3)
			for i := range d.Alerts {
				d.Alerts[i].City = "Sint-Niklaas"
			}
			d.Cities = []string{"Sint-Niklaas"}
			e, err = RenderDigest(d)
			if err != nil {
				t.Fatal(err)
			}
			n := strconv.Itoa(len(d.Alerts))
			title := map[Language]string{Dutch: "Nieuwe meldingen voor Sint-Niklaas: " + n + " meldingen (", English: "New alerts for Sint-Niklaas: " + n + " alerts ("}[lang]
			if !strings.HasPrefix(e.Subject, title) {
				t.Errorf("grouped message subject %q, want it to start with %q", e.Subject, title)
			}
			if s := SlackDigest(d); !strings.HasPrefix(s.Text, title) || !strings.Contains(string(slackJSON(t, s)), "Sint-Niklaas ·") {
				t.Errorf("grouped Slack message %q does not name the city in its title and lines", s.Text)
			}
		})
	}
}
