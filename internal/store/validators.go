package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
)

// FetchValidators keeps the ETag and Last-Modified of fetched URLs in the
// database, so crawls make conditional GETs across runs and processes.
type FetchValidators struct{ s *Store }

// Validators returns the store's fetch.ValidatorStore.
func (s *Store) Validators() *FetchValidators { return &FetchValidators{s: s} }

// Load implements fetch.ValidatorStore; an unknown URL has zero validators.
func (v *FetchValidators) Load(ctx context.Context, url string) (fetch.Validators, error) {
	var out fetch.Validators
	err := v.s.db.QueryRowContext(ctx, `SELECT etag, last_modified FROM fetch_validators WHERE url = $1`, url).
		Scan(&out.ETag, &out.LastModified)
	if errors.Is(err, sql.ErrNoRows) {
		return fetch.Validators{}, nil
	}
	if err != nil {
		return out, fmt.Errorf("load validators: %w", err)
	}
	return out, nil
}

// Save implements fetch.ValidatorStore.
func (v *FetchValidators) Save(ctx context.Context, url string, val fetch.Validators) error {
	_, err := v.s.db.ExecContext(ctx, `INSERT INTO fetch_validators (url, etag, last_modified) VALUES ($1, $2, $3)
		ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, updated_at = now()`,
		url, val.ETag, val.LastModified)
	if err != nil {
		return fmt.Errorf("save validators: %w", err)
	}
	return nil
}
