package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

const planUsage = "--call IDENTIFIER [--cities a,b,c] [--top K] [--json] | --portfolio [--programme P] [--cities a,b,c] [--budget D] [--json]"

// portfolioBudget is how long plan --portfolio searches a portfolio too
// large for exact search unless told otherwise: a coordinator runs it now
// and then and watches its progress. At 300 municipalities × 100 calls,
// 20 s left four portfolios 1.2–2.0 % under their certified bounds, where
// the 5 s of a request to the server left 1.3–2.5 %.
const portfolioBudget = 20 * time.Second

func runPlan(ctx context.Context, e *env, args []string) error {
	fs := e.flags("plan", planUsage, "Propose joint bids: who bids together, who leads, what each city brings and what is still\nmissing. For one call the best bid and its alternatives; for a portfolio (the open and forthcoming\ncalls) at most one bid per call within every city's capacity. The proposals are stored; see\n'fundmatch plans'.")
	call := fs.String("call", "", "plan one call (its identifier)")
	portfolio := fs.Bool("portfolio", false, "plan every open and forthcoming call together")
	programme := fs.String("programme", "", "with --portfolio: only this programme's calls (e.g. HORIZON)")
	cities := fs.String("cities", "", "only these cities (comma-separated slugs); default every city with a profile")
	top := fs.Int("top", planning.DefaultAlternatives, "with --call: how many bids to propose, best first")
	budget := fs.Duration("budget", portfolioBudget, "with --portfolio: the time to search when it is too large to solve exactly (at most "+planning.MaxHeuristicBudget.String()+"); more time, a plan closer to its bound")
	lang := fs.String("lang", "nl", "language of the text: nl or en")
	asJSON := fs.Bool("json", false, "print the run and its bids as JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0 || (*call == "") == !*portfolio:
		return usageError{msg: "want: plan " + planUsage}
	case *programme != "" && !*portfolio:
		return usageError{msg: "--programme goes with --portfolio"}
	case *top < 1:
		return usageError{msg: "--top must be at least 1"}
	case *budget <= 0 || *budget > planning.MaxHeuristicBudget:
		return usageError{msg: "--budget: want a duration above 0 and at most " + planning.MaxHeuristicBudget.String() + ", such as 20s"}
	case flagSet(fs, "budget") && !*portfolio:
		return usageError{msg: "--budget goes with --portfolio"}
	case *lang != "nl" && *lang != "en":
		return usageError{msg: "--lang: want nl or en"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	req := planning.Request{Portfolio: *portfolio, Programme: *programme, Cities: splitList(*cities), Alternatives: *top, Budget: *budget}
	if *call != "" {
		req.Calls = []string{*call}
	}
	t := textsIn(*lang)
	bar := newProgressBar(e.stderr, t.searching)
	req.Progress = func(p consortium.Progress) {
		bar.set(int(p.Elapsed.Seconds()), int(budget.Seconds()), fmt.Sprintf(t.progress, p.Value, p.Bound, 100*p.Gap()))
	}
	res, err := planning.New(st).Plan(ctx, req)
	bar.done()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w; 'fundmatch calls' lists the calls, 'fundmatch cities' the cities", err)
	case errors.Is(err, planning.ErrNoCalls):
		return errors.New("no open or forthcoming calls to plan")
	case err != nil:
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	if res.Scope == planning.ScopePortfolio {
		fmt.Fprintf(e.stdout, t.run, res.RunID, len(res.Bids), res.Value, res.Method)
		fmt.Fprintf(e.stdout, t.bound, res.Bound, 100*res.Gap)
	} else {
		fmt.Fprintf(e.stdout, t.callRun, res.RunID, *call, len(res.Bids), res.Method)
	}
	fmt.Fprintln(e.stdout)
	if len(res.Bids) == 0 {
		fmt.Fprintln(e.stdout, t.noBid)
	}
	for _, b := range res.Bids {
		fmt.Fprintln(e.stdout)
		v := bidView{PlanID: b.PlanID, Call: b.Call, Rank: b.Rank, Status: store.PlanProposed, Value: b.Value.Total,
			Met: b.ConstraintsMet, Missing: b.ConstraintsMissing, Foreign: b.ForeignPartners}
		for _, m := range b.Members {
			v.Members = append(v.Members, memberView{City: m.City, Name: m.Name, Role: string(m.Role), Contribution: m.Contribution})
		}
		v.write(e.stdout, t, false)
	}
	for call, ex := range res.Excluded {
		for _, x := range ex {
			reason := x.Reason.NL
			if *lang == "en" {
				reason = x.Reason.EN
			}
			fmt.Fprintf(e.stdout, t.excluded, x.City, call, reason)
		}
	}
	return nil
}

const plansUsage = "list [--status S] [--city SLUG] [--json] | show ID [--json] | accept ID [--note TEXT] | reject ID [--note TEXT] |\n  adjust ID [--add SLUG] [--remove SLUG] [--lead SLUG] | respond ID --city SLUG --confirm|--decline | worklist [--json]"

func runPlans(ctx context.Context, e *env, args []string) error {
	fs := e.flags("plans", plansUsage, "Work with stored consortium proposals: list and show them; as coordinator accept (it becomes a\nplanned bid), adjust (add or remove a member, change the lead; the rules are checked again) or\nreject them; record a member city's answer; and the worklist of open plans with every answer.")
	status := choiceFlag(fs, "status", "", "list: only plans with this status (proposed, accepted, rejected, superseded)", store.ParsePlanStatus)
	city := fs.String("city", "", "list: only plans with this member; respond: the answering city")
	note := fs.String("note", "", "accept, reject: the coordinator's note")
	add := fs.String("add", "", "adjust: cities to add (comma-separated slugs)")
	remove := fs.String("remove", "", "adjust: cities to remove (comma-separated slugs)")
	lead := fs.String("lead", "", "adjust: the new lead")
	confirm := fs.Bool("confirm", false, "respond: the city confirms")
	decline := fs.Bool("decline", false, "respond: the city declines")
	lang := fs.String("lang", "nl", "language of the text: nl or en")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{msg: "want: plans " + plansUsage}
	}
	if *lang != "nl" && *lang != "en" {
		return usageError{msg: "--lang: want nl or en"}
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	var id int64
	switch verb {
	case "list", "worklist":
		if len(rest) > 0 {
			return usageError{msg: "plans " + verb + " takes no arguments"}
		}
	case "show", "accept", "reject", "adjust", "respond":
		var err error
		if len(rest) != 1 {
			return usageError{msg: fmt.Sprintf("want: plans %s ID", verb)}
		}
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil || id < 1 {
			return usageError{msg: fmt.Sprintf("plan id %q: want a positive number", rest[0])}
		}
	default:
		return usageError{msg: fmt.Sprintf("unknown plans command %q; want list, show, accept, reject, adjust, respond or worklist", verb)}
	}
	switch {
	case verb == "adjust" && *add == "" && *remove == "" && *lead == "":
		return usageError{msg: "want: plans adjust ID with --add, --remove or --lead"}
	case verb == "respond" && (*city == "" || *confirm == *decline):
		return usageError{msg: "want: plans respond ID --city SLUG and one of --confirm or --decline"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := planning.New(st)
	t := textsIn(*lang)
	var plans []store.ConsortiumPlan
	switch verb {
	case "list":
		f := store.PlanFilter{City: *city}
		if *status != "" {
			f.Statuses = []store.PlanStatus{*status}
		}
		if plans, err = st.ConsortiumPlans(ctx, f); err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, nonNilPlans(plans))
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, t.listHeader)
		for _, p := range plans {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%.1f\t%s\t%d\n", p.ID, p.Call, p.Rank, t.status[p.Status], p.Value, leadOf(p), len(p.Members))
		}
		return tw.Flush()
	case "worklist":
		if plans, err = svc.Worklist(ctx); err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, nonNilPlans(plans))
		}
		if len(plans) == 0 {
			fmt.Fprintln(e.stdout, t.noWork)
		}
		for _, p := range plans {
			fmt.Fprintln(e.stdout)
			viewOf(p).write(e.stdout, t, true)
		}
		return nil
	case "accept":
		bid, err := svc.Accept(ctx, id, *note, 0)
		if err != nil {
			return planError(err, id)
		}
		fmt.Fprintf(e.stdout, t.accepted, id, bid)
		return nil
	case "reject":
		if err := svc.Reject(ctx, id, *note, 0); err != nil {
			return planError(err, id)
		}
		fmt.Fprintf(e.stdout, t.rejected, id)
		return nil
	case "respond":
		if err := svc.Respond(ctx, id, *city, *confirm); err != nil {
			return planError(err, id)
		}
	case "adjust":
		if _, err := svc.Adjust(ctx, id, planning.Adjustment{Add: splitList(*add), Remove: splitList(*remove), Lead: *lead}); err != nil {
			return planError(err, id)
		}
	}
	p, err := st.ConsortiumPlan(ctx, id)
	if err != nil {
		return planError(err, id)
	}
	if *asJSON {
		return writeJSON(e.stdout, p)
	}
	viewOf(p).write(e.stdout, t, true)
	return nil
}

