package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
)

// Ingest stores the calls of one crawl run as the crawler hands them over,
// so that PostgreSQL writes one page while the crawler reads the next, and
// memory does not grow with the listing. All of it is one transaction, which
// Finish commits: a run that fails or is abandoned writes no call.
//
// A call whose content hash is the stored one is only noted: its columns
// are never sent. New calls stream into calls, one COPY per batch handed
// over. Changed calls, and calls handed over a second time (the last version
// wins), wait for Finish, which merges them with their revisions, marks the
// unchanged ones seen and closes what a complete listing no longer shows.
// Every call row the run writes is stamped with the time the Ingest began.
//
// One bad record does not fail the run: text is cleaned of NUL and invalid
// UTF-8 before it is sent, and a call PostgreSQL still refuses (a CHECK, a
// JSON escape jsonb rejects) is left out and recorded as an error of the run
// with its identifier, while the rest of its batch is stored. Each batch is
// written under a savepoint, and only a batch that failed is written again
// call by call. Two Ingests of one source never run at once: the second
// waits for the first to end (see ingest).
//
// The writing happens in a goroutine of the Ingest's own, so that the
// crawler parses on while a page is encoded and sent; Finish, Fail and Close
// stop it. The methods are called by one goroutine at a time.
type Ingest struct {
	db     *sqlx.DB
	ctx    context.Context // the crawl's, without its deadline: a crawl cut short keeps what it read
	tx     *sqlx.Tx
	runID  int64
	source string
	now    time.Time
	known  map[string]storedCall
	calls  map[string]*handedCall
	fresh  []string       // identifiers copied into calls, in order
	later  []funding.Call // changed calls and second versions, for Finish
	closed bool
	// refused are the calls PostgreSQL would not store, by identifier, and
	// the errors Finish adds to the run's.
	refused     map[string]bool
	refusedErrs []crawlers.Error

	batches chan []funding.Call // to the writer
	stopped bool                // batches is closed
	done    chan struct{}       // closed when the writer has stopped
	abandon atomic.Bool         // the writer is to skip what is left
	mu      sync.Mutex
	err     error // the first failure; the run can only fail from there
	// badIDs are the records whose identifier is not of a safe shape,
	// written by the writer, read by Finish once it stopped.
	badIDs []crawlers.Error
}

// storedCall is what the Ingest needs to know of a call already stored.
type storedCall struct {
	id   int64
	hash string
}

// handedCall is what the Ingest did with a call handed over.
type handedCall struct {
	fresh bool // not stored before: copied into calls
	later int  // index in later, -1 when not there
}

// BeginRun records that a crawl of source begins and returns the Ingest that
// stores its calls. The caller must end it with Finish or Fail (Close after
// either is harmless, and rolls back an Ingest left open).
func (s *Store) BeginRun(ctx context.Context, source string, now time.Time) (*Ingest, error) {
	runID, err := s.StartRun(ctx, source, now)
	if err != nil {
		return nil, err
	}
	in, err := s.ingest(ctx, runID, source, now)
	if err != nil {
		if ferr := s.FailRun(context.WithoutCancel(ctx), runID, err, now); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return nil, err
	}
	return in, nil
}

// ingest opens the transaction of run runID and reads what is stored of
// source.
func (s *Store) ingest(ctx context.Context, runID int64, source string, now time.Time) (*Ingest, error) {
	ctx = context.WithoutCancel(ctx)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin storing crawl of %s: %w", source, err)
	}
	in := &Ingest{db: s.db, ctx: ctx, tx: tx, runID: runID, source: source, now: now,
		known: map[string]storedCall{}, calls: map[string]*handedCall{}, refused: map[string]bool{},
		batches: make(chan []funding.Call, 2), done: make(chan struct{})}
	// The transaction lasts as long as the crawl reads, COPY included: no
	// server default may end it midway.
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0`); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin storing crawl of %s: %w", source, err)
	}
	// Two runs of one source that both stored a new call would collide on
	// its identifier. The crawls take the source's lock (LockSource); this
	// one, held to the commit, also orders runs that did not, so the second
	// reads what the first stored.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('fundmatch ingest ' || $1, 0))`, source); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin storing crawl of %s: %w", source, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT identifier, id, content_hash FROM calls WHERE source = $1`, source)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("read stored calls of %s: %w", source, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ident string
		var k storedCall
		if err := rows.Scan(&ident, &k.id, &k.hash); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("read stored calls of %s: %w", source, err)
		}
		in.known[ident] = k
	}
	if err := rows.Err(); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("read stored calls of %s: %w", source, err)
	}
	go in.write()
	return in, nil
}

