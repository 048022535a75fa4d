package web

import "context"

// PlanRequest is the body of POST /api/v1/plans: consortia for one call, or
// for a portfolio of calls when CallIdentifiers holds several.
type PlanRequest struct {
	CallIdentifiers []string `json:"calls"`
	Cities          []string `json:"cities,omitempty"` // slugs to consider; empty: the requester's cities
	Alternatives    int      `json:"alternatives,omitempty"`
	RequestedBy     int64    `json:"-"`
}

// Rescorer enqueues the rescoring of a city's matches after its profile
// changed. The integrator implements it by enqueueing a score:city task.
type Rescorer interface {
	RescoreCity(ctx context.Context, slug string) error
}
