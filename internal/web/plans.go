package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching/consortium"
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

// privateContribution are the parts of a member's contribution that come
// from the city's own data (its fit and eligibility for the call, its bids
// in progress and capacity, its co-funding): shown only to who may see the
// city. What it brings (concepts) and its public EU record stay.
var privateContribution = []string{"fit", "eligibility", "bids_after", "max_bids", "co_funding_needed", "co_funding_left"}

// visiblePlan is p as u may see it: for a member city outside u's set, its
// private contribution is left out, the value's breakdown (from which its
// fit could be worked out) too, and a rule about capacity or eligibility
// that names it says only that a city outside u's set is concerned.
func visiblePlan(u store.User, p store.ConsortiumPlan) store.ConsortiumPlan {
	var hidden []string
	members := slices.Clone(p.Members)
	for i, m := range members {
		if u.CanSeeCity(m.CityID) {
			continue
		}
		hidden = append(hidden, m.Name)
		members[i].Contribution = withoutKeys(m.Contribution, privateContribution...)
	}
	if len(hidden) == 0 {
		return p
	}
	p.Members = members
	p.Components = onlyKeys(p.Components, "rationale")
	p.ConstraintsMet = redactConstraints(p.ConstraintsMet, hidden)
	p.ConstraintsMissing = redactConstraints(p.ConstraintsMissing, hidden)
	return p
}

// visiblePlans applies visiblePlan to every plan.
func visiblePlans(u store.User, plans []store.ConsortiumPlan) []store.ConsortiumPlan {
	out := make([]store.ConsortiumPlan, len(plans))
	for i, p := range plans {
		out[i] = visiblePlan(u, p)
	}
	return out
}

// withoutKeys is a JSON object without keys; anything else becomes {}.
func withoutKeys(raw json.RawMessage, keys ...string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return json.RawMessage(`{}`)
	}
	for _, k := range keys {
		delete(m, k)
	}
	out, _ := json.Marshal(m)
	return out
}

// onlyKeys is a JSON object with only keys; anything else becomes {}.
func onlyKeys(raw json.RawMessage, keys ...string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return json.RawMessage(`{}`)
	}
	for k := range m {
		if !slices.Contains(keys, k) {
			delete(m, k)
		}
	}
	out, _ := json.Marshal(m)
	return out
}