// write stores the batches Add queues until the queue is closed; after a
// failure, or once the Ingest is abandoned, it only drains the queue.
func (in *Ingest) write() {
	defer close(in.done)
	for calls := range in.batches {
		if in.abandon.Load() || in.failure() != nil {
			continue
		}
		var fresh []*funding.Call
		var err error
		for i := range calls {
			var isFresh bool
			if isFresh, err = in.add(&calls[i]); err != nil {
				break
			}
			if isFresh {
				fresh = append(fresh, &calls[i])
			}
		}
		if err == nil {
			err = in.isolate(in.ctx, fresh, in.copyFresh)
		}
		if err != nil {
			in.fail(err)
		}
	}
}

// failure is the first error of the run, if any.
func (in *Ingest) failure() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.err
}

// fail keeps err as the run's failure unless it has one.
func (in *Ingest) fail(err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.err == nil {
		in.err = err
	}
}

// stop closes the queue, once, and waits for the writer.
func (in *Ingest) stop() {
	if in.stopped {
		return
	}
	in.stopped = true
	close(in.batches)
	<-in.done
}

// Add queues calls the crawl found for the writer, which sends new ones to
// PostgreSQL at once, notes unchanged ones and keeps changed ones for
// Finish; it waits only while two earlier batches are still being written.
// The calls are the Ingest's from then on: the caller must not change them.
// Once storing failed the run can only fail, and Add returns that error
// (Finish returns it in any case).
func (in *Ingest) Add(calls []funding.Call) error {
	if in.closed {
		return errors.New("store: the crawl run is already finished")
	}
	if err := in.failure(); err != nil {
		return err
	}
	in.batches <- calls
	return nil
}

// add sorts out one call handed over; fresh says it is new, to be copied
// into calls with its batch.
func (in *Ingest) add(c *funding.Call) (fresh bool, err error) {
	if c.Source != in.source {
		return false, fmt.Errorf("call %s comes from %q, not %q", c.Identifier, c.Source, in.source)
	}
	if err := ValidIdentifier(in.source, c.Identifier); err != nil {
		// That record's error, not the run's: the rest of the page is fine.
		in.badIDs = append(in.badIDs, crawlers.Error{URL: c.URL, Reference: strconv.QuoteToASCII(truncateRunes(c.Identifier, 80)), Err: err})
		return false, nil
	}
	// Cleaned before hashing, so the same dirty record is unchanged next run.
	cleanCall(c)
	k, known := in.known[c.Identifier]
	h, again := in.calls[c.Identifier]
	if !again {
		h = &handedCall{later: -1}
		in.calls[c.Identifier] = h
	}
	switch {
	case !again && !known:
		h.fresh = true
		in.fresh = append(in.fresh, c.Identifier)
		return true, nil
	case known && c.ContentHash() == k.hash:
		// Unchanged, or back to the stored version after a changed one.
		if h.later >= 0 {
			in.later[h.later] = funding.Call{}
			h.later = -1
		}
		return false, nil
	}
	// Kept until Finish: the raw record is copied, not to hold on to the
	// crawler's page it may be a slice of.
	kept := *c
	kept.Raw = bytes.Clone(c.Raw)
	if h.later >= 0 {
		in.later[h.later] = kept
	} else {
		h.later = len(in.later)
		in.later = append(in.later, kept)
	}
	return false, nil
}

