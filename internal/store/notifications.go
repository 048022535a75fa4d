package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/funding"
)

// singleEvents are the events a digest groups.
const singleEvents = `('new_match', 'call_changed', 'deadline_reminder', 'consortium_invitation')`

// Notification is one message fundmatch sends or will send. Its delivery
// key (SubscriptionID, CallID, Event, Revision) is unique.
type Notification struct {
	ID             int64
	SubscriptionID int64
	CallID         int64 // 0 for digests and notices
	Event          Event
	Revision       string
	Payload        NotificationPayload
	Attempts       int
	CreatedAt      time.Time
}

// Key is the notification's delivery key as one string, e.g.
// "12/345/new_match/"; the email Message-ID is derived from it.
func (n Notification) Key() string {
	return fmt.Sprintf("%d/%d/%s/%s", n.SubscriptionID, n.CallID, n.Event, n.Revision)
}

// NotificationPayload is what the sweep records with an event: the city it
// concerns, and for a reminder or invitation the details that make its
// revision.
type NotificationPayload struct {
	CityID   int64  `json:"city_id,omitempty"`
	Days     int    `json:"days,omitempty"`     // deadline_reminder: the reminder's offset
	Deadline string `json:"deadline,omitempty"` // deadline_reminder: YYYY-MM-DD
	Role     string `json:"role,omitempty"`     // consortium_invitation: lead, member or coordinator
	PlanID   int64  `json:"plan_id,omitempty"`  // consortium_invitation: the best-ranked plan of its run for the recipient
	Reason   string `json:"reason,omitempty"`   // subscription_broken: why the channel refused
}

// notDeliveredYet keeps a sweep from offering rows that already exist; the
// unique delivery key would refuse them anyway, but this avoids the work.
const notDeliveredYet = `NOT EXISTS (SELECT 1 FROM notifications x WHERE x.subscription_id = s.id
	AND x.call_id = %s AND x.event = '%s' AND x.revision = %s)`

const notMuted = `NOT EXISTS (SELECT 1 FROM call_mutes cm WHERE cm.user_id = s.user_id AND cm.call_id = %s)`

