// Package store is fundmatch's PostgreSQL storage: every SQL statement of the
// program lives here, hand-written, one file per table or concern.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// Store reads and writes fundmatch's data.
type Store struct {
	db    *sqlx.DB
	stmts *stmtCache
}

// New returns a Store on db.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, stmts: newStmtCache(db, 200)}
}

// DB returns the underlying database handle, for health checks.
func (s *Store) DB() *sqlx.DB { return s.db }

// Tx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func (s *Store) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// notFound maps sql.ErrNoRows to ErrNotFound with what was looked for.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
