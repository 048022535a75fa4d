package planning_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

const (
	horizonCall = "HORIZON-CL5-2026-D6-01"
	vlnlCall    = "VLNL-2026-KLIMAAT"
)

// world returns a fresh database loaded with testdata/fixture.sql.
func world(t *testing.T) (*database.DB, *store.Store, *planning.Service) {
	t.Helper()
	db := testdb.New(t)
	fixture, err := os.ReadFile("testdata/fixture.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(fixture)); err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	st := store.New(db)
	return db, st, planning.New(st)
}

func codes(cs []consortium.Constraint) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func memberSlugs(b consortium.Bid) []string {
	var out []string
	for _, m := range b.Members {
		out = append(out, m.City)
	}
	return out
}

func TestHorizonPlanNeedsForeignPartnersSuggestedFromHistory(t *testing.T) {
	ctx := context.Background()
	_, st, svc := world(t)
	res, err := svc.Plan(ctx, planning.Request{Calls: []string{horizonCall}, Alternatives: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scope != "call" || res.Method != planning.Exact || !res.Optimal || len(res.Bids) != 2 {
		t.Fatalf("run: scope %s, method %s, optimal %v, %d bids; want an optimal exact call plan with 2 bids",
			res.Scope, res.Method, res.Optimal, len(res.Bids))
	}
	best := res.Bids[0]
	if best.Lead != "gent" || best.Rank != 1 || res.Bids[1].Rank != 2 {
		t.Errorf("best bid led by %s (rank %d), want gent, the most experienced member, at rank 1", best.Lead, best.Rank)
	}
	i := slices.IndexFunc(best.ConstraintsMissing, func(c consortium.Constraint) bool { return c.Code == consortium.CodeForeign })
	if i < 0 || best.ConstraintsMissing[i].EN != "needs two foreign partners from two other countries" {
		t.Errorf("missing %+v, want two foreign partners", best.ConstraintsMissing)
	}
	// Joint projects are counted per member: Eindhoven did p1 with Gent and
	// Kortrijk and p2 with Gent and Leuven; Lille did p1 with Gent and Kortrijk.
	want := []consortium.PartnerSuggestion{{Name: "Gemeente Eindhoven", Country: "NL", JointProjects: 4}, {Name: "Ville de Lille", Country: "FR", JointProjects: 2}}
	if diff := cmp.Diff(want, best.ForeignPartners); diff != "" {
		t.Errorf("foreign partners (-want +got):\n%s", diff)
	}
	if !slices.ContainsFunc(res.Excluded[horizonCall], func(x consortium.Exclusion) bool { return x.City == "ieper" && x.Reason.Code == "ineligible" }) {
		t.Errorf("excluded %+v, want ieper as ineligible", res.Excluded[horizonCall])
	}
	// What each member brings comes from the stored explanations.
	var brings []string
	for _, m := range best.Members {
		for _, c := range m.Contribution.Concepts {
			if c.Strongest {
				brings = append(brings, m.City+":"+c.Concept+":"+c.Evidence.Title)
			}
		}
	}
	if !slices.Contains(brings, "gent:mobility:Smart mobility living lab") || !slices.Contains(brings, "leuven:open-data:Open data for cities") {
		t.Errorf("contributions %v, want gent bringing mobility and leuven open data with their projects", brings)
	}

	stored, err := st.ConsortiumPlans(ctx, store.PlanFilter{RunID: res.RunID})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[0].ID != best.PlanID || stored[0].Status != store.PlanProposed || len(stored[0].Members) != len(best.Members) {
		t.Fatalf("stored %d plans (first %+v), want the 2 proposals with their members", len(stored), stored[0])
	}
	var foreign []consortium.PartnerSuggestion
	if err := json.Unmarshal(stored[0].ForeignPartners, &foreign); err != nil || len(foreign) != 2 {
		t.Errorf("stored foreign partners %s (%v), want the two suggestions", stored[0].ForeignPartners, err)
	}
	run, err := st.PlanRunByID(ctx, res.RunID)
	if err != nil || run.Scope != "call" || run.Value != best.Value.Total || !run.Optimal {
		t.Errorf("run %+v (%v), want scope call, value %.2f, optimal", run, err, best.Value.Total)
	}
}

func TestInterregVlaanderenNederlandKeepsIeperOut(t *testing.T) {
	ctx := context.Background()
	_, _, svc := world(t)
	res, err := svc.Plan(ctx, planning.Request{Calls: []string{vlnlCall}, Alternatives: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bids) == 0 {
		t.Fatal("no bid for the Interreg call")
	}
	for _, b := range res.Bids {
		if slices.Contains(memberSlugs(b.Bid), "ieper") {
			t.Errorf("bid %v includes Ieper, which lies outside the programme area", memberSlugs(b.Bid))
		}
		if !slices.Contains(codes(b.ConstraintsMet), consortium.CodeBorderArea) {
			t.Errorf("bid %v does not state it meets the border-area rule: %v", memberSlugs(b.Bid), codes(b.ConstraintsMet))
		}
	}
	if !slices.ContainsFunc(res.Excluded[vlnlCall], func(x consortium.Exclusion) bool {
		return x.City == "ieper" && x.Reason.Code == "outside-border-area"
	}) {
		t.Errorf("excluded %+v, want ieper outside the border area", res.Excluded[vlnlCall])
	}
	missing := res.Bids[0].ConstraintsMissing
	if i := slices.IndexFunc(missing, func(c consortium.Constraint) bool { return c.Code == consortium.CodeForeign }); i < 0 || missing[i].EN != "needs a Dutch partner across the border" {
		t.Errorf("missing %+v, want a Dutch partner", missing)
	}
}

func TestPortfolioRespectsCapacityWithBidsInProgress(t *testing.T) {
	ctx := context.Background()
	_, st, svc := world(t)
	res, err := svc.Plan(ctx, planning.Request{Portfolio: true, Programme: "life"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scope != "portfolio" || res.Method != planning.Exact || !res.Optimal {
		t.Errorf("scope %s, method %s, optimal %v; want an optimal exact portfolio", res.Scope, res.Method, res.Optimal)
	}
	var calls []string
	perCity := map[string]int{}
	for _, b := range res.Bids {
		calls = append(calls, b.Call)
		for _, m := range b.Members {
			perCity[m.City]++
		}
	}
	slices.Sort(calls)
	if diff := cmp.Diff([]string{"LIFE-2026-A", "LIFE-2026-B", "LIFE-2026-C"}, calls); diff != "" {
		t.Errorf("calls with a bid (-want +got), the closed call left out:\n%s", diff)
	}
	cities, err := st.PlanCities(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cities {
		if free := c.MaxConcurrentBids - c.BidsInProgress; perCity[c.Slug] > free {
			t.Errorf("%s joins %d bids with %d free slots", c.Slug, perCity[c.Slug], free)
		}
	}
	// Mechelen is the strongest city for every LIFE call but has one planned bid already.
	if perCity["mechelen"] != 1 {
		t.Errorf("mechelen joins %d bids, want exactly its one free slot used", perCity["mechelen"])
	}
}

func TestPlanRefusesABudgetOutOfRangeAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	db, _, svc := world(t)
	for _, budget := range []time.Duration{-time.Second, planning.MaxHeuristicBudget + time.Second} {
		if _, err := svc.Plan(ctx, planning.Request{Portfolio: true, Budget: budget}); err == nil || !strings.Contains(err.Error(), "budget") {
			t.Errorf("budget %v: err %v, want one about the budget", budget, err)
		}
	}
	var runs int
	if err := db.QueryRow(`SELECT count(*) FROM plan_runs`).Scan(&runs); err != nil || runs != 0 {
		t.Errorf("%d runs stored (%v), want none", runs, err)
	}
}

func TestAcceptRecordsExactlyOneBid(t *testing.T) {
	ctx := context.Background()
	db, st, svc := world(t)
	res, err := svc.Plan(ctx, planning.Request{Calls: []string{horizonCall}, Alternatives: 1})
	if err != nil {
		t.Fatal(err)
	}
	plan := res.Bids[0]
	// A plan whose lead declined waits for another lead; a declining partner is left out of the bid.
	if err := svc.Respond(ctx, plan.PlanID, plan.Lead, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(ctx, plan.PlanID, "", 0); !errors.Is(err, store.ErrLeadDeclined) {
		t.Fatalf("accepting with a declined lead: %v, want ErrLeadDeclined", err)
	}
	if err := svc.Respond(ctx, plan.PlanID, plan.Lead, true); err != nil {
		t.Fatal(err)
	}
	declining := plan.Members[len(plan.Members)-1].City
	if err := svc.Respond(ctx, plan.PlanID, declining, false); err != nil {
		t.Fatal(err)
	}
	first, err := svc.Accept(ctx, plan.PlanID, "go", 0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Accept(ctx, plan.PlanID, "again", 0)
	if err != nil || again != first {
		t.Fatalf("accepting twice: bid %d then %d (%v), want the same bid", first, again, err)
	}
	var bids, members int
	var status, source string
	if err := db.QueryRow(`SELECT count(*), min(status), min(source) FROM bids WHERE plan_id = $1`, plan.PlanID).Scan(&bids, &status, &source); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM bid_members WHERE bid_id = $1`, first).Scan(&members); err != nil {
		t.Fatal(err)
	}
	if bids != 1 || status != "planned" || source != "plan" || members != len(plan.Members)-1 {
		t.Errorf("%d bids (%s, %s) with %d members, want 1 planned bid from the plan with %d members (%s declined)",
			bids, status, source, members, len(plan.Members)-1, declining)
	}
	if err := svc.Reject(ctx, plan.PlanID, "", 0); !errors.Is(err, store.ErrPlanDecided) {
		t.Errorf("rejecting an accepted plan: %v, want ErrPlanDecided", err)
	}
	// The accepted bid now takes a slot of every member.
	cities, err := st.PlanCities(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cities {
		if c.Slug == "gent" && c.BidsInProgress != 1 {
			t.Errorf("gent has %d bids in progress after the accepted plan, want 1", c.BidsInProgress)
		}
	}
}

func TestAdjustRechecksConstraints(t *testing.T) {
	ctx := context.Background()
	_, _, svc := world(t)
	res, err := svc.Plan(ctx, planning.Request{Calls: []string{vlnlCall}, Alternatives: 1})
	if err != nil {
		t.Fatal(err)
	}
	proposed := res.Bids[0]
	id := proposed.PlanID

	decode := func(p store.ConsortiumPlan) (met, missing []string) {
		var a, b []consortium.Constraint
		json.Unmarshal(p.ConstraintsMet, &a)
		json.Unmarshal(p.ConstraintsMissing, &b)
		return codes(a), codes(b)
	}
	adjusted, err := svc.Adjust(ctx, id, planning.Adjustment{Add: []string{"ieper"}})
	if err != nil {
		t.Fatal(err)
	}
	met, missing := decode(adjusted)
	if !slices.Contains(missing, consortium.CodeBorderArea) || slices.Contains(met, consortium.CodeBorderArea) {
		t.Errorf("after adding Ieper: met %v, missing %v; want the border-area rule missing", met, missing)
	}
	if len(adjusted.Members) != len(proposed.Members)+1 || adjusted.Value == proposed.Value.Total {
		t.Errorf("after adding Ieper: %d members worth %.2f, want %d members and a new value", len(adjusted.Members), adjusted.Value, len(proposed.Members)+1)
	}

	partner := proposed.Members[1].City
	adjusted, err = svc.Adjust(ctx, id, planning.Adjustment{Remove: []string{"ieper"}, Lead: partner})
	if err != nil {
		t.Fatal(err)
	}
	met, missing = decode(adjusted)
	if slices.Contains(missing, consortium.CodeBorderArea) || adjusted.Members[0].City != partner || adjusted.Members[0].Role != "lead" {
		t.Errorf("after removing Ieper and making %s lead: members %+v, missing %v", partner, adjusted.Members, missing)
	}
	leads := 0
	for _, m := range adjusted.Members {
		if m.Role == "lead" {
			leads++
		}
	}
	if leads != 1 || !slices.Contains(met, consortium.CodeOneLead) {
		t.Errorf("%d leads, met %v; want one lead", leads, met)
	}

	var rest []string
	for _, m := range adjusted.Members[1:] {
		rest = append(rest, m.City)
	}
	adjusted, err = svc.Adjust(ctx, id, planning.Adjustment{Remove: rest})
	if err != nil {
		t.Fatal(err)
	}
	if _, missing = decode(adjusted); !slices.Contains(missing, consortium.CodeMinCities) {
		t.Errorf("a joint Interreg bid of one city: missing %v, want min-cities", missing)
	}

	if _, err := svc.Adjust(ctx, id, planning.Adjustment{Lead: "ronse"}); err == nil {
		t.Error("making a non-member the lead succeeded")
	}
	if err := svc.Reject(ctx, id, "not now", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Adjust(ctx, id, planning.Adjustment{Add: []string{"gent"}}); !errors.Is(err, store.ErrPlanDecided) {
		t.Errorf("adjusting a rejected plan: %v, want ErrPlanDecided", err)
	}
}

func TestWorklistShowsEachMembersAnswer(t *testing.T) {
	ctx := context.Background()
	_, _, svc := world(t)
	res, err := svc.Plan(ctx, planning.Request{Calls: []string{horizonCall}, Alternatives: 1})
	if err != nil {
		t.Fatal(err)
	}
	plan := res.Bids[0]
	want := map[string]store.Response{}
	for i, m := range plan.Members {
		switch i {
		case 0:
			want[m.City] = store.ResponseConfirmed
		case 1:
			want[m.City] = store.ResponseDeclined
		default:
			want[m.City] = store.ResponsePending
		}
		if want[m.City] != store.ResponsePending {
			if err := svc.Respond(ctx, plan.PlanID, m.City, want[m.City] == store.ResponseConfirmed); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := svc.Respond(ctx, plan.PlanID, "ieper", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an answer from a non-member: %v, want ErrNotFound", err)
	}
	work, err := svc.Worklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(work) != 1 || work[0].ID != plan.PlanID {
		t.Fatalf("worklist has %d plans, want the one proposal", len(work))
	}
	got := map[string]store.Response{}
	for _, m := range work[0].Members {
		got[m.City] = m.Response
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

func TestUnknownCallIsNotFound(t *testing.T) {
	_, _, svc := world(t)
	if _, err := svc.Plan(context.Background(), planning.Request{Calls: []string{"NO-SUCH-CALL"}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("planning an unknown call: %v", err)
	}
}

func TestPortfolioBeyondExactLimitsIsPlannedHeuristicallyWithItsGap(t *testing.T) {
	ctx := context.Background()
	db, st, svc := world(t)
	// One ERDF call with more eligible candidates than exact search takes.
	n := consortium.MaxExactCandidates + 2
	if _, err := db.Exec(fmt.Sprintf(`
		INSERT INTO cities (slug, nis_code, name_nl, province, kind)
		SELECT 'gemeente-' || g, (20000 + g)::text, 'Gemeente ' || g, 'Limburg', 'municipality' FROM generate_series(1, %d) g;
		INSERT INTO profiles (city_id, max_concurrent_bids, cofunding_capacity)
		SELECT id, 1, 1000000 FROM cities WHERE slug LIKE 'gemeente-%%';
		INSERT INTO calls (source, identifier, kind, programme, title, status, content_hash)
		VALUES ('test', 'ERDF-VL-2026-1', 'call', 'ERDF-VL', 'Slimme stad', 'open', 'e1');
		INSERT INTO matches (call_id, city_id, score, eligibility, model_version, input_hash, deadlines)
		SELECT ca.id, ci.id, 40 + ci.id %% 50, 'eligible', 'test', 'x', ca.deadlines
		FROM calls ca, cities ci WHERE ca.identifier = 'ERDF-VL-2026-1' AND ci.slug LIKE 'gemeente-%%';`, n)); err != nil {
		t.Fatal(err)
	}
	var reports []consortium.Progress
	res, err := svc.Plan(ctx, planning.Request{Portfolio: true, Programme: "ERDF-VL", Budget: 2 * time.Second,
		Progress: func(p consortium.Progress) { reports = append(reports, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != planning.Heuristic || len(res.Bids) != 1 || res.Bound < res.Value || res.Gap < 0 {
		t.Fatalf("method %s, %d bids, value %.2f, bound %.2f, gap %.4f; want one heuristic bid with its bound and gap",
			res.Method, len(res.Bids), res.Value, res.Bound, res.Gap)
	}
	if len(reports) == 0 {
		t.Fatal("no progress reported")
	}
	// A step may end a little past the budget on a busy machine; a report
	// long after it would mean the budget was not passed on.
	if last := reports[len(reports)-1]; last.Elapsed > 4*time.Second || last.Value > last.Bound || last.Bound < res.Bound-0.1 {
		t.Errorf("last progress %+v; want it about within the 2 s budget, under its bound, no lower than the run's bound %.2f", last, res.Bound)
	}
	run, err := st.PlanRunByID(ctx, res.RunID)
	if err != nil || run.Bound == nil || *run.Bound != res.Bound {
		t.Errorf("stored run %+v (%v), want the bound %.2f stored", run, err, res.Bound)
	}
	var params struct {
		Method string  `json:"method"`
		Gap    float64 `json:"gap"`
	}
	if err := json.Unmarshal(run.Params, &params); err != nil || params.Method != planning.Heuristic || params.Gap != res.Gap {
		t.Errorf("stored params %s (%v), want the method and gap", run.Params, err)
	}
}

// TestAStoredFrontRunnerIsPairedWithTheNewcomer: Gent (two EU projects, no
// front-runner on its record) did a project like LIFE-2026-A, as scoring
// stored it; every bid that pairs Gent with Ronse, a newcomer, gains the
// spreading points, and no other bid changes.
func TestAStoredFrontRunnerIsPairedWithTheNewcomer(t *testing.T) {
	ctx := context.Background()
	db, _, svc := world(t)
	plan := func() map[string]consortium.Value {
		res, err := svc.Plan(ctx, planning.Request{Calls: []string{"LIFE-2026-A"}, Alternatives: 6})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]consortium.Value{}
		for _, b := range res.Bids {
			out[fmt.Sprint(memberSlugs(b.Bid))] = b.Value
		}
		return out
	}
	before := plan()
	db.MustExec(`INSERT INTO front_runners (call_id, city_id, project_id, similarity)
		SELECT ca.id, ci.id, p.id, 0.6 FROM calls ca, cities ci, projects p
		WHERE ca.identifier = 'LIFE-2026-A' AND ci.slug = 'gent' AND p.source_id = 'p1'`)
	after := plan()
	if len(after) != len(before) || len(after) < 3 {
		t.Fatalf("bids before %v, after %v", before, after)
	}
	paired := 0
	for set, v := range after {
		was, ok := before[set]
		if !ok {
			t.Fatalf("bid %s is new after the front-runner was stored", set)
		}
		want := was.Total
		if strings.Contains(set, "gent") && strings.Contains(set, "ronse") {
			want += 3
			paired++
			if v.Spreading != 3 {
				t.Errorf("bid %s: spreading %.1f, want 3 for Ronse beside the front-runner Gent", set, v.Spreading)
			}
		}
		if v.Total != want {
			t.Errorf("bid %s: worth %.2f, want %.2f (was %.2f)", set, v.Total, want, was.Total)
		}
	}
	if paired == 0 {
		t.Fatalf("no bid pairs gent and ronse: %v", after)
	}
}
