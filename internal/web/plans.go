package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
)

// canSeePlan: government and admins see every plan, officers and
// coordinators the plans one of their cities is in.
func canSeePlan(u store.User, p store.ConsortiumPlan) bool {
	return u.Role == store.RoleAdmin || u.Role == store.RoleGovernment || p.HasMemberIn(u.CityIDs)
}

// canDecidePlan: admins, and coordinators of one of the member cities.
func canDecidePlan(u store.User, p store.ConsortiumPlan) bool {
	return u.Role == store.RoleAdmin || (u.Role == store.RoleCoordinator && p.HasMemberIn(u.CityIDs))
}

// visibleCities is the city filter of lists: nil (every city) for
// government and admins, the user's cities otherwise.
func visibleCities(u store.User) []int64 {
	if u.Role == store.RoleAdmin || u.Role == store.RoleGovernment {
		return nil
	}
	return append([]int64{}, u.CityIDs...)
}

// plans is one page of the plans f lets through, and how many it lets
// through in all.
func (s *Server) plans(ctx context.Context, f store.PlanFilter) ([]store.ConsortiumPlan, int, error) {
	plans, err := s.cfg.Store.ConsortiumPlans(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.cfg.Store.CountPlans(ctx, f)
	return plans, total, err
}

// statuses is a status filter of one status, or none.
func statuses(status string) []string {
	if status == "" {
		return nil
	}
	return []string{status}
}

// planFor returns the plan of the {id} in the path if u may see it.
func (s *Server) planFor(w http.ResponseWriter, r *http.Request, u store.User) (store.ConsortiumPlan, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.ConsortiumPlan{}, false
	}
	p, err := s.cfg.Store.ConsortiumPlan(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return p, false
	}
	if err != nil {
		s.fail(w, r, err)
		return p, false
	}
	if !canSeePlan(u, p) {
		s.forbidden(w, r)
		return p, false
	}
	return p, true
}

// plansPage lists the stored plans the user may see: per call, the best
// plan and its alternatives by rank, with each member's answer.
func (s *Server) plansPage(w http.ResponseWriter, r *http.Request, u store.User) {
	page, perPage, err := paging(r.URL.Query())
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	f := store.PlanFilter{CityIDs: visibleCities(u), Statuses: statuses(r.URL.Query().Get("status")), Limit: perPage, Offset: (page - 1) * perPage}
	if id := r.URL.Query().Get("call"); id != "" {
		call, err := s.cfg.Store.CallByIdentifier(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.CallID = call.ID
	}
	plans, total, err := s.plans(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plans.html", map[string]any{"Plans": plans, "Total": total, "Page": page, "HasNext": page*perPage < total})
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request, u store.User) {
	p, ok := s.planFor(w, r, u)
	if !ok {
		return
	}
	var answerable []store.PlanMember
	for _, m := range p.Members {
		if u.CanChangeCity(m.CityID) {
			answerable = append(answerable, m)
		}
	}
	cities, err := s.cfg.Store.Cities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plan.html", map[string]any{"Plan": p, "CanDecide": canDecidePlan(u, p),
		"Answerable": answerable, "AllCities": cities})
}

// decidePlan accepts or rejects a plan.
func (s *Server) decidePlan(w http.ResponseWriter, r *http.Request, u store.User) {
	p, ok := s.planFor(w, r, u)
	if !ok {
		return
	}
	if !canDecidePlan(u, p) {
		s.forbidden(w, r)
		return
	}
	if s.cfg.PlanActions == nil {
		s.render(w, r, http.StatusNotImplemented, "error.html", map[string]any{"Status": http.StatusNotImplemented, "Message": "planner_not_wired"})
		return
	}
	var err error
	switch decision := r.PostFormValue("decision"); decision {
	case "accepted":
		_, err = s.cfg.PlanActions.Accept(r.Context(), p.ID, r.PostFormValue("note"), u.ID)
	case "rejected":
		err = s.cfg.PlanActions.Reject(r.Context(), p.ID, r.PostFormValue("note"), u.ID)
	default:
		s.badRequest(w, r, badInput{"decision", "want accepted or rejected"})
		return
	}
	if !s.planActionOK(w, r, err) {
		return
	}
	http.Redirect(w, r, "/plans/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// planActionOK answers a refused decision (a decided plan, a lead that
// declined, an unknown member) with 400 and its reason, and reports
// whether the action went through.
func (s *Server) planActionOK(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrPlanDecided), errors.Is(err, store.ErrLeadDeclined), errors.Is(err, planning.ErrNoMembers),
		errors.Is(err, store.ErrNotFound):
		s.badRequest(w, r, badInput{"plan", err.Error()})
	default:
		s.serverError(w, r, err)
	}
	return false
}

