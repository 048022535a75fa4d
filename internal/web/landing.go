package web

import (
	"math"
	"net/http"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// The landing page is where each role starts its day: an officer sees what
// matched their cities since the last visit and the next deadlines of the
// calls they follow; a coordinator the plans that wait for a decision or
// an answer and the calls that fit several of their cities; the government
// the uptake in a few figures. Every city named links to its page for whoever
// may see it.

// Limits of the landing page's lists; the full lists are a click away.
const (
	landingRows = 10
	// firstVisitDays is how far back "new" reaches on a first visit.
	firstVisitDays = 14
)

// landingDeadline is a deadline of a call one of the officer's cities follows.
type landingDeadline struct {
	store.InterestedDeadline
	NextDeadline *time.Time // the deadline, as the match lists hold it
	CityName     string
	DaysLeft     int
	Urgency      string // urgent, soon or ""
}

// worklistPlan is an open plan as the coordinator's worklist shows it: what
// waits for a decision, and which member cities have not answered yet.
type worklistPlan struct {
	store.ConsortiumPlan
	ToDecide bool               // proposed: the coordinator accepts or rejects it
	Pending  []store.PlanMember // members whose answer is still out
}

// uptakeSummary is the government's uptake in a few figures.
type uptakeSummary struct {
	store.UptakeRow               // the totals: planned, submitted, won, requested, granted
	FrontRunners    []frontRunner // the first few of each
	NeedHelp        []store.CityActivity
	NeedHelpCount   int
}

// home is the landing page: for a signed-in user their role's lists, for
// everyone the cities, each linked when the user may open its page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	cities, err := s.cfg.Store.Cities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := map[string]any{"Cities": cities}
	u, signedIn := currentUser(r)
	if signedIn {
		if err := s.landing(r, u, cities, data); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "home.html", data)
}

// landing adds the role's lists to data.
func (s *Server) landing(r *http.Request, u store.User, cities []store.City, data map[string]any) error {
	ctx := r.Context()
	names := make(map[string]string, len(cities))
	var mine []store.City
	for _, c := range cities {
		names[c.Slug] = c.NameNL
		if u.HasCity(c.ID) {
			mine = append(mine, c)
		}
	}
	data["MyCities"] = mine
	// Officers and coordinators see their own cities; the whole list is for
	// the roles that may open every city's page.
	data["AllCities"] = u.Role == store.RoleGovernment || u.Role == store.RoleAdmin
	today := s.today()
	switch u.Role {
	case store.RoleOfficer:
		previous, err := s.cfg.Store.RecordVisit(ctx, u.ID, s.now())
		if err != nil {
			return err
		}
		since := s.now().AddDate(0, 0, -firstVisitDays)
		if previous != nil {
			since = *previous
			data["LastVisit"] = previous
		}
		matches, total, err := s.cfg.Store.NewMatches(ctx, u.CityIDs, since, matching.BandWeak, landingRows, today)
		if err != nil {
			return err
		}
		data["NewMatches"], data["NewMore"] = matchRows(matches, today), total-len(matches)
		deadlines, err := s.cfg.Store.InterestedDeadlines(ctx, u.CityIDs, today)
		if err != nil {
			return err
		}
		data["Deadlines"] = landingDeadlines(deadlines, names, today)
		waiting, err := s.worklist(r, u, store.ResponsePending)
		if err != nil {
			return err
		}
		data["Waiting"] = waiting
	case store.RoleCoordinator, store.RoleAdmin:
		work, err := s.worklist(r, u, "")
		if err != nil {
			return err
		}
		data["Worklist"] = work
		if u.Role == store.RoleCoordinator {
			shared, err := s.cfg.Store.SharedCalls(ctx, u.CityIDs, matching.BandWeak, landingRows, today)
			if err != nil {
				return err
			}
			data["Shared"] = shared
		}
	}
	if u.Role == store.RoleGovernment || u.Role == store.RoleAdmin {
		// The summary is of every year and programme; the uptake page
		// filters.
		rep, err := s.uptakeOf(r, store.UptakeFilter{})
		if err != nil {
			return err
		}
		data["Uptake"] = summarise(rep)
	}
	return nil
}

// landingDeadlines keeps the first deadline of each followed call and city,
// the nearest first, at most landingRows.
func landingDeadlines(ds []store.InterestedDeadline, names map[string]string, today time.Time) []landingDeadline {
	var out []landingDeadline
	seen := map[[2]string]bool{}
	for _, d := range ds {
		key := [2]string{d.City, d.CallIdentifier}
		if seen[key] || len(out) == landingRows {
			continue
		}
		seen[key] = true
		ld := landingDeadline{InterestedDeadline: d, NextDeadline: &d.Deadline, CityName: names[d.City]}
		ld.DaysLeft = daysUntil(d.Deadline, today)
		ld.Urgency = urgency(ld.DaysLeft)
		out = append(out, ld)
	}
	return out
}

// daysUntil is the number of days from today to t, rounded.
func daysUntil(t, today time.Time) int { return int(math.Round(t.Sub(today).Hours() / 24)) }

// urgency is the colour of a deadline daysLeft away: urgent, soon or "".
func urgency(daysLeft int) string {
	switch {
	case daysLeft < urgentDays:
		return "urgent"
	case daysLeft < soonDays:
		return "soon"
	}
	return ""
}

// worklist is the open plans (proposed, or accepted with answers still
// out) with a member among the user's cities (every plan for an admin),
// newest run first. With only set to store.ResponsePending it keeps the
// plans in which one of the user's own cities has not answered.
func (s *Server) worklist(r *http.Request, u store.User, only store.Response) ([]worklistPlan, error) {
	plans, err := s.cfg.Store.ConsortiumPlans(r.Context(), store.PlanFilter{CityIDs: visibleCities(u),
		Statuses: []store.PlanStatus{store.PlanProposed, store.PlanAccepted}, Limit: 200})
	if err != nil {
		return nil, err
	}
	var out []worklistPlan
	for _, p := range plans {
		wp := worklistPlan{ConsortiumPlan: p, ToDecide: p.Status == store.PlanProposed}
		mine := false
		for _, m := range p.Members {
			if m.Response == store.ResponsePending {
				wp.Pending = append(wp.Pending, m)
				mine = mine || u.HasCity(m.CityID)
			}
		}
		if only == store.ResponsePending && !mine {
			continue
		}
		if wp.ToDecide || len(wp.Pending) > 0 {
			out = append(out, wp)
		}
		if len(out) == landingRows {
			break
		}
	}
	return out, nil
}

// How many front-runners and municipalities needing help the landing page
// names; the uptake page lists them all.
const (
	landingFrontRunners = 3
	landingNeedHelp     = 5
)

// summarise reduces the uptake report to the landing page's figures.
func summarise(rep uptakeReport) uptakeSummary {
	sum := uptakeSummary{UptakeRow: rep.Totals}
	sum.FrontRunners = rep.FrontRunners[:min(landingFrontRunners, len(rep.FrontRunners))]
	sum.NeedHelp = rep.NeedHelp[:min(landingNeedHelp, len(rep.NeedHelp))]
	sum.NeedHelpCount = len(rep.NeedHelp)
	return sum
}
