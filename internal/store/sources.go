package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// CrawlSource is a place calls or history come from, with its schedule.
type CrawlSource struct {
	Name      string          `db:"name" json:"name"`
	Kind      string          `db:"kind" json:"kind"`
	Title     string          `db:"title" json:"title"`
	Config    json.RawMessage `db:"config" json:"config"`
	Enabled   bool            `db:"enabled" json:"enabled"`
	Schedule  time.Duration   `db:"-" json:"schedule"`
	NextRunAt time.Time       `db:"next_run_at" json:"next_run_at"`
}

// DueSource is a crawl source whose next run has come, claimed by the
// scheduler for one time slot.
type DueSource struct {
	Name string
	Slot time.Time // the next_run_at that fell due: identifies the run
}

// ClaimDueSources finds the enabled sources whose next run is at or before
// now, calls enqueue for each (inside the transaction, so a failure leaves
// the source due), and moves their next run past now by whole schedule steps.
// Rows are locked with SKIP LOCKED, so two schedulers never claim the same
// source at once; enqueue must still be idempotent per slot, because the
// commit can fail after it succeeded.
func (s *Store) ClaimDueSources(ctx context.Context, now time.Time, enqueue func(DueSource) error) (int, error) {
	var claimed int
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		rows, err := tx.QueryxContext(ctx, `
			SELECT name, next_run_at, extract(epoch FROM schedule)::bigint
			FROM crawl_sources WHERE enabled AND next_run_at <= $1
			ORDER BY next_run_at FOR UPDATE SKIP LOCKED`, now)
		if err != nil {
			return fmt.Errorf("find due sources: %w", err)
		}
		type due struct {
			name  string
			slot  time.Time
			every time.Duration
		}
		var all []due
		for rows.Next() {
			var d due
			var secs int64
			if err := rows.Scan(&d.name, &d.slot, &secs); err != nil {
				rows.Close()
				return fmt.Errorf("find due sources: %w", err)
			}
			d.every = time.Duration(secs) * time.Second
			all = append(all, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find due sources: %w", err)
		}
		for _, d := range all {
			if err := enqueue(DueSource{Name: d.name, Slot: d.slot}); err != nil {
				return fmt.Errorf("enqueue crawl of %s: %w", d.name, err)
			}
			next := d.slot.Add(d.every * time.Duration(now.Sub(d.slot)/d.every+1))
			if _, err := tx.ExecContext(ctx, `UPDATE crawl_sources SET next_run_at = $2 WHERE name = $1`, d.name, next); err != nil {
				return fmt.Errorf("schedule next crawl of %s: %w", d.name, err)
			}
			claimed++
		}
		return nil
	})
	return claimed, err
}

// CrawlSourceByName returns one crawl source, or ErrNotFound.
func (s *Store) CrawlSourceByName(ctx context.Context, name string) (CrawlSource, error) {
	var src CrawlSource
	var secs int64
	err := s.db.QueryRowxContext(ctx, `SELECT name, kind, title, config, enabled, next_run_at,
		extract(epoch FROM schedule)::bigint FROM crawl_sources WHERE name = $1`, name).
		Scan(&src.Name, &src.Kind, &src.Title, &src.Config, &src.Enabled, &src.NextRunAt, &secs)
	if err != nil {
		return CrawlSource{}, notFound(err, "crawl source "+name)
	}
	src.Schedule = time.Duration(secs) * time.Second
	return src, nil
}

// SaveCrawlSource inserts a source or updates its kind, title, config and
// schedule, in a transaction of its own (see Tx.SaveCrawlSource).
func (s *Store) SaveCrawlSource(ctx context.Context, src CrawlSource) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.SaveCrawlSource(ctx, src) })
}

