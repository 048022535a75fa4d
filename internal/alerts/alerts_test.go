package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/internal/testsmtp"
	"github.com/fundmatch/fundmatch/notify"
)

var brussels = mustLocation("Europe/Brussels")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// monday is Monday 23 November 2026, 10:00 in Brussels.
var monday = time.Date(2026, 11, 23, 10, 0, 0, 0, brussels)

const (
	secret  = "0123456789abcdef0123456789abcdef-test"
	baseURL = "https://fundmatch.test"
	webhook = "https://hooks.slack.com/services/T0GENT/B0ALERTS/sEcReTpAtH42"
)

// fixture is a migrated database with two cities, a sink for email, a
// Slack webhook server, and a Service wired to them.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    *database.DB
	dbURL string
	st    *store.Store
	svc   *alerts.Service
	links *notify.Links
	sink  *testsmtp.Server
	slack *slackServer
	gent  int64
	antw  int64
}

func newFixture(t testing.TB, slackReplies ...slackReply) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), dbURL: testdb.URL(t)}
	var err error
	if f.db, err = database.Open(f.ctx, f.dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.st = store.New(f.db)
	// A benchmark sends thousands of messages and only counts them.
	_, bench := t.(*testing.B)
	f.sink = testsmtp.Start(t, testsmtp.Options{Discard: bench})
	f.slack = startSlack(t, slackReplies...)
	if f.links, err = notify.NewLinks(baseURL, []byte(secret)); err != nil {
		t.Fatal(err)
	}
	mailer, err := notify.NewMailer(notify.MailConfig{URL: "smtp://" + f.sink.Addr(), TLS: notify.TLSNone,
		From: "fundmatch <alerts@fundmatch.test>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.svc, err = alerts.New(alerts.Config{Store: f.st, Links: f.links, Mailer: mailer,
		Slack: notify.NewSlack(notify.SlackConfig{HTTPClient: f.slack.client()}), BaseURL: baseURL, Location: brussels})
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO crawl_sources (name, kind) VALUES ('ftportal', 'ftportal')`)
	f.gent = f.city("gent", "Gent", "44021")
	f.antw = f.city("antwerpen", "Antwerpen", "11002")
	return f
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.QueryRowContext(f.ctx, q, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (f *fixture) city(slug, name, nis string) int64 {
	return f.id(`INSERT INTO cities (slug, nis_code, name_nl, province, kind) VALUES ($1, $2, $3, 'Oost-Vlaanderen', 'centre_city') RETURNING id`,
		slug, nis, name)
}

// call stores an open call; deadlines are YYYY-MM-DD.
func (f *fixture) call(identifier, title, programme string, deadlines ...string) int64 {
	return f.id(`INSERT INTO calls (source, identifier, kind, programme, title, status, deadlines, budget_max, content_hash)
		VALUES ('ftportal', $1, 'topic', $2, $3, 'open', $4::date[], 2500000, 'h') RETURNING id`,
		identifier, programme, title, pq.StringArray(deadlines))
}

func (f *fixture) match(callID, cityID int64, score int, eligibility string) {
	f.exec(`INSERT INTO matches (call_id, city_id, score, eligibility, reasons, model_version, input_hash, deadlines)
		SELECT $1, $2, $3, $4, '[{"nl": "Past bij het klimaatplan", "en": "Fits the climate plan"}, "Ervaring met Horizon"]', 'test', 'x', deadlines
		FROM calls WHERE id = $1`,
		callID, cityID, score, eligibility)
}

func (f *fixture) subscribe(n store.NewSubscription) int64 {
	f.t.Helper()
	if n.Channel == "" {
		n.Channel = "email"
	}
	if n.Frequency == "" {
		n.Frequency = "instant"
	}
	if n.Language == "" {
		n.Language = "nl"
	}
	if n.UserEmail == "" {
		n.UserEmail = n.Email
	}
	if n.Cities == nil {
		n.Cities = []string{"gent"}
	}
	id, err := f.st.AddSubscription(f.ctx, n)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) sweep(now time.Time) map[store.Event]int {
	f.t.Helper()
	added, err := f.svc.Sweep(f.ctx, now)
	if err != nil {
		f.t.Fatal(err)
	}
	return added
}

func (f *fixture) deliver(now time.Time) alerts.Report {
	f.t.Helper()
	r, err := f.svc.Deliver(f.ctx, now)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// statuses returns "event:status" of every notification of a subscription,
// oldest first.
func (f *fixture) statuses(sub int64) []string {
	f.t.Helper()
	var out []string
	if err := f.db.SelectContext(f.ctx, &out, `SELECT event || ':' || status FROM notifications
		WHERE subscription_id = $1 ORDER BY id`, sub); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestNewMatchAlertIsSentOnceWithTheCallAndItsLinks(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 60, Programmes: []string{"HORIZON"}})
	strong := f.call("HORIZON-CL5-01", "Slimme mobiliteit in steden", "HORIZON", "2027-03-24")
	for _, c := range []struct {
		id          string
		programme   string
		score       int
		eligibility string
		city        int64
	}{
		{"HORIZON-WEAK", "HORIZON", 59, "eligible", f.gent},         // below the threshold
		{"HORIZON-INELIGIBLE", "HORIZON", 95, "ineligible", f.gent}, // gent may not apply
		{"LIFE-2026", "LIFE", 90, "eligible", f.gent},               // another programme
		{"HORIZON-ANTWERPEN", "HORIZON", 90, "eligible", f.antw},    // another city
		{"HORIZON-MUTED", "HORIZON", 90, "eligible", f.gent},        // muted below
	} {
		f.match(f.call(c.id, "Oproep "+c.id, c.programme, "2027-01-01"), c.city, c.score, c.eligibility)
	}
	f.match(strong, f.gent, 82, "eligible")
	if err := f.st.MuteCall(f.ctx, "officer@gent.be", 0, "HORIZON-MUTED"); err != nil {
		t.Fatal(err)
	}

	if added := f.sweep(monday); added[store.EventNewMatch] != 1 {
		t.Fatalf("sweep added %v, want one new match", added)
	}
	if r := f.deliver(monday); r.Sent != 1 {
		t.Fatalf("deliver: %s, want one sent", r)
	}
	// Retries of both steps send nothing more.
	f.sweep(monday.Add(time.Minute))
	f.deliver(monday.Add(time.Minute))
	f.deliver(monday.Add(time.Hour))

	mails := f.sink.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("sink received %d emails, want 1", len(mails))
	}
	m := mails[0]
	if got, want := subject(t, m), "Nieuwe match voor Gent (82/100): Slimme mobiliteit in steden"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if got := m.Header.Get("To"); !strings.Contains(got, "officer@gent.be") {
		t.Errorf("To %q", got)
	}
	key := fmt.Sprintf("%d/%d/new_match/", sub, strong)
	if got, want := m.Header.Get("Message-Id"), "<"+notify.MessageID(key, "fundmatch.test")+">"; got != want {
		t.Errorf("Message-ID %q, want %q (derived from the delivery key)", got, want)
	}
	if got, want := m.Header.Get("List-Unsubscribe"), "<"+f.links.Unsubscribe(sub)+">"; got != want {
		t.Errorf("List-Unsubscribe %q, want %q", got, want)
	}
	body := decodedBody(t, m)
	for _, want := range []string{f.links.Call("HORIZON-CL5-01"), "Past bij het klimaatplan", "Ervaring met Horizon", "24 maart 2027"} {
		if !strings.Contains(body, want) {
			t.Errorf("email does not contain %q", want)
		}
	}
	if got := f.statuses(sub); strings.Join(got, ",") != "new_match:sent" {
		t.Errorf("notifications %v, want one sent new match", got)
	}
}

func TestTwoWorkersAtOnceSendEachNotificationOnce(t *testing.T) {
	f := newFixture(t)
	// One match for 150 subscribers: 150 messages (one subscriber's
	// matches would be grouped into one).
	const calls = 150
	for i := range calls {
		f.subscribe(store.NewSubscription{Email: fmt.Sprintf("officer%d@gent.be", i), MinScore: 50})
	}
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)

	reports := make(chan alerts.Report, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			r, err := f.svc.Deliver(f.ctx, monday)
			reports <- r
			errs <- err
		}()
	}
	var sent int
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		sent += (<-reports).Sent
	}
	mails := f.sink.Mails(t)
	ids := map[string]int{}
	for _, m := range mails {
		ids[m.Header.Get("Message-Id")]++
	}
	if sent != calls || len(mails) != calls || len(ids) != calls {
		t.Fatalf("two workers reported %d sent, the sink got %d emails with %d distinct Message-IDs; want %d of each",
			sent, len(mails), len(ids), calls)
	}
}

func TestACrashBetweenSendingAndRecordingNeverSendsTwice(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)

	// A worker claims the notification and sends it, then dies before it
	// records the outcome.
	claimed, err := f.st.ClaimNotifications(f.ctx, monday, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if ok, err := f.st.StartSending(f.ctx, []int64{claimed[0].ID}, monday); !ok || err != nil {
		t.Fatalf("start sending: %v, %v", ok, err)
	}
	mailer, err := notify.NewMailer(notify.MailConfig{URL: "smtp://" + f.sink.Addr(), TLS: notify.TLSNone, From: "alerts@fundmatch.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mailer.Send(f.ctx, notify.Email{To: "officer@gent.be", Subject: "s", Text: "t", Key: claimed[0].Key()}); err != nil {
		t.Fatal(err)
	}

	// Another worker, within the lease, leaves the row alone.
	if r := f.deliver(monday.Add(time.Minute)); r != (alerts.Report{}) {
		t.Fatalf("delivery during the lease did %s, want nothing", r)
	}
	// After the lease, the row is settled as sent, not sent again.
	if r := f.deliver(monday.Add(alerts.Lease + time.Minute)); r.Settled != 1 || r.Sent != 0 {
		t.Fatalf("delivery after the lease: %s, want one settled and none sent", r)
	}
	f.deliver(monday.Add(2 * alerts.Lease))
	if n := len(f.sink.Messages()); n != 1 {
		t.Fatalf("sink received %d emails, want 1", n)
	}
	var lastError string
	if err := f.db.GetContext(f.ctx, &lastError, `SELECT last_error FROM notifications WHERE subscription_id = $1 AND status = 'sent'`, sub); err != nil {
		t.Fatal(err)
	}
	if lastError != store.OutcomeUnknown {
		t.Errorf("last_error %q, want %q", lastError, store.OutcomeUnknown)
	}
}

func TestATemporaryEmailFailureIsRetriedWithBackoffAndSentOnce(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@busy.test", MinScore: 50})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)
	if r := f.deliver(monday); r.Retried != 1 {
		t.Fatalf("first attempt: %s, want retried", r)
	}
	if r := f.deliver(monday.Add(30 * time.Second)); r != (alerts.Report{}) {
		t.Fatalf("before the back-off: %s, want nothing", r)
	}
	// The mailbox works again.
	f.exec(`UPDATE subscriptions SET email = 'officer@gent.be' WHERE id = $1`, sub)
	if r := f.deliver(monday.Add(alerts.Backoff(1))); r.Sent != 1 {
		t.Fatalf("after the back-off: %s, want sent", r)
	}
	if n := len(f.sink.Messages()); n != 1 {
		t.Fatalf("sink received %d emails, want 1", n)
	}
}

func TestSlackRateLimitIsHonouredThenTheAlertIsSentOnce(t *testing.T) {
	f := newFixture(t, slackReply{status: 429, retryAfter: "30", body: "rate_limited"}, slackReply{status: 200, body: "ok"})
	f.subscribe(store.NewSubscription{Channel: "slack_webhook", SlackWebhookURL: webhook, UserEmail: "officer@gent.be", MinScore: 50})
	f.match(f.call("HORIZON-CL5-01", "Slimme mobiliteit in steden", "HORIZON", "2027-03-24"), f.gent, 82, "eligible")
	f.sweep(monday)

	if r := f.deliver(monday); r.Retried != 1 || r.Sent != 0 {
		t.Fatalf("first attempt: %s, want one retried", r)
	}
	if r := f.deliver(monday.Add(29 * time.Second)); r != (alerts.Report{}) {
		t.Fatalf("before Retry-After: %s, want nothing", r)
	}
	if r := f.deliver(monday.Add(30 * time.Second)); r.Sent != 1 {
		t.Fatalf("after Retry-After: %s, want sent", r)
	}
	f.deliver(monday.Add(time.Hour))
	posts := f.slack.received()
	if len(posts) != 2 {
		t.Fatalf("Slack saw %d posts, want 2 (429, then success)", len(posts))
	}
	p := posts[1]
	if !strings.Contains(p.Text, "Slimme mobiliteit in steden") || len(p.Blocks) == 0 {
		t.Errorf("Slack message lacks the call or blocks: %+v", p)
	}
	if !strings.Contains(string(p.Blocks[0]), `"type":"header"`) {
		t.Errorf("first block is not a header: %s", p.Blocks[0])
	}
	var all string
	for _, b := range p.Blocks {
		all += string(b)
	}
	for _, want := range []string{"82/100", f.links.Call("HORIZON-CL5-01"), "Past bij het klimaatplan"} {
		if !strings.Contains(all, want) {
			t.Errorf("Slack blocks lack %q", want)
		}
	}
}

func TestARevokedWebhookBreaksTheSubscriptionAndTellsItsOwner(t *testing.T) {
	f := newFixture(t, slackReply{status: 404, body: "no_service"})
	sub := f.subscribe(store.NewSubscription{Channel: "slack_webhook", SlackWebhookURL: webhook, UserEmail: "owner@gent.be", MinScore: 50})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.match(f.call("CALL-2", "Oproep 2", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)

	r := f.deliver(monday)
	if r.Broken != 1 || r.Sent != 1 {
		t.Fatalf("deliver: %s, want the subscription broken and the owner's notice sent", r)
	}
	subs, err := f.st.SubscriptionsByID(f.ctx, []int64{sub})
	if err != nil {
		t.Fatal(err)
	}
	if s := subs[sub]; s.Status != "broken" || s.BrokenReason != "no_service" {
		t.Errorf("subscription %s (%q), want broken because of no_service", s.Status, s.BrokenReason)
	}
	mails := f.sink.Mails(t)
	if len(mails) != 1 || !strings.Contains(mails[0].Header.Get("To"), "owner@gent.be") {
		t.Fatalf("owner got %d emails, want one notice", len(mails))
	}
	if body := decodedBody(t, mails[0]); !strings.Contains(body, "no_service") || strings.Contains(body, "sEcReTpAtH42") {
		t.Errorf("notice should name the reason and never the webhook URL:\n%s", body)
	}
	// Nothing more is tried: not the other alert, not new ones.
	f.match(f.call("CALL-3", "Oproep 3", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday.Add(time.Hour))
	f.deliver(monday.Add(time.Hour))
	if n := len(f.slack.received()); n != 1 {
		t.Errorf("Slack saw %d posts, want 1: a broken subscription is not retried", n)
	}
	if n := len(f.sink.Messages()); n != 1 {
		t.Errorf("owner got %d emails, want the one notice", n)
	}
}

func TestQuietHoursDelayInstantAlertsToTheirEnd(t *testing.T) {
	f := newFixture(t)
	f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50, QuietStart: "20:00", QuietEnd: "07:00"})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	evening := time.Date(2026, 11, 23, 22, 15, 0, 0, brussels)
	f.sweep(evening)
	for _, at := range []time.Time{evening, time.Date(2026, 11, 24, 6, 59, 0, 0, brussels)} {
		if r := f.deliver(at); r.Sent != 0 {
			t.Fatalf("at %v, in quiet hours: %s, want nothing sent", at, r)
		}
	}
	if r := f.deliver(time.Date(2026, 11, 24, 7, 0, 0, 0, brussels)); r.Sent != 1 {
		t.Fatalf("at 07:00: %s, want the alert sent", r)
	}
}

func TestDeadlineRemindersGoOutAt30_14_7And1DaysBefore(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 100})
	call := f.call("CALL-1", "Oproep 1", "HORIZON", "2026-12-31", "2027-06-30")
	f.exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($1, $2, 'applying', $3)`, f.gent, call, monday.AddDate(0, -2, 0))
	deadline := time.Date(2026, 12, 31, 9, 0, 0, 0, brussels)
	var got []string
	for days := 40; days >= 0; days-- {
		now := deadline.AddDate(0, 0, -days)
		if n := f.sweep(now)[store.EventDeadlineReminder]; n > 0 {
			got = append(got, fmt.Sprintf("%d days before: %d", days, n))
		}
		f.deliver(now)
	}
	want := []string{"30 days before: 1", "14 days before: 1", "7 days before: 1", "1 days before: 1"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("reminders %v, want %v", got, want)
	}
	var revisions []string
	if err := f.db.SelectContext(f.ctx, &revisions, `SELECT revision FROM notifications WHERE subscription_id = $1 ORDER BY id`, sub); err != nil {
		t.Fatal(err)
	}
	if strings.Join(revisions, ",") != "30:2026-12-31,14:2026-12-31,7:2026-12-31,1:2026-12-31" {
		t.Errorf("revisions %v", revisions)
	}
	mails := f.sink.Mails(t)
	if len(mails) != 4 {
		t.Fatalf("sink received %d reminders, want 4", len(mails))
	}
	if got, want := subject(t, mails[1]), "Deadline nadert voor Gent (nog 14 dagen): Oproep 1"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
}