// sweepStatements insert the pending notifications of each event source.
// $1 is now, $2/$3 the subscriptions whose quiet hours delay their alerts
// and until when, $4 today's date in Brussels. Every statement mentions
// every parameter ("$4::date IS NOT NULL") because PostgreSQL must know the
// type of each.
var sweepStatements = []string{
	// New matches above the subscription's threshold for one of its cities.
	`INSERT INTO notifications (subscription_id, call_id, event, revision, payload, not_before, created_at)
	SELECT DISTINCT ON (s.id, m.call_id) s.id, m.call_id, 'new_match', '',
		jsonb_build_object('city_id', m.city_id), coalesce(q.not_before, $1), $1
	FROM subscriptions s
	JOIN subscription_cities sc ON sc.subscription_id = s.id
	JOIN matches m ON m.city_id = sc.city_id
	JOIN calls c ON c.id = m.call_id
	LEFT JOIN unnest($2::bigint[], $3::timestamptz[]) AS q(subscription_id, not_before) ON q.subscription_id = s.id
	WHERE s.status = 'active' AND m.score >= s.min_score AND m.eligibility <> 'ineligible' AND c.status <> 'closed'
		AND $4::date IS NOT NULL
		AND (cardinality(s.programmes) = 0 OR c.programme = ANY(s.programmes))
		AND ` + fmt.Sprintf(notMuted, "m.call_id") + `
		AND ` + fmt.Sprintf(notDeliveredYet, "m.call_id", EventNewMatch, "''") + `
	ORDER BY s.id, m.call_id, m.score DESC, m.city_id
	ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING
	RETURNING event`,
	// Changes (deadline, budget, status) to calls a city follows, made
	// after the city marked them.
	`INSERT INTO notifications (subscription_id, call_id, event, revision, payload, not_before, created_at)
	SELECT DISTINCT ON (s.id, cr.id) s.id, cr.call_id, 'call_changed', cr.id::text,
		jsonb_build_object('city_id', ci.city_id), coalesce(q.not_before, $1), $1
	FROM subscriptions s
	JOIN subscription_cities sc ON sc.subscription_id = s.id
	JOIN call_interests ci ON ci.city_id = sc.city_id AND ci.status IN ('interested', 'applying')
	JOIN call_revisions cr ON cr.call_id = ci.call_id AND cr.changed_at > ci.updated_at
	LEFT JOIN unnest($2::bigint[], $3::timestamptz[]) AS q(subscription_id, not_before) ON q.subscription_id = s.id
	WHERE s.status = 'active' AND $4::date IS NOT NULL
		AND EXISTS (SELECT 1 FROM jsonb_array_elements(cr.changes) ch
			WHERE ch->>'field' IN ('deadlines', 'status', 'budget_min', 'budget_max', 'call_budget'))
		AND ` + fmt.Sprintf(notMuted, "cr.call_id") + `
		AND ` + fmt.Sprintf(notDeliveredYet, "cr.call_id", EventCallChanged, "cr.id::text") + `
	ORDER BY s.id, cr.id, ci.city_id
	ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING
	RETURNING event`,
	// Deadline reminders: the smallest reminder offset not below the days
	// left, so a reminder missed while fundmatch was down still goes out.
	`INSERT INTO notifications (subscription_id, call_id, event, revision, payload, not_before, created_at)
	SELECT DISTINCT ON (s.id, c.id) s.id, c.id, 'deadline_reminder', r.days || ':' || to_char(nd.d, 'YYYY-MM-DD'),
		jsonb_build_object('city_id', ci.city_id, 'days', r.days, 'deadline', to_char(nd.d, 'YYYY-MM-DD')),
		coalesce(q.not_before, $1), $1
	FROM subscriptions s
	JOIN subscription_cities sc ON sc.subscription_id = s.id
	JOIN call_interests ci ON ci.city_id = sc.city_id AND ci.status IN ('interested', 'applying')
	JOIN calls c ON c.id = ci.call_id
	CROSS JOIN LATERAL (SELECT min(d) AS d FROM unnest(c.deadlines) d WHERE d >= $4::date) nd
	CROSS JOIN LATERAL (SELECT min(x) AS days FROM unnest(s.reminder_days) x WHERE x >= nd.d - $4::date) r
	LEFT JOIN unnest($2::bigint[], $3::timestamptz[]) AS q(subscription_id, not_before) ON q.subscription_id = s.id
	WHERE s.status = 'active' AND nd.d IS NOT NULL AND r.days IS NOT NULL
		AND ` + fmt.Sprintf(notMuted, "c.id") + `
		AND ` + fmt.Sprintf(notDeliveredYet, "c.id", EventDeadlineReminder, "r.days || ':' || to_char(nd.d, 'YYYY-MM-DD')") + `
	ORDER BY s.id, c.id, ci.city_id
	ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING
	RETURNING event`,
	// Consortium invitations to the subscribers of each member city: one
	// per planner run and call, naming the run's alternatives, with the
	// city's role in the best-ranked plan that includes it. A coordinator's
	// plan invites only the cities of that coordinator's set: a city outside
	// it was never theirs to invite.
	`INSERT INTO notifications (subscription_id, call_id, event, revision, payload, not_before, created_at)
	SELECT DISTINCT ON (s.id, p.plan_run_id, p.call_id) s.id, p.call_id, 'consortium_invitation', 'run:' || p.plan_run_id,
		jsonb_build_object('city_id', cm.city_id, 'plan_id', p.id, 'role', CASE cm.role WHEN 'lead' THEN 'lead' ELSE 'member' END),
		coalesce(q.not_before, $1), $1
	FROM consortium_plans p
	JOIN plan_runs pr ON pr.id = p.plan_run_id
	LEFT JOIN users creator ON creator.id = pr.created_by
	JOIN consortium_members cm ON cm.plan_id = p.id AND cm.response = 'pending'
	JOIN subscription_cities sc ON sc.city_id = cm.city_id
	JOIN subscriptions s ON s.id = sc.subscription_id
	LEFT JOIN unnest($2::bigint[], $3::timestamptz[]) AS q(subscription_id, not_before) ON q.subscription_id = s.id
	WHERE p.status = 'proposed' AND s.status = 'active' AND $4::date IS NOT NULL
		AND (creator.id IS NULL OR creator.role <> 'coordinator'
			OR EXISTS (SELECT 1 FROM user_cities uc WHERE uc.user_id = creator.id AND uc.city_id = cm.city_id))
		AND ` + invitedForRun + `
	ORDER BY s.id, p.plan_run_id, p.call_id, p.rank, cm.role, p.id
	ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING
	RETURNING event`,
	// ... and to the subscriptions of the coordinator who ran the planner.
	`INSERT INTO notifications (subscription_id, call_id, event, revision, payload, not_before, created_at)
	SELECT DISTINCT ON (s.id, p.plan_run_id, p.call_id) s.id, p.call_id, 'consortium_invitation', 'run:' || p.plan_run_id,
		jsonb_build_object('plan_id', p.id, 'role', 'coordinator'), coalesce(q.not_before, $1), $1
	FROM consortium_plans p
	JOIN plan_runs pr ON pr.id = p.plan_run_id
	JOIN subscriptions s ON s.user_id = pr.created_by
	LEFT JOIN unnest($2::bigint[], $3::timestamptz[]) AS q(subscription_id, not_before) ON q.subscription_id = s.id
	WHERE p.status = 'proposed' AND s.status = 'active' AND $4::date IS NOT NULL
		AND ` + invitedForRun + `
	ORDER BY s.id, p.plan_run_id, p.call_id, p.rank, p.id
	ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING
	RETURNING event`,
}

