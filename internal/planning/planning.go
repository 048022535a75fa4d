// Package planning connects the consortium planner (matching/consortium) to
// fundmatch's database: it builds the planner's input from the stored calls,
// matches, cities, profiles, bids and past projects, runs the planner for one
// call or a portfolio of calls, stores the proposals, and carries out what a
// coordinator and the member cities do with them (accept, adjust, reject,
// confirm, decline) until an accepted plan becomes a bid in the uptake record.
package planning

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

// DefaultAlternatives is the number of bids proposed for a single call when
// the request does not say.
const DefaultAlternatives = 3

// HeuristicBudget is the most time the heuristic gets for a portfolio too
// large for exact search; HeuristicRounds of ruin and repair end it earlier
// on smaller portfolios.
const (
	HeuristicBudget = 5 * time.Second
	HeuristicRounds = 200
)

// MaxHeuristicBudget is the most time a request may give the heuristic:
// enough to close most of what more time closes (see the consortium
// package's 300 × 100 benchmarks), short enough that a mistyped budget
// does not hold a planning run for hours.
const MaxHeuristicBudget = 10 * time.Minute

// ExactBudget bounds exact portfolio search; past it the best plan found is
// kept with its bound, not proven optimal.
const ExactBudget = 30 * time.Second

// Methods and scopes of a planner run.
const (
	Exact          = "exact"
	Heuristic      = "heuristic"
	ScopeCall      = "call"
	ScopePortfolio = "portfolio"
)

// Errors a caller may want to tell apart.
var (
	ErrNoCalls   = errors.New("no calls to plan")
	ErrNoMembers = errors.New("a plan needs at least one member")
)

// Service plans consortia over the database.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// New returns a Service over st.
func New(st *store.Store) *Service {
	return &Service{store: st, now: time.Now}
}

// Request asks for consortia: for the calls named (one call: the best bid
// and its alternatives; several: a portfolio), or with Portfolio for every
// open and forthcoming call of Programme (any programme when empty).
type Request struct {
	Calls        []string `json:"calls"`
	Portfolio    bool     `json:"portfolio,omitempty"`
	Programme    string   `json:"programme,omitempty"`
	Cities       []string `json:"cities,omitempty"`       // slugs to consider; empty: every city with a profile
	Alternatives int      `json:"alternatives,omitempty"` // bids per call for one call; 0: DefaultAlternatives
	RequestedBy  int64    `json:"-"`                      // user id; 0: the command line
	// Budget is the heuristic's time for a portfolio too large for exact
	// search, up to MaxHeuristicBudget; 0: HeuristicBudget.
	Budget time.Duration `json:"-"`
	// Progress, when set, is told how far the heuristic has come after each
	// step of its bound (see consortium.HeuristicOptions).
	Progress func(consortium.Progress) `json:"-"`
}

// PlannedBid is a stored proposal: the planner's bid with its plan id and rank.
type PlannedBid struct {
	PlanID int64 `json:"plan_id"`
	Rank   int   `json:"rank"`
	consortium.Bid
}

// Result is a stored planner run.
type Result struct {
	RunID    int64                             `json:"run_id"`
	Scope    string                            `json:"scope"`  // call or portfolio
	Method   string                            `json:"method"` // exact or heuristic
	Optimal  bool                              `json:"optimal"`
	Value    float64                           `json:"value"`
	Bound    float64                           `json:"bound"`
	Gap      float64                           `json:"gap"`
	Elapsed  time.Duration                     `json:"elapsed_ns"`
	Bids     []PlannedBid                      `json:"bids"`
	Excluded map[string][]consortium.Exclusion `json:"excluded,omitempty"` // single call only, by call
}

// inputs is everything the planner needs, read from the database.
type inputs struct {
	calls   []callInput
	cities  map[string]consortium.City
	history consortium.History
}