func TestChangesAndInvitationsReachTheCitiesThatFollowAndTheCoordinator(t *testing.T) {
	f := newFixture(t)
	gentSub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 100, Language: "en"})
	antwSub := f.subscribe(store.NewSubscription{Email: "officer@antwerpen.be", MinScore: 100, Cities: []string{"antwerpen"}})
	coordSub := f.subscribe(store.NewSubscription{Email: "coordinator@vvsg.be", MinScore: 100, Cities: []string{}})
	call := f.call("CALL-1", "Green streets", "LIFE", "2027-04-14")
	f.exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($1, $2, 'interested', $3)`, f.gent, call, monday.AddDate(0, 0, -10))
	// Before the mark: not reported. After: reported, once per revision.
	f.exec(`INSERT INTO call_revisions (call_id, changed_at, changes, content_hash) VALUES
		($1, $2, '[{"field": "deadlines", "old": "2027-03-24", "new": "2027-04-14"}]', 'a'),
		($1, $3, '[{"field": "deadlines", "old": "2027-03-01", "new": "2027-03-24"}, {"field": "budget_max", "old": "2000000", "new": "2500000"}]', 'b')`,
		call, monday.AddDate(0, 0, -20), monday.AddDate(0, 0, -1))
	run := f.id(`INSERT INTO plan_runs (scope, created_by) VALUES ('call', (SELECT id FROM users WHERE email = 'coordinator@vvsg.be')) RETURNING id`)
	plan := f.id(`INSERT INTO consortium_plans (plan_run_id, call_id, value, components) VALUES ($1, $2, 0.8,
		'{"rationale": {"nl": "Gent en Antwerpen vullen elkaar aan", "en": "Ghent and Antwerp complement each other"}}') RETURNING id`, run, call)
	f.exec(`INSERT INTO consortium_members (plan_id, city_id, role) VALUES ($1, $2, 'lead'), ($1, $3, 'partner')`, plan, f.gent, f.antw)

	added := f.sweep(monday)
	if added[store.EventCallChanged] != 1 || added[store.EventInvitation] != 3 {
		t.Fatalf("sweep added %v, want one change and three invitations", added)
	}
	// Gent's change and invitation fell due together: one message.
	if r := f.deliver(monday); r.Sent != 3 {
		t.Fatalf("deliver: %s, want 3 sent", r)
	}
	var roles []string
	if err := f.db.SelectContext(f.ctx, &roles, `SELECT subscription_id || ':' || (payload->>'role') FROM notifications
		WHERE event = 'consortium_invitation' ORDER BY subscription_id`); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d:lead,%d:member,%d:coordinator", gentSub, antwSub, coordSub)
	if strings.Join(roles, ",") != want {
		t.Errorf("invitation roles %v, want %s", roles, want)
	}
	bodies := map[string]string{}
	for _, m := range f.sink.Mails(t) {
		bodies[subject(t, m)] = decodedBody(t, m)
	}
	change := bodies["New alerts for Gent: 2 alerts (23 November 2026)"]
	for _, want := range []string{"1 March 2027", "24 March 2027", "€2,000,000", "€2,500,000"} {
		if !strings.Contains(change, want) {
			t.Errorf("change email lacks %q:\n%s", want, change)
		}
	}
	var invitation string
	for _, body := range bodies {
		if strings.Contains(body, "Green streets") && strings.Contains(body, "Ghent and Antwerp complement each other") {
			invitation = body
		}
	}
	if invitation == "" {
		t.Errorf("no English invitation with the plan's rationale among %v", keys(bodies))
	}
	if f.sweep(monday.Add(time.Hour)); len(f.sink.Messages()) != 3 {
		t.Error("a second sweep produced more mail")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestDailyDigestGroupsTheDaysEventsInOneMessage(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 60, Frequency: "daily"})
	weekly := f.subscribe(store.NewSubscription{Email: "weekly@gent.be", MinScore: 60, Frequency: "weekly"})
	for i := range 3 {
		f.match(f.call(fmt.Sprintf("CALL-%d", i), fmt.Sprintf("Oproep nummer %d", i), "HORIZON", "2027-01-01"), f.gent, 70+i, "eligible")
	}
	reminded := f.call("CALL-R", "Oproep met deadline", "HORIZON", "2026-11-30")
	f.exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($1, $2, 'interested', $3)`, f.gent, reminded, monday.AddDate(0, -1, 0))
	early := time.Date(2026, 11, 23, 6, 0, 0, 0, brussels)
	f.sweep(early)
	if r := f.deliver(early); r.Sent != 0 {
		t.Fatalf("events of digest subscribers were sent alone: %s", r)
	}
	if n, err := f.svc.ComposeDigests(f.ctx, early); err != nil || n != 0 {
		t.Fatalf("before 07:00: %d digests (%v), want none", n, err)
	}
	n, err := f.svc.ComposeDigests(f.ctx, monday)
	if err != nil || n != 2 {
		t.Fatalf("at 10:00 on a Monday: %d digests (%v), want a daily and a weekly one", n, err)
	}
	if n, _ := f.svc.ComposeDigests(f.ctx, monday.Add(time.Hour)); n != 0 {
		t.Fatalf("a second run made %d more digests", n)
	}
	if r := f.deliver(monday); r.Sent != 2 {
		t.Fatalf("deliver: %s, want two digests sent", r)
	}
	var daily string
	for _, m := range f.sink.Mails(t) {
		if strings.Contains(m.Header.Get("To"), "officer@gent.be") {
			if got, want := subject(t, m), "Dagelijks overzicht voor Gent: 4 meldingen (23 november 2026)"; got != want {
				t.Errorf("subject %q, want %q", got, want)
			}
			daily = decodedBody(t, m)
		}
	}
	for _, want := range []string{"Oproep nummer 0", "Oproep nummer 1", "Oproep nummer 2", "Oproep met deadline"} {
		if !strings.Contains(daily, want) {
			t.Errorf("daily digest lacks %q", want)
		}
	}
	want := []string{"new_match:sent", "new_match:sent", "new_match:sent", "deadline_reminder:sent", "daily_digest:sent"}
	if got := f.statuses(sub); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("daily subscriber's notifications %v, want %v", got, want)
	}
	if got := f.statuses(weekly); got[len(got)-1] != "weekly_digest:sent" {
		t.Errorf("weekly subscriber's notifications %v", got)
	}
	// A new event waits for the next day's digest.
	f.match(f.call("CALL-NEW", "Nieuwe oproep", "HORIZON", "2027-01-01"), f.gent, 90, "eligible")
	f.sweep(monday.Add(time.Hour))
	if n, _ := f.svc.ComposeDigests(f.ctx, monday.Add(2*time.Hour)); n != 0 {
		t.Fatalf("the same day got a second digest")
	}
	if n, _ := f.svc.ComposeDigests(f.ctx, monday.AddDate(0, 0, 1)); n != 1 {
		t.Fatalf("Tuesday's digest was not made")
	}
}

func TestAWorkerThatFailsBeforeSendingGivesItsBatchBack(t *testing.T) {
	f := newFixture(t)
	f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)
	claimed, err := f.st.ClaimNotifications(f.ctx, monday, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := f.st.ReleaseClaims(f.ctx, []int64{claimed[0].ID}); err != nil {
		t.Fatal(err)
	}
	if r := f.deliver(monday.Add(alerts.Lease + time.Minute)); r.Sent != 1 || r.Settled != 0 {
		t.Fatalf("deliver after the release: %s, want sent and nothing settled", r)
	}
	if n := len(f.sink.Messages()); n != 1 {
		t.Fatalf("sink received %d emails, want 1", n)
	}
}