// adjustPlan adds a member, removes one or changes the lead.
func (s *Server) adjustPlan(w http.ResponseWriter, r *http.Request, u store.User) {
	p, ok := s.planFor(w, r, u)
	if !ok {
		return
	}
	if !canDecidePlan(u, p) {
		s.forbidden(w, r)
		return
	}
	city, err := s.cfg.Store.CityBySlug(r.Context(), r.PostFormValue("city"))
	if errors.Is(err, store.ErrNotFound) {
		s.badRequest(w, r, badInput{"city", "unknown city"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if s.cfg.PlanActions == nil {
		s.render(w, r, http.StatusNotImplemented, "error.html", map[string]any{"Status": http.StatusNotImplemented, "Message": "planner_not_wired"})
		return
	}
	var adj planning.Adjustment
	switch action := r.PostFormValue("action"); action {
	case "add":
		adj.Add = []string{city.Slug}
	case "lead":
		adj.Lead = city.Slug
		if !slices.ContainsFunc(p.Members, func(m store.PlanMember) bool { return m.City == city.Slug }) {
			adj.Add = []string{city.Slug}
		}
	case "remove":
		if p.Lead() == city.Slug {
			s.badRequest(w, r, badInput{"city", "make another city the lead before removing the lead"})
			return
		}
		adj.Remove = []string{city.Slug}
	default:
		s.badRequest(w, r, badInput{"action", "want add, remove or lead"})
		return
	}
	_, err = s.cfg.PlanActions.Adjust(r.Context(), p.ID, adj)
	if !s.planActionOK(w, r, err) {
		return
	}
	http.Redirect(w, r, "/plans/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// respondToPlan records a member city's answer, by its officer.
func (s *Server) respondToPlan(w http.ResponseWriter, r *http.Request, u store.User) {
	p, ok := s.planFor(w, r, u)
	if !ok {
		return
	}
	response := r.PostFormValue("response")
	if response != "confirmed" && response != "declined" {
		s.badRequest(w, r, badInput{"response", "want confirmed or declined"})
		return
	}
	var member *store.PlanMember
	for i, m := range p.Members {
		if m.City == r.PostFormValue("city") {
			member = &p.Members[i]
		}
	}
	if member == nil {
		s.badRequest(w, r, badInput{"city", "not a member of this plan"})
		return
	}
	if !u.CanChangeCity(member.CityID) {
		s.forbidden(w, r)
		return
	}
	if s.cfg.PlanActions == nil {
		s.render(w, r, http.StatusNotImplemented, "error.html", map[string]any{"Status": http.StatusNotImplemented, "Message": "planner_not_wired"})
		return
	}
	if err := s.cfg.PlanActions.Respond(r.Context(), p.ID, member.City, response == "confirmed"); !s.planActionOK(w, r, err) {
		return
	}
	http.Redirect(w, r, "/plans/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// runPlanner runs the planner for one call over the coordinator's cities
// (every city for an admin) and shows the plans it stored. Until the
// integrator sets Config.Planner it answers 501 with a clear page.
func (s *Server) runPlanner(w http.ResponseWriter, r *http.Request, u store.User) {
	call, ok := s.callFor(w, r)
	if !ok {
		return
	}
	if s.cfg.Planner == nil {
		s.render(w, r, http.StatusNotImplemented, "error.html", map[string]any{"Status": http.StatusNotImplemented, "Message": "planner_not_wired"})
		return
	}
	req := planning.Request{Calls: []string{call.Identifier}, Cities: u.Cities, RequestedBy: u.ID}
	if _, err := s.cfg.Planner.Plan(r.Context(), req); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/plans?call="+url.QueryEscape(call.Identifier), http.StatusSeeOther)
}
