-- Calls, where they come from, and the history of every crawl.

-- +goose Up
CREATE TABLE crawl_sources (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind        text NOT NULL CHECK (kind IN ('ftportal', 'html', 'cordis', 'kohesio', 'keep')),
    title       text NOT NULL DEFAULT '',
    -- Source-specific settings, e.g. the selectors of an HTML source.
    config      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    enabled     boolean NOT NULL DEFAULT true,
    schedule    interval NOT NULL DEFAULT '24 hours' CHECK (schedule >= interval '1 minute'),
    next_run_at timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crawl_sources_due ON crawl_sources (next_run_at) WHERE enabled;

CREATE TABLE crawl_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source          text NOT NULL REFERENCES crawl_sources (name) ON DELETE CASCADE,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz CHECK (finished_at >= started_at),
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'partial', 'failed')),
    pages           integer NOT NULL DEFAULT 0 CHECK (pages >= 0),
    calls_new       integer NOT NULL DEFAULT 0 CHECK (calls_new >= 0),
    calls_changed   integer NOT NULL DEFAULT 0 CHECK (calls_changed >= 0),
    calls_unchanged integer NOT NULL DEFAULT 0 CHECK (calls_unchanged >= 0),
    calls_closed    integer NOT NULL DEFAULT 0 CHECK (calls_closed >= 0),
    -- [{"url": "...", "message": "..."}]: what could not be read; the run went on.
    errors          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
    CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX crawl_runs_source_started ON crawl_runs (source, started_at DESC);

CREATE TABLE calls (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source           text NOT NULL REFERENCES crawl_sources (name),
    identifier       text NOT NULL CHECK (identifier <> ''),
    reference        text NOT NULL DEFAULT '',
    kind             text NOT NULL CHECK (kind IN ('topic', 'call', 'cascade')),
    programme        text NOT NULL DEFAULT '',
    programme_name   text NOT NULL DEFAULT '',
    call_identifier  text NOT NULL DEFAULT '',
    call_title       text NOT NULL DEFAULT '',
    title            text NOT NULL CHECK (title <> ''),
    summary          text NOT NULL DEFAULT '',
    description_html text NOT NULL DEFAULT '', -- sanitised, safe to render
    description_text text NOT NULL DEFAULT '',
    conditions_html  text NOT NULL DEFAULT '', -- sanitised, safe to render
    conditions_text  text NOT NULL DEFAULT '',
    url              text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('forthcoming', 'open', 'closed')),
    opening_date     date,
    deadlines        date[] NOT NULL DEFAULT '{}', -- every cut-off, ascending
    deadline_model   text NOT NULL DEFAULT '',
    budget_min       numeric(16, 2) CHECK (budget_min >= 0),
    budget_max       numeric(16, 2) CHECK (budget_max >= 0),
    expected_grants  integer CHECK (expected_grants >= 0),
    call_budget      numeric(16, 2) CHECK (call_budget >= 0),
    funding_rate     numeric(5, 2) CHECK (funding_rate BETWEEN 0 AND 100),
    types_of_action  text[] NOT NULL DEFAULT '{}',
    keywords         text[] NOT NULL DEFAULT '{}',
    tags             text[] NOT NULL DEFAULT '{}',
    eligibility_notes text NOT NULL DEFAULT '',
    language         text NOT NULL DEFAULT '',
    content_hash     text NOT NULL,
    closed_reason    text NOT NULL DEFAULT '',
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    last_changed_at  timestamptz NOT NULL DEFAULT now(),
    raw              jsonb,
    UNIQUE (source, identifier),
    CHECK (budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max)
);
CREATE INDEX calls_status ON calls (status);
CREATE INDEX calls_programme ON calls (programme);

-- What changed in a call between two crawls.
CREATE TABLE call_revisions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id      bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    crawl_run_id bigint REFERENCES crawl_runs (id) ON DELETE SET NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    -- [{"field": "deadlines", "old": ..., "new": ...}]
    changes      jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'array'),
    content_hash text NOT NULL
);
CREATE INDEX call_revisions_call ON call_revisions (call_id, changed_at DESC);

-- Validators for conditional GET, so an unchanged page or file is not fetched twice.
CREATE TABLE fetch_validators (
    url           text PRIMARY KEY,
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE fetch_validators;
DROP TABLE call_revisions;
DROP TABLE calls;
DROP TABLE crawl_runs;
DROP TABLE crawl_sources;
