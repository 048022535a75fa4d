package scoring

import (
	"context"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// MatchingCall is the matcher's view of a stored call, for the benchmarks'
// in-memory counterparts.
func MatchingCall(c *store.CallRecord) matching.Call { return toCall(c) }

// Queries are the queries of every city with a profile over m.
func (s *Service) Queries(ctx context.Context, m *matching.Model) ([]*matching.CityQuery, error) {
	apps, err := s.applicants(ctx, m)
	if err != nil {
		return nil, err
	}
	qs := make([]*matching.CityQuery, len(apps))
	for i, a := range apps {
		qs[i] = a.query
	}
	return qs, nil
}
