package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/funding"
)

// CallRecord is a stored call: the crawler's normalised call plus what the
// store knows about its history.
type CallRecord struct {
	ID int64
	funding.Call
	ContentHash   string
	ClosedReason  string // why fundmatch closed it, e.g. missing from a complete listing
	FirstSeenAt   time.Time
	LastSeenAt    time.Time
	LastChangedAt time.Time
}

// callColumns are the columns a crawler fills, in the order of callValues.
var callColumns = []string{"source", "identifier", "reference", "kind", "programme", "programme_name",
	"call_identifier", "call_title", "title", "summary", "description_html", "description_text",
	"conditions_html", "conditions_text", "url", "status", "opening_date", "deadlines", "deadline_times", "deadline_model",
	"budget_min", "budget_max", "expected_grants", "call_budget", "funding_rate", "types_of_action",
	"keywords", "tags", "eligibility_notes", "language", "content_hash", "raw"}

func callValues(c *funding.Call, hash string) []any {
	var opening any
	if c.OpeningDate != nil {
		opening = c.OpeningDate.Format(time.DateOnly)
	}
	var raw any
	if len(c.Raw) > 0 {
		raw = string(c.Raw)
	}
	return []any{c.Source, c.Identifier, c.Reference, string(c.Kind), c.Programme, c.ProgrammeName,
		c.CallIdentifier, c.CallTitle, c.Title, c.Summary, c.DescriptionHTML, c.DescriptionText,
		c.ConditionsHTML, c.ConditionsText, c.URL, string(c.Status), opening, dateArray(c.Deadlines), timeArray(c.DeadlineTimes), c.DeadlineModel,
		c.BudgetMin, c.BudgetMax, c.ExpectedGrants, c.CallBudget, c.FundingRate, stringArray(c.TypesOfAction),
		stringArray(c.Keywords), stringArray(c.Tags), c.EligibilityNotes, c.Language, hash, raw}
}

func dateArray(ds []time.Time) pq.StringArray {
	out := make(pq.StringArray, len(ds))
	for i, d := range ds {
		out[i] = d.Format(time.DateOnly)
	}
	return out
}

// timeArray renders times as RFC 3339 text, keeping the zone offset they
// were given in.
func timeArray(ts []time.Time) pq.StringArray {
	out := make(pq.StringArray, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.RFC3339)
	}
	return out
}

func stringArray(s []string) pq.StringArray {
	if s == nil {
		return pq.StringArray{}
	}
	return s
}

const selectCall = `SELECT id, source, identifier, reference, kind, programme, programme_name, call_identifier,
	call_title, title, summary, description_html, description_text, conditions_html, conditions_text, url, status,
	opening_date, deadlines::text[], deadline_times, deadline_model, budget_min, budget_max, expected_grants, call_budget,
	funding_rate, types_of_action, keywords, tags, eligibility_notes, language, content_hash, closed_reason,
	first_seen_at, last_seen_at, last_changed_at, raw FROM calls`

func scanCall(row interface{ Scan(...any) error }) (CallRecord, error) {
	var c CallRecord
	var kind, status string
	var opening sql.NullTime
	var deadlines, times, types, keywords, tags pq.StringArray
	var raw []byte
	err := row.Scan(&c.ID, &c.Source, &c.Identifier, &c.Reference, &kind, &c.Programme, &c.ProgrammeName,
		&c.CallIdentifier, &c.CallTitle, &c.Title, &c.Summary, &c.DescriptionHTML, &c.DescriptionText,
		&c.ConditionsHTML, &c.ConditionsText, &c.URL, &status, &opening, &deadlines, &times, &c.DeadlineModel,
		&c.BudgetMin, &c.BudgetMax, &c.ExpectedGrants, &c.CallBudget, &c.FundingRate, &types, &keywords, &tags,
		&c.EligibilityNotes, &c.Language, &c.ContentHash, &c.ClosedReason, &c.FirstSeenAt, &c.LastSeenAt,
		&c.LastChangedAt, &raw)
	if err != nil {
		return c, err
	}
	c.Kind, c.Status = funding.Kind(kind), funding.Status(status)
	if opening.Valid {
		d := time.Date(opening.Time.Year(), opening.Time.Month(), opening.Time.Day(), 0, 0, 0, 0, time.UTC)
		c.OpeningDate = &d
	}
	for _, s := range deadlines {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return c, fmt.Errorf("deadline %q of %s: %w", s, c.Identifier, err)
		}
		c.Deadlines = append(c.Deadlines, d)
	}
	for _, s := range times {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return c, fmt.Errorf("deadline time %q of %s: %w", s, c.Identifier, err)
		}
		// An offset that is Brussels's at that instant is shown as Brussels.
		if b := at.In(funding.Brussels); b.Format(time.RFC3339) == s {
			at = b
		}
		c.DeadlineTimes = append(c.DeadlineTimes, at)
	}
	c.TypesOfAction, c.Keywords, c.Tags = nilIfEmpty(types), nilIfEmpty(keywords), nilIfEmpty(tags)
	if len(raw) > 0 {
		c.Raw = raw
	}
	return c, nil
}

