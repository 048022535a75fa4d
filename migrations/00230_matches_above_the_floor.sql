-- Scoring stores only the pairs that are read (eligible or unknown, a score
-- of 40 or more) and writes a full rescore's new rows straight in: the
-- index on (city_id, score) alone is a prefix of matches_city_score_call
-- and only slowed every write down. What is no longer kept goes: the
-- ineligible pairs and those below the floor.

-- +goose Up
DROP INDEX matches_city_score;
DELETE FROM matches WHERE eligibility = 'ineligible' OR score < 40;

-- +goose Down
CREATE INDEX matches_city_score ON matches (city_id, score DESC);
