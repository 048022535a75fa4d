package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	Explanation  json.RawMessage // {} when not computed
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

// StoredExplanation returns the input hash and model version of a city's
// stored match for a call, and its stored explanation ({} when none);
// ErrNotFound when the pair was never scored.
func (s *Store) StoredExplanation(ctx context.Context, cityID, callID int64) (StoredMatch, json.RawMessage, error) {
	var m StoredMatch
	var expl []byte
	err := s.db.QueryRowContext(ctx, `SELECT input_hash, model_version, explanation <> '{}', explanation
		FROM matches WHERE city_id = $1 AND call_id = $2`, cityID, callID).Scan(&m.InputHash, &m.ModelVersion, &m.HasExplanation, &expl)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil, ErrNotFound
	}
	if err != nil {
		return m, nil, fmt.Errorf("stored explanation: %w", err)
	}
	return m, expl, nil
}

var matchColumns = []string{"call_id", "city_id", "score", "relevance", "experience", "feasibility",
	"eligibility", "reasons", "explanation", "model_version", "input_hash", "scored_at", "deadlines", "matched_at"}

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

// SaveMatches applies a scoring step's matches in one transaction and
// returns how many rows it wrote and how many it removed. New pairs that
// turn out to be stored after all (another scorer wrote them meanwhile)
// go the way of changed ones.
func (s *Store) SaveMatches(ctx context.Context, w MatchWrite, now time.Time) (written, removed int, err error) {
	if len(w.New)+len(w.Changed)+len(w.Drop) == 0 {
		return 0, 0, nil
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
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
			err := copyMatches(ctx, tx, "matches", w.New, now)
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
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE matches_staging ON COMMIT DROP AS
			SELECT `+strings.Join(matchColumns, ", ")+` FROM matches WITH NO DATA`); err != nil {
			return fmt.Errorf("stage matches: %w", err)
		}
		if err := copyMatches(ctx, tx, "matches_staging", changed, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO matches (`+strings.Join(matchColumns, ", ")+`)
			SELECT `+strings.Join(matchColumns, ", ")+` FROM matches_staging
			ON CONFLICT (call_id, city_id) DO UPDATE SET score = EXCLUDED.score, relevance = EXCLUDED.relevance,
				experience = EXCLUDED.experience, feasibility = EXCLUDED.feasibility, eligibility = EXCLUDED.eligibility,
				reasons = EXCLUDED.reasons, deadlines = EXCLUDED.deadlines,
				explanation = CASE WHEN EXCLUDED.explanation = '{}' AND matches.input_hash = EXCLUDED.input_hash
					THEN matches.explanation ELSE EXCLUDED.explanation END,
				model_version = EXCLUDED.model_version, input_hash = EXCLUDED.input_hash, scored_at = EXCLUDED.scored_at
			WHERE matches.input_hash <> EXCLUDED.input_hash OR matches.model_version <> EXCLUDED.model_version
				OR (matches.explanation = '{}' AND EXCLUDED.explanation <> '{}')`)
		if err != nil {
			return fmt.Errorf("save matches: %w", err)
		}
		n, _ := res.RowsAffected()
		written += int(n)
		return nil
	})
	return written, removed, err
}

// copyMatches copies rows into table (matches or its staging copy). A
// row's deadlines are its call's: the caller has them, which spares the
// trigger that would look each one up.
func copyMatches(ctx context.Context, tx *sqlx.Tx, table string, rows []MatchRow, now time.Time) error {
	stmt, err := tx.PrepareContext(ctx, copyFrom(table, matchColumns))
	if err != nil {
		return fmt.Errorf("copy matches: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		reasons, expl := string(r.Reasons), string(r.Explanation)
		if reasons == "" {
			reasons = "[]"
		}
		if expl == "" {
			expl = "{}"
		}
		if _, err := stmt.ExecContext(ctx, r.CallID, r.CityID, r.Score, r.Relevance, r.Experience, r.Feasibility,
			r.Eligibility, reasons, expl, r.ModelVersion, r.InputHash, now, dateArray(r.Deadlines), now); err != nil {
			return fmt.Errorf("copy match: %w", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy matches: %w", err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("copy matches: %w", err)
	}
	return nil
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
