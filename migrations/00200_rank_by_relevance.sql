-- A city's matches rank by score, then relevance, then next deadline, never
-- by the order calls were crawled in: the index that pages a city's matches
-- by score carries relevance too.

-- +goose Up
DROP INDEX matches_city_score_call;
CREATE INDEX matches_city_score_call ON matches (city_id, score DESC, relevance DESC, call_id) INCLUDE (deadlines, eligibility);

-- +goose Down
DROP INDEX matches_city_score_call;
CREATE INDEX matches_city_score_call ON matches (city_id, score DESC, call_id) INCLUDE (deadlines, eligibility);
