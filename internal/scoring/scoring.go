// Package scoring keeps the stored matches up to date: it loads calls and
// cities from the store into the pure matching model, scores them, and
// writes the matches back, skipping pairs whose inputs did not change. It is
// the glue between internal/store and matching, used by the worker's score
// tasks and the score, matches and explain commands.
package scoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// StoreFloor is the least score a pair needs to be stored, and then only
// when its call is not ruled out for the city (eligible or unknown): the
// weak band, which is what the pages list, the call page shows, alerts,
// the planner and uptake read. A pair below it is computed on demand
// (fundmatch explain), and its stored row, if any, is removed when it falls
// below, so that no page shows a stale match.
const StoreFloor = matching.BandWeak

// A city's best explainMax stored matches get a stored explanation; the
// rest are explained on demand (fundmatch explain, the call page), which
// stores what it explains.
const explainMax = 300

// keep tells whether a pair is kept in the store.
func keep(mt *matching.Match) bool {
	return mt.Eligibility != funding.Ineligible && mt.Score >= StoreFloor
}

// Service scores calls for cities.
type Service struct {
	store  *store.Store
	logger *slog.Logger
	now    func() time.Time

	// The warm state, kept between tasks: the model over every stored call
	// (updated as calls are scored), their ids, and the query of every city
	// with a profile (rebuilt with the model, a city's after its profile
	// changed).
	// Each is replaced, never changed in place, so a task may go on with
	// what it took while another installs newer ones.
	load  sync.Mutex      // held while the model or the queries are built
	mu    sync.Mutex      // guards the fields below
	model *matching.Model // nil until first needed; rebuilt by ScoreAll
	built time.Time       // when model was built
	calls map[string]callRef
	apps  []applicant // nil until first needed

	front frontQueries // the front-runner candidates' queries for the kept model
}

// callRef is what the store needs of a call in the model.
type callRef struct {
	id        int64
	deadlines []time.Time
}

// New returns a Service.
func New(st *store.Store, logger *slog.Logger) *Service {
	return &Service{store: st, logger: logger, now: time.Now}
}

// Result counts what a scoring run did.
type Result struct {
	Cities  int // cities scored
	Calls   int // calls in the model
	Pairs   int // (call, city) pairs scored
	Written int // stored matches inserted or changed
	Removed int // stored matches removed: they fell below StoreFloor
	// Unchanged counts the cities a full rescore passed over: nothing they
	// are scored from changed since their last full scoring.
	Unchanged int
	// FrontRunners counts the stored front-runners of calls (see
	// saveFrontRunners) inserted, changed or removed.
	FrontRunners int
}

func (r *Result) add(o Result) {
	r.Cities += o.Cities
	r.Pairs += o.Pairs
	r.Written += o.Written
	r.Removed += o.Removed
	r.FrontRunners += o.FrontRunners
}

// ErrNoCity is returned for a city without a profile (nothing to score).
var ErrNoCity = errors.New("no such city with a profile")

// toCall turns a stored call into the matcher's view of it.
func toCall(c *store.CallRecord) matching.Call {
	return matching.Call{
		Identifier: c.Identifier, Source: c.Source, Programme: c.Programme, Kind: matching.Kind(c.Kind),
		Title: c.Title, Summary: c.Summary, Description: c.DescriptionText, Keywords: c.Keywords, Tags: c.Tags,
		TypesOfAction: c.TypesOfAction, EligibilityNotes: c.EligibilityNotes, Status: matching.Status(c.Status),
		OpeningDate: c.OpeningDate, Deadlines: c.Deadlines, BudgetMin: c.BudgetMin, BudgetMax: c.BudgetMax,
		CallBudget: c.CallBudget, FundingRate: c.FundingRate,
	}
}

// applicant is a city ready for scoring, with its database id.
type applicant struct {
	id    int64
	query *matching.CityQuery
	// worst is the last of the city's explained matches at its last full
	// scoring (nil when it had fewer than explainMax stored): a new call
	// ranking before it is explained as it is stored.
	worst *matching.Match
}

