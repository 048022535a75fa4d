package notify

import (
	"fmt"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/slack-go/slack"
)

// TestMessage is the message a subscription's owner asks for to see that
// its channel works: it names the subscription and links to its settings.
type TestMessage struct {
	Recipient    Recipient // Email is the address for an email subscription
	Subscription string    // how the owner knows it, e.g. "Gent, Slack #subsidies"
	SettingsURL  string    // the subscriptions page on fundmatch
}

func (m TestMessage) paragraphs() (title, what, next string) {
	lang := m.Recipient.Language
	return phrase(lang, "test.subject"), i18n.T(lang, "test.body", m.Subscription), phrase(lang, "test.manage")
}

// RenderTest renders the test message as an email.
func RenderTest(m TestMessage) (Email, error) {
	title, what, next := m.paragraphs()
	return render(m.Recipient, emailView{
		Lang: m.Recipient.Language, Title: title, Greeting: greeting(m.Recipient), L: labelsFor(m.Recipient.Language),
		Paragraphs: []string{what}, Action: &actionView{URL: m.SettingsURL, Label: next},
	})
}

// SlackTest renders the test message for Slack.
func SlackTest(m TestMessage) SlackMessage {
	title, what, next := m.paragraphs()
	return SlackMessage{
		Text: escape(title + ": " + what),
		Blocks: []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(mrkdwn(escape(what)), nil, nil),
			slack.NewContextBlock("", mrkdwn(fmt.Sprintf("<%s|%s>", m.SettingsURL, escape(next)))),
		},
	}
}
