-- The time of day of a call's cut-offs, where the source gives one (most
-- Horizon deadlines are 17:00 Brussels time), beside the calendar days in
-- deadlines. Each is RFC 3339 text, so the zone offset the source gave is
-- kept as written; a cut-off given as a day alone has none.

-- +goose Up
ALTER TABLE calls ADD COLUMN deadline_times text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE calls DROP COLUMN deadline_times;