// loadCalls reads every stored call as the matcher sees it.
func (s *Service) loadCalls(ctx context.Context) ([]matching.Call, map[string]callRef, error) {
	records, err := s.store.Calls(ctx, store.CallFilter{})
	if err != nil {
		return nil, nil, err
	}
	calls := make([]matching.Call, len(records))
	refs := make(map[string]callRef, len(records))
	for i := range records {
		calls[i] = toCall(&records[i])
		refs[records[i].Identifier] = callRef{records[i].ID, records[i].Deadlines}
	}
	return calls, refs, nil
}

// cityInputs is a city with a profile as the matcher sees it.
type cityInputs struct {
	id  int64
	app matching.Applicant
}

// loadCities reads the cities that have a profile (all, or the slugs
// given), and a digest of every city with past projects as the
// front-runner candidates it is (see saveFrontRunners).
func (s *Service) loadCities(ctx context.Context, slugs ...string) ([]cityInputs, uint64, error) {
	cities, err := s.store.Cities(ctx)
	if err != nil {
		return nil, 0, err
	}
	profiles, err := s.store.Profiles(ctx)
	if err != nil {
		return nil, 0, err
	}
	byCity := make(map[int64]store.Profile, len(profiles))
	for _, p := range profiles {
		byCity[p.CityID] = p
	}
	projects, err := s.store.ProjectsByCity(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []cityInputs
	var front uint64
	for _, c := range cities {
		if len(projects[c.ID]) > 0 {
			a := toApplicant(c, store.Profile{}, projects[c.ID])
			front = front*31 + matching.ApplicantHash(&a)
		}
		p, ok := byCity[c.ID]
		if !ok || (len(slugs) > 0 && !slices.Contains(slugs, c.Slug)) {
			continue
		}
		out = append(out, cityInputs{c.ID, toApplicant(c, p, projects[c.ID])})
	}
	return out, front, nil
}

// applicants analyses the cities that have a profile (all, or the slugs given).
func (s *Service) applicants(ctx context.Context, m *matching.Model, slugs ...string) ([]applicant, error) {
	cities, _, err := s.loadCities(ctx, slugs...)
	if err != nil {
		return nil, err
	}
	return queries(m, cities), nil
}

// queries analyses cities for the model.
func queries(m *matching.Model, cities []cityInputs) []applicant {
	out := make([]applicant, len(cities))
	for i, c := range cities {
		out[i] = applicant{id: c.id, query: m.Query(c.app)}
	}
	return out
}

func toApplicant(c store.City, p store.Profile, projects []store.CityProject) matching.Applicant {
	a := matching.Applicant{
		City: matching.City{Slug: c.Slug, Name: c.NameNL, NIS: c.NISCode, Province: c.Province,
			Arrondissement: c.Arrondissement, Population: c.Population, Kind: matching.CityKind(c.Kind)},
		Profile: matching.Profile{City: c.Slug, DomainWeights: map[matching.Domain]float64{},
			KeywordsNL: p.KeywordsNL, KeywordsEN: p.KeywordsEN, ExcludedProgrammes: p.ExcludedProgrammes,
			MaxConcurrentBids: p.MaxConcurrentBids, CoFundingCapacity: p.CoFundingCapacity},
	}
	for _, d := range matching.Domains {
		w, _ := p.DomainWeights.Get(string(d))
		a.Profile.DomainWeights[d] = w
	}
	if p.PreparationDays != nil {
		a.Profile.PreparationDays = *p.PreparationDays
	}
	for _, pr := range projects {
		mp := matching.Project{Title: pr.Title, Summary: pr.Summary, Year: pr.Year, Programme: pr.Programme, Lead: pr.Lead}
		for _, d := range pr.Domains {
			mp.Domains = append(mp.Domains, matching.Domain(d))
		}
		if pr.Budget != nil {
			mp.Budget = *pr.Budget
		}
		a.Projects = append(a.Projects, mp)
	}
	return a
}

// warm returns the kept model, calls and city queries, building them when
// none are kept.
func (s *Service) warm(ctx context.Context) (*matching.Model, map[string]callRef, []applicant, error) {
	s.load.Lock()
	defer s.load.Unlock()
	s.mu.Lock()
	m, refs, apps := s.model, s.calls, s.apps
	s.mu.Unlock()
	if m != nil && apps != nil {
		return m, refs, apps, nil
	}
	built := s.now()
	calls, refs, err := s.loadCalls(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	cities, _, err := s.loadCities(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	m, apps, err = s.install(calls, refs, cities, built)
	return m, refs, apps, err
}

// install builds the model and every city's query and keeps them; the
// caller holds s.load.
func (s *Service) install(calls []matching.Call, refs map[string]callRef, cities []cityInputs, built time.Time) (*matching.Model, []applicant, error) {
	m, err := matching.NewModel(calls, matching.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("build the matching model: %w", err)
	}
	apps := queries(m, cities)
	s.mu.Lock()
	s.model, s.built, s.calls, s.apps = m, built, refs, apps
	s.mu.Unlock()
	return m, apps, nil
}

// remember keeps the given cities' queries and explanation bars in place
// of the ones kept for them (a city new to the kept list is added), if
// they belong to the kept model.
func (s *Service) remember(m *matching.Model, scored []applicant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.model != m || s.apps == nil {
		return
	}
	apps := slices.Clone(s.apps)
	for _, a := range scored {
		i := slices.IndexFunc(apps, func(b applicant) bool { return b.id == a.id })
		if i < 0 {
			apps = append(apps, a)
		} else {
			apps[i] = a
		}
	}
	s.apps = apps
}

// only returns the applicants of the slugs given (all without slugs).
func only(apps []applicant, slugs []string) []applicant {
	if len(slugs) == 0 {
		return apps
	}
	var out []applicant
	for _, a := range apps {
		if slices.Contains(slugs, a.query.Applicant.City.Slug) {
			out = append(out, a)
		}
	}
	return out
}

// ScoreCity rescores one city against every call, after its profile or
// history changed: the city's query is analysed anew and kept.
func (s *Service) ScoreCity(ctx context.Context, slug string) (Result, error) {
	m, refs, _, err := s.warm(ctx)
	if err != nil {
		return Result{}, err
	}
	apps, err := s.applicants(ctx, m, slug)
	if err != nil {
		return Result{}, err
	}
	if len(apps) == 0 {
		return Result{}, fmt.Errorf("%s: %w", slug, ErrNoCity)
	}
	// Its stored matches change: a full rescore may not pass it over.
	if err := s.store.ForgetScoredInputs(ctx, cityScope(apps[0].id)); err != nil {
		return Result{}, err
	}
	res, err := s.scoreCities(ctx, m, refs, apps, nil, []string{slug})
	if err != nil {
		return res, err
	}
	res.FrontRunners, err = s.saveFrontRunners(ctx, m, refs, nil, []string{slug})
	return res, err
}

// ScoreCalls (re)loads the given calls into the kept model and scores each
// against every city: what a crawl asks for after it found new or changed
// calls. It reads no stored matches: a pair kept is written unless its
// stored row has the same inputs (the store compares), a pair below the
// floor is removed if it was stored, and a kept pair is explained when it
// ranks before the city's last explained match.
func (s *Service) ScoreCalls(ctx context.Context, callIDs []int64) (Result, error) {
	m, _, apps, err := s.warm(ctx)
	if err != nil {
		return Result{}, err
	}
	records, err := s.store.Calls(ctx, store.CallFilter{IDs: callIDs})
	if err != nil {
		return Result{}, err
	}
	// Every city's stored matches and the front-runners change: a full
	// rescore may pass over none of them.
	if err := s.store.ForgetScoredInputs(ctx); err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	refs := maps.Clone(s.calls)
	for i := range records {
		if err := m.Add(toCall(&records[i])); err != nil {
			s.mu.Unlock()
			return Result{}, fmt.Errorf("add call %s: %w", records[i].Identifier, err)
		}
		refs[records[i].Identifier] = callRef{records[i].ID, records[i].Deadlines}
	}
	if s.model == m {
		s.calls = refs
	}
	s.mu.Unlock()
	queries := make([]*matching.CityQuery, len(apps))
	for i, a := range apps {
		queries[i] = a.query
	}
	now := s.now()
	res := Result{Cities: len(apps), Calls: m.Len()}
	// A call never stored for any city (a new one) has its rows copied in
	// as new, without looking for stored ones to update.
	unstored, err := s.store.CallsWithoutMatches(ctx, callIDs)
	if err != nil {
		return res, err
	}
	var w store.MatchWrite
	for i := range records {
		ms, err := m.ScoreCall(records[i].Identifier, queries, now)
		if err != nil {
			return res, err
		}
		res.Pairs += len(ms)
		ref := refs[records[i].Identifier]
		rows := &w.Changed
		if unstored[ref.id] {
			rows = &w.New
		}
		var explain []int // the cities whose explanation of this call is stored
		for j := range ms {
			switch {
			case !keep(&ms[j]):
				w.Drop = append(w.Drop, store.MatchKey{CallID: ref.id, CityID: apps[j].id})
			case apps[j].worst == nil || ranksBefore(&ms[j], apps[j].worst):
				explain = append(explain, j)
			default:
				row, err := matchRow(ref, apps[j].id, &ms[j])
				if err != nil {
					return res, err
				}
				*rows = append(*rows, row)
			}
		}
		// The call's text is analysed once for all the cities explained.
		qs := make([]*matching.CityQuery, len(explain))
		for k, j := range explain {
			qs[k] = queries[j]
		}
		es, err := m.ExplainCities(records[i].Identifier, qs, now)
		if err != nil {
			return res, err
		}
		for k, j := range explain {
			row, err := explainedRow(ref, apps[j].id, es[k])
			if err != nil {
				return res, err
			}
			*rows = append(*rows, row)
		}
	}
	res.Written, res.Removed, err = s.store.SaveMatches(ctx, w)
	if err != nil || len(records) == 0 {
		return res, err // no call named: none has front-runners to find
	}
	identifiers := make([]string, len(records))
	for i := range records {
		identifiers[i] = records[i].Identifier
	}
	res.FrontRunners, err = s.saveFrontRunners(ctx, m, refs, identifiers, nil)
	return res, err
}

// ranksBefore reports whether a ranks before b in matching.Rank's order.
func ranksBefore(a, b *matching.Match) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if a.Components.Relevance != b.Components.Relevance {
		return a.Components.Relevance > b.Components.Relevance
	}
	return a.Call < b.Call
}

// matchRow is a match as stored, with its reasons (none for most: the
// column's default, nothing marshalled).
func matchRow(ref callRef, cityID int64, mt *matching.Match) (store.MatchRow, error) {
	row := store.MatchRow{CallID: ref.id, CityID: cityID, Score: mt.Score, Relevance: mt.Components.Relevance,
		Experience: mt.Components.Experience, Feasibility: mt.Components.Feasibility,
		Eligibility: mt.Eligibility, ModelVersion: matching.ModelVersion,
		InputHash: strconv.FormatUint(mt.InputHash, 10), Deadlines: ref.deadlines}
	if len(mt.Reasons) > 0 {
		var err error
		if row.Reasons, err = json.Marshal(mt.Reasons); err != nil {
			return row, err
		}
	}
	return row, nil
}

// explainedRow is a match stored with its explanation: the reasons are the
// explanation's (themes, project, eligibility, what is missing), its texts
// go to their own columns, and the explanation keeps the rest, so that
// explain shows exactly what was stored (see storedExplanation).
func explainedRow(ref callRef, cityID int64, e matching.Explanation) (store.MatchRow, error) {
	row, err := matchRow(ref, cityID, &e.Match)
	if err != nil {
		return row, err
	}
	row.Reasons = nil
	if len(e.Reasons) > 0 {
		if row.Reasons, err = json.Marshal(e.Reasons); err != nil {
			return row, err
		}
	}
	row.Text = store.MatchExplanation{NL: e.NL, EN: e.EN, SummaryNL: e.SummaryNL, SummaryEN: e.SummaryEN}
	e.Reasons, e.NL, e.EN, e.SummaryNL, e.SummaryEN = nil, "", "", "", ""
	row.Explanation, err = json.Marshal(e)
	return row, err
}

// storedExplanation puts a stored explanation together again from its
// parts (see explainedRow).
func storedExplanation(st store.StoredExplanation) (matching.Explanation, error) {
	var e matching.Explanation
	if err := json.Unmarshal(st.Explanation, &e); err != nil {
		return e, err
	}
	if err := json.Unmarshal(st.Reasons, &e.Reasons); err != nil {
		return e, err
	}
	e.NL, e.EN, e.SummaryNL, e.SummaryEN = st.Text.NL, st.Text.EN, st.Text.SummaryNL, st.Text.SummaryEN
	return e, nil
}

// Explain explains the score of one call for one city as stored: the same
// score, reasons and text the pages, the API and alerts show. A pair whose
// stored match is missing, stale (its inputs or the model changed) or has no
// explanation yet is scored and explained now, and stored if it is kept
// (eligible or unknown, at least StoreFloor); a pair below the floor is
// explained without being stored (and its stored row removed).
func (s *Service) Explain(ctx context.Context, slug, identifier string) (matching.Explanation, error) {
	m, refs, _, err := s.warm(ctx)
	if err != nil {
		return matching.Explanation{}, err
	}
	apps, err := s.applicants(ctx, m, slug)
	if err != nil {
		return matching.Explanation{}, err
	}
	if len(apps) == 0 {
		return matching.Explanation{}, fmt.Errorf("%s: %w", slug, ErrNoCity)
	}
	now := s.now()
	q := apps[0].query
	// The pair's input hash comes from scoring it, which is cheap; the
	// explanation (the call's text analysed again) only when none is kept.
	ms, err := m.ScoreCall(identifier, []*matching.CityQuery{q}, now)
	if err != nil {
		return matching.Explanation{}, err
	}
	ref, ok := refs[identifier]
	if ok {
		kept, err := s.store.StoredExplanation(ctx, apps[0].id, ref.id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return matching.Explanation{}, err
		}
		if err == nil && kept.HasExplanation && kept.ModelVersion == matching.ModelVersion &&
			kept.InputHash == strconv.FormatUint(ms[0].InputHash, 10) {
			if e, err := storedExplanation(kept); err == nil && e.Match.Call == identifier {
				return e, nil
			}
		}
	}
	e, err := m.Explain(identifier, q, now)
	if err != nil || !ok {
		return e, err
	}
	// A pair now below the floor loses its stored row, if it had one, so
	// that the pages agree with what explain shows.
	var w store.MatchWrite
	if keep(&e.Match) {
		row, err := explainedRow(ref, apps[0].id, e)
		if err != nil {
			return matching.Explanation{}, err
		}
		w.Changed = []store.MatchRow{row}
	} else {
		w.Drop = []store.MatchKey{{CallID: ref.id, CityID: apps[0].id}}
	}
	if _, _, err := s.store.SaveMatches(ctx, w); err != nil {
		return matching.Explanation{}, err
	}
	return e, nil
}

// RuledOut scores every call for a city now and returns, in rank order, the
// ones it cannot apply for: they are not stored, and `fundmatch matches
// --include-ineligible` lists them after the stored matches.
func (s *Service) RuledOut(ctx context.Context, slug string) ([]matching.Match, error) {
	m, _, _, err := s.warm(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := s.applicants(ctx, m, slug)
	if err != nil {
		return nil, err
	}
	if len(apps) == 0 {
		return nil, fmt.Errorf("%s: %w", slug, ErrNoCity)
	}
	ms, err := m.ScoreCity(ctx, apps[0].query, s.now())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(mt matching.Match) bool { return mt.Eligibility != funding.Ineligible }), nil
}
