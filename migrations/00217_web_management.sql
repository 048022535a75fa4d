-- Alerts and users managed on the web (issue 17): a subscription its owner
-- paused, and one-time sign-in links (the first admin, invitations).

-- +goose Up
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check,
    ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'paused', 'broken', 'unsubscribed'));

-- A link that signs its user in once to choose a password. Only the SHA-256
-- of the token is kept; using the link deletes it.
CREATE TABLE sign_in_links (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id);

-- +goose Down
DROP TABLE sign_in_links;
UPDATE subscriptions SET status = 'unsubscribed' WHERE status = 'paused';
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check,
    ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'broken', 'unsubscribed'));
