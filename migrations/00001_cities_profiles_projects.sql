-- Cities and municipalities, their profiles, and the projects they did before.

-- +goose Up
CREATE TABLE cities (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    nis_code       text NOT NULL UNIQUE CHECK (nis_code ~ '^[0-9]{5}$'),
    name_nl        text NOT NULL CHECK (name_nl <> ''),
    name_en        text NOT NULL DEFAULT '',
    name_fr        text NOT NULL DEFAULT '',
    province       text NOT NULL CHECK (province IN (
                       'Antwerpen', 'Limburg', 'Oost-Vlaanderen', 'Vlaams-Brabant', 'West-Vlaanderen', 'Brussel')),
    arrondissement text NOT NULL DEFAULT '',
    nuts3          text NOT NULL DEFAULT '' CHECK (nuts3 = '' OR nuts3 ~ '^BE[0-9]{3}$'),
    postcodes      text[] NOT NULL DEFAULT '{}',
    population     integer NOT NULL DEFAULT 0 CHECK (population >= 0),
    kind           text NOT NULL CHECK (kind IN ('centre_city', 'municipality', 'vgc')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE cities IS 'Flemish cities and municipalities, and the VGC (Brussels), that fundmatch serves.';

-- One profile per city: what it cares about and what it can carry.
CREATE TABLE profiles (
    city_id             bigint PRIMARY KEY REFERENCES cities (id) ON DELETE CASCADE,
    weight_economy      real NOT NULL DEFAULT 0.5 CHECK (weight_economy BETWEEN 0 AND 1),
    weight_government   real NOT NULL DEFAULT 0.5 CHECK (weight_government BETWEEN 0 AND 1),
    weight_people       real NOT NULL DEFAULT 0.5 CHECK (weight_people BETWEEN 0 AND 1),
    weight_living       real NOT NULL DEFAULT 0.5 CHECK (weight_living BETWEEN 0 AND 1),
    weight_mobility     real NOT NULL DEFAULT 0.5 CHECK (weight_mobility BETWEEN 0 AND 1),
    weight_environment  real NOT NULL DEFAULT 0.5 CHECK (weight_environment BETWEEN 0 AND 1),
    keywords_nl         text[] NOT NULL DEFAULT '{}',
    keywords_en         text[] NOT NULL DEFAULT '{}',
    excluded_programmes text[] NOT NULL DEFAULT '{}',
    -- NULL: the programme's default preparation time applies.
    preparation_days    integer CHECK (preparation_days BETWEEN 0 AND 365),
    max_concurrent_bids integer NOT NULL DEFAULT 2 CHECK (max_concurrent_bids BETWEEN 0 AND 100),
    cofunding_capacity  numeric(14, 2) NOT NULL DEFAULT 0 CHECK (cofunding_capacity >= 0),
    -- A seeded profile is a starting point for the officer to edit.
    starting_point      boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Past projects: City of Things, imported history (CORDIS, Kohesio, keep.eu), officer-entered.
CREATE TABLE projects (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source          text NOT NULL CHECK (source IN ('seed', 'import', 'officer', 'cordis', 'kohesio', 'keep')),
    source_id       text NOT NULL CHECK (source_id <> ''),
    title           text NOT NULL CHECK (title <> ''),
    summary         text NOT NULL DEFAULT '',
    year            integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    programme       text NOT NULL DEFAULT '',
    call_identifier text NOT NULL DEFAULT '',
    domains         text[] NOT NULL DEFAULT '{}'
                    CHECK (domains <@ ARRAY['economy', 'government', 'people', 'living', 'mobility', 'environment']),
    budget          numeric(14, 2) CHECK (budget >= 0),
    eu_contribution numeric(14, 2) CHECK (eu_contribution >= 0),
    url             text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_id)
);

-- The cities that took part in a project; at most one lead.
CREATE TABLE project_members (
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    city_id    bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('lead', 'partner')),
    PRIMARY KEY (project_id, city_id)
);
CREATE UNIQUE INDEX project_members_one_lead ON project_members (project_id) WHERE role = 'lead';
CREATE INDEX project_members_city ON project_members (city_id);

-- Partners that are not cities known to fundmatch (companies, universities, foreign cities).
CREATE TABLE project_partners (
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (name <> ''),
    country    text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    role       text NOT NULL DEFAULT 'partner' CHECK (role IN ('lead', 'partner')),
    PRIMARY KEY (project_id, name)
);

-- +goose Down
DROP TABLE project_partners;
DROP TABLE project_members;
DROP TABLE projects;
DROP TABLE profiles;
DROP TABLE cities;