// invitedForRun keeps a sweep from inviting a subscription again to a
// planner run's plans for a call: by the run's key, or by the key of one of
// its plans (invitations were once made per plan).
const invitedForRun = `NOT EXISTS (SELECT 1 FROM notifications x WHERE x.subscription_id = s.id
	AND x.call_id = p.call_id AND x.event = 'consortium_invitation'
	AND (x.revision = 'run:' || p.plan_run_id OR x.revision IN (SELECT r.id::text FROM consortium_plans r
		WHERE r.plan_run_id = p.plan_run_id AND r.call_id = p.call_id)))`

// SweepEvents records, as pending notifications, every event a subscription
// has not been told about yet: new matches, changes and deadline reminders
// of followed calls, consortium invitations. It returns how many it added
// per event. notBefore delays the alerts of subscriptions in their quiet
// hours; today is the date in Brussels. Running it twice adds nothing.
func (s *Store) SweepEvents(ctx context.Context, now, today time.Time, notBefore map[int64]time.Time) (map[Event]int, error) {
	subs := make(pq.Int64Array, 0, len(notBefore))
	until := make(pq.StringArray, 0, len(notBefore))
	for id, t := range notBefore {
		subs = append(subs, id)
		until = append(until, t.UTC().Format(time.RFC3339Nano))
	}
	added := map[Event]int{}
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range sweepStatements {
			rows, err := tx.QueryContext(ctx, q, now, subs, until, today.Format(time.DateOnly))
			if err != nil {
				return fmt.Errorf("sweep events: %w", err)
			}
			for rows.Next() {
				var event Event
				if err := rows.Scan(&event); err != nil {
					rows.Close()
					return fmt.Errorf("sweep events: %w", err)
				}
				added[event]++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("sweep events: %w", err)
			}
		}
		return nil
	})
	return added, err
}

