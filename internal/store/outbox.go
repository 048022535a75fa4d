package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ScoringWork is the scoring of calls a crawl stored new or changed,
// waiting in the outbox to be queued.
type ScoringWork struct {
	ID        int64
	CallIDs   []int64
	CreatedAt time.Time
}

// relayBatch is how many outbox entries one transaction of RelayScoring
// hands over.
const relayBatch = 100

// RelayScoring hands the scoring work waiting in the outbox to enqueue,
// oldest first, and deletes each entry enqueue took, in the transaction
// that locked it (SKIP LOCKED: two relays never hand over one entry at
// once). It stops at the first entry enqueue fails for (Redis away), which
// stays for the next relay, and returns how many entries it handed over
// with that error. enqueue must be idempotent per entry ID: the commit can
// fail after it succeeded.
func (s *Store) RelayScoring(ctx context.Context, enqueue func(ScoringWork) error) (int, error) {
	var total int
	for {
		var n int
		var more bool
		var enqueueErr error
		err := s.withTx(ctx, func(tx *sqlx.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, call_ids, created_at FROM scoring_outbox
				ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, relayBatch)
			if err != nil {
				return fmt.Errorf("read scoring outbox: %w", err)
			}
			var work []ScoringWork
			for rows.Next() {
				var w ScoringWork
				var ids pq.Int64Array
				if err := rows.Scan(&w.ID, &ids, &w.CreatedAt); err != nil {
					rows.Close()
					return fmt.Errorf("read scoring outbox: %w", err)
				}
				w.CallIDs = ids
				work = append(work, w)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read scoring outbox: %w", err)
			}
			var done pq.Int64Array
			for _, w := range work {
				if enqueueErr = enqueue(w); enqueueErr != nil {
					break
				}
				done = append(done, w.ID)
			}
			if len(done) > 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM scoring_outbox WHERE id = ANY($1)`, done); err != nil {
					return fmt.Errorf("empty scoring outbox: %w", err)
				}
			}
			n, more = len(done), enqueueErr == nil && len(work) == relayBatch
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if enqueueErr != nil {
			return total, fmt.Errorf("queue scoring: %w", enqueueErr)
		}
		if !more {
			return total, nil
		}
	}
}

// PendingScoring is the number of outbox entries not yet queued.
func (s *Store) PendingScoring(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM scoring_outbox`); err != nil {
		return 0, fmt.Errorf("count scoring outbox: %w", err)
	}
	return n, nil
}
