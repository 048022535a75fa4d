-- People, what fundmatch concludes for them (matches, plans), what cities do
-- with it (interest marks, bids), and the alerts they receive.

-- +goose Up
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    name          text NOT NULL DEFAULT '',
    password_hash text NOT NULL DEFAULT '', -- empty: cannot sign in with a password
    role          text NOT NULL CHECK (role IN ('officer', 'coordinator', 'government', 'admin')),
    language      text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- The cities an officer works for, or a coordinator coordinates.
CREATE TABLE user_cities (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    city_id bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, city_id)
);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE, -- SHA-256 of the token; the token itself is never stored
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The score of a call for a city, with its explanation.
CREATE TABLE matches (
    call_id       bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    city_id       bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    score         smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
    relevance     real NOT NULL DEFAULT 0,
    experience    real NOT NULL DEFAULT 0,
    feasibility   real NOT NULL DEFAULT 0,
    eligibility   text NOT NULL CHECK (eligibility IN ('eligible', 'ineligible', 'unknown')),
    reasons       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(reasons) = 'array'),
    explanation   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(explanation) = 'object'),
    model_version text NOT NULL,
    input_hash    text NOT NULL,
    scored_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (call_id, city_id)
);
CREATE INDEX matches_city_score ON matches (city_id, score DESC);

-- What a city does with a call: the officer's mark and note.
CREATE TABLE call_interests (
    city_id    bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    call_id    bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    status     text NOT NULL CHECK (status IN ('interested', 'not_relevant', 'applying', 'submitted', 'won', 'lost')),
    note       text NOT NULL DEFAULT '',
    updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (city_id, call_id)
);
CREATE INDEX call_interests_call ON call_interests (call_id);

-- A planner run: for one call or a portfolio of calls.
CREATE TABLE plan_runs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope      text NOT NULL CHECK (scope IN ('call', 'portfolio')),
    params     jsonb NOT NULL DEFAULT '{}',
    value      double precision NOT NULL DEFAULT 0,
    bound      double precision,
    optimal    boolean NOT NULL DEFAULT false,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A proposed joint bid (a consortium) for one call.
CREATE TABLE consortium_plans (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_run_id         bigint NOT NULL REFERENCES plan_runs (id) ON DELETE CASCADE,
    call_id             bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    rank                integer NOT NULL DEFAULT 1 CHECK (rank >= 1), -- 1 = best, then the alternatives
    value               double precision NOT NULL,
    components          jsonb NOT NULL DEFAULT '{}',
    constraints_met     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(constraints_met) = 'array'),
    constraints_missing jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(constraints_missing) = 'array'),
    status              text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'rejected')),
    decided_by          bigint REFERENCES users (id) ON DELETE SET NULL,
    decided_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consortium_plans_call ON consortium_plans (call_id);

CREATE TABLE consortium_members (
    plan_id      bigint NOT NULL REFERENCES consortium_plans (id) ON DELETE CASCADE,
    city_id      bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('lead', 'partner')),
    contribution jsonb NOT NULL DEFAULT '{}',
    response     text NOT NULL DEFAULT 'pending' CHECK (response IN ('pending', 'confirmed', 'declined')),
    responded_at timestamptz,
    PRIMARY KEY (plan_id, city_id)
);
CREATE UNIQUE INDEX consortium_members_one_lead ON consortium_members (plan_id) WHERE role = 'lead';

-- The uptake record: what cities planned, submitted, won and lost.
CREATE TABLE bids (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id          bigint REFERENCES calls (id) ON DELETE SET NULL,
    plan_id          bigint REFERENCES consortium_plans (id) ON DELETE SET NULL,
    project_id       bigint REFERENCES projects (id) ON DELETE SET NULL,
    programme        text NOT NULL DEFAULT '',
    title            text NOT NULL DEFAULT '',
    year             integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    status           text NOT NULL CHECK (status IN ('planned', 'submitted', 'won', 'lost', 'withdrawn')),
    amount_requested numeric(16, 2) CHECK (amount_requested >= 0), -- EU amount asked
    amount_granted   numeric(16, 2) CHECK (amount_granted >= 0),   -- EU amount granted
    submitted_on     date,
    decided_on       date,
    -- Where the fact comes from, so officer-entered bids and imported facts are not counted twice.
    source           text NOT NULL DEFAULT 'officer' CHECK (source IN ('officer', 'plan', 'cordis', 'kohesio', 'keep')),
    source_id        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_id),
    CHECK (status = 'won' OR amount_granted IS NULL OR amount_granted = 0)
);
CREATE INDEX bids_call ON bids (call_id);