// ComposeDigests makes, for every active subscription of frequency (daily
// or weekly) with waiting events, one digest notification for period
// (e.g. "2026-11-23" or "2026-W48") and groups those events under it. A
// period's digest is made once: a second call adds nothing. It returns the
// number of digests made.
func (s *Store) ComposeDigests(ctx context.Context, frequency, period string, now time.Time) (int, error) {
	event := EventDailyDigest
	if frequency == "weekly" {
		event = EventWeeklyDigest
	}
	rows, err := s.db.QueryContext(ctx, `
	WITH due AS (
		SELECT DISTINCT n.subscription_id FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id
		WHERE s.status = 'active' AND s.frequency = $1 AND n.status = 'pending' AND n.digest_id IS NULL
			AND n.event IN `+singleEvents+`
	), digests AS (
		INSERT INTO notifications (subscription_id, call_id, event, revision, not_before, created_at)
		SELECT subscription_id, NULL, $2, $3, $4, $4 FROM due
		ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING
		RETURNING id, subscription_id
	)
	UPDATE notifications n SET digest_id = d.id FROM digests d
	WHERE n.subscription_id = d.subscription_id AND n.status = 'pending' AND n.digest_id IS NULL
		AND n.event IN `+singleEvents+`
	RETURNING d.id`, frequency, event, period, now)
	if err != nil {
		return 0, fmt.Errorf("compose %s digests: %w", frequency, err)
	}
	defer rows.Close()
	digests := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("compose %s digests: %w", frequency, err)
		}
		digests[id] = true
	}
	return len(digests), rows.Err()
}

const notificationColumns = `n.id, n.subscription_id, coalesce(n.call_id, 0), n.event, n.revision, n.payload, n.attempts, n.created_at`

