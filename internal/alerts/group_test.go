package alerts_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
)

func TestANewSubscriptionsFirst48MatchesGoOutAsOneMessage(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 60})
	for i := range 48 {
		f.match(f.call(fmt.Sprintf("CALL-%02d", i), fmt.Sprintf("Oproep %02d", i), "HORIZON", "2027-01-01"), f.gent, 61+i%30, "eligible")
	}
	if added := f.sweep(monday); added[store.EventNewMatch] != 48 {
		t.Fatalf("sweep added %v, want 48 new matches", added)
	}
	if r := f.deliver(monday); r.Sent != 1 {
		t.Fatalf("deliver: %s, want one message", r)
	}
	mails := f.sink.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("the subscriber got %d emails, want 1", len(mails))
	}
	if got, want := subject(t, mails[0]), "Nieuwe meldingen voor Gent: 48 meldingen (23 november 2026)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	body := decodedBody(t, mails[0])
	for _, want := range []string{"Nieuwe match voor Gent: Oproep 00", "Oproep 29", "en nog 18 meer op fundmatch"} {
		if !strings.Contains(body, want) {
			t.Errorf("grouped email lacks %q", want)
		}
	}
	var sent int
	if err := f.db.GetContext(f.ctx, &sent, `SELECT count(*) FROM notifications WHERE subscription_id = $1 AND status = 'sent'`, sub); err != nil {
		t.Fatal(err)
	}
	if sent != 48 {
		t.Errorf("%d of 48 notifications recorded sent", sent)
	}
	// A later match is a message of its own.
	f.match(f.call("CALL-NEW", "Nieuwe oproep", "HORIZON", "2027-01-01"), f.gent, 90, "eligible")
	f.sweep(monday.Add(time.Hour))
	if r := f.deliver(monday.Add(time.Hour)); r.Sent != 1 || len(f.sink.Messages()) != 2 {
		t.Fatalf("a later match: %s, %d emails in all; want it sent alone", r, len(f.sink.Messages()))
	}
}

