package notify

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTestMessageNamesTheSubscriptionInItsLanguageAndEscapesIt(t *testing.T) {
	for _, tt := range []struct {
		lang       Language
		title, who string
	}{
		{Dutch, "Testbericht van fundmatch", "Beste An,"},
		{English, "Test message from fundmatch", "Dear An,"},
	} {
		m := TestMessage{Recipient: Recipient{Name: "An", Email: "an@gent.be", Language: tt.lang},
			Subscription: "gent, Slack <!channel>", SettingsURL: "https://fundmatch.example/subscriptions"}
		e, err := RenderTest(m)
		if err != nil {
			t.Fatal(err)
		}
		if e.To != "an@gent.be" || e.Subject != tt.title || !strings.Contains(e.Text, "gent, Slack <!channel>") ||
			!strings.Contains(e.HTML, "gent, Slack &lt;!channel&gt;") || !strings.Contains(e.HTML, `href="https://fundmatch.example/subscriptions"`) {
			t.Errorf("%s email: %+v", tt.lang, e)
		}
		if !strings.Contains(e.Text, tt.who) {
			t.Errorf("%s email lacks the greeting %q:\n%s", tt.lang, tt.who, e.Text)
		}
		s := SlackTest(m)
		blocks, _ := json.Marshal(s.Blocks)
		if strings.Contains(s.Text, "<!channel>") || strings.Contains(string(blocks), "<!channel>") || !strings.Contains(s.Text, tt.title) ||
			!strings.Contains(string(blocks), "https://fundmatch.example/subscriptions") {
			t.Errorf("%s Slack message: %s %s", tt.lang, s.Text, blocks)
		}
	}
}
