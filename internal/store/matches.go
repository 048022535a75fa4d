package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/database"
)

// MatchRow is the stored score of one call for one city.
type MatchRow struct {
	CallID       int64
	CityID       int64
	Score        int
	Relevance    float64
	Experience   float64
	Feasibility  float64
	Eligibility  funding.Eligibility
	Reasons      json.RawMessage // [{"code", "nl", "en"}]
	Explanation  json.RawMessage // {} when not computed; its reasons and texts are kept apart
	Text         MatchExplanation
	ModelVersion string
	InputHash    string
	Deadlines    []time.Time // the call's cut-offs, copied for the pages' deadline order
}

// StoredMatch is what SaveMatches needs to know of a stored match.
type StoredMatch struct {
	InputHash      string
	ModelVersion   string
	HasExplanation bool
}

// StoredMatches returns, by call id, the input hash and model version of the
// stored matches of a city, so unchanged pairs can be skipped. Whether a
// row has an explanation is read from its stored size ('{}' takes a few
// bytes, an explanation a few thousand), which spares decompressing every
// explanation.
func (s *Store) StoredMatches(ctx context.Context, cityID int64) (map[int64]StoredMatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT call_id, input_hash, model_version, pg_column_size(explanation) > 16
		FROM matches WHERE city_id = $1`, cityID)
	if err != nil {
		return nil, fmt.Errorf("stored matches: %w", err)
	}
	defer rows.Close()
	out := map[int64]StoredMatch{}
	for rows.Next() {
		var id int64
		var m StoredMatch
		if err := rows.Scan(&id, &m.InputHash, &m.ModelVersion, &m.HasExplanation); err != nil {
			return nil, fmt.Errorf("stored matches: %w", err)
		}
		out[id] = m
	}
	return out, rows.Err()
}

// StoredExplanation is a stored match's explanation in its three parts.
type StoredExplanation struct {
	StoredMatch
	Explanation json.RawMessage // {} when none: the rest below is then empty too
	Reasons     json.RawMessage
	Text        MatchExplanation
}

// StoredExplanation returns a city's stored match for a call with its
// explanation; ErrNotFound when the pair is not stored.
func (s *Store) StoredExplanation(ctx context.Context, cityID, callID int64) (StoredExplanation, error) {
	var e StoredExplanation
	err := s.db.QueryRowContext(ctx, `SELECT input_hash, model_version, explanation::text <> '{}', explanation, reasons,
			text_nl, text_en, summary_nl, summary_en
		FROM matches WHERE city_id = $1 AND call_id = $2`, cityID, callID).Scan(&e.InputHash, &e.ModelVersion, &e.HasExplanation,
		(*[]byte)(&e.Explanation), (*[]byte)(&e.Reasons), &e.Text.NL, &e.Text.EN, &e.Text.SummaryNL, &e.Text.SummaryEN)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("stored explanation: %w", err)
	}
	return e, nil
}

// MatchWrite is what one scoring step changes in the stored matches.
type MatchWrite struct {
	// New are pairs the caller knows are not stored: they are copied in
	// as they are, without looking for a row to update.
	New []MatchRow
	// Changed are pairs that may be stored: a row whose input hash and
	// model version are unchanged is not rewritten (unless it gains an
	// explanation it lacked).
	Changed []MatchRow
	// Drop are pairs no longer kept (they fell below the floor of what is
	// stored); a pair that is not stored is passed over.
	Drop []MatchKey
}

// byCall is the condition on matches m that finds the matches of calls:
// m.call_id = calls. Matches are keyed by (city, call), and no index leads
// with the call (migration 00290), so it names every city's part of the
// key, each probed once.
func byCall(calls string) string {
	return "m.city_id = ANY (ARRAY(SELECT id FROM cities)) AND m.call_id = " + calls
}

// CallsWithoutMatches returns which of the calls have no stored match
// for any city.
func (s *Store) CallsWithoutMatches(ctx context.Context, callIDs []int64) (map[int64]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM unnest($1::bigint[]) AS id
		WHERE NOT EXISTS (SELECT FROM matches m WHERE `+byCall("id")+`)`, pq.Int64Array(callIDs))
	if err != nil {
		return nil, fmt.Errorf("calls without matches: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("calls without matches: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// SaveMatches applies a scoring step's matches in one transaction and
// returns how many rows it wrote and how many it removed. New pairs that
// turn out to be stored after all (another scorer wrote them meanwhile)
// go the way of changed ones.
func (s *Store) SaveMatches(ctx context.Context, w MatchWrite) (written, removed int, err error) {
	if len(w.New)+len(w.Changed)+len(w.Drop) == 0 {
		return 0, 0, nil
	}
	err = s.withConnTx(ctx, func(conn *sqlx.Conn, tx *sqlx.Tx) error {
		if len(w.Drop) > 0 {
			calls, cities := make(pq.Int64Array, len(w.Drop)), make(pq.Int64Array, len(w.Drop))
			for i, k := range w.Drop {
				calls[i], cities[i] = k.CallID, k.CityID
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM matches m USING unnest($1::bigint[], $2::bigint[]) AS k(call_id, city_id)
				WHERE m.call_id = k.call_id AND m.city_id = k.city_id`, calls, cities)
			if err != nil {
				return fmt.Errorf("remove matches: %w", err)
			}
			n, _ := res.RowsAffected()
			removed = int(n)
		}
		changed := w.Changed
		if len(w.New) > 0 {
			// A savepoint, so that a pair stored meanwhile sends the
			// new rows the slower way instead of failing the step.
			if _, err := tx.ExecContext(ctx, `SAVEPOINT new_matches`); err != nil {
				return fmt.Errorf("save matches: %w", err)
			}
			_, err := insertMatches(ctx, conn, tx, w.New, "")
			if _, dup := database.IsUniqueViolation(err); dup {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT new_matches`); err != nil {
					return fmt.Errorf("save matches: %w", err)
				}
				changed = append(slices.Clone(changed), w.New...)
			} else if err != nil {
				return err
			} else {
				written += len(w.New)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		// A row keeps its explanation when it comes without one and its
		// inputs did not change; it is rewritten only when they did, or
		// when it gains an explanation it lacked.
		n, err := insertMatches(ctx, conn, tx, changed, `
			ON CONFLICT (call_id, city_id) DO UPDATE SET score = EXCLUDED.score, relevance = EXCLUDED.relevance,
				experience = EXCLUDED.experience, feasibility = EXCLUDED.feasibility, eligibility = EXCLUDED.eligibility,
				reasons = EXCLUDED.reasons, deadlines = EXCLUDED.deadlines,
				explanation = CASE WHEN `+keepsExplanation+` THEN matches.explanation ELSE EXCLUDED.explanation END,
				text_nl = CASE WHEN `+keepsExplanation+` THEN matches.text_nl ELSE EXCLUDED.text_nl END,
				text_en = CASE WHEN `+keepsExplanation+` THEN matches.text_en ELSE EXCLUDED.text_en END,
				summary_nl = CASE WHEN `+keepsExplanation+` THEN matches.summary_nl ELSE EXCLUDED.summary_nl END,
				summary_en = CASE WHEN `+keepsExplanation+` THEN matches.summary_en ELSE EXCLUDED.summary_en END,
				model_version = EXCLUDED.model_version, input_hash = EXCLUDED.input_hash, scored_at = EXCLUDED.scored_at
			WHERE matches.input_hash <> EXCLUDED.input_hash OR matches.model_version <> EXCLUDED.model_version
				OR (matches.explanation::text = '{}' AND EXCLUDED.explanation::text <> '{}')`)
		written += n
		return err
	})
	return written, removed, err
}

// keepsExplanation is true in an upsert when the stored row keeps its
// explanation: the new one comes without and the inputs are the same.
const keepsExplanation = `EXCLUDED.explanation::text = '{}' AND matches.input_hash = EXCLUDED.input_hash`

// matchColumns are the columns insertMatches writes besides the times.
const matchColumns = `call_id, city_id, score, relevance, experience, feasibility, eligibility, reasons,
	explanation, text_nl, text_en, summary_nl, summary_en, model_version, input_hash, deadlines`

// insertMatches inserts rows, with conflict (an ON CONFLICT clause or
// nothing), and returns how many it wrote. Rows go by COPY, which costs
// PostgreSQL least per row (4.3 s of backend CPU for 770,000 rows, where
// one array per column took 5.2 s and a row per statement far more): new
// rows straight into matches, the others into a staging table from which
// the conflict clause decides.
func insertMatches(ctx context.Context, conn *sqlx.Conn, tx *sqlx.Tx, rows []MatchRow, conflict string) (int, error) {
	if conflict == "" {
		if err := copyMatches(ctx, conn, "matches", rows); err != nil {
			return 0, err
		}
		return len(rows), nil
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS matches_staging (LIKE matches INCLUDING DEFAULTS INCLUDING COMPRESSION)
		ON COMMIT DELETE ROWS`); err != nil {
		return 0, fmt.Errorf("stage matches: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `TRUNCATE matches_staging`); err != nil {
		return 0, fmt.Errorf("stage matches: %w", err)
	}
	if err := copyMatches(ctx, conn, "matches_staging", rows); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO matches AS matches (`+matchColumns+`, scored_at, matched_at)
		SELECT `+matchColumns+`, scored_at, matched_at FROM matches_staging`+conflict)
	if err != nil {
		return 0, fmt.Errorf("save matches: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// plainColumns are the columns a match without explanation is copied with;
// the others take their defaults.
const plainColumns = `call_id, city_id, score, relevance, experience, feasibility, eligibility, reasons, model_version,
	input_hash, deadlines`

// copyMatches copies rows into table, matches or matches_staging, on conn,
// which holds the transaction. Most rows have neither explanation nor
// texts: they are copied without those columns (their defaults). The times
// are the columns' defaults too, the transaction's: PostgreSQL reads a
// timestamp in text slowly (2 s of a full rescore's 22 s). Rows go in the
// order of the index pages read (city, score, relevance, call): PostgreSQL
// then inserts each city's index entries side by side, which cost it 13 %
// less than in the scorer's order (3.46 s against 3.96 s for 770,000 rows).
func copyMatches(ctx context.Context, conn *sqlx.Conn, table string, rows []MatchRow) error {
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		x, y := &rows[a], &rows[b]
		return cmp.Or(cmp.Compare(x.CityID, y.CityID), cmp.Compare(y.Score, x.Score),
			cmp.Compare(float32(y.Relevance), float32(x.Relevance)), cmp.Compare(x.CallID, y.CallID))
	})
	for _, explained := range []bool{false, true} {
		var part []int32
		for _, i := range order {
			if r := &rows[i]; (len(r.Explanation) > 2 || r.Text != (MatchExplanation{})) == explained {
				part = append(part, i)
			}
		}
		if len(part) == 0 {
			continue
		}
		columns := plainColumns
		if explained {
			columns = matchColumns
		}
		err := database.CopyIn(ctx, conn, `COPY `+table+` (`+columns+`) FROM STDIN`, len(part), func(b []byte, k int) []byte {
			return appendMatchLine(b, &rows[part[k]], explained)
		})
		if err != nil {
			return fmt.Errorf("copy matches: %w", err)
		}
	}
	return nil
}

// appendMatchLine appends r as a line of COPY text (without its newline),
// in the order of plainColumns, or of matchColumns when explained.
func appendMatchLine(b []byte, r *MatchRow, explained bool) []byte {
	b = strconv.AppendInt(b, r.CallID, 10)
	b = strconv.AppendInt(append(b, '\t'), r.CityID, 10)
	b = strconv.AppendInt(append(b, '\t'), int64(r.Score), 10)
	// A real column: the shortest text that reads back as the same float32.
	for _, x := range []float64{r.Relevance, r.Experience, r.Feasibility} {
		b = strconv.AppendFloat(append(b, '\t'), x, 'g', -1, 32)
	}
	b = database.AppendCopyText(append(b, '\t'), string(r.Eligibility))
	b = appendCopyJSON(append(b, '\t'), r.Reasons, "[]")
	if explained {
		b = appendCopyJSON(append(b, '\t'), r.Explanation, "{}")
		for _, t := range []string{r.Text.NL, r.Text.EN, r.Text.SummaryNL, r.Text.SummaryEN} {
			b = database.AppendCopyText(append(b, '\t'), t)
		}
	}
	b = database.AppendCopyText(append(b, '\t'), r.ModelVersion)
	b = database.AppendCopyText(append(b, '\t'), r.InputHash)
	return appendDates(append(b, '\t'), r.Deadlines)
}

// appendCopyJSON appends raw as a field of COPY text, or empty when raw
// holds nothing (see jsonOr), without copying raw into a string first.
func appendCopyJSON(b []byte, raw json.RawMessage, empty string) []byte {
	if isEmptyJSON(raw) {
		return database.AppendCopyText(b, empty)
	}
	return database.AppendCopyText(b, raw)
}

// appendDates appends ds as a PostgreSQL date array, {2027-01-15,2027-06-01}.
func appendDates(b []byte, ds []time.Time) []byte {
	b = append(b, '{')
	for i, d := range ds {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.AppendFormat(b, time.DateOnly)
	}
	return append(b, '}')
}

// ProfiledCities returns the slugs of the cities with a profile, in order:
// the cities a full rescore scores.
func (s *Store) ProfiledCities(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.db.SelectContext(ctx, &out, `SELECT c.slug FROM cities c JOIN profiles p ON p.city_id = c.id ORDER BY c.slug`); err != nil {
		return nil, fmt.Errorf("cities with a profile: %w", err)
	}
	return out, nil
}
