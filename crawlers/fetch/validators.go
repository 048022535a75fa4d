package fetch

import (
	"context"
	"sync"
)

// Validators are the HTTP cache validators of one URL.
type Validators struct {
	ETag         string
	LastModified string
}

// ValidatorStore remembers validators per URL between runs. The integrator
// backs it with the database; MemoryValidators serves tests and one-off runs.
// Load returns zero Validators, not an error, for an unknown URL. A request
// sent with "Cache-Control: no-cache" is never made conditional.
type ValidatorStore interface {
	Load(ctx context.Context, url string) (Validators, error)
	Save(ctx context.Context, url string, v Validators) error
}

// MemoryValidators is a ValidatorStore in memory, safe for concurrent use.
// Its zero value is ready to use.
type MemoryValidators struct {
	mu sync.Mutex
	m  map[string]Validators
}

// Load implements ValidatorStore.
func (s *MemoryValidators) Load(_ context.Context, url string) (Validators, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[url], nil
}

// Save implements ValidatorStore.
func (s *MemoryValidators) Save(_ context.Context, url string, v Validators) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]Validators)
	}
	s.m[url] = v
	return nil
}
