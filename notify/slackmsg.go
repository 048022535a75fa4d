package notify

import (
	"fmt"
	"strings"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/slack-go/slack"
)

// SlackMessage is a rendered Slack message: Block Kit blocks and the plain
// text Slack shows in notifications and in clients that cannot draw blocks.
type SlackMessage struct {
	Text   string
	Blocks []slack.Block
}

// Slack's limits (api.slack.com/reference/block-kit): blocks per message and
// characters per header.
const (
	maxBlocks     = 50
	maxHeaderText = 150
	maxText       = 2000 // a section field's limit; section text allows 3000
)

// SlackAlert renders a single alert for a Slack channel in r's language.
func SlackAlert(r Recipient, a Alert) SlackMessage {
	lang := r.Language
	v := newAlertView(lang, a)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(v.Label+": "+a.Call.Title, maxHeaderText))),
	}
	if v.Reminder != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(escape(v.Reminder)), nil, nil))
	}
	if inv := v.Invitation; inv != nil {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("%s\n*%s:* %s\n*%s:* %s\n*%s:* %s",
			escape(inv.Intro),
			phrase(lang, "invite.leadcity"), escape(inv.Lead),
			phrase(lang, "members"), escape(inv.Members),
			phrase(lang, "invite.rationale"), escape(inv.Rationale))), nil, nil))
		if len(inv.Alternatives) > 0 {
			blocks = append(blocks, bulletList(phrase(lang, "invite.alternatives"), inv.Alternatives))
		}
	}
	if len(v.Changes) > 0 {
		var b strings.Builder
		b.WriteString("*" + phrase(lang, "mail.what_changed") + "*")
		for _, c := range v.Changes {
			fmt.Fprintf(&b, "\n• %s: ~%s~ → *%s*", escape(c.Label), escape(c.Old), escape(c.New))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
	}
	deadline := v.Deadline
	if v.DaysLeft != "" {
		deadline += " (" + v.DaysLeft + ")"
	}
	fields := []*slack.TextBlockObject{
		mrkdwn("*" + phrase(lang, "score") + "*\n" + v.Score),
		mrkdwn("*" + phrase(lang, "next_deadline") + "*\n" + escape(deadline)),
		mrkdwn("*" + phrase(lang, "budget_per_project") + "*\n" + escape(v.Budget)),
		mrkdwn("*" + phrase(lang, "programme") + "*\n" + escape(a.Call.Programme)),
	}
	open := slack.NewButtonBlockElement("open_call", a.Call.Identifier, plain(phrase(lang, "mail.view_call"))).WithURL(a.Call.URL)
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, slack.NewAccessory(open)))
	if len(v.Reasons) > 0 {
		var b strings.Builder
		b.WriteString("*" + phrase(lang, "mail.why_this_call") + "*")
		for _, r := range v.Reasons {
			b.WriteString("\n• " + escape(r))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
	}
	if len(v.FrontRunners) > 0 {
		blocks = append(blocks, bulletList(phrase(lang, "mail.frontrunners"), v.FrontRunners))
	}
	if inv := v.Invitation; inv != nil {
		blocks = append(blocks, slack.NewActionBlock("invitation",
			slack.NewButtonBlockElement("accept", a.Call.Identifier, plain(inv.AcceptLabel)).WithURL(inv.AcceptURL).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement("decline", a.Call.Identifier, plain(inv.DeclineLabel)).WithURL(inv.DeclineURL),
		))
	}
	blocks = append(blocks,
		slack.NewContextBlock("", mrkdwn(escape(v.Eligibility)+" · "+escape(a.Call.Identifier))),
		footer(r, a.MuteURL),
	)
	// The fallback text is mrkdwn too (Slack shows it in notifications): a
	// title must not be able to write <!channel> or a disguised link there.
	return SlackMessage{Text: escape(alertSubject(lang, a)) + " " + escapeURL(a.Call.URL), Blocks: blocks}
}

