-- The read path of the web app: a cheap next deadline, an index that sorts a
-- city's matches by it without reading the calls' rows, and notifications
-- that tell web servers what they cached is out of date.

-- +goose Up
-- next_deadline is the first cut-off on or after day, or NULL when all have
-- passed. deadlines is ascending (every source sorts it, crawlers.SortDeadlines):
-- width_bucket counts the cut-offs before day, so the next one follows them.
-- A one-expression SQL function is inlined by the planner: no call overhead.
CREATE FUNCTION next_deadline(deadlines date[], day date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN deadlines[width_bucket(day - 1, deadlines) + 1];

-- A match carries its call's cut-offs, so that a city's matches sort by
-- next deadline from one index (matches_city_score_call below) instead of
-- looking up a few thousand calls. Triggers keep the copy: a new match takes
-- its call's, and a call's new cut-offs go to its matches in the same
-- transaction.
ALTER TABLE matches ADD COLUMN deadlines date[] NOT NULL DEFAULT '{}';
UPDATE matches m SET deadlines = c.deadlines FROM calls c WHERE c.id = m.call_id AND c.deadlines <> '{}';

-- +goose StatementBegin
CREATE FUNCTION match_takes_call_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT deadlines INTO NEW.deadlines FROM calls WHERE id = NEW.call_id;
    NEW.deadlines := coalesce(NEW.deadlines, '{}');
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- SaveMatches brings the cut-offs along (a join is cheaper than a lookup
-- per row), so only rows without any ask the call.
CREATE TRIGGER matches_take_call_deadlines BEFORE INSERT ON matches
    FOR EACH ROW WHEN (NEW.deadlines = '{}') EXECUTE FUNCTION match_takes_call_deadlines();

-- +goose StatementBegin
CREATE FUNCTION call_deadlines_to_matches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE matches SET deadlines = NEW.deadlines WHERE call_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER calls_deadlines_to_matches AFTER UPDATE OF deadlines ON calls
    FOR EACH ROW WHEN (OLD.deadlines IS DISTINCT FROM NEW.deadlines) EXECUTE FUNCTION call_deadlines_to_matches();

-- A city's page by score or by deadline, with the filters on the match,
-- from the index alone.
DROP INDEX matches_city_score_call;
CREATE INDEX matches_city_score_call ON matches (city_id, score DESC, call_id) INCLUDE (deadlines, eligibility);
-- Filters and sorts on the call (programme, status, budget) look its
-- columns up here, not in the wide rows.
CREATE INDEX calls_page_keys ON calls (id) INCLUDE (status, programme, budget_max, call_budget);

-- +goose StatementBegin
CREATE FUNCTION notify_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Delivered at commit, once per transaction and table.
    PERFORM pg_notify('fundmatch_data_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Interest marks belong to a city and come one at a time: their
-- notification names the cities whose rows changed ("call_interests 12,31"),
-- so that a mark in Gent leaves what was kept for Leuven alone. Past 500
-- cities it names none (all).
-- +goose StatementBegin
CREATE FUNCTION notify_city_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
    n   int;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT string_agg(id::text, ','), count(*) INTO ids, n FROM (SELECT DISTINCT city_id AS id FROM new_rows) c;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT string_agg(id::text, ','), count(*) INTO ids, n FROM (SELECT DISTINCT city_id AS id FROM old_rows) c;
    ELSE
        SELECT string_agg(id::text, ','), count(*) INTO ids, n
        FROM (SELECT city_id AS id FROM new_rows UNION SELECT city_id FROM old_rows) c;
    END IF;
    IF n = 0 THEN
        RETURN NULL;
    ELSIF n > 500 THEN
        PERFORM pg_notify('fundmatch_data_changed', TG_TABLE_NAME);
    ELSE
        PERFORM pg_notify('fundmatch_data_changed', TG_TABLE_NAME || ' ' || ids);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- One notification per statement, not per row: a crawl's bulk upsert or a
-- scoring batch sends one. (A trigger with transition tables takes one
-- event, hence three for interests.)
CREATE TRIGGER calls_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calls
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
-- Matches are written in batches of many cities by scoring runs: one
-- notification per statement for the table (a transition table of a
-- batch's rows would cost more than it saves).
CREATE TRIGGER matches_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON matches
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER call_interests_inserted AFTER INSERT ON call_interests REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_city_rows_changed();
CREATE TRIGGER call_interests_updated AFTER UPDATE ON call_interests REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_city_rows_changed();
CREATE TRIGGER call_interests_deleted AFTER DELETE ON call_interests REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_city_rows_changed();
CREATE TRIGGER call_interests_truncated AFTER TRUNCATE ON call_interests
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER cities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cities
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
-- Who may do what: web servers keep the users of sessions and API tokens.
-- A new token or session changes nothing cached; recording a token's use
-- (last_used_at) does not count.
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER user_cities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_cities
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER api_tokens_changed AFTER UPDATE OF user_id, token_hash, expires_at, revoked_at OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER sessions_changed AFTER UPDATE OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();

-- +goose Down
DROP TRIGGER sessions_changed ON sessions;
DROP TRIGGER api_tokens_changed ON api_tokens;
DROP TRIGGER user_cities_changed ON user_cities;
DROP TRIGGER users_changed ON users;
DROP TRIGGER cities_changed ON cities;
DROP TRIGGER call_interests_truncated ON call_interests;
DROP TRIGGER call_interests_deleted ON call_interests;
DROP TRIGGER call_interests_updated ON call_interests;
DROP TRIGGER call_interests_inserted ON call_interests;
DROP TRIGGER matches_changed ON matches;
DROP TRIGGER calls_changed ON calls;
DROP FUNCTION notify_city_rows_changed();
DROP FUNCTION notify_data_changed();
DROP INDEX calls_page_keys;
DROP INDEX matches_city_score_call;
CREATE INDEX matches_city_score_call ON matches (city_id, score DESC, call_id);
DROP TRIGGER calls_deadlines_to_matches ON calls;
DROP FUNCTION call_deadlines_to_matches();
DROP TRIGGER matches_take_call_deadlines ON matches;
DROP FUNCTION match_takes_call_deadlines();
ALTER TABLE matches DROP COLUMN deadlines;
DROP FUNCTION next_deadline(date[], date);
