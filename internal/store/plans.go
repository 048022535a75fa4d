package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/funding"
)

// PlanCall is what the consortium planner reads of a call.
type PlanCall struct {
	ID            int64          `db:"id"`
	Identifier    string         `db:"identifier"`
	Title         string         `db:"title"`
	Programme     string         `db:"programme"`
	Status        funding.Status `db:"status"`
	TypesOfAction pq.StringArray `db:"types_of_action"`
	BudgetMax     *float64       `db:"budget_max"`
	FundingRate   *float64       `db:"funding_rate"`
}

// PlanCallFilter selects the calls of a planner run: by identifier, or the
// open and forthcoming calls of a programme (any programme when empty).
type PlanCallFilter struct {
	Identifiers []string
	Programme   string
}

// PlanCalls returns the calls a planner run is about, by identifier.
func (s *Store) PlanCalls(ctx context.Context, f PlanCallFilter) ([]PlanCall, error) {
	q := `SELECT DISTINCT ON (identifier) id, identifier, title, programme, status, types_of_action, budget_max, funding_rate
		FROM calls WHERE `
	var args []any
	if f.Identifiers != nil {
		q += `identifier = ANY($1)`
		args = append(args, pq.StringArray(f.Identifiers))
	} else {
		q += `status IN ('open', 'forthcoming') AND ($1 = '' OR upper(programme) = upper($1))`
		args = append(args, f.Programme)
	}
	var out []PlanCall
	if err := s.db.SelectContext(ctx, &out, q+` ORDER BY identifier, source`, args...); err != nil {
		return nil, fmt.Errorf("calls to plan: %w", err)
	}
	return out, nil
}

// PlanMatch is a city's stored match with a call, as a planner candidate.
type PlanMatch struct {
	CallID      int64               `db:"call_id"`
	City        string              `db:"city"`
	Score       int                 `db:"score"`
	Relevance   float64             `db:"relevance"`
	Eligibility funding.Eligibility `db:"eligibility"`
	Explanation json.RawMessage     `db:"explanation"`
}

// PlanMatches returns the matches of the calls, for the cities given (every
// city when cities is nil).
func (s *Store) PlanMatches(ctx context.Context, callIDs []int64, cities []string) ([]PlanMatch, error) {
	var out []PlanMatch
	err := s.db.SelectContext(ctx, &out, `SELECT m.call_id, c.slug AS city, m.score, m.relevance, m.eligibility, m.explanation
		FROM matches m JOIN cities c ON c.id = m.city_id
		WHERE `+byCall("ANY($1)")+` AND ($2::text[] IS NULL OR c.slug = ANY($2))
		ORDER BY m.call_id, m.score DESC, c.slug`, pq.Int64Array(callIDs), nullableArray(cities))
	if err != nil {
		return nil, fmt.Errorf("matches to plan: %w", err)
	}
	return out, nil
}

func nullableArray(xs []string) any {
	if xs == nil {
		return nil
	}
	return pq.StringArray(xs)
}

func nullableInt64s(xs []int64) any {
	if xs == nil {
		return nil
	}
	return pq.Int64Array(xs)
}

// PlanCity is a city as the planner sees it: where it lies, its record and
// its capacity.
type PlanCity struct {
	ID                int64   `db:"id"`
	Slug              string  `db:"slug"`
	Name              string  `db:"name_nl"`
	Province          string  `db:"province"`
	Arrondissement    string  `db:"arrondissement"`
	PastEUProjects    int     `db:"past_eu_projects"` // projects other than City of Things
	ProjectsLed       int     `db:"projects_led"`
	MaxConcurrentBids int     `db:"max_concurrent_bids"`
	CoFunding         float64 `db:"cofunding_capacity"`
	// BidsInProgress counts planned and submitted bids, and accepted plans
	// that have not become a bid, leaving out the plan excludePlan.
	BidsInProgress int `db:"bids_in_progress"`
}