func scanNotifications(rows *sql.Rows) ([]Notification, error) {
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var payload []byte
		if err := rows.Scan(&n.ID, &n.SubscriptionID, &n.CallID, &n.Event, &n.Revision, &payload, &n.Attempts, &n.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan notification: %w", err)
		}
		if err := json.Unmarshal(payload, &n.Payload); err != nil {
			return nil, fmt.Errorf("notification %d payload: %w", n.ID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ClaimLease is how long a worker holds the notifications it claimed. A
// claimed notification stays pending under the lease until its message is
// handed to the channel (StartSending), so the rest of a batch whose worker
// died is claimed again once the lease has run out; only the message in
// flight is in doubt. It is far above an SMTP or Slack timeout.
const ClaimLease = 10 * time.Minute

// dueForClaim selects (as p, joined to its subscription s) the notifications
// due at $1 and not held by another worker's lease ($3 is $1 - ClaimLease):
// instant alerts whose not_before has passed, digests, and notices of
// broken subscriptions; the events a digest groups are sent with it, never
// alone.
const dueForClaim = `p.status = 'pending' AND p.not_before <= $1 AND p.digest_id IS NULL
	AND (p.claimed_at IS NULL OR p.claimed_at < $3)
	AND (p.event = 'subscription_broken' OR s.status = 'active' AND
		(p.event IN ('daily_digest', 'weekly_digest') OR s.frequency = 'instant'))`

// ClaimNotifications leases, at now, every due notification of up to limit
// subscriptions and returns them, by subscription. A subscription's due
// notifications are claimed together, so that the events that fell due
// together can go out as one message. Subscriptions another worker is
// claiming are skipped and leased rows are not due, so two workers never
// claim the same notification. The rows stay pending until StartSending.
func (s *Store) ClaimNotifications(ctx context.Context, now time.Time, limit int) ([]Notification, error) {
	rows, err := s.db.QueryContext(ctx, `WITH picked AS (
		SELECT s.id FROM subscriptions s
		WHERE EXISTS (SELECT 1 FROM notifications p WHERE p.subscription_id = s.id AND `+dueForClaim+`)
		ORDER BY s.id
		LIMIT $2
		FOR NO KEY UPDATE OF s SKIP LOCKED)
	UPDATE notifications p SET claimed_at = $1
	FROM picked JOIN subscriptions s ON s.id = picked.id
	WHERE p.subscription_id = picked.id AND `+dueForClaim+`
	RETURNING `+strings.ReplaceAll(notificationColumns, "n.", "p."), now, limit, now.Add(-ClaimLease))
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	out, err := scanNotifications(rows)
	slices.SortFunc(out, func(a, b Notification) int {
		return cmp.Or(cmp.Compare(a.SubscriptionID, b.SubscriptionID), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// StartSending records that the message made of the claimed notifications
// ids, claimed at claimedAt, is about to be handed to its channel: they move
// to sending. It returns false, and changes nothing, unless every one of
// them is still pending under that claim (the lease ran out and another
// worker took them, or the subscription broke meanwhile).
func (s *Store) StartSending(ctx context.Context, ids []int64, claimedAt time.Time) (bool, error) {
	return s.SentThenStart(ctx, nil, time.Time{}, ids, claimedAt)
}

// SentThenStart does MarkSent(sent, now) and StartSending(ids, claimedAt)
// in one statement: a worker sending messages one after the other commits
// once per message, recording the last one as it starts the next.
func (s *Store) SentThenStart(ctx context.Context, sent []int64, now time.Time, ids []int64, claimedAt time.Time) (bool, error) {
	var started int64
	// Prepared: it runs once per message, and planning it costs more than
	// running it.
	err := s.stmts.queryRow(ctx, `WITH sent AS (
		UPDATE notifications SET status = 'sent', sent_at = $2, last_error = ''
		WHERE id = ANY($1) AND status = 'sending' RETURNING id
	), grouped AS (
		UPDATE notifications n SET status = 'sent', sent_at = $2, last_error = ''
		FROM sent WHERE n.digest_id = sent.id AND n.status = 'pending'
	), held AS (
		SELECT id FROM notifications WHERE id = ANY($3) AND status = 'pending' AND claimed_at = $4 FOR UPDATE
	), started AS (
		-- Only when every notification of the message is still held.
		UPDATE notifications n SET status = 'sending', attempts = n.attempts + 1
		WHERE n.id = ANY($3) AND n.id IN (SELECT id FROM held) AND (SELECT count(*) FROM held) = $5
		RETURNING n.id
	)
	SELECT count(*) FROM started`, pq.Int64Array(sent), now, pq.Int64Array(ids), claimedAt, len(ids)).Scan(&started)
	if err != nil {
		return false, fmt.Errorf("start sending notifications: %w", err)
	}
	return started == int64(len(ids)), nil
}

// OutcomeUnknown is the last_error of a notification found in sending after
// its worker stopped: it may or may not have gone out, and it is not sent
// again (at most once).
const OutcomeUnknown = "outcome unknown: the worker stopped between sending and recording; not resent"

// SettleAbandoned marks as sent, with OutcomeUnknown, the notifications a
// worker claimed before claimedBefore and never recorded: the worker crashed
// or lost the database between sending and recording. Sending again could
// deliver the message twice, so fundmatch accepts losing it instead (at most
// once). It returns how many it settled.
func (s *Store) SettleAbandoned(ctx context.Context, claimedBefore, now time.Time) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `WITH settled AS (
		UPDATE notifications SET status = 'sent', sent_at = $2, last_error = $3
		WHERE status = 'sending' AND claimed_at < $1 RETURNING id
	), grouped AS (
		UPDATE notifications n SET status = 'sent', sent_at = $2, last_error = $3
		FROM settled WHERE n.digest_id = settled.id AND n.status = 'pending' RETURNING n.id
	)
	SELECT count(*) FROM settled`, claimedBefore, now, OutcomeUnknown).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("settle abandoned notifications: %w", err)
	}
	return n, nil
}

// DigestEvents returns the events grouped under each digest, oldest first.
func (s *Store) DigestEvents(ctx context.Context, digestIDs []int64) (map[int64][]Notification, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT n.digest_id, `+notificationColumns+` FROM notifications n
		WHERE n.digest_id = ANY($1) ORDER BY n.digest_id, n.created_at, n.id`, pq.Int64Array(digestIDs))
	if err != nil {
		return nil, fmt.Errorf("digest events: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Notification{}
	for rows.Next() {
		var digest int64
		var n Notification
		var payload []byte
		if err := rows.Scan(&digest, &n.ID, &n.SubscriptionID, &n.CallID, &n.Event, &n.Revision, &payload, &n.Attempts, &n.CreatedAt); err != nil {
			return nil, fmt.Errorf("digest events: %w", err)
		}
		if err := json.Unmarshal(payload, &n.Payload); err != nil {
			return nil, fmt.Errorf("notification %d payload: %w", n.ID, err)
		}
		out[digest] = append(out[digest], n)
	}
	return out, rows.Err()
}

// MarkSent records that notifications (and the events their digests group)
// went out.
func (s *Store) MarkSent(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	// Two updates rather than one with OR, so that each uses its index.
	_, err := s.db.ExecContext(ctx, `WITH sent AS (
		UPDATE notifications SET status = 'sent', sent_at = $2, last_error = ''
		WHERE id = ANY($1) AND status = 'sending' RETURNING id)
	UPDATE notifications n SET status = 'sent', sent_at = $2, last_error = ''
	FROM sent WHERE n.digest_id = sent.id AND n.status = 'pending'`, pq.Int64Array(ids), now)
	if err != nil {
		return fmt.Errorf("mark notifications sent: %w", err)
	}
	return nil
}

// MarkRetry puts the notifications of a message back to pending, due again
// at notBefore and free of any claim, with the reason it failed.
func (s *Store) MarkRetry(ctx context.Context, ids []int64, notBefore time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET status = 'pending', not_before = $2, last_error = $3, claimed_at = NULL
		WHERE id = ANY($1) AND status = 'sending'`, pq.Int64Array(ids), notBefore, reason)
	if err != nil {
		return fmt.Errorf("mark notifications %v for retry: %w", ids, err)
	}
	return nil
}

// MarkFailed gives up on claimed notifications (and the events their
// digests group), whether their message was tried or could not be made.
func (s *Store) MarkFailed(ctx context.Context, ids []int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET status = 'failed', last_error = $2
		WHERE (id = ANY($1) AND status IN ('pending', 'sending')) OR (digest_id = ANY($1) AND status = 'pending')`,
		pq.Int64Array(ids), reason)
	if err != nil {
		return fmt.Errorf("mark notifications %v failed: %w", ids, err)
	}
	return nil
}

// BreakSubscription records that a subscription's channel refuses messages:
// the notifications of the message fail, the subscription becomes broken with the reason
// (the web page shows it), its waiting notifications are skipped, and a
// notice to its owner is queued. A subscription already broken is left as
// it is; broke says whether this call broke it.
func (s *Store) BreakSubscription(ctx context.Context, notificationIDs []int64, subscriptionID int64, reason string, now time.Time) (broke bool, err error) {
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET status = 'failed', last_error = $2
			WHERE (id = ANY($1) AND status = 'sending') OR (digest_id = ANY($1) AND status = 'pending')`, pq.Int64Array(notificationIDs), reason)
		if err != nil {
			return fmt.Errorf("break subscription %d: %w", subscriptionID, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'broken', broken_reason = $2, updated_at = $3
			WHERE id = $1 AND status = 'active'`, subscriptionID, reason, now)
		if err != nil {
			return fmt.Errorf("break subscription %d: %w", subscriptionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		broke = true
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET status = 'skipped', last_error = 'subscription broken'
			WHERE subscription_id = $1 AND status = 'pending'`, subscriptionID)
		if err != nil {
			return fmt.Errorf("break subscription %d: skip pending: %w", subscriptionID, err)
		}
		payload, _ := json.Marshal(NotificationPayload{Reason: reason})
		_, err = tx.ExecContext(ctx, `INSERT INTO notifications (subscription_id, event, revision, payload, not_before, created_at)
			VALUES ($1, 'subscription_broken', $2, $3, $4, $4) ON CONFLICT ON CONSTRAINT notifications_delivery_key DO NOTHING`,
			subscriptionID, strconv.FormatInt(now.Unix(), 10), payload, now)
		if err != nil {
			return fmt.Errorf("break subscription %d: queue notice: %w", subscriptionID, err)
		}
		return nil
	})
	return broke, err
}

// ReleaseClaims ends the claim on notifications that were not handed to
// their channel, so that the next delivery takes them at once: a worker
// that failed before sending them, or stopped (SIGTERM) in the middle of a
// batch.
func (s *Store) ReleaseClaims(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET claimed_at = NULL
		WHERE id = ANY($1) AND status = 'pending'`, pq.Int64Array(ids))
	if err != nil {
		return fmt.Errorf("release claimed notifications: %w", err)
	}
	return nil
}

// NextDue returns when the earliest pending notification falls due (a
// claimed one when its lease runs out), and false when none is pending.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT min(greatest(n.not_before, n.claimed_at + $1 * interval '1 second'))
		FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id
		WHERE n.status = 'pending' AND n.digest_id IS NULL AND (n.event = 'subscription_broken' OR s.status = 'active' AND
			(n.event IN ('daily_digest', 'weekly_digest') OR s.frequency = 'instant'))`, ClaimLease.Seconds()).Scan(&t)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due notification: %w", err)
	}
	return t.Time, t.Valid, nil
}

