package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// PlanView is a proposed joint bid for one call, as the planner stored
// it, with its members and their answers.
type PlanView struct {
	ID                 int64            `json:"id"`
	PlanRunID          int64            `json:"plan_run_id"`
	CallIdentifier     string           `json:"call"`
	CallTitle          string           `json:"call_title"`
	Rank               int              `json:"rank"` // 1 = best, then the alternatives
	Value              float64          `json:"value"`
	Components         json.RawMessage  `json:"components"`
	ConstraintsMet     json.RawMessage  `json:"constraints_met"`
	ConstraintsMissing json.RawMessage  `json:"constraints_missing"`
	Status             string           `json:"status"` // proposed, accepted or rejected
	DecidedAt          *time.Time       `json:"decided_at"`
	CreatedAt          time.Time        `json:"created_at"`
	Members            []PlanViewMember `json:"members"`
}

// PlanViewMember is a city in a plan.
type PlanViewMember struct {
	CityID   int64  `json:"-"`
	City     string `json:"city"`
	CityName string `json:"city_name"`
	Role     string `json:"role"`     // lead or partner
	Response string `json:"response"` // pending, confirmed or declined
}

// Lead returns the lead member's slug, or "".
func (p PlanView) Lead() string {
	for _, m := range p.Members {
		if m.Role == "lead" {
			return m.City
		}
	}
	return ""
}

// HasMemberIn reports whether any member is one of the cities.
func (p PlanView) HasMemberIn(cityIDs []int64) bool {
	for _, m := range p.Members {
		for _, id := range cityIDs {
			if m.CityID == id {
				return true
			}
		}
	}
	return false
}

// PlanViewFilter narrows the plans; CityIDs nil means every city.
type PlanViewFilter struct {
	CallID  int64
	PlanID  int64
	CityIDs []int64 // plans with at least one member among these
	Status  string
	Limit   int
	Offset  int
}

// Plans returns one page of stored plans (newest run first, then by rank)
// and how many match.
func (s *Store) Plans(ctx context.Context, f PlanViewFilter) ([]PlanView, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CallID != 0 {
		add("p.call_id = $%d", f.CallID)
	}
	if f.PlanID != 0 {
		add("p.id = $%d", f.PlanID)
	}
	if f.CityIDs != nil {
		add("EXISTS (SELECT 1 FROM consortium_members cm WHERE cm.plan_id = p.id AND cm.city_id = ANY($%d))", int64Array(f.CityIDs))
	}
	if f.Status != "" {
		add("p.status = $%d", f.Status)
	}
	cond := "true"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM consortium_plans p WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count plans: %w", err)
	}
	q := `SELECT p.id, p.plan_run_id, c.identifier, c.title, p.rank, p.value, p.components, p.constraints_met,
		p.constraints_missing, p.status, p.decided_at, p.created_at,
		coalesce((SELECT json_agg(json_build_object('id', ct.id, 'city', ct.slug, 'name', ct.name_nl, 'role', cm.role, 'response', cm.response)
			ORDER BY cm.role, ct.slug) FROM consortium_members cm JOIN cities ct ON ct.id = cm.city_id WHERE cm.plan_id = p.id), '[]')
		FROM consortium_plans p JOIN calls c ON c.id = p.call_id
		WHERE ` + cond + ` ORDER BY p.plan_run_id DESC, p.call_id, p.rank, p.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list plans: %w", err)
	}
	defer rows.Close()
	out := []PlanView{}
	for rows.Next() {
		var p PlanView
		var members jsonArray[struct {
			ID                         int64
			City, Name, Role, Response string
		}]
		if err := rows.Scan(&p.ID, &p.PlanRunID, &p.CallIdentifier, &p.CallTitle, &p.Rank, &p.Value, &p.Components,
			&p.ConstraintsMet, &p.ConstraintsMissing, &p.Status, &p.DecidedAt, &p.CreatedAt, &members); err != nil {
			return nil, 0, fmt.Errorf("list plans: %w", err)
		}
		for _, m := range members {
			p.Members = append(p.Members, PlanViewMember{CityID: m.ID, City: m.City, CityName: m.Name, Role: m.Role, Response: m.Response})
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// PlanByID returns one plan, or ErrNotFound.
func (s *Store) PlanByID(ctx context.Context, id int64) (PlanView, error) {
	plans, _, err := s.Plans(ctx, PlanViewFilter{PlanID: id})
	if err != nil {
		return PlanView{}, err
	}
	if len(plans) == 0 {
		return PlanView{}, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	return plans[0], nil
}
