package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fundmatch/fundmatch/funding"
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
	Skipped int // not sent: a match's score fell below the subscription's minimum
}

// Deliver sends every notification due at now and records each outcome:
// sent; pending again after Slack's Retry-After or a back-off for a
// temporary failure; failed after MaxAttempts; or, for a permanent refusal
// (a revoked webhook), the subscription marked broken and its owner told by
// email. Each message is recorded as soon as its channel accepted it, so a
// worker killed mid-way leaves only its message in flight in doubt: that one
// is settled as sent after Lease, without being sent again, and the rest of
// its claim is delivered by the next run once the lease has run out. When
// ctx ends (SIGTERM), the message in flight is finished and recorded and the
// rest of the claim is released at once; Deliver then returns ctx's error.
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
	// A pass can make new due notifications (the notice to the owner of a
	// subscription it broke): passes run until one claims nothing.
	for {
		claimed, err := s.deliverPass(ctx, now, &r)
		if err != nil || claimed == 0 {
			return r, err
		}
	}
}

// deliverPass claims and sends what is due until nothing is left to claim,
// and returns how many notifications it claimed.
func (s *Service) deliverPass(ctx context.Context, now time.Time, r *Report) (int, error) {
	var mu sync.Mutex
	var claimed int
	add := func(o Report, n int) {
		mu.Lock()
		r.add(o)
		claimed += n
		mu.Unlock()
	}
	g, gctx := errgroup.WithContext(ctx)
	// Several composers claim and render batches, overlapping database
	// round trips and rendering; claims skip each other's rows, so they
	// never share one. A sender that fails stops them through stop.
	composing, stop := context.WithCancel(gctx)
	defer stop()
	batches := make(chan []message)
	var composers sync.WaitGroup
	for range Parallel {
		composers.Add(1)
		g.Go(func() error {
			defer composers.Done()
			for composing.Err() == nil {
				batch, err := s.store.ClaimNotifications(composing, now, BatchSize)
				if err != nil || len(batch) == 0 {
					return err
				}
				var br Report
				msgs, err := s.prepare(composing, now, batch, &br)
				add(br, len(batch))
				if err != nil {
					return err
				}
				select {
				case batches <- msgs:
				case <-composing.Done():
					s.release(context.WithoutCancel(composing), msgs)
				}
			}
			return nil
		})
	}
	go func() {
		composers.Wait()
		close(batches)
	}()
	// One sender hands the messages over one at a time, so that a worker
	// that dies has at most one message in flight.
	g.Go(func() error {
		var mail *notify.MailSession
		if s.mailer != nil {
			mail = s.mailer.Session()
			defer mail.Close()
		}
		var err error
		for msgs := range batches {
			if err != nil {
				s.release(context.WithoutCancel(gctx), msgs) // stopping: hand back what was claimed
				continue
			}
			var br Report
			err = s.sendBatch(gctx, now, msgs, mail, &br)
			add(br, 0)
			if err != nil {
				stop()
			}
		}
		return err
	})
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return claimed, err
}

func (r *Report) add(o Report) {
	r.Sent += o.Sent
	r.Retried += o.Retried
	r.Failed += o.Failed
	r.Broken += o.Broken
	r.Settled += o.Settled
	r.Skipped += o.Skipped
}

// message is one message made ready for its channel from one or more
// claimed notifications of a subscription.
type message struct {
	n        store.Notification // the first of them: its event and key
	ids      []int64            // every notification the message carries
	attempts int                // the most attempts among them, this one included
	sub      store.Subscription
	email    *notify.Email        // for email subscriptions and owner notices
	slack    *notify.SlackMessage // for Slack subscriptions
}