// load reads the planner's input for the calls f selects, with candidates
// restricted to cities (nil: all), not counting excludePlan as a bid in progress.
func (s *Service) load(ctx context.Context, f store.PlanCallFilter, cities []string, excludePlan int64) (inputs, error) {
	calls, err := s.store.PlanCalls(ctx, f)
	if err != nil {
		return inputs{}, err
	}
	cityRows, err := s.store.PlanCities(ctx, excludePlan)
	if err != nil {
		return inputs{}, err
	}
	joint, foreign, err := s.store.CollaborationHistory(ctx)
	if err != nil {
		return inputs{}, err
	}
	in := inputs{cities: planCities(cityRows), history: history(joint, foreign)}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = c.ID
	}
	matches, err := s.store.PlanMatches(ctx, ids, cities)
	if err != nil {
		return inputs{}, err
	}
	front, err := s.store.FrontRunnerCities(ctx, ids)
	if err != nil {
		return inputs{}, err
	}
	byCall := make(map[int64][]store.PlanMatch, len(calls))
	for _, m := range matches {
		byCall[m.CallID] = append(byCall[m.CallID], m)
	}
	for _, c := range calls {
		in.calls = append(in.calls, buildCall(c, byCall[c.ID], in.cities, front[c.ID]))
	}
	return in, nil
}

// Plan runs the planner for the request and stores its proposals: plan_runs,
// then one consortium_plans row per bid with its consortium_members. It is
// the planner behind POST /api/v1/plans: the web's PlanRequest maps field by
// field onto Request, and the run's id is Result.RunID.
func (s *Service) Plan(ctx context.Context, req Request) (Result, error) {
	if req.Budget < 0 || req.Budget > MaxHeuristicBudget {
		return Result{}, fmt.Errorf("plan: budget %v: want 0 (the default, %v) up to %v", req.Budget, HeuristicBudget, MaxHeuristicBudget)
	}
	f := store.PlanCallFilter{Identifiers: req.Calls, Programme: req.Programme}
	if req.Portfolio {
		f.Identifiers = nil
	} else if len(req.Calls) == 0 {
		return Result{}, fmt.Errorf("plan: %w: name a call or ask for a portfolio", ErrNoCalls)
	}
	var cities []string // nil: every city; an empty list would match none
	if len(req.Cities) > 0 {
		cities = req.Cities
	}
	in, err := s.load(ctx, f, cities, 0)
	if err != nil {
		return Result{}, fmt.Errorf("plan: %w", err)
	}
	if !req.Portfolio && len(req.Calls) != len(in.calls) {
		for _, id := range req.Calls {
			if !slices.ContainsFunc(in.calls, func(c callInput) bool { return c.call.Identifier == id }) {
				return Result{}, fmt.Errorf("plan: call %s: %w", id, store.ErrNotFound)
			}
		}
	}
	if len(in.calls) == 0 {
		return Result{}, fmt.Errorf("plan: %w", ErrNoCalls)
	}
	for _, slug := range cities {
		if _, ok := in.cities[slug]; !ok {
			return Result{}, fmt.Errorf("plan: city %q with a profile: %w", slug, store.ErrNotFound)
		}
	}
	var res Result
	if !req.Portfolio && len(in.calls) == 1 {
		res = planCall(in, cmp.Or(req.Alternatives, DefaultAlternatives))
	} else {
		res, err = planPortfolio(ctx, in, cmp.Or(req.Budget, HeuristicBudget), req.Progress)
		if err != nil {
			return Result{}, err
		}
	}
	params, err := json.Marshal(struct {
		Request
		Method string  `json:"method"`
		Gap    float64 `json:"gap"`
	}{req, res.Method, res.Gap})
	if err != nil {
		return Result{}, fmt.Errorf("plan: %w", err)
	}
	run := store.PlanRun{Scope: res.Scope, Params: params, Value: res.Value, Optimal: res.Optimal}
	if res.Scope == ScopePortfolio {
		run.Bound = &res.Bound
	}
	if req.RequestedBy != 0 {
		run.CreatedBy = &req.RequestedBy
	}
	callIDs := make(map[string]int64, len(in.calls))
	for _, c := range in.calls {
		callIDs[c.call.Identifier] = c.record.ID
	}
	plans := make([]store.ConsortiumPlan, len(res.Bids))
	for i, b := range res.Bids {
		if plans[i], err = toStored(callIDs[b.Call], b.Rank, b.Bid); err != nil {
			return Result{}, fmt.Errorf("plan: %w", err)
		}
	}
	if err := s.store.SavePlanRun(ctx, &run, plans); err != nil {
		return Result{}, err
	}
	res.RunID = run.ID
	for i := range res.Bids {
		res.Bids[i].PlanID = plans[i].ID
	}
	return res, nil
}