// copyFresh copies new calls into calls.
func (in *Ingest) copyFresh(ctx context.Context, calls []*funding.Call) error {
	stmt, err := in.tx.PrepareContext(ctx, copyFrom("calls", append(slices.Clone(callColumns), "first_seen_at", "last_seen_at", "last_changed_at")))
	if err != nil {
		return fmt.Errorf("copy calls: %w", err)
	}
	defer stmt.Close()
	for _, c := range calls {
		if _, err := stmt.ExecContext(ctx, append(callValues(c, c.ContentHash()), in.now, in.now, in.now)...); err != nil {
			return fmt.Errorf("copy call %s: %w", c.Identifier, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy calls: %w", err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("copy calls: %w", err)
	}
	return nil
}

// isolate writes calls with write under a savepoint. When PostgreSQL
// refuses the batch for what a record holds, it writes them again one by
// one, each under its own savepoint, and records the calls refused; any
// other failure (a lost connection) is returned, and fails the run.
func (in *Ingest) isolate(ctx context.Context, calls []*funding.Call, write func(context.Context, []*funding.Call) error) error {
	if len(calls) == 0 {
		return nil
	}
	err := in.savepoint(ctx, func() error { return write(ctx, calls) })
	if err == nil || !refusedRecord(err) {
		return err
	}
	for _, c := range calls {
		err := in.savepoint(ctx, func() error { return write(ctx, []*funding.Call{c}) })
		switch {
		case err == nil:
		case refusedRecord(err):
			in.refused[c.Identifier] = true
			var pqErr *pq.Error
			if errors.As(err, &pqErr) && pqErr.Detail != "" {
				err = fmt.Errorf("%w (%s)", err, pqErr.Detail)
			}
			in.refusedErrs = append(in.refusedErrs, crawlers.Error{Reference: c.Identifier,
				Err: fmt.Errorf("not stored, PostgreSQL refused the record: %w", err)})
		default:
			return err
		}
	}
	return nil
}

// savepoint runs fn under a savepoint of the run's transaction, and rolls
// back to it when fn fails, so the transaction goes on.
func (in *Ingest) savepoint(ctx context.Context, fn func() error) error {
	if _, err := in.tx.ExecContext(ctx, `SAVEPOINT ingest_batch`); err != nil {
		return fmt.Errorf("store calls: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := in.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT ingest_batch`); rerr != nil {
			return fmt.Errorf("store calls: %v; then: %w", err, rerr)
		}
		return err
	}
	if _, err := in.tx.ExecContext(ctx, `RELEASE SAVEPOINT ingest_batch`); err != nil {
		return fmt.Errorf("store calls: %w", err)
	}
	return nil
}

// refusedRecord reports whether PostgreSQL refused what a record holds
// (data exceptions, integrity constraints, program limits such as a value
// too large), rather than failing for a reason of its own.
func refusedRecord(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	switch pqErr.Code.Class() {
	case "22", "23", "54":
		return true
	}
	return false
}

// copyFrom is the COPY statement that lib/pq streams rows into.
func copyFrom(table string, columns []string) string {
	return "COPY " + table + " (" + strings.Join(columns, ", ") + ") FROM STDIN"
}

// Finish stores the rest of what the crawl found and commits, as FinishRun
// says: changed calls are updated with a revision saying what changed,
// unchanged ones marked as seen, and, when the result is a complete listing,
// calls of the source that it no longer lists are closed with that reason.
// A partial result (a listing that fell short) closes nothing; errors on
// single records or detail pages do not stop closing, since the listing
// itself was complete. The run is recorded as ok, partial or failed with its
// counts and errors, and the new and changed calls are put in the scoring
// outbox (see RelayScoring). When storing failed, here or in Add, nothing is written
// but the run, recorded as failed, and the error is returned.
func (in *Ingest) Finish(ctx context.Context, res *crawlers.Result, now time.Time) (RunStats, error) {
	var stats RunStats
	if in.closed {
		return stats, errors.New("store: the crawl run is already finished")
	}
	in.stop()
	res.Errors = append(res.Errors, in.badIDs...)
	in.badIDs = nil
	err := in.failure()
	if err == nil {
		err = in.finish(ctx, res, now, &stats)
	}
	if err != nil {
		if ferr := in.Fail(ctx, err, now); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return RunStats{}, err
	}
	in.closed = true
	if err := in.tx.Commit(); err != nil {
		return RunStats{}, fmt.Errorf("commit crawl of %s: %w", in.source, err)
	}
	return stats, nil
}

// Fail abandons the calls handed over and records that the run failed with
// cause; the error is for the recording.
func (in *Ingest) Fail(ctx context.Context, cause error, now time.Time) error {
	in.Close()
	return (&Store{db: in.db}).FailRun(context.WithoutCancel(ctx), in.runID, cause, now)
}

// Close rolls back an Ingest that was neither finished nor failed.
func (in *Ingest) Close() {
	if in.closed {
		return
	}
	in.closed = true
	in.abandon.Store(true)
	in.stop()
	in.tx.Rollback()
}

func (in *Ingest) finish(ctx context.Context, res *crawlers.Result, now time.Time, stats *RunStats) error {
	if res.Source != in.source {
		return fmt.Errorf("a result of %q for a crawl of %q", res.Source, in.source)
	}
	status := RunStatus(res)
	tx := in.tx
	ids := map[string]int64{}
	if len(in.fresh) > 0 {
		err := scanIDs(ctx, tx, ids, `SELECT id, identifier FROM calls WHERE source = $1 AND identifier = ANY($2)`, in.source, pq.StringArray(in.fresh))
		if err != nil {
			return err
		}
	}
	for _, ident := range in.fresh {
		if !in.refused[ident] {
			stats.Touched = append(stats.Touched, ids[ident])
			stats.New++
		}
	}
	if err := in.merge(ctx, ids, stats); err != nil {
		return err
	}
	// The calls refused are errors of the run, as its caller shows them.
	res.Errors = append(res.Errors, in.refusedErrs...)
	errJSON, err := runErrors(res)
	if err != nil {
		return err
	}
	var unchanged []int64
	for ident, h := range in.calls {
		if !h.fresh && h.later < 0 {
			unchanged = append(unchanged, in.known[ident].id)
		}
	}
	if len(unchanged) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE calls SET last_seen_at = $1 WHERE id = ANY($2)`, in.now, pq.Int64Array(unchanged)); err != nil {
			return fmt.Errorf("mark calls seen: %w", err)
		}
	}
	stats.Unchanged += len(unchanged)
	if res.CanClose() && status != CrawlFailed {
		seen := make(pq.StringArray, 0, len(in.calls))
		for ident := range in.calls {
			seen = append(seen, ident)
		}
		if err := closeMissing(ctx, tx, in.runID, in.source, seen, in.now, stats); err != nil {
			return err
		}
	}
	if len(stats.Touched) > 0 {
		// Their scoring, committed with them: queued by RelayScoring, even
		// when Redis is away now.
		_, err := tx.ExecContext(ctx, `INSERT INTO scoring_outbox (call_ids, crawl_run_id, created_at) VALUES ($1, $2, $3)`,
			pq.Int64Array(stats.Touched), nullID(in.runID), now)
		if err != nil {
			return fmt.Errorf("record scoring work: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE crawl_runs SET finished_at = $2, status = $3, pages = $4,
		calls_new = $5, calls_changed = $6, calls_unchanged = $7, calls_closed = $8, errors = $9 WHERE id = $1`,
		in.runID, now, status, res.Pages, stats.New, stats.Changed, stats.Unchanged, stats.Closed, errJSON)
	if err != nil {
		return fmt.Errorf("record crawl run: %w", err)
	}
	return nil
}

// merge writes the calls kept for Finish through a staging table: the
// changed ones with their revisions (what changed is told against the
// stored version), and the second versions of new ones.
func (in *Ingest) merge(ctx context.Context, ids map[string]int64, stats *RunStats) error {
	var later []*funding.Call
	var changedIDs []int64
	for i := range in.later {
		c := &in.later[i]
		if c.Identifier == "" {
			continue // went back to the stored version
		}
		later = append(later, c)
		if !in.calls[c.Identifier].fresh {
			changedIDs = append(changedIDs, in.known[c.Identifier].id)
		}
	}
	if len(later) == 0 {
		return nil
	}
	tx := in.tx
	old := map[string]funding.Call{}
	if len(changedIDs) > 0 {
		rows, err := tx.QueryContext(ctx, selectCall+` WHERE id = ANY($1)`, pq.Int64Array(changedIDs))
		if err != nil {
			return fmt.Errorf("read changed calls: %w", err)
		}
		for rows.Next() {
			c, err := scanCall(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("read changed calls: %w", err)
			}
			old[c.Identifier] = c.Call
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read changed calls: %w", err)
		}
	}

	cols := strings.Join(callColumns, ", ")
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE calls_staging ON COMMIT DROP AS
		SELECT `+cols+` FROM calls WITH NO DATA`); err != nil {
		return fmt.Errorf("stage calls: %w", err)
	}
	set := make([]string, 0, len(callColumns))
	for _, c := range callColumns[2:] {
		set = append(set, c+" = s."+c)
	}
	update := `UPDATE calls SET ` + strings.Join(set, ", ") + `,
			closed_reason = '', last_seen_at = $1, last_changed_at = $1
		FROM calls_staging s WHERE calls.source = s.source AND calls.identifier = s.identifier
		RETURNING calls.id, calls.identifier`
	hashes := make(map[string]string, len(later))
	for _, c := range later {
		hashes[c.Identifier] = c.ContentHash()
	}
	// Staged and updated batch-wise, so that a call refused (by a CHECK
	// of calls, say) is left out and the others are stored.
	err := in.isolate(ctx, later, func(ctx context.Context, calls []*funding.Call) error {
		if _, err := tx.ExecContext(ctx, `TRUNCATE calls_staging`); err != nil {
			return fmt.Errorf("stage calls: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, copyFrom("calls_staging", callColumns))
		if err != nil {
			return fmt.Errorf("stage calls: %w", err)
		}
		defer stmt.Close()
		for _, c := range calls {
			if _, err := stmt.ExecContext(ctx, callValues(c, hashes[c.Identifier])...); err != nil {
				return fmt.Errorf("stage call %s: %w", c.Identifier, err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			return fmt.Errorf("stage calls: %w", err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("stage calls: %w", err)
		}
		updated := map[string]int64{}
		if err := scanIDs(ctx, tx, updated, update, in.now); err != nil {
			return err
		}
		maps.Copy(ids, updated)
		return nil
	})
	if err != nil {
		return err
	}

	var revCalls []int64
	var revChanges, revHashes []string
	for _, c := range later {
		if in.calls[c.Identifier].fresh || in.refused[c.Identifier] {
			continue // a second version of a new call is counted and touched once; a refused call keeps its stored version
		}
		stats.Touched = append(stats.Touched, ids[c.Identifier])
		changes := funding.Diff(old[c.Identifier], *c)
		if len(changes) == 0 {
			// Only the stored hash was stale (e.g. a status refreshed by date).
			stats.Unchanged++
			continue
		}
		stats.Changed++
		b, err := json.Marshal(revisionChanges(changes))
		if err != nil {
			return err
		}
		revCalls, revChanges, revHashes = append(revCalls, ids[c.Identifier]), append(revChanges, string(b)), append(revHashes, hashes[c.Identifier])
	}
	if len(revCalls) > 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO call_revisions (call_id, crawl_run_id, changed_at, changes, content_hash)
			SELECT r.call_id, $1, $2, r.changes::jsonb, r.hash FROM unnest($3::bigint[], $4::text[], $5::text[]) AS r(call_id, changes, hash)`,
			nullID(in.runID), in.now, pq.Int64Array(revCalls), pq.StringArray(revChanges), pq.StringArray(revHashes))
		if err != nil {
			return fmt.Errorf("save call revisions: %w", err)
		}
	}
	return nil
}

