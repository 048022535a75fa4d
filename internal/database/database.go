// Package database opens fundmatch's PostgreSQL database and applies its
// migrations. It is the one place that names the driver, so a move from
// lib/pq to pgx is a change of an import and a string.
package database

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/fundmatch/fundmatch/migrations"
)

// MaxConns is how many connections a pool that Open returns holds at most
// (Resize sets another size): twice the machine's CPUs, and at least 4.
// PostgreSQL does its most with about two busy backends a core; more of
// them contend for its locks and caches. In the matches API benchmark on
// 2 cores, with PostgreSQL on the same machine, a pool of 4 answered 7-30 %
// more requests than one of 20 in three alternating runs, each costing
// PostgreSQL a fifth less CPU (p99 47-55 ms against 67-76 ms).
var MaxConns = max(4, 2*runtime.NumCPU())

// Resize sets how many connections db holds at most (MaxConns when n is 0)
// and returns that number.
func Resize(db *DB, n int) int {
	if n <= 0 {
		n = MaxConns
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return n
}

// DB is the pool of connections that Open returns. It is sqlx's, named here
// so that the program and its tests hold one without importing sqlx: the
// queries and every transaction belong to internal/store.
type DB = sqlx.DB

// Open connects to the database at rawURL and checks that it answers. The
// error never contains the password of rawURL.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	return OpenWith(ctx, rawURL, nil)
}

// OpenWith is Open with wrap put between database/sql and lib/pq's
// connections, for tests that watch what the program sends to PostgreSQL
// (testdb counts the statements so); a nil wrap is Open.
func OpenWith(ctx context.Context, rawURL string, wrap func(driver.Connector) driver.Connector) (*DB, error) {
	c, err := pq.NewConnector(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(rawURL), scrub(err, rawURL))
	}
	c.Dialer(bufferedDialer{})
	var connector driver.Connector = c
	if wrap != nil {
		connector = wrap(c)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	// As many idle connections as open ones: under load a smaller idle pool
	// closes connections only to open new ones (a PostgreSQL backend each).
	Resize(db, MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(rawURL), Explain(err))
	}
	return db, nil
}

// bufferedDialer connects to PostgreSQL through a 64 KB read buffer.
// lib/pq reads through a 4 KB buffer of its own, so a page of results tens
// of kilobytes long took a system call (and often a trip through the
// scheduler) per 4 KB; from this buffer its reads are copies.
type bufferedDialer struct{ d net.Dialer }

func (b bufferedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := b.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return bufferedConn{c, bufio.NewReaderSize(c, 64<<10)}, nil
}

func (b bufferedDialer) Dial(network, address string) (net.Conn, error) {
	return b.DialContext(context.Background(), network, address)
}

func (b bufferedDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return b.DialContext(ctx, network, address)
}

// bufferedConn is a connection whose reads come through r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Explain turns a connection error into a short reason a user can act on.
func Explain(err error) error {
	var opErr *net.OpError
	var pqErr *pq.Error
	switch {
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return errors.New("connection refused or host unreachable")
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("no answer within 5 seconds")
	case errors.As(err, &pqErr):
		return fmt.Errorf("%s (SQLSTATE %s)", pqErr.Message, pqErr.Code)
	}
	return err
}

// redact returns host, port and database name of a connection URL, nothing secret.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Host + u.Path
}

// scrub removes the raw URL from an error message, in case a driver echoes it.
func scrub(err error, rawURL string) error {
	if rawURL != "" && strings.Contains(err.Error(), rawURL) {
		return errors.New(strings.ReplaceAll(err.Error(), rawURL, redact(rawURL)))
	}
	return err
}

// newProvider returns a goose provider over the embedded migrations that
// takes a PostgreSQL advisory lock, so several replicas can start at once.
func newProvider(db *sqlx.DB, logger *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB, migrations.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns how many it applied.
func Migrate(ctx context.Context, db *DB, logger *slog.Logger) (int, error) {
	p, err := newProvider(db, logger)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("apply migrations: %w", err)
	}
	return len(results), nil
}

// MigrationStatus is the state of one migration file.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration and whether it has been applied.
func Status(ctx context.Context, db *DB) ([]MigrationStatus, error) {
	p, err := newProvider(db, nil)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// IsUniqueViolation reports whether err is a unique-key violation, and names
// the constraint. It is the one place that knows the driver's error type.
func IsUniqueViolation(err error) (constraint string, ok bool) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return pqErr.Constraint, true
	}
	return "", false
}
