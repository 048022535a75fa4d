package testdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
)

// Statements counts what a pool of connections has sent to PostgreSQL:
// every query and exec, prepared or not. BEGIN, COMMIT and the preparing of
// a statement are not counted. Tests use it to prove that a page asks a
// constant number of queries however many rows it lists, against the real
// database and the real driver.
type Statements struct {
	n atomic.Int64
}

// Count returns how many statements have run so far.
func (s *Statements) Count() int64 { return s.n.Load() }

// OpenCounting connects to rawURL (a database from URL) like
// database.Open, counting the statements it runs; the pool is closed when
// tb ends.
func OpenCounting(tb testing.TB, rawURL string) (*database.DB, *Statements) {
	tb.Helper()
	s := &Statements{}
	db, err := database.OpenWith(context.Background(), rawURL, func(c driver.Connector) driver.Connector {
		return countingConnector{c, s}
	})
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, s
}

// pqConn is what lib/pq's connection implements and database/sql uses; the
// counting connection passes all of it on.
type pqConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// pqStmt is what lib/pq's prepared statement implements.
type pqStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

type countingConnector struct {
	driver.Connector
	s *Statements
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("testdb: the driver's connection %T lacks an interface the counter passes on", conn)
	}
	return countingConn{pc, c.s}, nil
}

type countingConn struct {
	pqConn
	s *Statements
}

// count counts a statement that ran; driver.ErrSkip means database/sql
// will run it another way, which is counted there.
func (s *Statements) count(err error) {
	if !errors.Is(err, driver.ErrSkip) {
		s.n.Add(1)
	}
}

func (c countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.pqConn.QueryContext(ctx, q, args)
	c.s.count(err)
	return rows, err
}

func (c countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.pqConn.ExecContext(ctx, q, args)
	c.s.count(err)
	return res, err
}

func (c countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	st, err := c.pqConn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	ps, ok := st.(pqStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("testdb: the driver's statement %T lacks an interface the counter passes on", st)
	}
	return countingStmt{ps, c.s}, nil
}

func (c countingConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

type countingStmt struct {
	pqStmt
	s *Statements
}

func (st countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := st.pqStmt.QueryContext(ctx, args)
	st.s.count(err)
	return rows, err
}

func (st countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := st.pqStmt.ExecContext(ctx, args)
	st.s.count(err)
	return res, err
}