// PlanCities returns every city with a profile, for the planner. The plan
// excludePlan (0: none) does not count towards bids in progress, so that an
// adjusted plan is not weighed against itself.
func (s *Store) PlanCities(ctx context.Context, excludePlan int64) ([]PlanCity, error) {
	var out []PlanCity
	err := s.db.SelectContext(ctx, &out, `
		SELECT c.id, c.slug, c.name_nl, c.province, c.arrondissement,
			(SELECT count(*) FROM project_members pm JOIN projects p ON p.id = pm.project_id
				WHERE pm.city_id = c.id AND p.programme <> 'COT') AS past_eu_projects,
			(SELECT count(*) FROM project_members pm WHERE pm.city_id = c.id AND pm.role = 'lead') AS projects_led,
			p.max_concurrent_bids, p.cofunding_capacity::float8 AS cofunding_capacity,
			(SELECT count(*) FROM bid_members bm JOIN bids b ON b.id = bm.bid_id
				WHERE bm.city_id = c.id AND b.status IN ('planned', 'submitted')
					AND (b.plan_id IS NULL OR b.plan_id <> $1))
			+ (SELECT count(*) FROM consortium_members cm JOIN consortium_plans cp ON cp.id = cm.plan_id
				WHERE cm.city_id = c.id AND cp.status = 'accepted' AND cm.response <> 'declined' AND cp.id <> $1
					AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.plan_id = cp.id)) AS bids_in_progress
		FROM cities c JOIN profiles p ON p.city_id = c.id
		ORDER BY c.slug`, excludePlan)
	if err != nil {
		return nil, fmt.Errorf("cities to plan: %w", err)
	}
	return out, nil
}

// JointProjects is how often two partners took part in the same past project:
// two cities, or a city and a foreign partner (B is then the partner's name).
type JointProjects struct {
	A     string `db:"a"`
	B     string `db:"b"`
	Count int    `db:"n"`
}

// ForeignPartner is a partner outside Belgium that took part in past
// projects with Flemish cities, and the programmes of those projects.
type ForeignPartner struct {
	Name       string         `db:"name"`
	Country    string         `db:"country"`
	Programmes pq.StringArray `db:"programmes"`
}

// CollaborationHistory returns the pairs of cities that did a project
// together, the pairs of a city and a foreign partner, and the foreign
// partners.
func (s *Store) CollaborationHistory(ctx context.Context) (joint []JointProjects, foreign []ForeignPartner, err error) {
	if err := s.db.SelectContext(ctx, &joint, `
		SELECT ca.slug AS a, cb.slug AS b, count(*) AS n
		FROM project_members a JOIN project_members b ON b.project_id = a.project_id AND b.city_id > a.city_id
		JOIN cities ca ON ca.id = a.city_id JOIN cities cb ON cb.id = b.city_id
		GROUP BY ca.slug, cb.slug
		UNION ALL
		SELECT c.slug, pp.name, count(*)
		FROM project_partners pp JOIN project_members pm ON pm.project_id = pp.project_id
		JOIN cities c ON c.id = pm.city_id
		WHERE pp.country NOT IN ('', 'BE')
		GROUP BY c.slug, pp.name
		ORDER BY 1, 2`); err != nil {
		return nil, nil, fmt.Errorf("collaboration history: %w", err)
	}
	if err := s.db.SelectContext(ctx, &foreign, `
		SELECT pp.name, min(pp.country) AS country, array_agg(DISTINCT p.programme) FILTER (WHERE p.programme <> '') AS programmes
		FROM project_partners pp JOIN projects p ON p.id = pp.project_id
		WHERE pp.country NOT IN ('', 'BE')
		GROUP BY pp.name ORDER BY pp.name`); err != nil {
		return nil, nil, fmt.Errorf("foreign partners: %w", err)
	}
	return joint, foreign, nil
}

// PlanRun is one run of the planner.
type PlanRun struct {
	ID        int64           `db:"id" json:"id"`
	Scope     string          `db:"scope" json:"scope"` // call or portfolio
	Params    json.RawMessage `db:"params" json:"params"`
	Value     float64         `db:"value" json:"value"`
	Bound     *float64        `db:"bound" json:"bound"`
	Optimal   bool            `db:"optimal" json:"optimal"`
	CreatedBy *int64          `db:"created_by" json:"-"`
	CreatedAt time.Time       `db:"created_at" json:"created_at"`
}