// prepare renders the messages of a claimed batch and records what will
// not be sent: new matches now below the minimum (skipped) and what cannot
// be rendered (failed). When it fails, it hands the whole batch back.
func (s *Service) prepare(ctx context.Context, now time.Time, batch []store.Notification, r *Report) ([]message, error) {
	// Recording must happen even when ctx has ended.
	record := context.WithoutCancel(ctx)
	msgs, failed, skipped, err := s.compose(ctx, now, batch)
	if err != nil {
		// Nothing was sent: give the batch back rather than leave it
		// claimed until the lease runs out.
		ids := make([]int64, len(batch))
		for i, n := range batch {
			ids[i] = n.ID
		}
		return nil, errors.Join(err, s.store.ReleaseClaims(record, ids))
	}
	for reason, ids := range skipped {
		if err := s.store.SkipNotifications(record, ids, reason); err != nil {
			s.release(record, msgs)
			return nil, err
		}
		r.Skipped += len(ids)
	}
	for id, reason := range failed {
		if err := s.store.MarkFailed(record, []int64{id}, reason); err != nil {
			s.release(record, msgs)
			return nil, err
		}
		r.Failed++
	}
	return msgs, nil
}

// release hands claimed messages back unsent, for the next run.
func (s *Service) release(ctx context.Context, msgs []message) {
	var ids []int64
	for _, m := range msgs {
		ids = append(ids, m.ids...)
	}
	if err := s.store.ReleaseClaims(ctx, ids); err != nil {
		s.logger.Error("claimed notifications not released; they go out when the lease runs out", "count", len(ids), "err", err)
	}
}

// sendBatch sends prepared messages one at a time and records each right
// after its channel answered. What was not handed over when it returns (an
// error, or ctx ended) is released for the next run.
func (s *Service) sendBatch(ctx context.Context, now time.Time, msgs []message, mail *notify.MailSession, r *Report) error {
	// Recording must happen even when ctx has ended: the message went out.
	record := context.WithoutCancel(ctx)
	done := 0              // msgs[:done] were handed over or given up
	var unrecorded []int64 // the last message sent, recorded as the next one starts
	defer func() {
		if err := s.store.MarkSent(record, unrecorded, now); err != nil {
			s.logger.Error("sent notifications not recorded; they are settled as sent after the lease", "ids", unrecorded, "err", err)
		}
		s.release(record, msgs[done:])
	}()
	for _, m := range msgs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		started, err := s.store.SentThenStart(record, unrecorded, now, m.ids, now)
		if err != nil {
			return err
		}
		unrecorded = nil
		done++
		if !started {
			// The subscription broke meanwhile (its notifications were
			// skipped), or this claim outlived its lease and another worker
			// took them.
			continue
		}
		// The message in flight is finished even when ctx ends: each
		// channel bounds its own conversation with a timeout.
		sendErr := s.send(record, m, mail)
		if sendErr == nil {
			unrecorded = m.ids
			r.Sent++
			continue
		}
		if err := s.recordFailure(record, now, m, sendErr, r); err != nil {
			return err
		}
	}
	return nil
}

// send hands one message to its channel.
func (s *Service) send(ctx context.Context, m message, mail *notify.MailSession) error {
	switch {
	case m.email != nil && mail == nil:
		return &notify.DeliveryError{Channel: "email", Class: notify.Temporary, Reason: "no SMTP server configured"}
	case m.email != nil:
		return mail.Send(ctx, *m.email)
	case m.sub.Channel == store.ChannelSlackBot:
		return s.slack.PostBot(ctx, m.sub.SlackToken, m.sub.SlackChannel, *m.slack)
	default:
		return s.slack.PostWebhook(ctx, m.sub.SlackWebhookURL, *m.slack)
	}
}

