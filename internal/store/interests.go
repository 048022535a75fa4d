package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/funding"
)

// Interest is what a city does with a call.
type Interest struct {
	Status          InterestStatus `json:"status"`
	Note            string         `json:"note"`
	AmountRequested *float64       `json:"amount_requested"`
	AmountGranted   *float64       `json:"amount_granted"`
	UpdatedAt       time.Time      `json:"updated_at"`
}

// InterestsOf returns the marks of the cities given on a call, by city id,
// in one query; a city without a mark is absent.
func (s *Store) InterestsOf(ctx context.Context, callID int64, cityIDs []int64) (map[int64]Interest, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ci.city_id, ci.status, ci.note, b.amount_requested, b.amount_granted, ci.updated_at
		FROM call_interests ci JOIN cities ct ON ct.id = ci.city_id
		LEFT JOIN bids b ON b.source = 'officer' AND b.source_id = ct.slug || ':' || ci.call_id
		WHERE ci.call_id = $1 AND ci.city_id = ANY($2)`, callID, pq.Int64Array(cityIDs))
	if err != nil {
		return nil, fmt.Errorf("interests in call %d: %w", callID, err)
	}
	defer rows.Close()
	out := make(map[int64]Interest, len(cityIDs))
	for rows.Next() {
		var cityID int64
		var in Interest
		if err := rows.Scan(&cityID, &in.Status, &in.Note, &in.AmountRequested, &in.AmountGranted, &in.UpdatedAt); err != nil {
			return nil, fmt.Errorf("interests in call %d: %w", callID, err)
		}
		out[cityID] = in
	}
	return out, rows.Err()
}

// SetInterest records a city's mark on a call. Submitted, won and lost also
// create or update the city's bid (source officer) in the uptake record;
// the amounts are EU amounts asked and, when won, granted.
func (s *Store) SetInterest(ctx context.Context, cityID, callID, userID int64, in Interest, now time.Time) error {
	if err := firstError(checkText("note", in.Note, MaxNoteLen), checkAmount("amount_requested", in.AmountRequested),
		checkAmount("amount_granted", in.AmountGranted)); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO call_interests (city_id, call_id, status, note, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (city_id, call_id) DO UPDATE SET status = EXCLUDED.status, note = EXCLUDED.note,
				updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			cityID, callID, in.Status, in.Note, userID, now)
		if err != nil {
			return fmt.Errorf("save interest: %w", err)
		}
		if in.Status != InterestSubmitted && in.Status != InterestWon && in.Status != InterestLost {
			return nil
		}
		granted := in.AmountGranted
		if in.Status != InterestWon {
			granted = nil
		}
		today := now.Format(time.DateOnly)
		var decided any
		if in.Status != InterestSubmitted {
			decided = today
		}
		var bidID int64
		err = tx.QueryRowContext(ctx, `INSERT INTO bids (call_id, programme, title, year, status, amount_requested,
				amount_granted, submitted_on, decided_on, source, source_id, updated_at)
			SELECT c.id, c.programme, c.title, $3, $4, $5, $6, $7, $8, 'officer', ct.slug || ':' || c.id, $9
			FROM calls c, cities ct WHERE c.id = $2 AND ct.id = $1
			ON CONFLICT (source, source_id) DO UPDATE SET status = EXCLUDED.status,
				amount_requested = coalesce(EXCLUDED.amount_requested, bids.amount_requested),
				amount_granted = EXCLUDED.amount_granted,
				submitted_on = coalesce(bids.submitted_on, EXCLUDED.submitted_on),
				decided_on = EXCLUDED.decided_on, updated_at = EXCLUDED.updated_at
			RETURNING id`,
			cityID, callID, now.Year(), in.Status, in.AmountRequested, granted, today, decided, now).Scan(&bidID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("bid for call %d: %w", callID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("save bid: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO bid_members (bid_id, city_id, role, amount_requested, amount_granted)
			VALUES ($1, $2, 'lead', $3, $4)
			ON CONFLICT (bid_id, city_id) DO UPDATE SET amount_requested = coalesce(EXCLUDED.amount_requested, bid_members.amount_requested),
				amount_granted = EXCLUDED.amount_granted`, bidID, cityID, in.AmountRequested, granted)
		if err != nil {
			return fmt.Errorf("save bid member: %w", err)
		}
		return nil
	})
}

// InterestedDeadline is a deadline of a call a user's cities marked
// interested or applying, for the iCal feed.
type InterestedDeadline struct {
	City           string
	CallIdentifier string
	Title          string
	URL            string
	Deadline       time.Time
	// At is the cut-off's time of day in Brussels where the source gave
	// one (most Horizon deadlines are 17:00), nil for a bare date.
	At     *time.Time
	Status InterestStatus
}

// InterestedDeadlines returns the future deadlines of the calls the cities
// marked interested or applying.
func (s *Store) InterestedDeadlines(ctx context.Context, cityIDs []int64, today time.Time) ([]InterestedDeadline, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ct.slug, c.identifier, c.title, c.url, d, c.deadline_times, ci.status
		FROM call_interests ci JOIN calls c ON c.id = ci.call_id JOIN cities ct ON ct.id = ci.city_id,
		unnest(c.deadlines) d
		WHERE ci.city_id = ANY($1) AND ci.status IN ('interested', 'applying') AND d >= $2::date
		ORDER BY d, c.identifier, ct.slug`, int64Array(cityIDs), today.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("interested deadlines: %w", err)
	}
	defer rows.Close()
	var out []InterestedDeadline
	for rows.Next() {
		var d InterestedDeadline
		var times pq.StringArray
		if err := rows.Scan(&d.City, &d.CallIdentifier, &d.Title, &d.URL, &d.Deadline, &times, &d.Status); err != nil {
			return nil, fmt.Errorf("interested deadlines: %w", err)
		}
		for _, s := range times {
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, fmt.Errorf("deadline time %q of %s: %w", s, d.CallIdentifier, err)
			}
			// The day is the cut-off's own day, as the source wrote it.
			if at.Format(time.DateOnly) == d.Deadline.Format(time.DateOnly) {
				at = at.In(funding.Brussels)
				d.At = &at
				break
			}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
