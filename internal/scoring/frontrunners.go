package scoring

import (
	"context"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// saveFrontRunners finds and stores the front-runners of calls: for each
// call, the municipalities whose past project clearly resembles it
// (matching.FrontRunners, the measure of a match's project evidence). It
// does so for the calls named; for the cities slugs, for every call they
// are or were a front-runner of; and with neither, for every call. Every
// city with past projects counts, with a profile or without: what a city
// did does not depend on what it asks for. It reports how many stored rows
// it wrote or removed.
func (s *Service) saveFrontRunners(ctx context.Context, m *matching.Model, refs map[string]callRef, identifiers, slugs []string) (int, error) {
	cities, err := s.store.Cities(ctx)
	if err != nil {
		return 0, err
	}
	projects, err := s.store.ProjectsByCity(ctx)
	if err != nil {
		return 0, err
	}
	var qs, named []*matching.CityQuery
	var namedIDs []int64
	cityOf := map[string]int64{}
	for _, c := range cities {
		var q *matching.CityQuery
		if len(projects[c.ID]) > 0 {
			q = s.frontQuery(m, c.ID, toApplicant(c, store.Profile{}, projects[c.ID]))
			qs, cityOf[c.Slug] = append(qs, q), c.ID
		}
		if slices.Contains(slugs, c.Slug) {
			namedIDs = append(namedIDs, c.ID)
			if q != nil {
				named = append(named, q)
			}
		}
	}
	if len(slugs) > 0 {
		if identifiers, err = s.callsOf(ctx, m, refs, named, namedIDs); err != nil || len(identifiers) == 0 {
			return 0, err
		}
	}
	var callIDs []int64 // nil for every call
	for _, id := range identifiers {
		if ref, ok := refs[id]; ok {
			callIDs = append(callIDs, ref.id)
		}
	}
	if len(identifiers) > 0 && len(callIDs) == 0 {
		return 0, nil
	}
	found, err := m.FrontRunners(qs, identifiers...)
	if err != nil {
		return 0, err
	}
	var rows []store.FrontRunnerRow
	for identifier, frs := range found {
		ref, ok := refs[identifier]
		if !ok {
			continue
		}
		for _, f := range frs {
			cityID := cityOf[f.City]
			row := store.FrontRunnerRow{CallID: ref.id, CityID: cityID, ProjectID: projects[cityID][f.Project].ID,
				// Rounded, so that a rescore that moves the last digits
				// rewrites nothing.
				Similarity: math.Round(f.Similarity*100) / 100}
			for _, th := range f.Themes {
				row.Themes = append(row.Themes, store.Theme(th))
			}
			rows = append(rows, row)
		}
	}
	return s.store.SaveFrontRunners(ctx, callIDs, rows, s.now())
}

// callsOf returns the calls whose front-runners may change when the cities
// named changed: those they are stored front-runners of, and those their
// projects resemble now (queries holds the named cities that have
// projects).
func (s *Service) callsOf(ctx context.Context, m *matching.Model, refs map[string]callRef, queries []*matching.CityQuery, cityIDs []int64) ([]string, error) {
	stored, err := s.store.FrontRunnerCalls(ctx, cityIDs)
	if err != nil {
		return nil, err
	}
	calls := map[string]bool{}
	for identifier, ref := range refs {
		if _, ok := slices.BinarySearch(stored, ref.id); ok {
			calls[identifier] = true
		}
	}
	if len(queries) > 0 {
		now, err := m.FrontRunners(queries)
		if err != nil {
			return nil, err
		}
		for identifier := range now {
			calls[identifier] = true
		}
	}
	return slices.Sorted(maps.Keys(calls)), nil
}

// frontQueries keeps the front-runner candidates' queries for one model,
// by city: analysing every city's history again for each new call cost
// more than scoring the call. A city's query is analysed again when its
// history or data changed (its applicant hash).
type frontQueries struct {
	mu      sync.Mutex
	model   *matching.Model
	queries map[int64]frontQueryOf
}

type frontQueryOf struct {
	hash  uint64
	query *matching.CityQuery
}

// frontQuery returns the query of a city with past projects for m, kept
// or analysed now.
func (s *Service) frontQuery(m *matching.Model, cityID int64, a matching.Applicant) *matching.CityQuery {
	f := &s.front
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.model != m {
		f.model, f.queries = m, map[int64]frontQueryOf{}
	}
	h := matching.ApplicantHash(&a)
	if kept, ok := f.queries[cityID]; ok && kept.hash == h {
		return kept.query
	}
	q := m.Query(a)
	f.queries[cityID] = frontQueryOf{h, q}
	return q
}
