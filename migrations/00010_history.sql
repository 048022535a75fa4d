-- EU history imports (CORDIS, Kohesio, keep.eu): who took part in the imported projects, the admins'
-- verdicts on uncertain participants, the review list, and the collaborations between cities and partners.
-- Past projects go into projects (+ project_members, project_partners) and uptake into bids (+ bid_members).

-- +goose Up
-- A digest of everything an imported project yields, so that re-importing an unchanged project costs
-- no write at all.
ALTER TABLE projects ADD COLUMN import_hash text NOT NULL DEFAULT '';

-- An admin's verdict on a participant name, keyed by the resolver's name key (resolve.Key). Verdicts
-- survive re-imports: the resolver applies them before its own rules.
CREATE TABLE entity_decisions (
    key        text PRIMARY KEY CHECK (key <> ''),
    verdict    text NOT NULL CHECK (verdict IN ('confirmed', 'rejected')),
    city_id    bigint REFERENCES cities (id) ON DELETE CASCADE,
    body       text NOT NULL DEFAULT '',
    decided_by text NOT NULL DEFAULT '',
    decided_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((verdict = 'confirmed') = (city_id IS NOT NULL))
);

-- Participants the resolver was not sure of, for an admin to confirm or reject. One row per name key
-- and source; times_seen is how many rows of the source's latest import carried the name.
CREATE TABLE entity_reviews (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key               text NOT NULL CHECK (key <> ''),
    name              text NOT NULL CHECK (name <> ''),
    country           text NOT NULL DEFAULT '',
    postcode          text NOT NULL DEFAULT '',
    source            text NOT NULL CHECK (source IN ('cordis', 'kohesio', 'keep')),
    candidate_city_id bigint REFERENCES cities (id) ON DELETE SET NULL,
    body              text NOT NULL DEFAULT '',
    confidence        real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    evidence          text[] NOT NULL DEFAULT '{}',
    times_seen        integer NOT NULL DEFAULT 1 CHECK (times_seen >= 0),
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (key, source)
);
CREATE INDEX entity_reviews_pending ON entity_reviews (key) WHERE status = 'pending';

-- Every participant of an imported project (natural persons are never stored), so that an admin's
-- verdict can be applied to the stored facts at once, without the source file.
CREATE TABLE history_participants (
    project_id      bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position        integer NOT NULL CHECK (position >= 0),
    organisation_id text NOT NULL DEFAULT '', -- the source's id: CORDIS or keep.eu PIC, Kohesio beneficiary
    name            text NOT NULL CHECK (name <> ''),
    country         text NOT NULL DEFAULT '',
    role            text NOT NULL CHECK (role IN ('lead', 'partner')),
    eu_contribution numeric(16, 2),
    entity_key      text NOT NULL DEFAULT '',
    -- The city the participant belongs to; NULL when it is none or not certain.
    city_id         bigint REFERENCES cities (id) ON DELETE SET NULL,
    PRIMARY KEY (project_id, position)
);
CREATE INDEX history_participants_key ON history_participants (entity_key);

-- Who worked with whom: a city with another city (partner_city_id) or with a foreign organisation
-- (partner_name, partner_country), in one imported project.
CREATE TABLE collaborations (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id              bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    source                  text NOT NULL CHECK (source IN ('cordis', 'kohesio', 'keep')),
    source_id               text NOT NULL CHECK (source_id <> ''),
    year                    integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    programme               text NOT NULL DEFAULT '',
    city_id                 bigint NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    partner_city_id         bigint REFERENCES cities (id) ON DELETE CASCADE,
    partner_organisation_id text NOT NULL DEFAULT '',
    partner_name            text NOT NULL DEFAULT '',
    partner_country         text NOT NULL DEFAULT '',
    CHECK ((partner_city_id IS NULL) <> (partner_name = '')),
    UNIQUE NULLS NOT DISTINCT (source, source_id, city_id, partner_city_id, partner_organisation_id, partner_name)
);
CREATE INDEX collaborations_city ON collaborations (city_id);
CREATE INDEX collaborations_project ON collaborations (project_id);

-- +goose Down
DROP TABLE collaborations;
DROP TABLE history_participants;
DROP TABLE entity_reviews;
DROP TABLE entity_decisions;
ALTER TABLE projects DROP COLUMN import_hash;
