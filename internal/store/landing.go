package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// VisitGap is the pause after which opening the landing page again counts
// as a new visit: within it, what was new at the visit's start stays new.
const VisitGap = time.Hour

// RecordVisit notes that the user opened their landing page at now and
// returns the start of the previous visit, nil on a first visit. Openings
// less than VisitGap apart are one visit, so reloading the page does not
// empty its "new since your last visit".
func (s *Store) RecordVisit(ctx context.Context, userID int64, now time.Time) (*time.Time, error) {
	var previous *time.Time
	err := s.db.QueryRowContext(ctx, `INSERT INTO user_visits AS v (user_id, last_visit_at) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET last_visit_at = EXCLUDED.last_visit_at,
			previous_visit_at = CASE WHEN v.last_visit_at < EXCLUDED.last_visit_at - $3 * interval '1 second'
				THEN v.last_visit_at ELSE v.previous_visit_at END
		RETURNING previous_visit_at`, userID, now, VisitGap.Seconds()).Scan(&previous)
	if err != nil {
		return nil, fmt.Errorf("record visit of user %d: %w", userID, err)
	}
	return previous, nil
}

// NewMatches returns the matches of the cities first made after since,
// scoring at least minScore, for calls that are not closed and cities that
// are not ruled out, best first: at most limit, and how many there are.
func (s *Store) NewMatches(ctx context.Context, cityIDs []int64, since time.Time, minScore, limit int, today time.Time) ([]CityMatch, int, error) {
	const where = ` WHERE m.city_id = ANY($2) AND coalesce(m.matched_at, m.scored_at) > $3 AND m.score >= $4
		AND m.eligibility <> 'ineligible' AND c.status <> 'closed'`
	args := []any{today.Format(time.DateOnly), int64Array(cityIDs), since, minScore}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM matches m JOIN calls c ON c.id = m.call_id`+where+
		` AND $1::date IS NOT NULL`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count new matches: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, selectJoinedMatches+where+`
	ORDER BY m.score DESC, m.relevance DESC, ct.slug, c.identifier LIMIT $5`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("new matches: %w", err)
	}
	out, err := scanCityMatches(rows, true, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("new matches: %w", err)
	}
	return out, total, nil
}

// SharedCall is an open or forthcoming call that fits several of a
// coordinator's cities: a joint bid to consider.
type SharedCall struct {
	Identifier   string         `db:"identifier"`
	Title        string         `db:"title"`
	Programme    string         `db:"programme"`
	NextDeadline *time.Time     `db:"next_deadline"`
	Cities       pq.StringArray `db:"cities"` // slugs, best match first
	Names        pq.StringArray `db:"names"`  // their Dutch names, in the same order
	BestScore    int            `db:"best_score"`
	// Planned is whether a proposal for the call is open or accepted.
	Planned bool `db:"planned"`
}

// SharedCalls returns the open and forthcoming calls that at least two of
// the cities match with minScore or more and are not ruled out for, those
// fitting the most cities first, at most limit.
func (s *Store) SharedCalls(ctx context.Context, cityIDs []int64, minScore, limit int, today time.Time) ([]SharedCall, error) {
	out := []SharedCall{}
	err := s.db.SelectContext(ctx, &out, `SELECT c.identifier, c.title, c.programme,
		next_deadline(c.deadlines, $1::date) AS next_deadline,
		array_agg(ct.slug ORDER BY m.score DESC, ct.slug) AS cities,
		array_agg(ct.name_nl ORDER BY m.score DESC, ct.slug) AS names,
		max(m.score) AS best_score,
		EXISTS (SELECT 1 FROM consortium_plans cp WHERE cp.call_id = c.id AND cp.status IN ('proposed', 'accepted')) AS planned
		FROM matches m JOIN calls c ON c.id = m.call_id JOIN cities ct ON ct.id = m.city_id
		WHERE m.city_id = ANY($2) AND m.score >= $3 AND m.eligibility <> 'ineligible' AND c.status IN ('open', 'forthcoming')
		GROUP BY c.id HAVING count(*) >= 2
		ORDER BY count(*) DESC, max(m.score) DESC, c.identifier LIMIT $4`,
		today.Format(time.DateOnly), int64Array(cityIDs), minScore, limit)
	if err != nil {
		return nil, fmt.Errorf("calls shared by cities: %w", err)
	}
	return out, nil
}