// SaveCrawlSource inserts a source or updates its kind, title, config and
// schedule, in t. Its enabled flag and next run are kept when it exists.
func (t *Tx) SaveCrawlSource(ctx context.Context, src CrawlSource) error {
	if len(src.Config) == 0 {
		src.Config = json.RawMessage(`{}`)
	}
	_, err := t.tx.ExecContext(ctx, `
		INSERT INTO crawl_sources (name, kind, title, config, enabled, schedule)
		VALUES ($1, $2, $3, $4, $5, make_interval(secs => $6))
		ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, config = EXCLUDED.config,
			schedule = EXCLUDED.schedule, updated_at = now()
		WHERE (crawl_sources.kind, crawl_sources.title, crawl_sources.config, crawl_sources.schedule)
		      IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.title, EXCLUDED.config, EXCLUDED.schedule)`,
		src.Name, src.Kind, src.Title, src.Config, src.Enabled, src.Schedule.Seconds())
	if err != nil {
		return fmt.Errorf("save crawl source %s: %w", src.Name, err)
	}
	return nil
}

// Cleanup deletes what has outlived its use: expired sessions, one-time
// sign-in links and sign-in counts, and crawl runs older than a year. Runs left running by a process
// that died are marked failed first (FailDeadRuns), so they are deleted in
// their turn. It returns how many rows it deleted.
func (s *Store) Cleanup(ctx context.Context, now time.Time) (int64, error) {
	if _, err := s.FailDeadRuns(ctx, now); err != nil {
		return 0, fmt.Errorf("cleanup: %w", err)
	}
	var total int64
	for _, q := range []string{
		`DELETE FROM sessions WHERE expires_at < $1`,
		`DELETE FROM sign_in_links WHERE expires_at < $1`,
		// Rows a sign-in is counting on are skipped, not waited for.
		`DELETE FROM sign_in_counts WHERE key IN (SELECT key FROM sign_in_counts WHERE expires_at < $1 FOR UPDATE SKIP LOCKED)`,
		`DELETE FROM crawl_runs WHERE started_at < $1::timestamptz - interval '1 year' AND status <> 'running'`,
	} {
		res, err := s.db.ExecContext(ctx, q, now)
		if err != nil {
			return total, fmt.Errorf("cleanup: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// SourceStatus is a crawl source with its last run, for listings.
type SourceStatus struct {
	CrawlSource
	LastRun *CrawlRun
}

// CrawlSources lists every source with its last run, in one query.
func (s *Store) CrawlSources(ctx context.Context) ([]SourceStatus, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT cs.name, cs.kind, cs.title, cs.config, cs.enabled, cs.next_run_at,
		extract(epoch FROM cs.schedule)::bigint, r.id, r.started_at, r.finished_at, r.status, r.pages, r.calls_new,
		r.calls_changed, r.calls_unchanged, r.calls_closed, r.errors
		FROM crawl_sources cs
		LEFT JOIN LATERAL (SELECT * FROM crawl_runs WHERE source = cs.name ORDER BY started_at DESC, id DESC LIMIT 1) r ON true
		ORDER BY cs.name`)
	if err != nil {
		return nil, fmt.Errorf("list crawl sources: %w", err)
	}
	defer rows.Close()
	var out []SourceStatus
	for rows.Next() {
		var src SourceStatus
		var secs int64
		var id sql.NullInt64
		var run CrawlRun
		var started sql.NullTime
		var status sql.NullString
		var pages, n, c, u, cl sql.NullInt64
		if err := rows.Scan(&src.Name, &src.Kind, &src.Title, &src.Config, &src.Enabled, &src.NextRunAt, &secs,
			&id, &started, &run.FinishedAt, &status, &pages, &n, &c, &u, &cl, &run.Errors); err != nil {
			return nil, fmt.Errorf("list crawl sources: %w", err)
		}
		src.Schedule = time.Duration(secs) * time.Second
		if id.Valid {
			run.ID, run.Source, run.StartedAt, run.Status = id.Int64, src.Name, started.Time, CrawlStatus(status.String)
			run.Pages, run.CallsNew, run.CallsChanged = int(pages.Int64), int(n.Int64), int(c.Int64)
			run.CallsUnchanged, run.CallsClosed = int(u.Int64), int(cl.Int64)
			src.LastRun = &run
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// SetSourceEnabled enables or disables a source; ErrNotFound if there is none.
func (s *Store) SetSourceEnabled(ctx context.Context, name string, enabled bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE crawl_sources SET enabled = $2, updated_at = now() WHERE name = $1`, name, enabled)
	if err != nil {
		return fmt.Errorf("update crawl source %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("crawl source %s: %w", name, ErrNotFound)
	}
	return nil
}