// ConsortiumPlan is a proposed joint bid for one call and its members.
type ConsortiumPlan struct {
	ID                 int64           `db:"id" json:"id"`
	RunID              int64           `db:"plan_run_id" json:"run_id"`
	CallID             int64           `db:"call_id" json:"-"`
	Call               string          `db:"call" json:"call"`
	CallTitle          string          `db:"call_title" json:"call_title"`
	Programme          string          `db:"programme" json:"programme"`
	Rank               int             `db:"rank" json:"rank"`
	Value              float64         `db:"value" json:"value"`
	Components         json.RawMessage `db:"components" json:"components"`
	ConstraintsMet     json.RawMessage `db:"constraints_met" json:"constraints_met"`
	ConstraintsMissing json.RawMessage `db:"constraints_missing" json:"constraints_missing"`
	ForeignPartners    json.RawMessage `db:"foreign_partners" json:"foreign_partners"`
	Status             PlanStatus      `db:"status" json:"status"`
	DecisionNote       string          `db:"decision_note" json:"decision_note"`
	DecidedAt          *time.Time      `db:"decided_at" json:"decided_at"`
	BidID              *int64          `db:"bid_id" json:"bid_id"`
	CreatedAt          time.Time       `db:"created_at" json:"created_at"`
	Members            []PlanMember    `db:"-" json:"members"`
}

// PlanMember is a city in a consortium plan and its answer.
type PlanMember struct {
	CityID       int64           `db:"city_id" json:"-"`
	City         string          `db:"city" json:"city"`
	Name         string          `db:"name" json:"name"`
	Role         string          `db:"role" json:"role"` // lead or partner
	Contribution json.RawMessage `db:"contribution" json:"contribution"`
	Response     Response        `db:"response" json:"response"`
	RespondedAt  *time.Time      `db:"responded_at" json:"responded_at"`
}

// Errors of the coordinator's actions.
var (
	// ErrPlanDecided is returned when a decided plan is decided or adjusted again.
	ErrPlanDecided = errors.New("plan already decided")
	// ErrLeadDeclined is returned when a plan whose lead declined is accepted.
	ErrLeadDeclined = errors.New("the lead declined")
)

// SavePlanRun stores a planner run and its proposals (ID, RunID and
// CreatedAt of the plans are filled in).
func (s *Store) SavePlanRun(ctx context.Context, run *PlanRun, plans []ConsortiumPlan) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.QueryRowxContext(ctx, `INSERT INTO plan_runs (scope, params, value, bound, optimal, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
			run.Scope, jsonOr(run.Params, "{}"), run.Value, run.Bound, run.Optimal, run.CreatedBy).Scan(&run.ID, &run.CreatedAt); err != nil {
			return fmt.Errorf("save plan run: %w", err)
		}
		for i := range plans {
			p := &plans[i]
			p.RunID, p.Status = run.ID, PlanProposed
			if err := tx.QueryRowxContext(ctx, `INSERT INTO consortium_plans (plan_run_id, call_id, rank, value, components,
					constraints_met, constraints_missing, foreign_partners)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at`,
				run.ID, p.CallID, p.Rank, p.Value, jsonOr(p.Components, "{}"), jsonOr(p.ConstraintsMet, "[]"),
				jsonOr(p.ConstraintsMissing, "[]"), jsonOr(p.ForeignPartners, "[]")).Scan(&p.ID, &p.CreatedAt); err != nil {
				return fmt.Errorf("save plan for %s: %w", p.Call, err)
			}
			if err := saveMembers(ctx, tx, p.ID, p.Members); err != nil {
				return err
			}
		}
		// The run's proposals replace the open ones of earlier runs for the
		// same calls and cities, so that a call never has two open "rank 1"
		// proposals for the same cities and an invitation never points to a
		// plan nobody will decide on.
		if _, err := tx.ExecContext(ctx, `UPDATE consortium_plans p SET status = 'superseded'
			WHERE p.status = 'proposed' AND p.plan_run_id < $1 AND EXISTS (
				SELECT 1 FROM consortium_plans q
				JOIN consortium_members qm ON qm.plan_id = q.id
				JOIN consortium_members pm ON pm.plan_id = p.id AND pm.city_id = qm.city_id
				WHERE q.plan_run_id = $1 AND q.call_id = p.call_id)`, run.ID); err != nil {
			return fmt.Errorf("supersede earlier plans: %w", err)
		}
		return nil
	})
}

func saveMembers(ctx context.Context, tx *sqlx.Tx, planID int64, members []PlanMember) error {
	for _, m := range members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO consortium_members (plan_id, city_id, role, contribution)
			SELECT $1, id, $3, $4 FROM cities WHERE slug = $2`,
			planID, m.City, m.Role, jsonOr(m.Contribution, "{}")); err != nil {
			return fmt.Errorf("save member %s of plan %d: %w", m.City, planID, err)
		}
	}
	return nil
}

