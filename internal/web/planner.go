package web

import (
	"context"

	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
)

// PlanRequest is the body of POST /api/v1/plans: consortia for one call, or
// for a portfolio of calls when CallIdentifiers holds several.
type PlanRequest struct {
	CallIdentifiers []string `json:"calls"`
	Cities          []string `json:"cities,omitempty"` // slugs to consider; empty: the requester's cities
	Alternatives    int      `json:"alternatives,omitempty"`
	RequestedBy     int64    `json:"-"`
}

// Planner runs the consortium planner and stores its result in plan_runs,
// consortium_plans and consortium_members. *planning.Service implements it.
type Planner interface {
	Plan(ctx context.Context, req planning.Request) (planning.Result, error)
}

// Rescorer enqueues the rescoring of a city's matches after its profile
// changed. The integrator implements it by enqueueing a score:city task.
type Rescorer interface {
	RescoreCity(ctx context.Context, slug string) error
}

// PlanActions carries out the decisions on stored plans: a coordinator
// accepts, rejects or adjusts a plan (the rules are checked again, and an
// accepted plan becomes a bid exactly once), a member city confirms or
// declines. *planning.Service implements it.
type PlanActions interface {
	Accept(ctx context.Context, planID int64, note string, by int64) (bidID int64, err error)
	Reject(ctx context.Context, planID int64, note string, by int64) error
	Adjust(ctx context.Context, planID int64, adj planning.Adjustment) (store.ConsortiumPlan, error)
	Respond(ctx context.Context, planID int64, city string, confirm bool) error
}
