package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Subscription is who wants to hear about what, where and how often. The
// Slack webhook URL and token are secrets: they are never serialised, and
// Masked hides them for display.
type Subscription struct {
	ID              int64              `json:"id"`
	UserID          int64              `json:"user_id"`
	UserEmail       string             `json:"user"`
	UserName        string             `json:"user_name,omitempty"`
	Channel         Channel            `json:"channel"`
	Email           string             `json:"email,omitempty"`
	SlackWebhookURL string             `json:"-"`
	SlackToken      string             `json:"-"`
	SlackChannel    string             `json:"slack_channel,omitempty"`
	MinScore        int                `json:"min_score"`
	Programmes      []string           `json:"programmes"` // empty: every programme
	Frequency       string             `json:"frequency"`  // instant, daily or weekly
	Language        string             `json:"language"`
	Quiet           string             `json:"quiet,omitempty"` // "20:00-07:00", empty for none
	ReminderDays    []int              `json:"reminder_days"`
	Status          SubscriptionStatus `json:"status"`
	BrokenReason    string             `json:"broken_reason,omitempty"`
	Cities          []string           `json:"cities"` // slugs
	CreatedAt       time.Time          `json:"created_at"`
}

// Target says where the subscription delivers, with secrets masked, e.g.
// "officer@gent.be", "Slack webhook hooks.slack.com/…" or "Slack #subsidies".
// Only the webhook's host is shown: its path is the secret.
func (s Subscription) Target() string {
	switch s.Channel {
	case ChannelSlackWebhook:
		host := "?"
		if u, err := url.Parse(s.SlackWebhookURL); err == nil && u.Host != "" {
			host = u.Host
		}
		return "Slack webhook " + host + "/…"
	case ChannelSlackBot:
		return "Slack " + s.SlackChannel
	}
	return s.Email
}

// NewSubscription is what AddSubscription needs. The owner is found by
// email, or created as an officer of Cities when unknown.
type NewSubscription struct {
	UserEmail       string
	Channel         Channel
	Email           string
	SlackWebhookURL string
	SlackToken      string
	SlackChannel    string
	MinScore        int
	Programmes      []string
	Frequency       string
	Language        string
	QuietStart      string // "HH:MM", or empty with QuietEnd for none
	QuietEnd        string
	ReminderDays    []int
	Cities          []string // slugs
}

// AddSubscription stores a subscription and returns its ID. An unknown city
// slug is an error that names it.
func (s *Store) AddSubscription(ctx context.Context, n NewSubscription) (int64, error) {
	var id int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		ids, err := cityIDList(ctx, tx, n.Cities)
		if err != nil {
			return err
		}
		userID, err := ensureUser(ctx, tx, n.UserEmail, n.Language, ids)
		if err != nil {
			return err
		}
		reminders := pq.Int64Array{30, 14, 7, 1}
		if n.ReminderDays != nil {
			reminders = make(pq.Int64Array, len(n.ReminderDays))
			for i, d := range n.ReminderDays {
				reminders[i] = int64(d)
			}
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO subscriptions (user_id, channel, email, slack_webhook_url,
			slack_token, slack_channel, min_score, programmes, frequency, language, quiet_start, quiet_end, reminder_days)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::time, $12::time, $13) RETURNING id`,
			userID, n.Channel, n.Email, n.SlackWebhookURL, n.SlackToken, n.SlackChannel, n.MinScore,
			stringArray(n.Programmes), n.Frequency, n.Language, nullString(n.QuietStart), nullString(n.QuietEnd),
			reminders).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert subscription: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO subscription_cities (subscription_id, city_id)
			SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, id, ids)
		if err != nil {
			return fmt.Errorf("insert subscription cities: %w", err)
		}
		return nil
	})
	return id, err
}

// ensureUser returns the ID of the user with email, creating an officer of
// cityIDs when there is none.
func ensureUser(ctx context.Context, tx *sqlx.Tx, email, lang string, cityIDs pq.Int64Array) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE lower(email) = lower($1)`, email).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("look up user: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO users (email, role, language) VALUES ($1, 'officer', $2) RETURNING id`,
		email, lang).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create user %s: %w", email, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO user_cities (user_id, city_id) SELECT $1, unnest($2::bigint[])`, id, cityIDs)
	if err != nil {
		return 0, fmt.Errorf("link user to cities: %w", err)
	}
	return id, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const selectSubscription = `SELECT s.id, s.user_id, u.email, u.name, s.channel, s.email, s.slack_webhook_url,
	s.slack_token, s.slack_channel, s.min_score, s.programmes, s.frequency, s.language,
	coalesce(to_char(s.quiet_start, 'HH24:MI') || '-' || to_char(s.quiet_end, 'HH24:MI'), ''),
	s.reminder_days, s.status, s.broken_reason, s.created_at,
	coalesce((SELECT array_agg(c.slug ORDER BY c.slug) FROM subscription_cities sc JOIN cities c ON c.id = sc.city_id
		WHERE sc.subscription_id = s.id), '{}')
	FROM subscriptions s JOIN users u ON u.id = s.user_id`

