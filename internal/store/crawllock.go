package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrSourceBusy is returned by LockSource when another process is crawling
// the source: nothing is wrong, the crawl is simply being done.
var ErrSourceBusy = errors.New("is being crawled by another process")

// SourceLock is one process's hold on the crawls of a source: a
// session-level advisory lock on a connection of its own, so it ends with
// the process however the process ends.
type SourceLock struct {
	conn   *sql.Conn
	source string
}

// lockKey is the advisory lock key of source's crawls.
const lockKey = `hashtextextended('fundmatch crawl ' || $1, 0)`

// LockSource takes the lock every crawl of source runs under, across
// processes and machines, or returns an error wrapping ErrSourceBusy at
// once when another process holds it. With the lock taken, the runs of
// source still recorded as running are marked failed: their process died,
// as a live one would hold the lock. The caller must Unlock.
func (s *Store) LockSource(ctx context.Context, source string, now time.Time) (*SourceLock, error) {
	l, err := s.lockSource(ctx, source)
	if err != nil {
		return nil, err
	}
	if _, err := l.failDeadRuns(ctx, now); err != nil {
		l.Unlock()
		return nil, err
	}
	return l, nil
}

func (s *Store) lockSource(ctx context.Context, source string) (*SourceLock, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock crawls of %s: %w", source, err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+lockKey+`)`, source).Scan(&ok); err != nil {
		discard(conn)
		return nil, fmt.Errorf("lock crawls of %s: %w", source, err)
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("source %s %w", source, ErrSourceBusy)
	}
	return &SourceLock{conn: conn, source: source}, nil
}

// failDeadRuns marks failed the runs of the locked source left running.
func (l *SourceLock) failDeadRuns(ctx context.Context, now time.Time) (int64, error) {
	errJSON, _ := json.Marshal([]runError{{Message: "the process running the crawl stopped before it finished"}})
	res, err := l.conn.ExecContext(ctx, `UPDATE crawl_runs SET status = 'failed', finished_at = greatest(started_at, $2), errors = errors || $3::jsonb
		WHERE source = $1 AND status = 'running'`, l.source, now, errJSON)
	if err != nil {
		return 0, fmt.Errorf("fail dead crawl runs of %s: %w", l.source, err)
	}
	return res.RowsAffected()
}

// Unlock releases the lock. Should that fail, the connection is closed,
// which releases it too.
func (l *SourceLock) Unlock() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+lockKey+`)`, l.source); err != nil {
		discard(l.conn)
		return
	}
	l.conn.Close()
}

// discard closes conn's connection instead of returning it to the pool,
// where a session lock it might hold would live on.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// FailDeadRuns marks failed every run left running by a process that died:
// each run is started under its source's lock (LockSource), so a running run
// whose source is not locked has no process any more. It returns how many
// runs it marked.
func (s *Store) FailDeadRuns(ctx context.Context, now time.Time) (int64, error) {
	var sources []string
	if err := s.db.SelectContext(ctx, &sources, `SELECT DISTINCT source FROM crawl_runs WHERE status = 'running'`); err != nil {
		return 0, fmt.Errorf("find running crawl runs: %w", err)
	}
	var total int64
	for _, src := range sources {
		l, err := s.lockSource(ctx, src)
		if errors.Is(err, ErrSourceBusy) {
			continue // being crawled: its run is alive
		}
		if err != nil {
			return total, err
		}
		n, err := l.failDeadRuns(ctx, now)
		l.Unlock()
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
