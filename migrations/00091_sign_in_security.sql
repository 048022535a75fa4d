-- Sign-in under attack and operators' controls (issue 14).

-- +goose Up
-- Windowed counters of sign-in attempts, shared by every web server: per
-- account and address, per address, and the addresses an account signed in
-- from lately. Keys are SHA-256 hashes, so an attacker's long emails take no
-- room and no address is stored in the clear.
CREATE TABLE sign_in_counts (
    key        bytea PRIMARY KEY,
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    expires_at timestamptz NOT NULL -- the end of the window; the row means nothing after it
);
CREATE INDEX sign_in_counts_expires ON sign_in_counts (expires_at);

-- Part of the signed iCal feed URL: raising it makes the old URL stop working.
ALTER TABLE users ADD COLUMN ical_version integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN ical_version;
DROP TABLE sign_in_counts;