// planCall proposes the best bids for one call, exactly over its strongest
// consortium.MaxExactCandidates candidates.
func planCall(in inputs, k int) Result {
	c := in.calls[0]
	start := time.Now()
	p := consortium.PlanCall(c.call, c.candidates, in.history, k)
	res := Result{Scope: ScopeCall, Method: Exact, Optimal: p.Optimal, Elapsed: time.Since(start),
		Excluded: map[string][]consortium.Exclusion{c.call.Identifier: p.Excluded}}
	for i, b := range p.Bids {
		res.Bids = append(res.Bids, PlannedBid{Rank: i + 1, Bid: roundBid(b)})
	}
	if len(p.Bids) > 0 {
		res.Value = round(p.Bids[0].Value.Total)
		res.Bound = res.Value
	}
	return res
}

// planPortfolio plans every call together, exactly when the portfolio is
// within what PlanPortfolio accepts and heuristically otherwise.
func planPortfolio(ctx context.Context, in inputs, budget time.Duration, progress func(consortium.Progress)) (Result, error) {
	p := consortium.Portfolio{History: in.history}
	cities := map[string]bool{}
	exact := true
	for _, c := range in.calls {
		p.Calls = append(p.Calls, consortium.CallCandidates{Call: c.call, Candidates: c.candidates})
		possible := 0
		for _, cand := range c.candidates {
			cities[cand.City.Slug] = true
			if cand.Eligibility != funding.Ineligible {
				possible++
			}
		}
		exact = exact && possible <= consortium.MaxExactCandidates
	}
	exact = exact && len(cities) <= consortium.MaxExactCities
	res := Result{Scope: ScopePortfolio, Method: Exact}
	var plan consortium.Plan
	var err error
	if exact {
		exactCtx, cancel := context.WithTimeout(ctx, ExactBudget)
		plan, err = consortium.PlanPortfolio(exactCtx, p)
		cancel()
	}
	if !exact || err != nil { // too large for exact search after all
		res.Method = Heuristic
		plan, err = consortium.PlanPortfolioHeuristic(ctx, p, consortium.HeuristicOptions{TimeBudget: budget, Rounds: HeuristicRounds, Seed: 1, Progress: progress})
	}
	if err != nil {
		return Result{}, fmt.Errorf("plan: %w", err)
	}
	res.Optimal, res.Value, res.Bound, res.Gap, res.Elapsed = plan.Optimal, round(plan.Value), round(plan.UpperBound), plan.Gap, plan.Elapsed
	for _, b := range plan.Bids {
		res.Bids = append(res.Bids, PlannedBid{Rank: 1, Bid: roundBid(b)})
	}
	return res, nil
}

// round keeps two decimals, for display and storage.
func round(x float64) float64 { return math.Round(x*100) / 100 }

// roundBid rounds a bid's points and strengths to two decimals.
func roundBid(b consortium.Bid) consortium.Bid {
	v := &b.Value
	v.Fit, v.Coverage, v.LeadExperience, v.Synergy, v.Spreading, v.Total =
		round(v.Fit), round(v.Coverage), round(v.LeadExperience), round(v.Synergy), round(v.Spreading), round(v.Total)
	b.Members = slices.Clone(b.Members)
	for i := range b.Members {
		con := &b.Members[i].Contribution
		con.Concepts = slices.Clone(con.Concepts)
		for j := range con.Concepts {
			con.Concepts[j].Strength = round(con.Concepts[j].Strength)
		}
		con.CoFundingNeeded, con.CoFundingLeft = round(con.CoFundingNeeded), round(con.CoFundingLeft)
	}
	return b
}

