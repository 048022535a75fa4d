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
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// A city's best explainTop matches get a stored explanation, and so does
// every match in the weak band or above (at most explainMax in all); the
// rest are explained on demand (fundmatch explain, the call page), which
// stores what it explains.
const (
	explainTop = 100
	explainMax = 300
)

// Service scores calls for cities.
type Service struct {
	store  *store.Store
	logger *slog.Logger
	now    func() time.Time

	mu    sync.Mutex      // guards model and ids
	model *matching.Model // nil until first needed; rebuilt by ScoreAll
	ids   map[string]int64
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
	// FrontRunners counts the stored front-runners of calls (see
	// saveFrontRunners) inserted, changed or removed.
	FrontRunners int
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

// loadModel builds a model over every stored call.
func (s *Service) loadModel(ctx context.Context) (*matching.Model, map[string]int64, error) {
	records, err := s.store.Calls(ctx, store.CallFilter{})
	if err != nil {
		return nil, nil, err
	}
	calls := make([]matching.Call, len(records))
	ids := make(map[string]int64, len(records))
	for i := range records {
		calls[i] = toCall(&records[i])
		ids[records[i].Identifier] = records[i].ID
	}
	m, err := matching.NewModel(calls, matching.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("build the matching model: %w", err)
	}
	return m, ids, nil
}

// applicant is a city ready for scoring, with its database id.
type applicant struct {
	id    int64
	query *matching.CityQuery
}

// applicants analyses the cities that have a profile (all, or the slugs given).
func (s *Service) applicants(ctx context.Context, m *matching.Model, slugs ...string) ([]applicant, error) {
	cities, err := s.store.Cities(ctx)
	if err != nil {
		return nil, err
	}
	profiles, err := s.store.Profiles(ctx)
	if err != nil {
		return nil, err
	}
	byCity := make(map[int64]store.Profile, len(profiles))
	for _, p := range profiles {
		byCity[p.CityID] = p
	}
	projects, err := s.store.ProjectsByCity(ctx)
	if err != nil {
		return nil, err
	}
	var out []applicant
	for _, c := range cities {
		p, ok := byCity[c.ID]
		if !ok || (len(slugs) > 0 && !slices.Contains(slugs, c.Slug)) {
			continue
		}
		out = append(out, applicant{id: c.ID, query: m.Query(toApplicant(c, p, projects[c.ID]))})
	}
	return out, nil
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

// ScoreAll rebuilds the model from every stored call and scores every city
// with a profile (or only the cities named). progress, when set, is called
// after each city.
func (s *Service) ScoreAll(ctx context.Context, progress func(done, total int), slugs ...string) (Result, error) {
	m, ids, err := s.loadModel(ctx)
	if err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	s.model, s.ids = m, ids
	s.mu.Unlock()
	apps, err := s.applicants(ctx, m, slugs...)
	if err != nil {
		return Result{}, err
	}
	if len(slugs) > 0 && len(apps) == 0 {
		return Result{}, fmt.Errorf("%v: %w", slugs, ErrNoCity)
	}
	res := Result{Calls: m.Len()}
	cityIDs := make(map[*matching.CityQuery]int64, len(apps))
	queries := make([]*matching.CityQuery, len(apps))
	for i, a := range apps {
		cityIDs[a.query], queries[i] = a.id, a.query
	}
	now := s.now()
	err = m.ScoreCities(ctx, queries, now, func(q *matching.CityQuery, ms []matching.Match) error {
		n, err := s.save(ctx, m, ids, cityIDs[q], q, ms, now)
		res.Cities++
		res.Pairs += len(ms)
		res.Written += n
		if progress != nil {
			progress(res.Cities, len(apps))
		}
		return err
	})
	if err != nil {
		return res, err
	}
	res.FrontRunners, err = s.saveFrontRunners(ctx, m, ids, nil, slugs)
	return res, err
}

// ScoreCity rescores one city against every call, after its profile or
// history changed.
func (s *Service) ScoreCity(ctx context.Context, slug string) (Result, error) {
	m, ids, err := s.current(ctx)
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
	now := s.now()
	ms, err := m.ScoreCity(ctx, apps[0].query, now)
	if err != nil {
		return Result{}, err
	}
	n, err := s.save(ctx, m, ids, apps[0].id, apps[0].query, ms, now)
	res := Result{Cities: 1, Calls: m.Len(), Pairs: len(ms), Written: n}
	if err != nil {
		return res, err
	}
	res.FrontRunners, err = s.saveFrontRunners(ctx, m, ids, nil, []string{slug})
	return res, err
}

// ScoreCalls (re)loads the given calls into the model and scores each
// against every city: what a crawl asks for after it found new or changed
// calls.
func (s *Service) ScoreCalls(ctx context.Context, callIDs []int64) (Result, error) {
	m, ids, err := s.current(ctx)
	if err != nil {
		return Result{}, err
	}
	records, err := s.store.Calls(ctx, store.CallFilter{IDs: callIDs})
	if err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	for i := range records {
		if err := m.Add(toCall(&records[i])); err != nil {
			s.mu.Unlock()
			return Result{}, fmt.Errorf("add call %s: %w", records[i].Identifier, err)
		}
		ids[records[i].Identifier] = records[i].ID
	}
	s.mu.Unlock()
	apps, err := s.applicants(ctx, m)
	if err != nil {
		return Result{}, err
	}
	queries := make([]*matching.CityQuery, len(apps))
	for i, a := range apps {
		queries[i] = a.query
	}
	now := s.now()
	res := Result{Cities: len(apps), Calls: m.Len()}
	byCity := make([][]matching.Match, len(apps))
	for i := range records {
		ms, err := m.ScoreCall(records[i].Identifier, queries, now)
		if err != nil {
			return res, err
		}
		for j := range ms {
			byCity[j] = append(byCity[j], ms[j])
		}
		res.Pairs += len(ms)
	}
	for j, a := range apps {
		n, err := s.save(ctx, m, ids, a.id, a.query, byCity[j], now)
		if err != nil {
			return res, err
		}
		res.Written += n
	}
	if len(records) == 0 {
		return res, nil // no call named: none has front-runners to find
	}
	identifiers := make([]string, len(records))
	for i := range records {
		identifiers[i] = records[i].Identifier
	}
	res.FrontRunners, err = s.saveFrontRunners(ctx, m, ids, identifiers, nil)
	return res, err
}

// current returns the cached model, building it on first use.
func (s *Service) current(ctx context.Context) (*matching.Model, map[string]int64, error) {
	s.mu.Lock()
	m, ids := s.model, s.ids
	s.mu.Unlock()
	if m != nil {
		return m, ids, nil
	}
	m, ids, err := s.loadModel(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	if s.model == nil {
		s.model, s.ids = m, ids
	}
	m, ids = s.model, s.ids
	s.mu.Unlock()
	return m, ids, nil
}

// save stores one city's matches. Unchanged pairs are skipped before any
// work; the best explainTop of the city's matches get an explanation.
func (s *Service) save(ctx context.Context, m *matching.Model, ids map[string]int64, cityID int64, q *matching.CityQuery, ms []matching.Match, now time.Time) (int, error) {
	stored, err := s.store.StoredMatches(ctx, cityID)
	if err != nil {
		return 0, err
	}
	ranked := slices.Clone(ms)
	matching.Rank(ranked)
	explain := map[string]bool{}
	for i := 0; i < len(ranked) && i < explainMax; i++ {
		if i >= explainTop && ranked[i].Score < matching.BandWeak {
			break
		}
		if ranked[i].Eligibility != funding.Ineligible {
			explain[ranked[i].Call] = true
		}
	}
	rows := make([]store.MatchRow, 0, len(ms))
	for _, mt := range ms {
		callID, ok := ids[mt.Call]
		if !ok {
			continue
		}
		hash := strconv.FormatUint(mt.InputHash, 10)
		prev, had := stored[callID]
		unchanged := had && prev.InputHash == hash && prev.ModelVersion == matching.ModelVersion
		if unchanged && (prev.HasExplanation || !explain[mt.Call]) {
			continue
		}
		var row store.MatchRow
		if explain[mt.Call] {
			e, err := m.Explain(mt.Call, q, now)
			if err != nil {
				return 0, err
			}
			if row, err = explainedRow(callID, cityID, e); err != nil {
				return 0, err
			}
		} else if row, err = matchRow(callID, cityID, mt, mt.Reasons); err != nil {
			return 0, err
		}
		rows = append(rows, row)
	}
	return s.store.SaveMatches(ctx, rows, now)
}

// matchRow is a match as stored, with its reasons.
func matchRow(callID, cityID int64, mt matching.Match, reasons any) (store.MatchRow, error) {
	rs, err := json.Marshal(reasons)
	if err != nil {
		return store.MatchRow{}, err
	}
	return store.MatchRow{CallID: callID, CityID: cityID, Score: mt.Score, Relevance: mt.Components.Relevance,
		Experience: mt.Components.Experience, Feasibility: mt.Components.Feasibility,
		Eligibility: string(mt.Eligibility), Reasons: rs, ModelVersion: matching.ModelVersion,
		InputHash: strconv.FormatUint(mt.InputHash, 10)}, nil
}

// explainedRow is a match stored with its explanation: the reasons are the
// explanation's (themes, project, eligibility, what is missing), and the
// explanation is kept whole, so explain shows exactly what was stored.
func explainedRow(callID, cityID int64, e matching.Explanation) (store.MatchRow, error) {
	row, err := matchRow(callID, cityID, e.Match, e.Reasons)
	if err != nil {
		return row, err
	}
	row.Explanation, err = json.Marshal(e)
	return row, err
}

// Explain explains the score of one call for one city as stored: the same
// score, reasons and text the pages, the API and alerts show. A pair whose
// stored match is missing, stale (its inputs or the model changed) or has no
// explanation yet is scored and explained now, and stored.
func (s *Service) Explain(ctx context.Context, slug, identifier string) (matching.Explanation, error) {
	m, ids, err := s.current(ctx)
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
	callID, ok := ids[identifier]
	if ok {
		stored, raw, err := s.store.StoredExplanation(ctx, apps[0].id, callID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return matching.Explanation{}, err
		}
		if err == nil && stored.HasExplanation && stored.ModelVersion == matching.ModelVersion &&
			stored.InputHash == strconv.FormatUint(ms[0].InputHash, 10) {
			var kept matching.Explanation
			if json.Unmarshal(raw, &kept) == nil && kept.Match.Call == identifier {
				return kept, nil
			}
		}
	}
	e, err := m.Explain(identifier, q, now)
	if err != nil || !ok {
		return e, err
	}
	row, err := explainedRow(callID, apps[0].id, e)
	if err != nil {
		return matching.Explanation{}, err
	}
	if _, err := s.store.SaveMatches(ctx, []store.MatchRow{row}, now); err != nil {
		return matching.Explanation{}, err
	}
	return e, nil
}
