package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

// Report counts what a Deliver call did.
type Report struct {
	Sent    int // accepted by the mail server or Slack
	Retried int // failed for now; due again later
	Failed  int // given up
	Broken  int // subscriptions marked broken
	Settled int // found in sending after a crash; settled as sent, not resent
}

// Deliver sends every notification due at now and records each outcome:
// sent; pending again after Slack's Retry-After or a back-off for a
// temporary failure; failed after MaxAttempts; or, for a permanent refusal
// (a revoked webhook), the subscription marked broken and its owner told by
// email. Notifications a crashed worker left in sending for longer than
// Lease are settled as sent without being sent again.
func (s *Service) Deliver(ctx context.Context, now time.Time) (Report, error) {
	var r Report
	settled, err := s.store.SettleAbandoned(ctx, now.Add(-Lease), now)
	if err != nil {
		return r, err
	}
	if settled > 0 {
		s.logger.Warn("notifications left in sending by a stopped worker were settled as sent, not resent",
			"count", settled)
	}
	r.Settled = int(settled)
	// Several loops overlap rendering, database round trips and SMTP
	// conversations; claims skip each other's rows, so they never share one.
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	for range Parallel {
		g.Go(func() error {
			for {
				batch, err := s.store.ClaimNotifications(ctx, now, BatchSize)
				if err != nil || len(batch) == 0 {
					return err
				}
				var br Report
				err = s.deliverBatch(ctx, now, batch, &br)
				mu.Lock()
				r.add(br)
				mu.Unlock()
				if err != nil {
					return err
				}
			}
		})
	}
	err = g.Wait()
	return r, err
}

func (r *Report) add(o Report) {
	r.Sent += o.Sent
	r.Retried += o.Retried
	r.Failed += o.Failed
	r.Broken += o.Broken
	r.Settled += o.Settled
}

// message is one claimed notification made ready for its channel.
type message struct {
	n     store.Notification
	sub   store.Subscription
	email *notify.Email        // for email subscriptions and owner notices
	slack *notify.SlackMessage // for Slack subscriptions
}

func (s *Service) deliverBatch(ctx context.Context, now time.Time, batch []store.Notification, r *Report) error {
	msgs, failed, err := s.compose(ctx, now, batch)
	if err != nil {
		// Nothing was sent: give the batch back rather than leave it to be
		// settled as sent after the lease. Done even when ctx has ended.
		ids := make([]int64, len(batch))
		for i, n := range batch {
			ids[i] = n.ID
		}
		return errors.Join(err, s.store.ReleaseClaims(context.WithoutCancel(ctx), ids))
	}
	for id, reason := range failed {
		if err := s.store.MarkFailed(ctx, id, reason); err != nil {
			return err
		}
		r.Failed++
	}
	brokenSubs := map[int64]bool{} // refused a message of this batch: send it nothing more
	var emails []notify.Email
	var emailMsgs []message
	for _, m := range msgs {
		if m.email != nil {
			emails = append(emails, *m.email)
			emailMsgs = append(emailMsgs, m)
		}
	}
	if len(emails) > 0 {
		var results []error
		if s.mailer == nil {
			results = make([]error, len(emails))
			for i := range results {
				results[i] = &notify.DeliveryError{Channel: "email", Class: notify.Temporary, Reason: "no SMTP server configured"}
			}
		} else {
			results = s.mailer.SendAll(ctx, emails)
		}
		// Record what went out first: it is what must never go out twice.
		var sent []int64
		for i, m := range emailMsgs {
			if results[i] == nil {
				sent = append(sent, m.n.ID)
			}
		}
		if err := s.store.MarkSent(ctx, sent, now); err != nil {
			return err
		}
		r.Sent += len(sent)
		for i, m := range emailMsgs {
			if results[i] != nil {
				if err := s.recordFailure(ctx, now, m, results[i], r, brokenSubs); err != nil {
					return err
				}
			}
		}
	}
	for _, m := range msgs {
		if m.slack == nil {
			continue
		}
		if brokenSubs[m.sub.ID] {
			if err := s.store.MarkSkipped(ctx, m.n.ID, "subscription broken"); err != nil {
				return err
			}
			continue
		}
		var err error
		if m.sub.Channel == "slack_bot" {
			err = s.slack.PostBot(ctx, m.sub.SlackToken, m.sub.SlackChannel, *m.slack)
		} else {
			err = s.slack.PostWebhook(ctx, m.sub.SlackWebhookURL, *m.slack)
		}
		if err == nil {
			if err := s.store.MarkSent(ctx, []int64{m.n.ID}, now); err != nil {
				return err
			}
			r.Sent++
			continue
		}
		if err := s.recordFailure(ctx, now, m, err, r, brokenSubs); err != nil {
			return err
		}
	}
	return nil
}

