-- The read path of the web app: a cheap next deadline, an index that sorts a
-- city's matches by it without reading the calls' rows, and notifications
-- that tell web servers their cached answers are out of date.

-- +goose Up
-- next_deadline is the first cut-off on or after day, or NULL when all have
-- passed. deadlines is ascending (every source sorts it, crawlers.SortDeadlines):
-- width_bucket counts the cut-offs before day, so the next one follows them.
-- A one-expression SQL function is inlined by the planner: no call overhead.
CREATE FUNCTION next_deadline(deadlines date[], day date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN deadlines[width_bucket(day - 1, deadlines) + 1];

-- Sorting a city's matches by deadline reads the deadlines of up to a few
-- thousand calls: from this index alone (index-only scan), not the wide rows.
CREATE INDEX calls_id_deadlines ON calls (id) INCLUDE (deadlines, status, programme, budget_max, call_budget);

-- +goose StatementBegin
CREATE FUNCTION notify_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Delivered at commit, once per transaction and table.
    PERFORM pg_notify('fundmatch_data_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- One notification per statement, not per row: a crawl's bulk upsert or a
-- scoring batch sends one.
CREATE TRIGGER calls_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calls
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER matches_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON matches
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER call_interests_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON call_interests
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER cities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cities
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();

-- +goose Down
DROP TRIGGER cities_changed ON cities;
DROP TRIGGER call_interests_changed ON call_interests;
DROP TRIGGER matches_changed ON matches;
DROP TRIGGER calls_changed ON calls;
DROP FUNCTION notify_data_changed();
DROP INDEX calls_id_deadlines;
DROP FUNCTION next_deadline(date[], date);