// recordFailure decides what a failed delivery means. The error of a
// delivery never contains a webhook URL, token or password, so it may be
// stored and logged.
func (s *Service) recordFailure(ctx context.Context, now time.Time, m message, sendErr error, r *Report) error {
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
		return s.store.MarkRetry(ctx, m.ids, now.Add(wait), sendErr.Error())
	case notify.Permanent:
		if m.n.Event == store.EventSubscriptionBroken {
			log.Error("the owner of a broken subscription cannot be told")
			r.Failed++
			return s.store.MarkFailed(ctx, m.ids, sendErr.Error())
		}
		broke, err := s.store.BreakSubscription(ctx, m.ids, m.sub.ID, reason, now)
		if broke {
			log.Warn("channel refuses messages; subscription marked broken")
			r.Broken++
		} else {
			r.Failed++
		}
		return err
	}
	if m.attempts >= MaxAttempts {
		log.Error("delivery given up", "attempts", m.attempts)
		r.Failed++
		return s.store.MarkFailed(ctx, m.ids, sendErr.Error())
	}
	wait := Backoff(m.attempts)
	log.Warn("delivery failed; will retry", "after", wait)
	r.Retried++
	return s.store.MarkRetry(ctx, m.ids, now.Add(wait), sendErr.Error())
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
	revisions map[int64][]funding.Change
	plans     map[int64]store.AlertPlan
	cities    map[int64]string // names, by ID
	// frontRunners are, for a new match of a city that did no project like
	// the call, the municipalities that did one.
	frontRunners map[store.MatchKey][]notify.FrontRunner
	slugs        map[int64]string // slugs, by ID: where an invitation's links point on the plan page
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
	var callIDs, revIDs, planIDs, cityIDs []int64
	var keys, newMatches []store.MatchKey
	for _, n := range events {
		if n.CallID == 0 {
			continue
		}
		if n.Payload.CityID != 0 {
			cityIDs = append(cityIDs, n.Payload.CityID)
		}
		callIDs = append(callIDs, n.CallID)
		if n.Payload.CityID != 0 {
			keys = append(keys, store.MatchKey{CallID: n.CallID, CityID: n.Payload.CityID})
		}
		switch n.Event {
		case store.EventNewMatch:
			if n.Payload.CityID != 0 {
				newMatches = append(newMatches, store.MatchKey{CallID: n.CallID, CityID: n.Payload.CityID})
			}
		case store.EventCallChanged:
			if id, err := strconv.ParseInt(n.Revision, 10, 64); err == nil {
				revIDs = append(revIDs, id)
			}
		case store.EventInvitation:
			if id := planID(n); id != 0 {
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
	if f.cities, err = s.store.CityNames(ctx, cityIDs); err != nil {
		return nil, err
	}
	if f.frontRunners, err = s.frontRunners(ctx, newMatches); err != nil {
		return f, err
	}
	if f.slugs, err = s.store.CitySlugs(ctx, cityIDs); err != nil {
		return nil, err
	}
	return f, nil
}

// frontRunners reads, for each new match whose city did no project like
// the call, the municipalities that did one, as alerts name them.
func (s *Service) frontRunners(ctx context.Context, keys []store.MatchKey) (map[store.MatchKey][]notify.FrontRunner, error) {
	stored, err := s.store.FrontRunnersFor(ctx, keys, notify.MaxFrontRunners)
	if err != nil {
		return nil, err
	}
	out := make(map[store.MatchKey][]notify.FrontRunner, len(stored))
	for k, frs := range stored {
		for _, f := range frs {
			out[k] = append(out[k], notify.FrontRunner{City: f.CityName, Project: f.Title, Year: f.Year, Source: f.Origin()})
		}
	}
	return out, nil
}

// belowMinimum is why a new match is not sent: its score, read when the
// message is made, fell below the subscription's minimum (the call changed
// and was scored again), or the match is gone or now ineligible.
const belowMinimum = "the match no longer reaches the subscription's minimum score"

// compose renders the batch's messages, a subscription's at a time (the
// batch comes ordered by subscription): each digest and notice is one
// message, and the single events of an instant subscription that fell due
// together are one message, grouped when there are several. New matches
// below the subscription's minimum now are left out and returned in
// skipped, by reason; notifications that cannot be rendered (their call was
// deleted) are returned in failed, with the reason.
func (s *Service) compose(ctx context.Context, now time.Time, batch []store.Notification) ([]message, map[int64]string, map[string][]int64, error) {
	f, err := s.load(ctx, batch)
	if err != nil {
		return nil, nil, nil, err
	}
	failed := map[int64]string{}
	skipped := map[string][]int64{}
	msgs := make([]message, 0, len(batch))
	today := s.day(now)
	for start := 0; start < len(batch); {
		end := start + 1
		for end < len(batch) && batch[end].SubscriptionID == batch[start].SubscriptionID {
			end++
		}
		group := batch[start:end]
		start = end
		sub, ok := f.subs[group[0].SubscriptionID]
		if !ok {
			for _, n := range group {
				failed[n.ID] = "subscription gone"
			}
			continue
		}
		r := s.recipient(sub)
		var singles []store.Notification
		for _, n := range group {
			m := message{n: n, ids: []int64{n.ID}, attempts: n.Attempts + 1, sub: sub}
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
				var low []int64
				for _, ev := range f.digests[n.ID] {
					if s.belowMinimum(f, sub, ev) {
						low = append(low, ev.ID)
						continue
					}
					if a, ok := s.alert(f, sub, ev, today); ok {
						d.Alerts = append(d.Alerts, a)
					}
				}
				skipped[belowMinimum] = append(skipped[belowMinimum], low...)
				if len(d.Alerts) == 0 {
					if len(low) > 0 {
						skipped[belowMinimum] = append(skipped[belowMinimum], n.ID)
					} else {
						failed[n.ID] = "digest without alerts"
					}
					continue
				}
				d.Cities = alertCities(d.Alerts)
				if err := s.render(&m, func() (notify.Email, error) { return notify.RenderDigest(d) },
					func() notify.SlackMessage { return notify.SlackDigest(d) }); err != nil {
					failed[n.ID] = err.Error()
					continue
				}
			default:
				singles = append(singles, n)
				continue
			}
			msgs = append(msgs, m)
		}
		if m, ok := s.composeSingles(f, sub, r, today, singles, failed, skipped); ok {
			msgs = append(msgs, m)
		}
	}
	return msgs, failed, skipped, nil
}

// composeSingles makes one message of the single events of an instant
// subscription that fell due together: the alert itself when there is one,
// a grouped message listing them when there are several. False when none
// is left to send.
func (s *Service) composeSingles(f *facts, sub store.Subscription, r notify.Recipient, today time.Time, singles []store.Notification,
	failed map[int64]string, skipped map[string][]int64) (message, bool) {
	var kept []store.Notification
	var as []notify.Alert
	for _, n := range singles {
		if s.belowMinimum(f, sub, n) {
			skipped[belowMinimum] = append(skipped[belowMinimum], n.ID)
			continue
		}
		a, ok := s.alert(f, sub, n, today)
		if !ok {
			failed[n.ID] = "call gone"
			continue
		}
		kept, as = append(kept, n), append(as, a)
	}
	if len(kept) == 0 {
		return message{}, false
	}
	m := message{n: kept[0], sub: sub}
	for _, n := range kept {
		m.ids = append(m.ids, n.ID)
		m.attempts = max(m.attempts, n.Attempts+1)
	}
	var err error
	if len(kept) == 1 {
		err = s.render(&m, func() (notify.Email, error) { return notify.RenderAlert(r, as[0]) },
			func() notify.SlackMessage { return notify.SlackAlert(r, as[0]) })
	} else {
		d := notify.Digest{Recipient: r, Frequency: notify.Instant, From: today, To: today, Alerts: as,
			Cities: alertCities(as), MoreURL: s.baseURL + "/"}
		err = s.render(&m, func() (notify.Email, error) { return notify.RenderDigest(d) },
			func() notify.SlackMessage { return notify.SlackDigest(d) })
		if m.email != nil {
			// The first event's key with a mark: a retry of the same group
			// keeps its Message-ID, and it never equals a single alert's.
			m.email.Key = kept[0].Key() + "+group"
		}
	}
	if err != nil {
		for _, n := range kept {
			failed[n.ID] = err.Error()
		}
		return message{}, false
	}
	return m, true
}

// belowMinimum says whether n is a new match whose current score no longer
// reaches the subscription's minimum, or whose match is gone or ineligible.
func (s *Service) belowMinimum(f *facts, sub store.Subscription, n store.Notification) bool {
	if n.Event != store.EventNewMatch {
		return false
	}
	m, ok := f.matches[store.MatchKey{CallID: n.CallID, CityID: n.Payload.CityID}]
	return !ok || m.Score < sub.MinScore || m.Eligibility == funding.Ineligible
}

// alertCities are the cities the alerts are about, in order of first
// mention.
func alertCities(as []notify.Alert) []string {
	var out []string
	for _, a := range as {
		if a.City != "" && !slices.Contains(out, a.City) {
			out = append(out, a.City)
		}
	}
	return out
}

// render fills m's email or Slack message, as its subscription's channel
// wants.
func (s *Service) render(m *message, email func() (notify.Email, error), slack func() notify.SlackMessage) error {
	if m.sub.Channel == store.ChannelEmail {
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
	if sub.Channel == store.ChannelEmail {
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
		Eligibility: funding.EligibilityUnknown,
		Deadline:    nextDeadline(c.Deadlines, today),
		Budget:      c.BudgetMax,
	}
	key := store.MatchKey{CallID: n.CallID, CityID: n.Payload.CityID}
	if m, ok := f.matches[key]; ok {
		call.Score = m.Score
		call.Reasons = f.reasons[key]
		call.Eligibility = m.Eligibility
	}
	a := notify.Alert{Call: call, Day: today, MuteURL: s.links.Mute(sub.ID, c.Identifier), City: f.cities[n.Payload.CityID]}
	switch n.Event {
	case store.EventNewMatch:
		a.Kind = notify.KindNewMatch
		// A new match introduces the call: a city new to its subject
		// hears who did it before.
		a.Call.FrontRunners = f.frontRunners[key]
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
		id := planID(n)
		p := f.plans[id]
		a.Invitation = &notify.Invitation{
			Lead:      p.Lead,
			Members:   p.Members,
			Role:      role(n.Payload.Role),
			Rationale: text(p.Rationale),
		}
		a.Invitation.AcceptURL, a.Invitation.DeclineURL = answerURLs(s.baseURL+"/plans/"+strconv.FormatInt(id, 10),
			a.Invitation.Role, f.slugs[n.Payload.CityID])
		for _, alt := range p.Alternatives {
			a.Invitation.Alternatives = append(a.Invitation.Alternatives, notify.Consortium{Lead: alt.Lead, Members: alt.Members})
		}
	default:
		return notify.Alert{}, false
	}
	return a, true
}

// answerURLs are an invitation's two links: the plan page at the buttons
// that answer it (ids the plan page gives them). A member city confirms or
// declines its part (#confirm-SLUG, #decline-SLUG; without a known city, the
// answers of all the reader's cities: #respond); the coordinator accepts or
// rejects the plan (#accept, #reject).
func answerURLs(planURL string, r notify.Role, city string) (yes, no string) {
	switch {
	case r == notify.RoleCoordinator:
		return planURL + "#accept", planURL + "#reject"
	case city == "":
		return planURL + "#respond", planURL + "#respond"
	}
	return planURL + "#confirm-" + city, planURL + "#decline-" + city
}

// planID is the plan an invitation is about: the best-ranked plan of its
// planner run for the recipient, or, for an invitation made per plan
// before invitations were per run, the plan its revision names.
func planID(n store.Notification) int64 {
	if n.Payload.PlanID != 0 {
		return n.Payload.PlanID
	}
	id, _ := strconv.ParseInt(n.Revision, 10, 64)
	return id
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
func changes(recorded []funding.Change, today time.Time) []notify.Change {
	var out []notify.Change
	var budget *funding.Change
	for _, c := range recorded {
		switch c.Field {
		case "deadlines":
			out = append(out, notify.Change{Field: notify.ChangeDeadline,
				OldDate: nextDeadline(dateList(c.Old), today), NewDate: nextDeadline(dateList(c.New), today)})
		case "status":
			out = append(out, notify.Change{Field: notify.ChangeStatus,
				OldStatus: funding.Status(c.Old), NewStatus: funding.Status(c.New)})
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
	return fmt.Sprintf("sent=%d retried=%d failed=%d broken=%d settled=%d skipped=%d", r.Sent, r.Retried, r.Failed, r.Broken, r.Settled, r.Skipped)
}