CREATE TABLE bid_members (
    bid_id           bigint NOT NULL REFERENCES bids (id) ON DELETE CASCADE,
    city_id          bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    role             text NOT NULL CHECK (role IN ('lead', 'partner')),
    amount_requested numeric(16, 2) CHECK (amount_requested >= 0),
    amount_granted   numeric(16, 2) CHECK (amount_granted >= 0),
    PRIMARY KEY (bid_id, city_id)
);
CREATE UNIQUE INDEX bid_members_one_lead ON bid_members (bid_id) WHERE role = 'lead';
CREATE INDEX bid_members_city ON bid_members (city_id);

-- Who wants to hear about what, where, and how often.
CREATE TABLE subscriptions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel           text NOT NULL CHECK (channel IN ('email', 'slack_webhook', 'slack_bot')),
    email             text NOT NULL DEFAULT '',
    slack_webhook_url text NOT NULL DEFAULT '', -- a secret: never logged
    slack_token       text NOT NULL DEFAULT '', -- a secret: never logged
    slack_channel     text NOT NULL DEFAULT '',
    min_score         smallint NOT NULL DEFAULT 60 CHECK (min_score BETWEEN 0 AND 100),
    programmes        text[] NOT NULL DEFAULT '{}', -- empty: every programme
    frequency         text NOT NULL DEFAULT 'instant' CHECK (frequency IN ('instant', 'daily', 'weekly')),
    language          text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    quiet_start       time,
    quiet_end         time,
    reminder_days     integer[] NOT NULL DEFAULT '{30,14,7,1}',
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'broken', 'unsubscribed')),
    broken_reason     text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (channel <> 'email' OR email <> ''),
    CHECK (channel <> 'slack_webhook' OR slack_webhook_url <> ''),
    CHECK (channel <> 'slack_bot' OR (slack_token <> '' AND slack_channel <> '')),
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

CREATE TABLE subscription_cities (
    subscription_id bigint NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    city_id         bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    PRIMARY KEY (subscription_id, city_id)
);

-- A user who does not want to hear about one call again.
CREATE TABLE call_mutes (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    call_id    bigint NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, call_id)
);

-- Every message fundmatch sends or will send. The unique delivery key makes a
-- retry, a crash after sending, or two workers at once send it only once.
CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    call_id         bigint REFERENCES calls (id) ON DELETE CASCADE,
    event           text NOT NULL CHECK (event IN (
                        'new_match', 'call_changed', 'deadline_reminder', 'consortium_invitation',
                        'daily_digest', 'weekly_digest', 'subscription_broken')),
    revision        text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    payload         jsonb NOT NULL DEFAULT '{}',
    not_before      timestamptz NOT NULL DEFAULT now(), -- quiet hours delay instant alerts
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT notifications_delivery_key UNIQUE NULLS NOT DISTINCT (subscription_id, call_id, event, revision)
);
CREATE INDEX notifications_pending ON notifications (not_before) WHERE status = 'pending';

-- +goose Down
DROP TABLE notifications;
DROP TABLE call_mutes;
DROP TABLE subscription_cities;
DROP TABLE subscriptions;
DROP TABLE bid_members;
DROP TABLE bids;
DROP TABLE consortium_members;
DROP TABLE consortium_plans;
DROP TABLE plan_runs;
DROP TABLE call_interests;
DROP TABLE matches;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE user_cities;
DROP TABLE users;
