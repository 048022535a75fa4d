-- Front-runners of a call (issue 16, "learn from those who did it"): the
-- cities whose past project clearly resembles the call, kept by scoring so
-- that the call page, alerts and the planner read them instead of
-- recomputing. One row per (call, city): the city's most similar project,
-- its similarity and the vocabulary concepts both name. A city without a row
-- has no such project: a newcomer to the call.

-- +goose Up
CREATE TABLE front_runners (
    call_id    bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    city_id    bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    similarity real NOT NULL CHECK (similarity > 0 AND similarity <= 1),
    -- [{"concept": "shared-mobility", "label_nl": "deelmobiliteit", "label_en": "shared mobility"}, ...]
    themes     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(themes) = 'array'),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (call_id, city_id)
);
-- A city's rows, replaced when its projects are scored again.
CREATE INDEX front_runners_city ON front_runners (city_id);
CREATE INDEX front_runners_project ON front_runners (project_id);

-- +goose Down
DROP TABLE front_runners;
