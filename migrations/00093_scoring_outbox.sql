-- The scoring a crawl's new and changed calls need, written in the transaction
-- that stored them and queued on Redis by a relay, so that no work is lost while
-- Redis is away.

-- +goose Up
CREATE TABLE scoring_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_ids     bigint[] NOT NULL CHECK (cardinality(call_ids) > 0),
    crawl_run_id bigint REFERENCES crawl_runs (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE scoring_outbox;