// recordFailure decides what a failed delivery means. The error of a
// delivery never contains a webhook URL, token or password, so it may be
// stored and logged.
func (s *Service) recordFailure(ctx context.Context, now time.Time, m message, sendErr error, r *Report, brokenSubs map[int64]bool) error {
	reason := sendErr.Error()
	log := s.logger.With("notification", m.n.ID, "subscription", m.sub.ID, "event", m.n.Event, "err", reason)
	var de *notify.DeliveryError
	if errors.As(sendErr, &de) && de.Reason != "" {
		reason = de.Reason
	}
	switch notify.Classify(sendErr) {
	case notify.RateLimited:
		wait := max(de.RetryAfter, time.Second)
		log.Info("rate limited; will retry", "after", wait)
		r.Retried++
		return s.store.MarkRetry(ctx, m.n.ID, now.Add(wait), sendErr.Error())
	case notify.Permanent:
		if m.n.Event == store.EventSubscriptionBroken {
			log.Error("the owner of a broken subscription cannot be told")
			r.Failed++
			return s.store.MarkFailed(ctx, m.n.ID, sendErr.Error())
		}
		broke, err := s.store.BreakSubscription(ctx, m.n.ID, m.sub.ID, reason, now)
		if broke {
			log.Warn("channel refuses messages; subscription marked broken")
			r.Broken++
		} else {
			r.Failed++
		}
		brokenSubs[m.sub.ID] = true
		return err
	}
	if m.n.Attempts >= MaxAttempts {
		log.Error("delivery given up", "attempts", m.n.Attempts)
		r.Failed++
		return s.store.MarkFailed(ctx, m.n.ID, sendErr.Error())
	}
	wait := Backoff(m.n.Attempts)
	log.Warn("delivery failed; will retry", "after", wait)
	r.Retried++
	return s.store.MarkRetry(ctx, m.n.ID, now.Add(wait), sendErr.Error())
}

// Backoff is the wait after the attempt-th temporary failure: 1, 2, 4 ...
// minutes, at most an hour.
func Backoff(attempt int) time.Duration {
	if attempt > 6 {
		return time.Hour
	}
	return time.Minute << max(attempt-1, 0)
}

// facts are the stored facts the alerts of a batch are made from.
type facts struct {
	subs      map[int64]store.Subscription
	digests   map[int64][]store.Notification
	calls     map[int64]store.AlertCall
	matches   map[store.MatchKey]store.AlertMatch
	reasons   map[store.MatchKey][]notify.Text // decoded once: subscribers of a city share its matches
	revisions map[int64][]crawlers.Change
	plans     map[int64]store.AlertPlan
}

// load reads, in a few queries, everything the batch's messages say.
func (s *Service) load(ctx context.Context, batch []store.Notification) (*facts, error) {
	f := &facts{}
	var subIDs, digestIDs []int64
	for _, n := range batch {
		subIDs = append(subIDs, n.SubscriptionID)
		if n.Event == store.EventDailyDigest || n.Event == store.EventWeeklyDigest {
			digestIDs = append(digestIDs, n.ID)
		}
	}
	var err error
	if f.subs, err = s.store.SubscriptionsByID(ctx, subIDs); err != nil {
		return nil, err
	}
	if f.digests, err = s.store.DigestEvents(ctx, digestIDs); err != nil {
		return nil, err
	}
	events := batch
	for _, d := range f.digests {
		events = append(events, d...)
	}
	var callIDs, revIDs, planIDs []int64
	var keys []store.MatchKey
	for _, n := range events {
		if n.CallID == 0 {
			continue
		}
		callIDs = append(callIDs, n.CallID)
		if n.Payload.CityID != 0 {
			keys = append(keys, store.MatchKey{CallID: n.CallID, CityID: n.Payload.CityID})
		}
		switch n.Event {
		case store.EventCallChanged:
			if id, err := strconv.ParseInt(n.Revision, 10, 64); err == nil {
				revIDs = append(revIDs, id)
			}
		case store.EventInvitation:
			if id, err := strconv.ParseInt(n.Revision, 10, 64); err == nil {
				planIDs = append(planIDs, id)
			}
		}
	}
	if f.calls, err = s.store.AlertCalls(ctx, callIDs); err != nil {
		return nil, err
	}
	if f.matches, err = s.store.AlertMatches(ctx, keys); err != nil {
		return nil, err
	}
	f.reasons = make(map[store.MatchKey][]notify.Text, len(f.matches))
	for k, m := range f.matches {
		f.reasons[k] = reasons(m.Reasons)
	}
	if f.revisions, err = s.store.RevisionChanges(ctx, revIDs); err != nil {
		return nil, err
	}
	if f.plans, err = s.store.AlertPlans(ctx, planIDs); err != nil {
		return nil, err
	}
	return f, nil
}