func jsonOr(raw json.RawMessage, empty string) string {
	if isEmptyJSON(raw) {
		return empty
	}
	return string(raw)
}

// isEmptyJSON tells whether raw holds no JSON value (or null).
func isEmptyJSON(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

const selectPlan = `SELECT cp.id, cp.plan_run_id, cp.call_id, c.identifier AS call, c.title AS call_title, c.programme,
	cp.rank, cp.value, cp.components, cp.constraints_met, cp.constraints_missing, cp.foreign_partners, cp.status,
	cp.decision_note, cp.decided_at, (SELECT b.id FROM bids b WHERE b.source = 'plan' AND b.plan_id = cp.id) AS bid_id,
	cp.created_at
	FROM consortium_plans cp JOIN calls c ON c.id = cp.call_id`

// PlanFilter narrows a list of plans.
type PlanFilter struct {
	RunID    int64        // 0: any run
	CallID   int64        // 0: any call
	Statuses []PlanStatus // empty: any status
	City     string       // a member's slug; empty: any
	CityIDs  []int64      // plans with a member among these; nil: any
	Limit    int          // 0: no limit
	Offset   int
}

// where is f as a WHERE condition over consortium_plans cp, with its
// arguments.
func (f PlanFilter) where() (string, []any) {
	return `($1 = 0 OR cp.plan_run_id = $1) AND ($2 = 0 OR cp.call_id = $2) AND ($3::text[] IS NULL OR cp.status = ANY($3))
		AND ($4 = '' OR EXISTS (SELECT 1 FROM consortium_members cm JOIN cities ci ON ci.id = cm.city_id
			WHERE cm.plan_id = cp.id AND ci.slug = $4))
		AND ($5::bigint[] IS NULL OR EXISTS (SELECT 1 FROM consortium_members cm WHERE cm.plan_id = cp.id AND cm.city_id = ANY($5)))`,
		[]any{f.RunID, f.CallID, nullableArray(textArray(f.Statuses)), f.City, nullableInt64s(f.CityIDs)}
}

// ConsortiumPlans lists plans, newest run first, then by call and rank, with
// their members.
func (s *Store) ConsortiumPlans(ctx context.Context, f PlanFilter) ([]ConsortiumPlan, error) {
	cond, args := f.where()
	q := selectPlan + ` WHERE ` + cond + ` ORDER BY cp.plan_run_id DESC, c.identifier, cp.rank, cp.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	plans := []ConsortiumPlan{}
	if err := s.db.SelectContext(ctx, &plans, q, args...); err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	if err := loadPlanMembers(ctx, s.db, plans); err != nil {
		return nil, err
	}
	return plans, nil
}

// CountPlans counts the plans f lets through (its Limit and Offset aside).
func (s *Store) CountPlans(ctx context.Context, f PlanFilter) (int, error) {
	cond, args := f.where()
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM consortium_plans cp WHERE `+cond, args...); err != nil {
		return 0, fmt.Errorf("count plans: %w", err)
	}
	return n, nil
}

// Lead returns the lead member's slug, or "".
func (p ConsortiumPlan) Lead() string {
	for _, m := range p.Members {
		if m.Role == "lead" {
			return m.City
		}
	}
	return ""
}

// HasMemberIn reports whether any member is one of the cities.
func (p ConsortiumPlan) HasMemberIn(cityIDs []int64) bool {
	for _, m := range p.Members {
		if slices.Contains(cityIDs, m.CityID) {
			return true
		}
	}
	return false
}