// SkipNotifications records that claimed notifications (or events a
// digest groups) will not be sent, and why.
func (s *Store) SkipNotifications(ctx context.Context, ids []int64, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET status = 'skipped', last_error = $2
		WHERE id = ANY($1) AND status = 'pending'`, pq.Int64Array(ids), reason)
	if err != nil {
		return fmt.Errorf("skip notifications: %w", err)
	}
	return nil
}

// CityNames returns the Dutch names of the cities with the given IDs, by ID.
func (s *Store) CityNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return s.cityColumn(ctx, ids, "name_nl")
}

// CitySlugs returns the slugs of the cities with the given IDs, by ID.
func (s *Store) CitySlugs(ctx context.Context, ids []int64) (map[int64]string, error) {
	return s.cityColumn(ctx, ids, "slug")
}

// cityColumn reads one text column (a constant, never user input) of the
// cities with the given IDs, by ID.
func (s *Store) cityColumn(ctx context.Context, ids []int64, column string) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, `+column+` FROM cities WHERE id = ANY($1)`, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("city %s: %w", column, err)
	}
	defer rows.Close()
	out := make(map[int64]string, len(ids))
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("city %s: %w", column, err)
		}
		out[id] = v
	}
	return out, rows.Err()
}

// AlertCall is what an alert says about a call.
type AlertCall struct {
	ID         int64
	Identifier string
	Title      string
	Programme  string
	Status     funding.Status
	Deadlines  []time.Time
	BudgetMax  *float64
}

