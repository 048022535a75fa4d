-- A match's reasons are stored as json, not jsonb. They are written whole
-- by the scorer and read whole by the lists and the API, never searched:
-- jsonb only cost work both ways. Writing it parsed and rebuilt each array,
-- and reading it turned the binary form back into text for every row of
-- every page: on the 2-core machine a page of 50 matches cost PostgreSQL
-- about 75 µs more CPU as jsonb (600 µs against 525 µs, the reasons of the
-- benchmark being short). As json the text is kept as it was written.

-- +goose Up
ALTER TABLE matches DROP CONSTRAINT matches_reasons_check;
ALTER TABLE matches ALTER COLUMN reasons DROP DEFAULT,
    ALTER COLUMN reasons TYPE json USING reasons::json,
    ALTER COLUMN reasons SET DEFAULT '[]';
ALTER TABLE matches ADD CONSTRAINT matches_reasons_check CHECK (json_typeof(reasons) = 'array');

-- +goose Down
ALTER TABLE matches DROP CONSTRAINT matches_reasons_check;
ALTER TABLE matches ALTER COLUMN reasons DROP DEFAULT,
    ALTER COLUMN reasons TYPE jsonb USING reasons::jsonb,
    ALTER COLUMN reasons SET DEFAULT '[]';
ALTER TABLE matches ADD CONSTRAINT matches_reasons_check CHECK (jsonb_typeof(reasons) = 'array');