func nilIfEmpty(a pq.StringArray) []string {
	if len(a) == 0 {
		return nil
	}
	return a
}

// RunStats counts what a crawl run did to the stored calls.
type RunStats struct {
	New, Changed, Unchanged, Closed int
	// Touched are the ids of the calls that are new or changed (closed ones
	// included), the ones to score again.
	Touched []int64
}

// StartRun records that a crawl of source begins and returns the run's id.
func (s *Store) StartRun(ctx context.Context, source string, now time.Time) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `INSERT INTO crawl_runs (source, started_at) VALUES ($1, $2) RETURNING id`, source, now)
	if err != nil {
		return 0, fmt.Errorf("start crawl run of %s: %w", source, err)
	}
	return id, nil
}

// runError is one entry of crawl_runs.errors.
type runError struct {
	URL       string `json:"url"`
	Reference string `json:"reference,omitempty"`
	Message   string `json:"message"`
}

// FinishRun stores what a crawl found all at once, as an Ingest of the
// run that is handed every call and finished (see Ingest.Finish).
func (s *Store) FinishRun(ctx context.Context, runID int64, res *crawlers.Result, now time.Time) (RunStats, error) {
	in, err := s.ingest(ctx, runID, res.Source, now)
	if err != nil {
		return RunStats{}, err
	}
	defer in.Close()
	in.Add(res.Calls) // an error is Finish's to report
	return in.Finish(ctx, res, now)
}

// runErrors is the crawl_runs.errors document of a result.
func runErrors(res *crawlers.Result) ([]byte, error) {
	errs := make([]runError, 0, len(res.Errors)+1)
	for _, e := range res.Errors {
		msg := ""
		if e.Err != nil {
			msg = e.Err.Error()
		}
		errs = append(errs, runError{URL: e.URL, Reference: e.Reference, Message: msg})
	}
	if res.PartialReason != "" {
		errs = append(errs, runError{Message: res.PartialReason})
	}
	return json.Marshal(errs)
}

// RunStatus says how a crawl went: failed when it found nothing and had
// errors or was cut short, partial when the listing itself was incomplete
// (it closes nothing), ok otherwise. An ok run may have errors: a detail
// document that failed or a record the store refused is an error of that
// call, which is kept as the listing gave it (or as stored).
func RunStatus(res *crawlers.Result) CrawlStatus {
	switch {
	case res.Found() == 0 && (len(res.Errors) > 0 || res.Partial):
		return CrawlFailed
	case res.Partial:
		return CrawlPartial
	}
	return CrawlOK
}

// FailRun records that a crawl stopped before it had a result; the stored
// calls stay as they were.
func (s *Store) FailRun(ctx context.Context, runID int64, cause error, now time.Time) error {
	errJSON, _ := json.Marshal([]runError{{Message: cause.Error()}})
	_, err := s.db.ExecContext(ctx, `UPDATE crawl_runs SET finished_at = $2, status = 'failed', errors = $3 WHERE id = $1`,
		runID, now, errJSON)
	if err != nil {
		return fmt.Errorf("record failed crawl run: %w", err)
	}
	return nil
}