func TestSlackSubscribersGetABurstAsOnePost(t *testing.T) {
	f := newFixture(t)
	f.subscribe(store.NewSubscription{Channel: "slack_webhook", SlackWebhookURL: webhook, UserEmail: "officer@gent.be", MinScore: 50})
	for i := range 5 {
		f.match(f.call(fmt.Sprintf("CALL-%d", i), fmt.Sprintf("Oproep <%d> & co", i), "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	}
	f.sweep(monday)
	if r := f.deliver(monday); r.Sent != 1 {
		t.Fatalf("deliver: %s, want one post", r)
	}
	posts := f.slack.received()
	if len(posts) != 1 {
		t.Fatalf("Slack got %d posts, want 1", len(posts))
	}
	var all string
	for _, b := range posts[0].Blocks {
		all += string(b)
	}
	if !strings.Contains(posts[0].Text, "Nieuwe meldingen voor Gent: 5 meldingen") {
		t.Errorf("post text %q does not name the city and the count", posts[0].Text)
	}
	// The titles are escaped for mrkdwn (JSON shows & as \u0026).
	if !strings.Contains(all, `Oproep \u0026lt;3\u0026gt; \u0026amp; co`) || strings.Contains(all, "<3>") {
		t.Errorf("titles not escaped for Slack: %s", all)
	}
}

func TestAMatchBelowTheMinimumWhenSentIsNotSent(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 65})
	daily := f.subscribe(store.NewSubscription{Email: "daily@gent.be", MinScore: 65, Frequency: "daily"})
	fell := f.call("CALL-FELL", "Oproep die zakte", "HORIZON", "2027-01-01")
	kept := f.call("CALL-KEPT", "Oproep die bleef", "HORIZON", "2027-01-01")
	f.match(fell, f.gent, 70, "eligible")
	f.match(kept, f.gent, 80, "eligible")
	f.sweep(monday)
	// The call changed and was scored again before the alert went out.
	f.exec(`UPDATE matches SET score = 49 WHERE call_id = $1`, fell)
	if _, err := f.svc.ComposeDigests(f.ctx, monday); err != nil {
		t.Fatal(err)
	}
	r := f.deliver(monday)
	if r.Sent != 2 || r.Skipped != 2 {
		t.Fatalf("deliver: %s, want the instant alert and the digest sent, each without the fallen match", r)
	}
	for _, m := range f.sink.Mails(t) {
		body := decodedBody(t, m)
		if strings.Contains(body, "Oproep die zakte") || strings.Contains(body, "49/100") {
			t.Errorf("%s got the match whose score fell to 49:\n%s", m.Header.Get("To"), body)
		}
		if !strings.Contains(body, "Oproep die bleef") {
			t.Errorf("%s did not get the match that kept its score", m.Header.Get("To"))
		}
		if s := subject(t, m); !strings.Contains(s, "Gent") {
			t.Errorf("subject %q does not name the city", s)
		}
	}
	var statuses []string
	if err := f.db.SelectContext(f.ctx, &statuses, `SELECT subscription_id || ':' || event || ':' || status FROM notifications
		WHERE call_id = $1 ORDER BY subscription_id`, fell); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d:new_match:skipped,%d:new_match:skipped", sub, daily)
	if strings.Join(statuses, ",") != want {
		t.Errorf("the fallen match's notifications %v, want %s", statuses, want)
	}
}

func TestOneInvitationPerRecipientPerPlannerRunNamesTheAlternatives(t *testing.T) {
	f := newFixture(t)
	gentSub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 100})
	antwSub := f.subscribe(store.NewSubscription{Email: "officer@antwerpen.be", MinScore: 100, Cities: []string{"antwerpen"}})
	coordSub := f.subscribe(store.NewSubscription{Email: "coordinator@vvsg.be", MinScore: 100, Cities: []string{}})
	leuven := f.city("leuven", "Leuven", "24062")
	call := f.call("CALL-1", "Groene straten", "LIFE", "2027-04-14")
	// plan adds a proposal of a planner run: lead first, then partners.
	plan := func(run int64, rank int, lead int64, partners ...int64) {
		p := f.id(`INSERT INTO consortium_plans (plan_run_id, call_id, rank, value) VALUES ($1, $2, $3, 0.8) RETURNING id`, run, call, rank)
		f.exec(`INSERT INTO consortium_members (plan_id, city_id, role) VALUES ($1, $2, 'lead')`, p, lead)
		for _, c := range partners {
			f.exec(`INSERT INTO consortium_members (plan_id, city_id, role) VALUES ($1, $2, 'partner')`, p, c)
		}
	}
	run := func() int64 {
		return f.id(`INSERT INTO plan_runs (scope, created_by) VALUES ('call', (SELECT id FROM users WHERE email = 'coordinator@vvsg.be')) RETURNING id`)
	}
	first := run()
	plan(first, 1, f.gent, f.antw)
	plan(first, 2, f.antw, f.gent)
	plan(first, 3, leuven, f.gent)

	if added := f.sweep(monday); added[store.EventInvitation] != 3 {
		t.Fatalf("first run: sweep added %v, want one invitation per subscription", added)
	}
	if r := f.deliver(monday); r.Sent != 3 {
		t.Fatalf("first run: %s, want 3 sent", r)
	}
	// A second planner run, fifteen minutes later, invites each once more.
	second := run()
	plan(second, 1, f.antw, f.gent)
	plan(second, 2, f.gent, leuven)
	f.sweep(monday.Add(15 * time.Minute))
	f.deliver(monday.Add(15 * time.Minute))
	f.sweep(monday.Add(30 * time.Minute))
	f.deliver(monday.Add(30 * time.Minute))

	got := map[string][]string{}
	for _, m := range f.sink.Mails(t) {
		got[m.Header.Get("To")] = append(got[m.Header.Get("To")], decodedBody(t, m))
	}
	for _, to := range []string{"<officer@gent.be>", "<officer@antwerpen.be>", "<coordinator@vvsg.be>"} {
		if len(got[to]) != 2 {
			t.Errorf("%s got %d invitations for 2 planner runs of 5 plans, want 2", to, len(got[to]))
		}
	}
	if bodies := got["<coordinator@vvsg.be>"]; len(bodies) > 0 {
		for _, want := range []string{"Alternatieven uit dezelfde planning", "Trekker: Antwerpen · Partners: Antwerpen, Gent", "Trekker: Leuven · Partners: Leuven, Gent"} {
			if !strings.Contains(bodies[0], want) {
				t.Errorf("the coordinator's first invitation lacks %q:\n%s", want, bodies[0])
			}
		}
	}
	var roles []string
	if err := f.db.SelectContext(f.ctx, &roles, `SELECT subscription_id || ':' || revision || ':' || (payload->>'role') FROM notifications
		WHERE event = 'consortium_invitation' ORDER BY revision, subscription_id`); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%[1]d:run:%[4]d:lead,%[2]d:run:%[4]d:member,%[3]d:run:%[4]d:coordinator,%[1]d:run:%[5]d:member,%[2]d:run:%[5]d:lead,%[3]d:run:%[5]d:coordinator",
		gentSub, antwSub, coordSub, first, second)
	if strings.Join(roles, ",") != want {
		t.Errorf("invitations %v, want %s (the role in the best-ranked plan that includes the city)", roles, want)
	}
}
