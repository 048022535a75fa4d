-- Indexes the web app and JSON API need.

-- +goose Up
-- A city's matches by score: the page of /api/v1/cities/{slug}/matches is
-- read straight from this index (score, then call id breaks ties), and it
-- covers everything matches_city_score did.
CREATE INDEX matches_city_score_call ON matches (city_id, score DESC, call_id);
DROP INDEX matches_city_score;
-- Plans and bids are listed by the cities a user may see.
CREATE INDEX consortium_members_city ON consortium_members (city_id);
-- Deleting a user cascades to these.
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- +goose Down
DROP INDEX api_tokens_user;
DROP INDEX sessions_user;
DROP INDEX consortium_members_city;
CREATE INDEX matches_city_score ON matches (city_id, score DESC);
DROP INDEX matches_city_score_call;
