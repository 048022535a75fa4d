-- Scoring stores only the pairs that are read: a call the city may apply for
-- (eligible or unknown) scoring 40 or more (internal/scoring's StoreFloor).
-- The rows kept before of the other pairs go.

-- +goose Up
DELETE FROM matches WHERE eligibility = 'ineligible' OR score < 40;

-- +goose Down
SELECT 1; -- the removed pairs come back with the next full rescore
