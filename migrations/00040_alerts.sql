-- Delivery bookkeeping for alerts: when a worker claimed a notification (so a
-- row stuck in 'sending' after a crash can be recognised), and which digest
-- carried an event to a daily or weekly subscriber.

-- +goose Up
ALTER TABLE notifications
    ADD COLUMN claimed_at timestamptz,
    ADD COLUMN digest_id  bigint REFERENCES notifications (id) ON DELETE SET NULL;
CREATE INDEX notifications_digest ON notifications (digest_id) WHERE digest_id IS NOT NULL;
CREATE INDEX notifications_sending ON notifications (claimed_at) WHERE status = 'sending';
CREATE INDEX notifications_subscription_pending ON notifications (subscription_id) WHERE status = 'pending';

-- +goose Down
DROP INDEX notifications_subscription_pending;
DROP INDEX notifications_sending;
DROP INDEX notifications_digest;
ALTER TABLE notifications DROP COLUMN digest_id, DROP COLUMN claimed_at;