// redactConstraints replaces the texts of the capacity and eligibility
// rules that name one of the hidden cities.
func redactConstraints(raw json.RawMessage, hidden []string) json.RawMessage {
	var cs []consortium.Constraint
	if json.Unmarshal(raw, &cs) != nil {
		return json.RawMessage(`[]`)
	}
	for i, c := range cs {
		if c.Code != consortium.CodeCapacity && c.Code != consortium.CodeEligibility {
			continue
		}
		if slices.ContainsFunc(hidden, func(name string) bool {
			return name != "" && (strings.Contains(c.NL, name) || strings.Contains(c.EN, name))
		}) {
			hiddenText := i18n.Both("plan_hidden_city")
			cs[i].NL, cs[i].EN = hiddenText.NL, hiddenText.EN
		}
	}
	out, _ := json.Marshal(cs)
	return out
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
func planStatuses(q url.Values) ([]store.PlanStatus, error) {
	status, err := filterValue(q, "status", store.ParsePlanStatus)
	if err != nil || status == "" {
		return nil, err
	}
	return []store.PlanStatus{status}, nil
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
	f := store.PlanFilter{CityIDs: visibleCities(u), Limit: perPage, Offset: (page - 1) * perPage}
	if f.Statuses, err = planStatuses(r.URL.Query()); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if id := r.URL.Query().Get("call"); id != "" {
		call, err := s.cfg.Store.CallByIdentifier(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			s.badRequest(w, r, badInput{"call", "unknown call"})
			return
		}
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
	s.render(w, r, http.StatusOK, "plans.html", map[string]any{"Plans": visiblePlans(u, plans), "Total": total, "Page": page, "HasNext": page*perPage < total})
}

// planPage shows a plan for deciding on it: members and what each brings,
// the rules met and missing, suggested foreign partners, the value
// explained and the run's alternatives side by side. Only a proposed plan
// can be decided or adjusted; members answer while it is proposed or
// accepted.
func (s *Server) planPage(w http.ResponseWriter, r *http.Request, u store.User) {
	p, ok := s.planFor(w, r, u)
	if !ok {
		return
	}
	ctx := r.Context()
	var answerable []store.PlanMember
	if answerOpen(p) {
		for _, m := range p.Members {
			if u.CanChangeCity(m.CityID) {
				answerable = append(answerable, m)
			}
		}
	}
	canDecide := canDecidePlan(u, p) && p.Status == store.PlanProposed
	// A coordinator adjusts with the cities of their set (and may remove
	// any member); an admin with every city.
	var cities []store.City
	if canDecide {
		all, err := s.cfg.Store.Cities(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, c := range all {
			if u.Role == store.RoleAdmin || u.HasCity(c.ID) || p.HasMemberIn([]int64{c.ID}) {
				cities = append(cities, c)
			}
		}
	}
	run, err := s.cfg.Store.ConsortiumPlans(ctx, store.PlanFilter{RunID: p.RunID, CallID: p.CallID})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var alternatives []planView
	for _, q := range run {
		if canSeePlan(u, q) {
			alternatives = append(alternatives, viewPlan(u, q))
		}
	}
	data := map[string]any{"Plan": viewPlan(u, p), "CanDecide": canDecide, "Answerable": answerable,
		"AllCities": cities, "LeadDeclined": leadDeclined(p)}
	if len(alternatives) > 1 {
		data["Alternatives"] = alternatives
	}
	if p.Status == store.PlanSuperseded {
		// The open proposal that replaced it: the newest with one of its cities.
		ids := make([]int64, len(p.Members))
		for i, m := range p.Members {
			ids[i] = m.CityID
		}
		newer, err := s.cfg.Store.ConsortiumPlans(ctx, store.PlanFilter{CallID: p.CallID, CityIDs: ids,
			Statuses: []store.PlanStatus{store.PlanProposed, store.PlanAccepted}, Limit: 1})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(newer) == 1 && canSeePlan(u, newer[0]) {
			data["Newer"] = newer[0]
		}
	}
	s.render(w, r, http.StatusOK, "plan.html", data)
}

// answerOpen reports whether member cities may still answer a plan: while
// it is proposed, and once accepted until it is carried out. A rejected or
// superseded plan needs no answer.
func answerOpen(p store.ConsortiumPlan) bool {
	return p.Status == store.PlanProposed || p.Status == store.PlanAccepted
}

// leadDeclined reports whether the plan's lead declined, which keeps the
// plan from being accepted until another city leads.
func leadDeclined(p store.ConsortiumPlan) bool {
	return slices.ContainsFunc(p.Members, func(m store.PlanMember) bool {
		return m.Role == string(consortium.Lead) && m.Response == store.ResponseDeclined
	})
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
	var err error
	// A decision is one of the plan states a coordinator may choose: the
	// switch is its parse.
	switch store.PlanStatus(r.PostFormValue("decision")) {
	case store.PlanAccepted:
		_, err = s.cfg.Planner.Accept(r.Context(), p.ID, r.PostFormValue("note"), u.ID)
	case store.PlanRejected:
		err = s.cfg.Planner.Reject(r.Context(), p.ID, r.PostFormValue("note"), u.ID)
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
	action := r.PostFormValue("action")
	if (action == "add" || action == "lead") && u.Role != store.RoleAdmin && !u.HasCity(city.ID) {
		// Adding a city would show its private data (fit, eligibility,
		// capacity) to the coordinator and invite its officers.
		s.render(w, r, http.StatusForbidden, "error.html", map[string]any{"Status": http.StatusForbidden, "Message": "forbidden",
			"Detail": "city: " + city.Slug + " is not one of your cities; a coordinator plans with the cities of their own set"})
		return
	}
	var adj planning.Adjustment
	switch action {
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
	_, err = s.cfg.Planner.Adjust(r.Context(), p.ID, adj)
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
	// A member answers with one of the two answers that are not pending.
	response := store.Response(r.PostFormValue("response"))
	if response != store.ResponseConfirmed && response != store.ResponseDeclined {
		s.badRequest(w, r, badInput{"response", "want confirmed or declined"})
		return
	}
	if !answerOpen(p) {
		s.badRequest(w, r, badInput{"plan", "the plan is " + string(p.Status) + "; it needs no answer"})
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
	if err := s.cfg.Planner.Respond(r.Context(), p.ID, member.City, response == store.ResponseConfirmed); !s.planActionOK(w, r, err) {
		return
	}
	http.Redirect(w, r, "/plans/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// runPlanner runs the planner for one call over the coordinator's cities
// (every city for an admin) and shows the plans it stored.
func (s *Server) runPlanner(w http.ResponseWriter, r *http.Request, u store.User) {
	call, ok := s.callFor(w, r)
	if !ok {
		return
	}
	req := planning.Request{Calls: []string{call.Identifier}, Cities: u.Cities, RequestedBy: u.ID}
	if _, err := s.cfg.Planner.Plan(r.Context(), req); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/plans?call="+url.QueryEscape(call.Identifier), http.StatusSeeOther)
}
