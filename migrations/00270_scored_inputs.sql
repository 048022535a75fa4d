-- What each city's stored matches were scored from, as the last full
-- scoring of the city wrote them (the calls, the city's profile and
-- history, the model and the day): a rescore passes over a city whose
-- inputs are the same instead of scoring it and comparing 20,000 pairs
-- with what is stored. The front-runners of every call have a row too.
-- A row is only a promise that nothing changed: scoring a city in part
-- (a new call, a profile edit) removes it first, and emptying the matches
-- or the front-runners removes them all.

-- +goose Up
CREATE TABLE scored_inputs (
    scope     text PRIMARY KEY CHECK (scope ~ '^(city:[0-9]+|front-runners)$'),
    inputs    text NOT NULL,
    scored_at timestamptz NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION forget_scored_inputs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM scored_inputs;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER matches_emptied AFTER TRUNCATE ON matches
    FOR EACH STATEMENT EXECUTE FUNCTION forget_scored_inputs();
CREATE TRIGGER front_runners_emptied AFTER TRUNCATE ON front_runners
    FOR EACH STATEMENT EXECUTE FUNCTION forget_scored_inputs();

-- +goose Down
DROP TRIGGER front_runners_emptied ON front_runners;
DROP TRIGGER matches_emptied ON matches;
DROP FUNCTION forget_scored_inputs();
DROP TABLE scored_inputs;