// ConsortiumPlan returns one plan with its members, or ErrNotFound.
func (s *Store) ConsortiumPlan(ctx context.Context, id int64) (ConsortiumPlan, error) {
	return consortiumPlan(ctx, s.db, id, false)
}

func consortiumPlan(ctx context.Context, q sqlx.QueryerContext, id int64, lock bool) (ConsortiumPlan, error) {
	query := selectPlan + ` WHERE cp.id = $1`
	if lock {
		query += ` FOR UPDATE OF cp`
	}
	var p ConsortiumPlan
	if err := sqlx.GetContext(ctx, q, &p, query, id); err != nil {
		return ConsortiumPlan{}, notFound(err, fmt.Sprintf("plan %d", id))
	}
	plans := []ConsortiumPlan{p}
	if err := loadPlanMembers(ctx, q, plans); err != nil {
		return ConsortiumPlan{}, err
	}
	return plans[0], nil
}

func loadPlanMembers(ctx context.Context, q sqlx.QueryerContext, plans []ConsortiumPlan) error {
	if len(plans) == 0 {
		return nil
	}
	ids := make([]int64, len(plans))
	at := make(map[int64]int, len(plans))
	for i, p := range plans {
		ids[i], at[p.ID] = p.ID, i
	}
	rows, err := q.QueryxContext(ctx, `SELECT cm.plan_id, c.id, c.slug, c.name_nl, cm.role, cm.contribution, cm.response, cm.responded_at
		FROM consortium_members cm JOIN cities c ON c.id = cm.city_id
		WHERE cm.plan_id = ANY($1)
		ORDER BY cm.plan_id, cm.role = 'partner', (cm.contribution->>'fit')::float8 DESC NULLS LAST, c.slug`, pq.Int64Array(ids))
	if err != nil {
		return fmt.Errorf("plan members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m PlanMember
		if err := rows.Scan(&id, &m.CityID, &m.City, &m.Name, &m.Role, &m.Contribution, &m.Response, &m.RespondedAt); err != nil {
			return fmt.Errorf("plan members: %w", err)
		}
		plans[at[id]].Members = append(plans[at[id]].Members, m)
	}
	return rows.Err()
}

// PlanRunByID returns a planner run, or ErrNotFound.
func (s *Store) PlanRunByID(ctx context.Context, id int64) (PlanRun, error) {
	var r PlanRun
	err := s.db.GetContext(ctx, &r, `SELECT id, scope, params, value, bound, optimal, created_by, created_at FROM plan_runs WHERE id = $1`, id)
	if err != nil {
		return PlanRun{}, notFound(err, fmt.Sprintf("plan run %d", id))
	}
	return r, nil
}

// AdjustPlan replaces a proposed plan's members, value and constraints
// after a coordinator's adjustment, keeping the answers of members that stay.
// check receives the plan as stored (locked) and returns the adjusted one.
func (s *Store) AdjustPlan(ctx context.Context, id int64, check func(ConsortiumPlan) (ConsortiumPlan, error)) (ConsortiumPlan, error) {
	var out ConsortiumPlan
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := consortiumPlan(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if p.Status != PlanProposed {
			return fmt.Errorf("adjust plan %d: %w (%s)", id, ErrPlanDecided, p.Status)
		}
		adj, err := check(p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consortium_plans SET value = $2, components = $3, constraints_met = $4,
				constraints_missing = $5, foreign_partners = $6 WHERE id = $1`,
			id, adj.Value, jsonOr(adj.Components, "{}"), jsonOr(adj.ConstraintsMet, "[]"),
			jsonOr(adj.ConstraintsMissing, "[]"), jsonOr(adj.ForeignPartners, "[]")); err != nil {
			return fmt.Errorf("adjust plan %d: %w", id, err)
		}
		keep := make([]string, 0, len(adj.Members))
		for _, m := range adj.Members {
			keep = append(keep, m.City)
		}
		// Drop leavers and demote the lead first, so the one-lead index holds.
		if _, err := tx.ExecContext(ctx, `DELETE FROM consortium_members cm USING cities c
			WHERE cm.plan_id = $1 AND c.id = cm.city_id AND NOT (c.slug = ANY($2))`, id, pq.StringArray(keep)); err != nil {
			return fmt.Errorf("adjust plan %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consortium_members SET role = 'partner' WHERE plan_id = $1`, id); err != nil {
			return fmt.Errorf("adjust plan %d: %w", id, err)
		}
		for _, m := range adj.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO consortium_members (plan_id, city_id, role, contribution)
				SELECT $1, id, $3, $4 FROM cities WHERE slug = $2
				ON CONFLICT (plan_id, city_id) DO UPDATE SET role = EXCLUDED.role, contribution = EXCLUDED.contribution`,
				id, m.City, m.Role, jsonOr(m.Contribution, "{}")); err != nil {
				return fmt.Errorf("adjust plan %d: member %s: %w", id, m.City, err)
			}
		}
		out, err = consortiumPlan(ctx, tx, id, false)
		return err
	})
	return out, err
}

// RejectPlan marks a proposed plan rejected.
func (s *Store) RejectPlan(ctx context.Context, id int64, note string, by *int64, now time.Time) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := consortiumPlan(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if p.Status != PlanProposed {
			return fmt.Errorf("reject plan %d: %w (%s)", id, ErrPlanDecided, p.Status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE consortium_plans SET status = 'rejected', decision_note = $2, decided_by = $3,
			decided_at = $4 WHERE id = $1`, id, note, by, now)
		if err != nil {
			return fmt.Errorf("reject plan %d: %w", id, err)
		}
		return nil
	})
}

