package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/lib/pq"
)

// ScoredInputs returns, by scope ("city:<id>" or "front-runners"), what
// the stored matches or front-runners were last scored from in full: a
// digest the scorer compares with the inputs it has now (see
// migrations/00270_scored_inputs.sql).
func (s *Store) ScoredInputs(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, inputs FROM scored_inputs`)
	if err != nil {
		return nil, fmt.Errorf("scored inputs: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var scope, inputs string
		if err := rows.Scan(&scope, &inputs); err != nil {
			return nil, fmt.Errorf("scored inputs: %w", err)
		}
		out[scope] = inputs
	}
	return out, rows.Err()
}

// ForgetScoredInputs removes what the scopes were scored from (every
// scope without any): their stored matches are about to change.
func (s *Store) ForgetScoredInputs(ctx context.Context, scopes ...string) error {
	var err error
	if len(scopes) == 0 {
		_, err = s.db.ExecContext(ctx, `DELETE FROM scored_inputs`)
	} else {
		_, err = s.db.ExecContext(ctx, `DELETE FROM scored_inputs WHERE scope = ANY($1)`, pq.StringArray(scopes))
	}
	if err != nil {
		return fmt.Errorf("forget scored inputs: %w", err)
	}
	return nil
}

// SaveScoredInputs records what the scopes' stored matches were scored
// from, once they are all written.
func (s *Store) SaveScoredInputs(ctx context.Context, inputs map[string]string, now time.Time) error {
	if len(inputs) == 0 {
		return nil
	}
	scopes := slices.Sorted(maps.Keys(inputs))
	values := make(pq.StringArray, len(scopes))
	for i, sc := range scopes {
		values[i] = inputs[sc]
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO scored_inputs (scope, inputs, scored_at)
		SELECT * , $3::timestamptz FROM unnest($1::text[], $2::text[])
		ON CONFLICT (scope) DO UPDATE SET inputs = EXCLUDED.inputs, scored_at = EXCLUDED.scored_at`,
		pq.StringArray(scopes), values, now)
	if err != nil {
		return fmt.Errorf("save scored inputs: %w", err)
	}
	return nil
}