// SlackDigest renders a digest for a Slack channel: one line per alert,
// grouped by section, within Slack's limit of 50 blocks; what does not fit is
// counted in a last line.
func SlackDigest(d Digest) SlackMessage {
	lang := d.Recipient.Language
	title := digestTitle(d)
	blocks := []slack.Block{slack.NewHeaderBlock(plain(truncate(title, maxHeaderText)))}
	sections := d.Sections()
	// Room for the alerts: all blocks but the header, the footer, one
	// heading per section and the "more" line.
	room := maxBlocks - 3 - len(sections)
	left := len(d.Alerts)
	for _, s := range sections {
		if room <= 0 {
			break
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*"+phrase(lang, "section."+string(s.Kind))+"*"), nil, nil))
		for _, a := range s.Alerts {
			if room <= 0 {
				break
			}
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(digestLine(newAlertView(lang, a))), nil, nil))
			room--
			left--
		}
	}
	if left > 0 {
		more := i18n.T(lang, "digest.more", left)
		if d.MoreURL != "" {
			more = link(d.MoreURL, more)
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(more)))
	}
	blocks = append(blocks, footer(d.Recipient, ""))
	return SlackMessage{Text: escape(title), Blocks: blocks}
}

// digestLine is one alert in a Slack digest: the linked title, then the
// facts that matter for its kind.
func digestLine(v alertView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*\n", link(v.Call.URL, v.Call.Title))
	deadline := v.Deadline
	if v.DaysLeft != "" {
		deadline += " (" + v.DaysLeft + ")"
	}
	facts := []string{phrase(v.Lang, "score") + " " + v.Score, phrase(v.Lang, "next_deadline") + ": " + deadline, phrase(v.Lang, "budget_per_project") + ": " + v.Budget}
	if v.City != "" {
		facts = append([]string{v.City}, facts...)
	}
	for _, c := range v.Changes {
		facts = append(facts, c.Label+": "+c.Old+" → "+c.New)
	}
	if inv := v.Invitation; inv != nil {
		facts = append(facts, phrase(v.Lang, "invite.leadcity")+": "+inv.Lead, phrase(v.Lang, "members")+": "+inv.Members)
	}
	b.WriteString(escape(strings.Join(facts, " · ")))
	if len(v.Reasons) > 0 {
		b.WriteString("\n_" + escape(v.Reasons[0]) + "_")
	}
	if len(v.FrontRunners) > 0 {
		b.WriteString("\n" + escape(v.FrontRunners[0]))
	}
	return b.String()
}

// bulletList is a section of a bold heading and one escaped line per item.
func bulletList(heading string, items []string) slack.Block {
	var b strings.Builder
	b.WriteString("*" + heading + "*")
	for _, item := range items {
		b.WriteString("\n• " + escape(item))
	}
	return slack.NewSectionBlock(mrkdwn(b.String()), nil, nil)
}

// footer links to the unsubscribe page and, for a single alert, to muting
// the call.
func footer(r Recipient, muteURL string) slack.Block {
	links := link(r.UnsubscribeURL, phrase(r.Language, "footer.unsubscribe"))
	if muteURL != "" {
		links += " · " + link(muteURL, phrase(r.Language, "footer.mute"))
	}
	return slack.NewContextBlock("", mrkdwn(links))
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// mrkdwn makes a mrkdwn text object, cut to maxText: Slack rejects the whole
// message when one text is too long.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, maxText), false, false)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes text safe for Slack mrkdwn, which treats &, < and > as
// control characters (api.slack.com/reference/surfaces/formatting).
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// escapeURL makes a URL safe inside a mrkdwn link: escaped like text, and
// with | (which would end the URL and start the label) percent-encoded.
func escapeURL(u string) string { return strings.ReplaceAll(escape(u), "|", "%7C") }

// link is a mrkdwn link to u labelled text; an empty u gives the text alone.
func link(u, text string) string {
	if u == "" {
		return escape(text)
	}
	return "<" + escapeURL(u) + "|" + escape(text) + ">"
}

// truncate shortens s to at most n characters, ending with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