func scanSubscriptions(rows *sql.Rows) ([]Subscription, error) {
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		var sub Subscription
		var programmes, cities pq.StringArray
		var reminders pq.Int64Array
		err := rows.Scan(&sub.ID, &sub.UserID, &sub.UserEmail, &sub.UserName, &sub.Channel, &sub.Email,
			&sub.SlackWebhookURL, &sub.SlackToken, &sub.SlackChannel, &sub.MinScore, &programmes, &sub.Frequency,
			&sub.Language, &sub.Quiet, &reminders, &sub.Status, &sub.BrokenReason, &sub.CreatedAt, &cities)
		if err != nil {
			return nil, fmt.Errorf("scan subscription: %w", err)
		}
		sub.Programmes, sub.Cities = []string(programmes), []string(cities)
		for _, d := range reminders {
			sub.ReminderDays = append(sub.ReminderDays, int(d))
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// Subscriptions returns every subscription, oldest first.
func (s *Store) Subscriptions(ctx context.Context) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, selectSubscription+` ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return scanSubscriptions(rows)
}

// SubscriptionsByID returns the subscriptions with the given IDs, by ID.
func (s *Store) SubscriptionsByID(ctx context.Context, ids []int64) (map[int64]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, selectSubscription+` WHERE s.id = ANY($1)`, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("subscriptions by id: %w", err)
	}
	subs, err := scanSubscriptions(rows)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Subscription, len(subs))
	for _, sub := range subs {
		out[sub.ID] = sub
	}
	return out, nil
}

// QuietSubscriptions returns the active instant subscriptions that have
// quiet hours: the only ones whose alerts may have to wait.
func (s *Store) QuietSubscriptions(ctx context.Context) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, selectSubscription+`
		WHERE s.status = 'active' AND s.frequency = 'instant' AND s.quiet_start IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("quiet subscriptions: %w", err)
	}
	return scanSubscriptions(rows)
}

// RemoveSubscription deletes a subscription and its notifications.
func (s *Store) RemoveSubscription(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("remove subscription %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("subscription %d: %w", id, ErrNotFound)
	}
	return nil
}

// Unsubscribe ends a subscription at once: its status becomes unsubscribed
// and its waiting notifications are skipped, so nothing more goes out.
func (s *Store) Unsubscribe(ctx context.Context, id int64, now time.Time) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'unsubscribed', updated_at = $2 WHERE id = $1`, id, now)
		if err != nil {
			return fmt.Errorf("unsubscribe %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("subscription %d: %w", id, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET status = 'skipped', last_error = 'unsubscribed'
			WHERE subscription_id = $1 AND status = 'pending'`, id)
		if err != nil {
			return fmt.Errorf("unsubscribe %d: skip pending: %w", id, err)
		}
		return nil
	})
}

// MuteCall stops alerts about one call for a user: no new ones are made and
// waiting ones are skipped. The user is named by email or, when email is
// empty, as the owner of subscriptionID (a signed mute link).
func (s *Store) MuteCall(ctx context.Context, email string, subscriptionID int64, callIdentifier string) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var userID, callID int64
		var err error
		if email != "" {
			err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE lower(email) = lower($1)`, email).Scan(&userID)
		} else {
			err = tx.QueryRowContext(ctx, `SELECT user_id FROM subscriptions WHERE id = $1`, subscriptionID).Scan(&userID)
		}
		if err != nil {
			return notFound(err, "mute: user")
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM calls WHERE identifier = $1 ORDER BY id LIMIT 1`, callIdentifier).Scan(&callID)
		if err != nil {
			return notFound(err, fmt.Sprintf("mute: call %s", callIdentifier))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO call_mutes (user_id, call_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, callID)
		if err != nil {
			return fmt.Errorf("mute call: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE notifications n SET status = 'skipped', last_error = 'muted'
			FROM subscriptions s WHERE s.id = n.subscription_id AND s.user_id = $1 AND n.call_id = $2
			AND n.status = 'pending' AND n.event <> 'consortium_invitation'`, userID, callID)
		if err != nil {
			return fmt.Errorf("mute call: skip pending: %w", err)
		}
		return nil
	})
}

// SubscriptionsOfUser returns one user's subscriptions, the broken ones first.
func (s *Store) SubscriptionsOfUser(ctx context.Context, userID int64) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, selectSubscription+` WHERE s.user_id = $1 ORDER BY s.status <> 'broken', s.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of user %d: %w", userID, err)
	}
	return scanSubscriptions(rows)
}