// AlertCalls returns the calls with the given IDs, by ID.
func (s *Store) AlertCalls(ctx context.Context, ids []int64) (map[int64]AlertCall, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, identifier, title, programme, status, deadlines::text[], budget_max
		FROM calls WHERE id = ANY($1)`, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("alert calls: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]AlertCall, len(ids))
	for rows.Next() {
		var c AlertCall
		var deadlines pq.StringArray
		var budget sql.NullFloat64
		if err := rows.Scan(&c.ID, &c.Identifier, &c.Title, &c.Programme, &c.Status, &deadlines, &budget); err != nil {
			return nil, fmt.Errorf("alert calls: %w", err)
		}
		for _, d := range deadlines {
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				return nil, fmt.Errorf("alert calls: deadline %q: %w", d, err)
			}
			c.Deadlines = append(c.Deadlines, t)
		}
		if budget.Valid {
			c.BudgetMax = &budget.Float64
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// MatchKey names the match of a call for a city.
type MatchKey struct{ CallID, CityID int64 }

// AlertMatch is what an alert says about a match.
type AlertMatch struct {
	Score       int
	Eligibility funding.Eligibility
	Reasons     json.RawMessage // the matcher's reasons, best first
}

// AlertMatches returns the matches with the given keys.
func (s *Store) AlertMatches(ctx context.Context, keys []MatchKey) (map[MatchKey]AlertMatch, error) {
	calls := make(pq.Int64Array, len(keys))
	cities := make(pq.Int64Array, len(keys))
	for i, k := range keys {
		calls[i], cities[i] = k.CallID, k.CityID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.call_id, m.city_id, m.score, m.eligibility, m.reasons
		FROM unnest($1::bigint[], $2::bigint[]) AS k(call_id, city_id)
		JOIN matches m ON m.call_id = k.call_id AND m.city_id = k.city_id`, calls, cities)
	if err != nil {
		return nil, fmt.Errorf("alert matches: %w", err)
	}
	defer rows.Close()
	out := make(map[MatchKey]AlertMatch, len(keys))
	for rows.Next() {
		var k MatchKey
		var m AlertMatch
		if err := rows.Scan(&k.CallID, &k.CityID, &m.Score, &m.Eligibility, &m.Reasons); err != nil {
			return nil, fmt.Errorf("alert matches: %w", err)
		}
		out[k] = m
	}
	return out, rows.Err()
}