// MaxIdentifierLen is the longest call identifier stored.
const MaxIdentifierLen = 200

// The shapes of identifiers: letters, digits, '.', '_' and '-' (the HTML
// sources' slugs, HORIZON-CL5-2027-D4-01); the portal's also join such
// parts with single slashes or spaces, as its calls for proposals of
// external action do (NEAR/BEG/2023/EA-RP/0169, "UCA 23/028").
var (
	safeIdentifier   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	portalIdentifier = regexp.MustCompile(`^[A-Za-z0-9._-]+([/ ][A-Za-z0-9._-]+)*$`)
	identifierShapes = map[string]*regexp.Regexp{"ftportal": portalIdentifier}
)

// ErrIdentifier is the error of a record whose identifier is refused.
var ErrIdentifier = errors.New("identifier refused")

// ValidIdentifier checks an identifier a crawl of source found before it
// is stored. It ends up in links (emails, Slack, pages, feeds), escaped as
// one path segment, so it must have the source's shape (see
// identifierShapes; the safe set for any other source), no part that is
// only dots, and at most MaxIdentifierLen characters: no "../", no line
// break, no markup.
func ValidIdentifier(source, id string) error {
	shape, ok := identifierShapes[source]
	if !ok {
		shape = safeIdentifier
	}
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrIdentifier)
	case len(id) > MaxIdentifierLen:
		return fmt.Errorf("%w: longer than %d characters", ErrIdentifier, MaxIdentifierLen)
	case !shape.MatchString(id):
		return fmt.Errorf("%w: not the shape of a %s identifier (letters, digits, '.', '_', '-')", ErrIdentifier, source)
	}
	for part := range strings.SplitSeq(id, "/") {
		if strings.Trim(part, ".") == "" {
			return fmt.Errorf("%w: a part that is only dots", ErrIdentifier)
		}
	}
	return nil
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
