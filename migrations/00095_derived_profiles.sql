-- A profile fundmatch derived for a municipality that had none (from its own
-- past projects and the profiles of similar municipalities), shown as such
-- until an officer saves the profile, which clears the flag.

-- +goose Up
ALTER TABLE profiles ADD COLUMN derived boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE profiles DROP COLUMN derived;
