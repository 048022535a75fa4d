package store

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// stmtCache keeps the prepared statements of the busiest queries, so that
// PostgreSQL parses and plans them once per connection instead of on every
// call (planning a four-table join costs as much as running it). The
// queries come from a bounded set of texts (filters and sorts combine, the
// values are parameters); past max texts the rest run unprepared.
type stmtCache struct {
	mu    sync.Mutex
	db    *sqlx.DB
	stmts map[string]*sqlx.Stmt
	max   int
}

func newStmtCache(db *sqlx.DB, max int) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sqlx.Stmt{}, max: max}
}

// query runs q prepared.
func (c *stmtCache) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.db.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs q prepared and returns its one row.
func (c *stmtCache) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.prepared(ctx, q)
	if err != nil || st == nil {
		return c.db.QueryRowContext(ctx, q, args...) // an error shows again, as the row's
	}
	return st.QueryRowContext(ctx, args...)
}

// get runs q prepared and scans its one row into dest, as sqlx's Get does.
func (c *stmtCache) get(ctx context.Context, dest any, q string, args ...any) error {
	st, err := c.prepared(ctx, q)
	if err != nil || st == nil {
		return c.db.GetContext(ctx, dest, q, args...) // an error shows again
	}
	return st.GetContext(ctx, dest, args...)
}

// prepared returns q's statement, preparing it on first use (outside the
// lock: a round trip to PostgreSQL must not hold up the other queries), or
// nil when the cache is full.
func (c *stmtCache) prepared(ctx context.Context, q string) (*sqlx.Stmt, error) {
	c.mu.Lock()
	st, ok := c.stmts[q]
	full := len(c.stmts) >= c.max
	c.mu.Unlock()
	if ok || full {
		return st, nil
	}
	st, err := c.db.PreparexContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if first, ok := c.stmts[q]; ok { // prepared meanwhile by another query
		st.Close()
		return first, nil
	}
	c.stmts[q] = st
	return st, nil
}