// AcceptPlan marks a plan accepted and records it as a planned bid in the
// uptake record (source plan, with the members that did not decline),
// exactly once: accepting an accepted plan again returns the same bid. A plan
// whose lead declined cannot be accepted until the lead is changed. It
// returns the bid's id.
func (s *Store) AcceptPlan(ctx context.Context, id int64, note string, by *int64, now time.Time) (int64, error) {
	var bidID int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		p, err := consortiumPlan(ctx, tx, id, true)
		if err != nil {
			return err
		}
		switch {
		case p.Status == PlanAccepted && p.BidID != nil:
			bidID = *p.BidID
			return nil
		case p.Status == PlanRejected, p.Status == PlanSuperseded:
			return fmt.Errorf("accept plan %d: %w (%s)", id, ErrPlanDecided, p.Status)
		}
		for _, m := range p.Members {
			if m.Role == "lead" && m.Response == ResponseDeclined {
				return fmt.Errorf("accept plan %d: %w (%s)", id, ErrLeadDeclined, m.City)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consortium_plans SET status = 'accepted', decision_note = $2,
			decided_by = $3, decided_at = $4 WHERE id = $1`, id, note, by, now); err != nil {
			return fmt.Errorf("accept plan %d: %w", id, err)
		}
		err = tx.QueryRowxContext(ctx, `INSERT INTO bids (call_id, plan_id, programme, title, year, status, source, source_id)
			SELECT c.id, $1::bigint, c.programme, c.title, $2, 'planned', 'plan', $1::bigint::text FROM calls c WHERE c.id = $3
			ON CONFLICT (source, source_id) DO NOTHING RETURNING id`, id, now.Year(), p.CallID).Scan(&bidID)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.QueryRowxContext(ctx, `SELECT id FROM bids WHERE source = 'plan' AND source_id = $1::bigint::text`, id).Scan(&bidID)
		}
		if err != nil {
			return fmt.Errorf("accept plan %d: record bid: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bid_members (bid_id, city_id, role)
			SELECT $1, city_id, role FROM consortium_members WHERE plan_id = $2 AND response <> 'declined'`, bidID, id); err != nil {
			return fmt.Errorf("accept plan %d: record bid members: %w", id, err)
		}
		return nil
	})
	return bidID, err
}

// RespondToPlan records a member city's answer to a plan (confirmed or
// declined). It returns ErrNotFound when the city is not a member.
func (s *Store) RespondToPlan(ctx context.Context, id int64, city string, response Response, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE consortium_members cm SET response = $3, responded_at = $4
		FROM cities c WHERE c.id = cm.city_id AND cm.plan_id = $1 AND c.slug = $2`, id, city, response, now)
	if err != nil {
		return fmt.Errorf("answer of %s to plan %d: %w", city, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s in plan %d: %w", city, id, ErrNotFound)
	}
	return nil
}