// toStored turns a bid into the rows stored for it.
func toStored(callID int64, rank int, b consortium.Bid) (store.ConsortiumPlan, error) {
	p := store.ConsortiumPlan{CallID: callID, Call: b.Call, Programme: string(b.Programme), Rank: rank, Value: b.Value.Total}
	var err error
	marshal := func(v any) json.RawMessage {
		if err != nil {
			return nil
		}
		var raw []byte
		raw, err = json.Marshal(v)
		return raw
	}
	p.Components = marshal(b.Value)
	p.ConstraintsMet = marshal(nonNil(b.ConstraintsMet))
	p.ConstraintsMissing = marshal(nonNil(b.ConstraintsMissing))
	p.ForeignPartners = marshal(nonNil(b.ForeignPartners))
	for _, m := range b.Members {
		p.Members = append(p.Members, store.PlanMember{City: m.City, Name: m.Name, Role: string(m.Role), Contribution: marshal(m.Contribution)})
	}
	if err != nil {
		return store.ConsortiumPlan{}, fmt.Errorf("bid for %s: %w", b.Call, err)
	}
	return p, nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// Adjustment is a coordinator's change to a proposed plan.
type Adjustment struct {
	Add    []string // city slugs to add
	Remove []string // city slugs to remove
	Lead   string   // the new lead's slug; empty: keep the lead if it stays, else the strongest member
}

// Adjust changes a proposed plan's members or lead, then checks the bid again
// against the programme's rules and the cities' capacity (not counting this
// plan), and stores its new value and what it now meets and misses.
func (s *Service) Adjust(ctx context.Context, planID int64, adj Adjustment) (store.ConsortiumPlan, error) {
	return s.store.AdjustPlan(ctx, planID, func(p store.ConsortiumPlan) (store.ConsortiumPlan, error) {
		var members []string
		lead := adj.Lead
		for _, m := range p.Members {
			if !slices.Contains(adj.Remove, m.City) {
				members = append(members, m.City)
				if lead == "" && m.Role == string(consortium.Lead) {
					lead = m.City
				}
			}
		}
		for _, a := range adj.Add {
			if !slices.Contains(members, a) {
				members = append(members, a)
			}
		}
		if lead != "" && !slices.Contains(members, lead) {
			if adj.Lead != "" {
				return p, fmt.Errorf("adjust plan %d: lead %s is not a member", planID, lead)
			}
			lead = ""
		}
		if len(members) == 0 {
			return p, fmt.Errorf("adjust plan %d: %w", planID, ErrNoMembers)
		}
		in, err := s.load(ctx, store.PlanCallFilter{Identifiers: []string{p.Call}}, members, planID)
		if err != nil {
			return p, fmt.Errorf("adjust plan %d: %w", planID, err)
		}
		if len(in.calls) != 1 {
			return p, fmt.Errorf("adjust plan %d: call %s: %w", planID, p.Call, store.ErrNotFound)
		}
		c := in.calls[0]
		cands := make([]consortium.Candidate, 0, len(members))
		for _, slug := range members {
			i := slices.IndexFunc(c.candidates, func(cand consortium.Candidate) bool { return cand.City.Slug == slug })
			if i >= 0 {
				cands = append(cands, c.candidates[i])
				continue
			}
			city, ok := in.cities[slug]
			if !ok {
				return p, fmt.Errorf("adjust plan %d: no city %q with a profile: %w", planID, slug, store.ErrNotFound)
			}
			// No stored match: the city brings nothing known and its eligibility is unconfirmed.
			cands = append(cands, consortium.Candidate{City: city, Eligibility: funding.EligibilityUnknown,
				CoFundingNeeded: coFundingNeeded(c.record)})
		}
		bid, err := consortium.Evaluate(c.call, cands, lead, in.history)
		if err != nil {
			return p, fmt.Errorf("adjust plan %d: %w", planID, err)
		}
		adjusted, err := toStored(p.CallID, p.Rank, roundBid(bid))
		if err != nil {
			return p, fmt.Errorf("adjust plan %d: %w", planID, err)
		}
		return adjusted, nil
	})
}

// Accept accepts a plan and records it as a planned bid, exactly once; it
// returns the bid's id.
func (s *Service) Accept(ctx context.Context, planID int64, note string, by int64) (int64, error) {
	return s.store.AcceptPlan(ctx, planID, note, userID(by), s.now())
}

// Reject rejects a proposed plan.
func (s *Service) Reject(ctx context.Context, planID int64, note string, by int64) error {
	return s.store.RejectPlan(ctx, planID, note, userID(by), s.now())
}

// Respond records a member city's answer: confirm true confirms its part in
// the plan, false declines it.
func (s *Service) Respond(ctx context.Context, planID int64, city string, confirm bool) error {
	response := store.ResponseDeclined
	if confirm {
		response = store.ResponseConfirmed
	}
	return s.store.RespondToPlan(ctx, planID, city, response, s.now())
}

// Worklist returns the coordinator's open plans (proposed or accepted) with
// each member's answer, newest run first.
func (s *Service) Worklist(ctx context.Context) ([]store.ConsortiumPlan, error) {
	return s.store.ConsortiumPlans(ctx, store.PlanFilter{Statuses: []store.PlanStatus{store.PlanProposed, store.PlanAccepted}})
}

func userID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
