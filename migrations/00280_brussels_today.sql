-- The officers' day, as funding.Date computes it in Go: today in Brussels.
-- PostgreSQL's current_date is the session's (UTC here), a day behind
-- from 23:00 or 22:00 UTC on; a query that compares deadlines with today
-- uses this instead.

-- +goose Up
CREATE FUNCTION brussels_today() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (now() AT TIME ZONE 'Europe/Brussels')::date;

-- +goose Down
DROP FUNCTION brussels_today();
