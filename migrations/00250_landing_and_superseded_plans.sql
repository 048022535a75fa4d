-- Landing pages and the plan page (issue 17): when a user last opened their
-- landing page, when a city first matched a call, and proposals that a
-- later planner run replaced.

-- +goose Up
-- last_visit_at is the latest opening of the landing page; previous_visit_at
-- the opening before the current visit (openings less than an hour apart
-- are one visit), from which "new since your last visit" counts. A table of
-- its own: a visit is no change to the user, and an update of users would
-- empty every server's cache of signed-in users.
CREATE TABLE user_visits (
    user_id           bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_visit_at     timestamptz NOT NULL,
    previous_visit_at timestamptz
);

-- When the pair was first scored; rescoring keeps it. NULL for matches
-- stored before this column, whose scored_at stands in.
ALTER TABLE matches ADD COLUMN matched_at timestamptz;

-- A proposal still open when a later run proposed plans for the same call
-- with one of its cities is superseded: it cannot be decided any more, so
-- a call never shows two open "rank 1" proposals for the same cities.
ALTER TABLE consortium_plans DROP CONSTRAINT consortium_plans_status_check,
    ADD CONSTRAINT consortium_plans_status_check CHECK (status IN ('proposed', 'accepted', 'rejected', 'superseded'));
UPDATE consortium_plans p SET status = 'superseded'
WHERE p.status = 'proposed' AND EXISTS (
    SELECT 1 FROM consortium_plans q
    JOIN consortium_members qm ON qm.plan_id = q.id
    JOIN consortium_members pm ON pm.plan_id = p.id AND pm.city_id = qm.city_id
    WHERE q.call_id = p.call_id AND q.plan_run_id > p.plan_run_id);

-- +goose Down
UPDATE consortium_plans SET status = 'proposed' WHERE status = 'superseded';
ALTER TABLE consortium_plans DROP CONSTRAINT consortium_plans_status_check,
    ADD CONSTRAINT consortium_plans_status_check CHECK (status IN ('proposed', 'accepted', 'rejected'));
ALTER TABLE matches DROP COLUMN matched_at;
DROP TABLE user_visits;
