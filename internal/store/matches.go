package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// MatchRow is the stored score of one call for one city.
type MatchRow struct {
	CallID       int64
	CityID       int64
	Score        int
	Relevance    float64
	Experience   float64
	Feasibility  float64
	Eligibility  string          // eligible, ineligible or unknown
	Reasons      json.RawMessage // [{"code", "nl", "en"}]
	Explanation  json.RawMessage // {} when not computed
	ModelVersion string
	InputHash    string
}

// StoredMatch is what SaveMatches needs to know of a stored match.
type StoredMatch struct {
	InputHash      string
	ModelVersion   string
	HasExplanation bool
}

// StoredMatches returns, by call id, the input hash and model version of the
// stored matches of a city, so unchanged pairs can be skipped.
func (s *Store) StoredMatches(ctx context.Context, cityID int64) (map[int64]StoredMatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT call_id, input_hash, model_version, explanation <> '{}'
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
	"eligibility", "reasons", "explanation", "model_version", "input_hash", "scored_at"}

// SaveMatches writes matches in one statement per batch: a row whose input
// hash and model version are unchanged is not rewritten (unless it gains an
// explanation it lacked). A new pair's matched_at is now; rescoring keeps
// it. It returns how many rows it wrote.
func (s *Store) SaveMatches(ctx context.Context, rows []MatchRow, now time.Time) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	var written int
	err := s.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE matches_staging ON COMMIT DROP AS
			SELECT call_id, city_id, score, relevance, experience, feasibility, eligibility, reasons, explanation,
				model_version, input_hash, scored_at FROM matches WITH NO DATA`); err != nil {
			return fmt.Errorf("stage matches: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, copyFrom("matches_staging", matchColumns))
		if err != nil {
			return fmt.Errorf("stage matches: %w", err)
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
				r.Eligibility, reasons, expl, r.ModelVersion, r.InputHash, now); err != nil {
				return fmt.Errorf("stage match: %w", err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			return fmt.Errorf("stage matches: %w", err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("stage matches: %w", err)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO matches (call_id, city_id, score, relevance, experience, feasibility, eligibility, reasons,
				explanation, model_version, input_hash, scored_at, deadlines, matched_at)
			SELECT s.call_id, s.city_id, s.score, s.relevance, s.experience, s.feasibility, s.eligibility, s.reasons,
				s.explanation, s.model_version, s.input_hash, s.scored_at, c.deadlines, s.scored_at
			FROM matches_staging s JOIN calls c ON c.id = s.call_id
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
		written = int(n)
		return nil
	})
	return written, err
}
