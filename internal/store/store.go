// Package store is fundmatch's PostgreSQL storage: every SQL statement of the
// program lives here, hand-written, one file per table or concern.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/fundmatch/fundmatch/internal/database"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// Store reads and writes fundmatch's data.
type Store struct {
	db    *sqlx.DB
	stmts *stmtCache
}

// New returns a Store on db, as database.Open returns it.
func New(db *database.DB) *Store {
	return &Store{db: db, stmts: newStmtCache(db, 200)}
}

// DB returns the underlying database handle, for tests that check rows
// directly. The program itself reads and writes through Store's methods.
func (s *Store) DB() *database.DB { return s.db }

// Tx is a unit of work: what is written through it commits together or not
// at all. It is handed to the function given to InTx and is valid only
// while that function runs. Its methods are the writes that callers combine
// into one transaction (an import of a whole file, a seed); everything else
// is a method of Store that runs its own.
type Tx struct {
	tx *sqlx.Tx
}

// InTx runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise, so that a failed import leaves nothing half done.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error { return fn(&Tx{tx: tx}) })
}

// withTx runs fn in a transaction, committing when fn returns nil and
// rolling back otherwise.
func (s *Store) withTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.withConnTx(ctx, func(_ *sqlx.Conn, tx *sqlx.Tx) error { return fn(tx) })
}

// withConnTx runs fn in a transaction on a connection of the pool, which
// fn may also use outside database/sql (see database.CopyIn) while the
// transaction is open, and commits when fn returns no error.
func (s *Store) withConnTx(ctx context.Context, fn func(conn *sqlx.Conn, tx *sqlx.Tx) error) error {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(conn, tx); err != nil {
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