// compose renders the batch's messages. Notifications that cannot be
// rendered (their call was deleted) are returned in failed, with the reason.
func (s *Service) compose(ctx context.Context, now time.Time, batch []store.Notification) ([]message, map[int64]string, error) {
	f, err := s.load(ctx, batch)
	if err != nil {
		return nil, nil, err
	}
	failed := map[int64]string{}
	msgs := make([]message, 0, len(batch))
	today := s.day(now)
	for _, n := range batch {
		sub, ok := f.subs[n.SubscriptionID]
		if !ok {
			failed[n.ID] = "subscription gone"
			continue
		}
		m := message{n: n, sub: sub}
		r := s.recipient(sub)
		switch n.Event {
		case store.EventSubscriptionBroken:
			e, err := notify.RenderBrokenSubscription(notify.BrokenSubscription{
				Owner:        notify.Recipient{Name: sub.UserName, Email: sub.UserEmail, Language: notify.ParseLanguage(sub.Language)},
				Subscription: strings.Join(sub.Cities, ", ") + ", " + sub.Target(),
				Channel:      channelName(sub),
				Reason:       n.Payload.Reason,
				SettingsURL:  s.baseURL + "/subscriptions",
			})
			if err != nil {
				failed[n.ID] = err.Error()
				continue
			}
			e.Key = n.Key()
			m.email = &e
		case store.EventDailyDigest, store.EventWeeklyDigest:
			d := notify.Digest{Recipient: r, Frequency: notify.Daily, From: today, To: today, MoreURL: s.baseURL + "/"}
			if n.Event == store.EventWeeklyDigest {
				d.Frequency, d.From = notify.Weekly, today.AddDate(0, 0, -6)
			}
			for _, ev := range f.digests[n.ID] {
				if a, ok := s.alert(f, sub, ev, today); ok {
					d.Alerts = append(d.Alerts, a)
				}
			}
			if len(d.Alerts) == 0 {
				failed[n.ID] = "digest without alerts"
				continue
			}
			if err := s.render(&m, func() (notify.Email, error) { return notify.RenderDigest(d) },
				func() notify.SlackMessage { return notify.SlackDigest(d) }); err != nil {
				failed[n.ID] = err.Error()
				continue
			}
		default:
			a, ok := s.alert(f, sub, n, today)
			if !ok {
				failed[n.ID] = "call gone"
				continue
			}
			if err := s.render(&m, func() (notify.Email, error) { return notify.RenderAlert(r, a) },
				func() notify.SlackMessage { return notify.SlackAlert(r, a) }); err != nil {
				failed[n.ID] = err.Error()
				continue
			}
		}
		msgs = append(msgs, m)
	}
	return msgs, failed, nil
}

// render fills m's email or Slack message, as its subscription's channel
// wants.
func (s *Service) render(m *message, email func() (notify.Email, error), slack func() notify.SlackMessage) error {
	if m.sub.Channel == "email" {
		e, err := email()
		if err != nil {
			return err
		}
		e.Key = m.n.Key()
		m.email = &e
		return nil
	}
	sm := slack()
	m.slack = &sm
	return nil
}

func (s *Service) recipient(sub store.Subscription) notify.Recipient {
	return notify.Recipient{
		Name:           sub.UserName,
		Email:          sub.Email,
		Language:       notify.ParseLanguage(sub.Language),
		UnsubscribeURL: s.links.Unsubscribe(sub.ID),
	}
}

func channelName(sub store.Subscription) string {
	if sub.Channel == "email" {
		return "e-mail"
	}
	return "Slack"
}