// scanIDs runs q and adds the (id, identifier) rows it returns to ids.
func scanIDs(ctx context.Context, tx *sqlx.Tx, ids map[string]int64, q string, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("save calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ident string
		if err := rows.Scan(&id, &ident); err != nil {
			return fmt.Errorf("save calls: %w", err)
		}
		ids[ident] = id
	}
	return rows.Err()
}

// Revision change entry as stored in call_revisions.changes.
type revisionChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func revisionChanges(changes []funding.Change) []revisionChange {
	out := make([]revisionChange, len(changes))
	for i, ch := range changes {
		// Diff joins multi-part fields with NUL, which JSON in PostgreSQL refuses.
		out[i] = revisionChange{Field: ch.Field, Old: strings.ReplaceAll(ch.Old, "\x00", " / "), New: strings.ReplaceAll(ch.New, "\x00", " / ")}
		if ch.Field == "description" || ch.Field == "conditions" {
			out[i].Old, out[i].New = "", "" // long HTML; the revision says it changed
		}
	}
	return out
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// closeMissing closes the open and forthcoming calls of source that a
// complete listing, which showed the identifiers seen, no longer shows.
func closeMissing(ctx context.Context, tx *sqlx.Tx, runID int64, source string, seen pq.StringArray, now time.Time, stats *RunStats) error {
	reason := "no longer listed by the source (complete listing of " + now.UTC().Format(time.DateOnly) + ")"
	rows, err := tx.QueryContext(ctx, `
		WITH gone AS (
			SELECT id, status FROM calls WHERE source = $1 AND status <> 'closed' AND NOT (identifier = ANY($2)) FOR UPDATE
		)
		UPDATE calls c SET status = 'closed', closed_reason = $3, last_changed_at = $4,
			-- a call that comes back must be seen as changed
			content_hash = 'closed:' || c.content_hash
		FROM gone WHERE c.id = gone.id
		RETURNING c.id, gone.status`, source, seen, reason, now)
	if err != nil {
		return fmt.Errorf("close missing calls: %w", err)
	}
	var ids []int64
	var changes []string
	for rows.Next() {
		var id int64
		var was string
		if err := rows.Scan(&id, &was); err != nil {
			rows.Close()
			return fmt.Errorf("close missing calls: %w", err)
		}
		b, _ := json.Marshal([]revisionChange{{Field: "status", Old: was, New: string(funding.StatusClosed)}, {Field: "closed_reason", New: reason}})
		ids, changes = append(ids, id), append(changes, string(b))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("close missing calls: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO call_revisions (call_id, crawl_run_id, changed_at, changes, content_hash)
		SELECT r.call_id, $1, $2, r.changes::jsonb, '' FROM unnest($3::bigint[], $4::text[]) AS r(call_id, changes)`,
		nullID(runID), now, pq.Int64Array(ids), pq.StringArray(changes))
	if err != nil {
		return fmt.Errorf("save revisions of closed calls: %w", err)
	}
	stats.Closed += len(ids)
	stats.Touched = append(stats.Touched, ids...)
	return nil
}

// CallFilter narrows a list of calls; zero values do not filter.
type CallFilter struct {
	Status    funding.Status
	Statuses  []funding.Status // any of these, as well as Status
	Programme string
	Source    string
	IDs       []int64
	Limit     int // 0: no limit
	Offset    int
}

// Calls lists stored calls, by next deadline then identifier.
func (s *Store) Calls(ctx context.Context, f CallFilter) ([]CallRecord, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if f.Statuses != nil {
		add("status = ANY($%d)", textArray(f.Statuses))
	}
	if f.Programme != "" {
		add("upper(programme) = upper($%d)", f.Programme)
	}
	if f.Source != "" {
		add("source = $%d", f.Source)
	}
	if f.IDs != nil {
		add("id = ANY($%d)", pq.Int64Array(f.IDs))
	}
	q := selectCall
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY (SELECT min(d) FROM unnest(deadlines) d WHERE d >= brussels_today()) NULLS LAST, identifier, source`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	defer rows.Close()
	var out []CallRecord
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("list calls: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CallByIdentifier returns the call with that identifier (from any source),
// or ErrNotFound.
func (s *Store) CallByIdentifier(ctx context.Context, identifier string) (CallRecord, error) {
	c, err := scanCall(s.db.QueryRowContext(ctx, selectCall+` WHERE identifier = $1 ORDER BY source LIMIT 1`, identifier))
	if err != nil {
		return CallRecord{}, notFound(err, "call "+identifier)
	}
	return c, nil
}

// KnownCalls returns which of the identifiers name a stored call (from
// any source), in one query.
func (s *Store) KnownCalls(ctx context.Context, identifiers []string) (map[string]bool, error) {
	var known []string
	err := s.db.SelectContext(ctx, &known, `SELECT DISTINCT identifier FROM calls WHERE identifier = ANY($1)`, pq.StringArray(identifiers))
	if err != nil {
		return nil, fmt.Errorf("look up %d calls: %w", len(identifiers), err)
	}
	out := make(map[string]bool, len(known))
	for _, id := range known {
		out[id] = true
	}
	return out, nil
}

// Revision is one recorded change of a call.
type Revision struct {
	ChangedAt time.Time        `json:"changed_at"`
	Changes   []revisionChange `json:"changes"`
}

// Revisions returns the changes of a call, newest first.
func (s *Store) Revisions(ctx context.Context, callID int64) ([]Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT changed_at, changes FROM call_revisions WHERE call_id = $1 ORDER BY changed_at DESC, id DESC`, callID)
	if err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var b []byte
		if err := rows.Scan(&r.ChangedAt, &b); err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		if err := json.Unmarshal(b, &r.Changes); err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CrawlRun is the record of one crawl.
type CrawlRun struct {
	ID             int64       `db:"id" json:"id"`
	Source         string      `db:"source" json:"source"`
	StartedAt      time.Time   `db:"started_at" json:"started_at"`
	FinishedAt     *time.Time  `db:"finished_at" json:"finished_at"`
	Status         CrawlStatus `db:"status" json:"status"`
	Pages          int         `db:"pages" json:"pages"`
	CallsNew       int         `db:"calls_new" json:"calls_new"`
	CallsChanged   int         `db:"calls_changed" json:"calls_changed"`
	CallsUnchanged int         `db:"calls_unchanged" json:"calls_unchanged"`
	CallsClosed    int         `db:"calls_closed" json:"calls_closed"`
	Errors         []byte      `db:"errors" json:"-"`
}

// Runs returns the latest crawl runs of a source ("" for every source).
func (s *Store) Runs(ctx context.Context, source string, limit int) ([]CrawlRun, error) {
	var runs []CrawlRun
	err := s.db.SelectContext(ctx, &runs, `SELECT id, source, started_at, finished_at, status, pages, calls_new,
		calls_changed, calls_unchanged, calls_closed, errors FROM crawl_runs
		WHERE $1 = '' OR source = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, source, limit)
	if err != nil {
		return nil, fmt.Errorf("crawl runs: %w", err)
	}
	return runs, nil
}

// RefreshStatuses moves calls whose dates have passed to their current
// status (forthcoming to open, open to closed) without waiting for a crawl.
// Calls fundmatch closed for another reason stay closed.
func (s *Store) RefreshStatuses(ctx context.Context, today time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `
		UPDATE calls SET status = n.status, last_changed_at = now()
		FROM (SELECT id, CASE
				WHEN cardinality(deadlines) > 0 AND deadlines[cardinality(deadlines)] < $1::date THEN 'closed'
				WHEN status = 'forthcoming' AND opening_date <= $1::date THEN 'open'
				ELSE status END AS status
			FROM calls WHERE closed_reason = '') n
		WHERE calls.id = n.id AND calls.status <> n.status`, today.Format(time.DateOnly))
	if err != nil {
		return 0, fmt.Errorf("refresh call statuses: %w", err)
	}
	return res.RowsAffected()
}
