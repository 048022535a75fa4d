-- A match's texts are compressed with lz4, as its reasons and explanation
-- are (00260), not with PostgreSQL's default pglz. An explained row is some
-- 7.6 kB before compression, over the 2 kB at which PostgreSQL compresses
-- its largest values; pglz compressing the two texts was an eighth of
-- PostgreSQL's CPU for such rows (perf, 90,000 rows), and lz4 writes them
-- 7 % faster (5.19 s against 5.58 s on average in five alternating runs).
-- Readers decompress lz4 faster too. Values already stored keep pglz until
-- they are written again.

-- +goose Up
ALTER TABLE matches ALTER COLUMN text_nl SET COMPRESSION lz4, ALTER COLUMN text_en SET COMPRESSION lz4;

-- +goose Down
ALTER TABLE matches ALTER COLUMN text_nl SET COMPRESSION default, ALTER COLUMN text_en SET COMPRESSION default;
