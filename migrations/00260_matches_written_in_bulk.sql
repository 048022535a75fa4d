-- Stored matches are derived data written in bulk: a full rescore of 300
-- municipalities against 20,000 calls writes two million rows, and each
-- city's best also an explanation. Three things made PostgreSQL's share of
-- that slow (measured on the 2-core machine):
--
-- 1. The foreign keys' check of every row against calls and cities: 24.7 s
--    against 9.4 s without, for 2.3 M rows. The scorer writes only the ids
--    it read from calls and cities; what the keys still did, taking a
--    deleted call's or city's matches with it, statement-level triggers
--    do, once per DELETE instead of once per row. Every page joins matches
--    to calls and cities, so a row whose call was deleted while it was
--    being scored is never shown.
-- 2. Parsing and pglz-compressing explanations and reasons as jsonb:
--    90,000 explanations took 8.4 s as jsonb, 2.9 s as json compressed
--    with lz4. Both are read whole (the list and the API pass the reasons
--    on as they are; fundmatch explain, the call page and the planner read
--    the explanation), never searched, so json loses nothing, and reading
--    json back is a copy where jsonb is printed anew.
-- 3. The trigger that gave a row without cut-offs its call's: evaluated
--    for every row (about 1 µs of the 3.5 µs a row costs), though the
--    scorer always brings them. The column has no default now, so that a
--    writer that forgets them is told so.
-- 4. Timestamps sent as text: PostgreSQL parses them slowly (two a row
--    were 2 s of a 22 s rescore). A row's scored_at and matched_at are
--    the writing transaction's time, their defaults.
-- 5. Storing the explanation's reasons and texts twice, in their columns
--    and in the explanation: the texts get columns of their own (the list
--    and the API read them without reading the explanation), the reasons
--    stay in theirs, and the explanation keeps the rest.

-- +goose Up
ALTER TABLE matches DROP CONSTRAINT matches_call_id_fkey, DROP CONSTRAINT matches_city_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION deleted_calls_take_matches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM matches m USING gone WHERE m.call_id = gone.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER calls_take_matches AFTER DELETE ON calls
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION deleted_calls_take_matches();

-- +goose StatementBegin
CREATE FUNCTION deleted_cities_take_matches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM matches m USING gone WHERE m.city_id = gone.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER cities_take_matches AFTER DELETE ON cities
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION deleted_cities_take_matches();

ALTER TABLE matches ALTER COLUMN matched_at SET DEFAULT now();
DROP TRIGGER matches_take_call_deadlines ON matches;
DROP FUNCTION match_takes_call_deadlines();
ALTER TABLE matches ALTER COLUMN deadlines DROP DEFAULT;

ALTER TABLE matches ADD COLUMN text_nl text NOT NULL DEFAULT '', ADD COLUMN text_en text NOT NULL DEFAULT '',
    ADD COLUMN summary_nl text NOT NULL DEFAULT '', ADD COLUMN summary_en text NOT NULL DEFAULT '';
UPDATE matches SET text_nl = coalesce(explanation->>'nl', ''), text_en = coalesce(explanation->>'en', ''),
    summary_nl = coalesce(explanation->>'summary_nl', ''), summary_en = coalesce(explanation->>'summary_en', '')
WHERE explanation <> '{}';
ALTER TABLE matches DROP CONSTRAINT matches_explanation_check;
ALTER TABLE matches ALTER COLUMN explanation DROP DEFAULT,
    ALTER COLUMN explanation TYPE json USING (explanation - 'nl' - 'en' - 'summary_nl' - 'summary_en' - 'reasons')::json,
    ALTER COLUMN explanation SET DEFAULT '{}', ALTER COLUMN explanation SET COMPRESSION lz4;
ALTER TABLE matches DROP CONSTRAINT matches_reasons_check;
ALTER TABLE matches ALTER COLUMN reasons DROP DEFAULT, ALTER COLUMN reasons TYPE json USING reasons::json,
    ALTER COLUMN reasons SET DEFAULT '[]', ALTER COLUMN reasons SET COMPRESSION lz4;
ALTER TABLE matches ADD CONSTRAINT matches_reasons_check CHECK (json_typeof(reasons) = 'array');
ALTER TABLE matches ADD CONSTRAINT matches_explanation_check CHECK (json_typeof(explanation) = 'object');

-- +goose Down
ALTER TABLE matches ALTER COLUMN matched_at DROP DEFAULT;
ALTER TABLE matches ALTER COLUMN deadlines SET DEFAULT '{}';
-- +goose StatementBegin
CREATE FUNCTION match_takes_call_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT deadlines INTO NEW.deadlines FROM calls WHERE id = NEW.call_id;
    NEW.deadlines := coalesce(NEW.deadlines, '{}');
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER matches_take_call_deadlines BEFORE INSERT ON matches
    FOR EACH ROW WHEN (NEW.deadlines = '{}') EXECUTE FUNCTION match_takes_call_deadlines();
ALTER TABLE matches DROP CONSTRAINT matches_explanation_check;
ALTER TABLE matches ALTER COLUMN explanation DROP DEFAULT,
    ALTER COLUMN explanation TYPE jsonb USING CASE WHEN explanation::text = '{}' THEN '{}'::jsonb
        ELSE explanation::jsonb || jsonb_build_object('nl', text_nl, 'en', text_en, 'summary_nl', summary_nl,
            'summary_en', summary_en, 'reasons', reasons) END,
    ALTER COLUMN explanation SET DEFAULT '{}', ALTER COLUMN explanation SET COMPRESSION DEFAULT;
ALTER TABLE matches ADD CONSTRAINT matches_explanation_check CHECK (jsonb_typeof(explanation) = 'object');
ALTER TABLE matches DROP CONSTRAINT matches_reasons_check;
ALTER TABLE matches ALTER COLUMN reasons DROP DEFAULT, ALTER COLUMN reasons TYPE jsonb USING reasons::jsonb,
    ALTER COLUMN reasons SET DEFAULT '[]', ALTER COLUMN reasons SET COMPRESSION DEFAULT;
ALTER TABLE matches ADD CONSTRAINT matches_reasons_check CHECK (jsonb_typeof(reasons) = 'array');
ALTER TABLE matches DROP COLUMN text_nl, DROP COLUMN text_en, DROP COLUMN summary_nl, DROP COLUMN summary_en;
DROP TRIGGER cities_take_matches ON cities;
DROP FUNCTION deleted_cities_take_matches();
DROP TRIGGER calls_take_matches ON calls;
DROP FUNCTION deleted_calls_take_matches();
DELETE FROM matches m WHERE NOT EXISTS (SELECT FROM calls c WHERE c.id = m.call_id)
    OR NOT EXISTS (SELECT FROM cities c WHERE c.id = m.city_id);
ALTER TABLE matches ADD CONSTRAINT matches_call_id_fkey FOREIGN KEY (call_id) REFERENCES calls (id) ON DELETE CASCADE,
    ADD CONSTRAINT matches_city_id_fkey FOREIGN KEY (city_id) REFERENCES cities (id) ON DELETE CASCADE;