// alert builds the alert of one event; false when its call is gone.
func (s *Service) alert(f *facts, sub store.Subscription, n store.Notification, today time.Time) (notify.Alert, bool) {
	c, ok := f.calls[n.CallID]
	if !ok {
		return notify.Alert{}, false
	}
	call := notify.Call{
		Identifier:  c.Identifier,
		Title:       c.Title,
		Programme:   c.Programme,
		URL:         s.links.Call(c.Identifier),
		Eligibility: notify.EligibilityUnknown,
		Deadline:    nextDeadline(c.Deadlines, today),
		Budget:      c.BudgetMax,
	}
	key := store.MatchKey{CallID: n.CallID, CityID: n.Payload.CityID}
	if m, ok := f.matches[key]; ok {
		call.Score = m.Score
		call.Reasons = f.reasons[key]
		switch m.Eligibility {
		case "eligible":
			call.Eligibility = notify.Eligible
		case "ineligible":
			call.Eligibility = notify.NotEligible
		}
	}
	a := notify.Alert{Call: call, Day: today, MuteURL: s.links.Mute(sub.ID, c.Identifier)}
	switch n.Event {
	case store.EventNewMatch:
		a.Kind = notify.KindNewMatch
	case store.EventCallChanged:
		a.Kind = notify.KindCallChanged
		id, _ := strconv.ParseInt(n.Revision, 10, 64)
		a.Changes = changes(f.revisions[id], today)
	case store.EventDeadlineReminder:
		a.Kind = notify.KindDeadlineReminder
		a.DaysBefore = n.Payload.Days
		if d, err := time.Parse(time.DateOnly, n.Payload.Deadline); err == nil {
			a.Call.Deadline = d
		}
	case store.EventInvitation:
		a.Kind = notify.KindInvitation
		id, _ := strconv.ParseInt(n.Revision, 10, 64)
		p := f.plans[id]
		planURL := s.baseURL + "/plans/" + strconv.FormatInt(id, 10)
		a.Invitation = &notify.Invitation{
			Lead:       p.Lead,
			Members:    p.Members,
			Role:       role(n.Payload.Role),
			Rationale:  text(p.Rationale),
			AcceptURL:  planURL + "#accept",
			DeclineURL: planURL + "#decline",
		}
	default:
		return notify.Alert{}, false
	}
	return a, true
}

func role(r string) notify.Role {
	switch r {
	case "lead":
		return notify.RoleLead
	case "member":
		return notify.RoleMember
	}
	return notify.RoleCoordinator
}

// nextDeadline is the first deadline on or after today, else the last one;
// the zero time when there is none.
func nextDeadline(deadlines []time.Time, today time.Time) time.Time {
	for _, d := range deadlines {
		if !d.Before(today) {
			return d
		}
	}
	if len(deadlines) > 0 {
		return deadlines[len(deadlines)-1]
	}
	return time.Time{}
}

// maxReasons is how many of the matcher's reasons an alert shows.
const maxReasons = 3

// reasons reads the matcher's reasons: strings, or objects with "nl" and
// "en" (or "text").
func reasons(raw json.RawMessage) []notify.Text {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil
	}
	var out []notify.Text
	for _, item := range items {
		if t := text(item); t != (notify.Text{}) {
			out = append(out, t)
		}
		if len(out) == maxReasons {
			break
		}
	}
	return out
}

// text reads a string or an object with "nl" and "en" (or "text") as Text.
func text(raw json.RawMessage) notify.Text {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return notify.Text{NL: s, EN: s}
	}
	var o struct{ NL, EN, Text string }
	if json.Unmarshal(raw, &o) != nil {
		return notify.Text{}
	}
	if o.NL == "" && o.EN == "" {
		return notify.Text{NL: o.Text, EN: o.Text}
	}
	return notify.Text{NL: o.NL, EN: o.EN}
}

// changes turns a revision's recorded changes into the deadline, budget and
// status changes an alert reports; other fields are left out.
func changes(recorded []crawlers.Change, today time.Time) []notify.Change {
	var out []notify.Change
	var budget *crawlers.Change
	for _, c := range recorded {
		switch c.Field {
		case "deadlines":
			out = append(out, notify.Change{Field: notify.ChangeDeadline,
				OldDate: nextDeadline(dateList(c.Old), today), NewDate: nextDeadline(dateList(c.New), today)})
		case "status":
			out = append(out, notify.Change{Field: notify.ChangeStatus,
				OldStatus: crawlers.Status(c.Old), NewStatus: crawlers.Status(c.New)})
		case "budget_max", "call_budget", "budget_min":
			// One budget line is enough: the grant's maximum, which alerts
			// show as the budget, wins over the others.
			if budget == nil || c.Field == "budget_max" || c.Field == "call_budget" && budget.Field == "budget_min" {
				budget = &c
			}
		}
	}
	if budget != nil {
		out = append(out, notify.Change{Field: notify.ChangeBudget, OldBudget: amount(budget.Old), NewBudget: amount(budget.New)})
	}
	return out
}

func dateList(s string) []time.Time {
	var out []time.Time
	for part := range strings.SplitSeq(s, ",") {
		if d, err := time.Parse(time.DateOnly, strings.TrimSpace(part)); err == nil {
			out = append(out, d)
		}
	}
	return out
}

func amount(s string) *float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil
	}
	return &f
}

// String describes the report for logs.
func (r Report) String() string {
	return fmt.Sprintf("sent=%d retried=%d failed=%d broken=%d settled=%d", r.Sent, r.Retried, r.Failed, r.Broken, r.Settled)
}
