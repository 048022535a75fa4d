package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// UpdateSubscription replaces what a subscription delivers, where and how
// often with n (its owner, n.UserEmail, stays). A broken subscription set
// up again is active again. An unknown city slug is an error that names it;
// an unknown subscription is ErrNotFound.
func (s *Store) UpdateSubscription(ctx context.Context, id int64, n NewSubscription, now time.Time) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		ids, err := cityIDList(ctx, tx, n.Cities)
		if err != nil {
			return err
		}
		reminders := make(pq.Int64Array, len(n.ReminderDays))
		for i, d := range n.ReminderDays {
			reminders[i] = int64(d)
		}
		var found bool
		err = tx.GetContext(ctx, &found, `UPDATE subscriptions SET channel = $2, email = $3, slack_webhook_url = $4,
			slack_token = $5, slack_channel = $6, min_score = $7, programmes = $8, frequency = $9, language = $10,
			quiet_start = $11::time, quiet_end = $12::time, reminder_days = $13, updated_at = $14,
			status = CASE WHEN status = 'broken' THEN 'active' ELSE status END,
			broken_reason = CASE WHEN status = 'broken' THEN '' ELSE broken_reason END
			WHERE id = $1 RETURNING true`,
			id, n.Channel, n.Email, n.SlackWebhookURL, n.SlackToken, n.SlackChannel, n.MinScore,
			stringArray(n.Programmes), n.Frequency, n.Language, nullString(n.QuietStart), nullString(n.QuietEnd), reminders, now)
		if err != nil {
			return notFound(err, fmt.Sprintf("subscription %d", id))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscription_cities WHERE subscription_id = $1 AND NOT (city_id = ANY($2))`, id, ids); err != nil {
			return fmt.Errorf("update subscription cities: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO subscription_cities (subscription_id, city_id)
			SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, id, ids)
		if err != nil {
			return fmt.Errorf("update subscription cities: %w", err)
		}
		return nil
	})
}

// SetSubscriptionPaused pauses an active subscription, or resumes a paused
// one. While paused nothing is delivered and no alerts are made for it; what
// was waiting is skipped, so resuming does not send a backlog. A
// subscription in another state (broken, unsubscribed) is left as it is.
// An unknown subscription is ErrNotFound.
func (s *Store) SetSubscriptionPaused(ctx context.Context, id int64, paused bool, now time.Time) error {
	from, to := SubscriptionPaused, SubscriptionActive
	if paused {
		from, to = SubscriptionActive, SubscriptionPaused
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var status SubscriptionStatus
		if err := tx.GetContext(ctx, &status, `SELECT status FROM subscriptions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, fmt.Sprintf("subscription %d", id))
		}
		if status != from {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = $2, updated_at = $3 WHERE id = $1`, id, to, now); err != nil {
			return fmt.Errorf("pause subscription %d: %w", id, err)
		}
		if paused {
			_, err := tx.ExecContext(ctx, `UPDATE notifications SET status = 'skipped', last_error = 'paused'
				WHERE subscription_id = $1 AND status = 'pending'`, id)
			if err != nil {
				return fmt.Errorf("pause subscription %d: skip pending: %w", id, err)
			}
		}
		return nil
	})
}
