-- The long values of a call (the raw record, description and conditions)
-- are compressed with lz4 instead of pglz: a crawl that stores a listing
-- of several thousand calls spends a fraction of the CPU on compressing
-- them, and reading them back is faster too. Values already stored keep
-- their compression until they are rewritten; both read alike.

-- +goose Up
ALTER TABLE calls
    ALTER COLUMN raw SET COMPRESSION lz4,
    ALTER COLUMN description_html SET COMPRESSION lz4,
    ALTER COLUMN description_text SET COMPRESSION lz4,
    ALTER COLUMN conditions_html SET COMPRESSION lz4,
    ALTER COLUMN conditions_text SET COMPRESSION lz4;

-- +goose Down
ALTER TABLE calls
    ALTER COLUMN raw SET COMPRESSION default,
    ALTER COLUMN description_html SET COMPRESSION default,
    ALTER COLUMN description_text SET COMPRESSION default,
    ALTER COLUMN conditions_html SET COMPRESSION default,
    ALTER COLUMN conditions_text SET COMPRESSION default;