// RevisionChanges returns the changes recorded in call revisions, by
// revision ID.
func (s *Store) RevisionChanges(ctx context.Context, ids []int64) (map[int64][]funding.Change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, changes FROM call_revisions WHERE id = ANY($1)`, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("revision changes: %w", err)
	}
	defer rows.Close()
	out := make(map[int64][]funding.Change, len(ids))
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("revision changes: %w", err)
		}
		var changes []revisionChange
		if err := json.Unmarshal(b, &changes); err != nil {
			return nil, fmt.Errorf("revision %d changes: %w", id, err)
		}
		for _, c := range changes {
			out[id] = append(out[id], funding.Change{Field: c.Field, Old: c.Old, New: c.New})
		}
	}
	return out, rows.Err()
}

// AlertPlan is what an invitation says about a consortium plan.
type AlertPlan struct {
	ID        int64
	Lead      string          // the lead city's name
	Members   []string        // every member city's name, lead first
	Rationale json.RawMessage // components->'rationale': a string or {"nl": ..., "en": ...}; null when absent
	// Alternatives are the other plans still proposed that its planner
	// run made for the call, best ranked first.
	Alternatives []AlertPlan
}

// AlertPlans returns the consortium plans with the given IDs, by ID, each
// with its alternatives.
func (s *Store) AlertPlans(ctx context.Context, ids []int64) (map[int64]AlertPlan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT q.id, p.id, coalesce(p.components->'rationale', 'null'::jsonb),
		coalesce((SELECT c.name_nl FROM consortium_members m JOIN cities c ON c.id = m.city_id
			WHERE m.plan_id = p.id AND m.role = 'lead'), ''),
		coalesce((SELECT array_agg(c.name_nl ORDER BY m.role, c.name_nl) FROM consortium_members m
			JOIN cities c ON c.id = m.city_id WHERE m.plan_id = p.id), '{}')
		FROM consortium_plans q
		JOIN consortium_plans p ON p.plan_run_id = q.plan_run_id AND p.call_id = q.call_id AND (p.id = q.id OR p.status = 'proposed')
		WHERE q.id = ANY($1)
		ORDER BY q.id, p.id <> q.id, p.rank, p.id`, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("alert plans: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]AlertPlan, len(ids))
	for rows.Next() {
		var of int64
		var p AlertPlan
		var members pq.StringArray
		if err := rows.Scan(&of, &p.ID, &p.Rationale, &p.Lead, &members); err != nil {
			return nil, fmt.Errorf("alert plans: %w", err)
		}
		p.Members = members
		if p.ID == of {
			out[of] = p
			continue
		}
		plan := out[of]
		plan.Alternatives = append(plan.Alternatives, p)
		out[of] = plan
	}
	return out, rows.Err()
}