// planError says what went wrong with a plan in the user's terms.
func planError(err error, id int64) error {
	switch {
	case errors.Is(err, store.ErrPlanDecided):
		return fmt.Errorf("plan %d is already decided; only proposed plans can change", id)
	case errors.Is(err, store.ErrLeadDeclined):
		return fmt.Errorf("%w; choose another lead first with 'fundmatch plans adjust %d --lead SLUG'", err, id)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w; 'fundmatch plans list' lists the plans", err)
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNilPlans(ps []store.ConsortiumPlan) []store.ConsortiumPlan {
	if ps == nil {
		return []store.ConsortiumPlan{}
	}
	return ps
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func leadOf(p store.ConsortiumPlan) string {
	for _, m := range p.Members {
		if m.Role == string(consortium.Lead) {
			return m.Name
		}
	}
	return "-"
}

// bidView is what the text output shows of a bid, proposed or stored.
type bidView struct {
	PlanID       int64
	Call         string
	Rank         int
	Status       store.PlanStatus
	Value        float64
	Members      []memberView
	Met, Missing []consortium.Constraint
	Foreign      []consortium.PartnerSuggestion
}

type memberView struct {
	City, Name, Role string
	Response         store.Response
	Contribution     consortium.Contribution
}

// viewOf reads a stored plan's JSON columns back.
func viewOf(p store.ConsortiumPlan) bidView {
	v := bidView{PlanID: p.ID, Call: p.Call, Rank: p.Rank, Status: p.Status, Value: p.Value}
	json.Unmarshal(p.ConstraintsMet, &v.Met)
	json.Unmarshal(p.ConstraintsMissing, &v.Missing)
	json.Unmarshal(p.ForeignPartners, &v.Foreign)
	for _, m := range p.Members {
		mv := memberView{City: m.City, Name: m.Name, Role: m.Role, Response: m.Response}
		json.Unmarshal(m.Contribution, &mv.Contribution)
		v.Members = append(v.Members, mv)
	}
	return v
}

// write prints a bid for a coordinator: who bids together, who leads, what
// each brings, and what is met and still missing.
func (v bidView) write(w io.Writer, t planTexts, answers bool) {
	fmt.Fprintf(w, t.header, v.PlanID, v.Call, v.Rank, t.status[v.Status], v.Value)
	for _, m := range v.Members {
		role := t.partner
		if m.Role == string(consortium.Lead) {
			role = t.lead
		}
		var brings []string
		for _, c := range m.Contribution.Concepts {
			if !c.Strongest {
				continue
			}
			s := t.concept(c.Concept)
			if c.Evidence.Title != "" {
				s += fmt.Sprintf(" (%s", c.Evidence.Title)
				if c.Evidence.Year > 0 {
					s += fmt.Sprintf(", %d", c.Evidence.Year)
				}
				s += ")"
			}
			brings = append(brings, s)
		}
		what := t.bringsNothing
		if len(brings) > 0 {
			what = t.brings + strings.Join(brings, "; ")
		}
		exp := m.Contribution.Experience
		fmt.Fprintf(w, t.member, role, m.Name, m.Contribution.Fit, what, exp.PastEUProjects, exp.ProgrammesLed,
			m.Contribution.BidsAfter, m.Contribution.MaxBids)
		if answers {
			fmt.Fprintf(w, t.answer, t.response[m.Response])
		}
		fmt.Fprintln(w)
	}
	for _, c := range v.Missing {
		fmt.Fprintf(w, t.missing, t.pick(c))
	}
	for _, c := range v.Met {
		fmt.Fprintf(w, t.met, t.pick(c))
	}
	if len(v.Foreign) > 0 {
		var names []string
		for _, f := range v.Foreign {
			names = append(names, fmt.Sprintf("%s (%s)", f.Name, f.Country))
		}
		fmt.Fprintf(w, t.foreign, strings.Join(names, ", "))
	}
}

// planTexts are the text output's phrases in one language.
type planTexts struct {
	en                                           bool
	run, callRun, bound, noBid, excluded, header string
	searching, progress                          string
	member, lead, partner, brings, bringsNothing string
	answer, missing, met, foreign, listHeader    string
	noWork, accepted, rejected                   string
	status                                       map[store.PlanStatus]string
	response                                     map[store.Response]string
	vocab                                        *matching.Vocabulary // names concepts; nil: by id
}

// textsIn returns the phrases of a language from the catalogue, with the
// vocabulary to name concepts by (by id if the embedded vocabulary cannot be
// read). Plan statuses and answers are the pages' words.
func textsIn(code string) planTexts {
	lang, _ := i18n.Parse(code)
	tr := func(key string) string { return i18n.T(lang, key) }
	t := planTexts{
		en: lang == i18n.EN, run: tr("cli.plan.run"), callRun: tr("cli.plan.call_run"), bound: tr("cli.plan.bound"),
		searching: tr("cli.plan.searching"), progress: tr("cli.plan.progress"),
		noBid: tr("cli.plan.no_bid"), excluded: tr("cli.plan.excluded"), header: tr("cli.plan.header"),
		member: tr("cli.plan.member"), lead: tr("lead"), partner: tr("partner"), brings: tr("cli.plan.brings"),
		bringsNothing: tr("cli.plan.brings_nothing"), answer: tr("cli.plan.answer"), missing: tr("cli.plan.missing"),
		met: tr("cli.plan.met"), foreign: tr("cli.plan.foreign"), listHeader: tr("cli.plan.list_header"),
		noWork: tr("cli.plan.no_work"), accepted: tr("cli.plan.accepted"), rejected: tr("cli.plan.rejected"),
		status: map[store.PlanStatus]string{}, response: map[store.Response]string{},
	}
	for _, s := range store.PlanStatuses {
		t.status[s] = tr(string(s))
	}
	for _, r := range []store.Response{store.ResponsePending, store.ResponseConfirmed, store.ResponseDeclined} {
		t.response[r] = tr(string(r))
	}
	t.vocab, _ = matching.DefaultVocabulary()
	return t
}

// concept names a vocabulary concept by its first term in the language,
// or by its id when the vocabulary does not know it.
func (t planTexts) concept(id string) string {
	if t.vocab == nil {
		return id
	}
	c, ok := t.vocab.Concept(id)
	switch {
	case ok && t.en && len(c.EN) > 0:
		return c.EN[0]
	case ok && !t.en && len(c.NL) > 0:
		return c.NL[0]
	}
	return id
}

func (t planTexts) pick(c consortium.Constraint) string {
	if t.en {
		return c.EN
	}
	return c.NL
}
