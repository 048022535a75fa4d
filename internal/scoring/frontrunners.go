package scoring

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// saveFrontRunners finds and stores the front-runners of calls: for each
// call, the municipalities whose past project clearly resembles it
// (matching.FrontRunners, the measure of a match's project evidence). The
// scope is the calls named (every call when none) for the cities slugs
// (every city when none); stored front-runners of that scope that no longer
// hold are removed, unchanged ones are not rewritten. Every city with past
// projects counts, with a profile or without: what a city did does not
// depend on what it asks for. It reports how many rows it wrote or removed.
func (s *Service) saveFrontRunners(ctx context.Context, m *matching.Model, ids map[string]int64, identifiers, slugs []string) (int, error) {
	cities, err := s.store.Cities(ctx)
	if err != nil {
		return 0, err
	}
	projects, err := s.store.ProjectsByCity(ctx)
	if err != nil {
		return 0, err
	}
	var qs []*matching.CityQuery
	var cityIDs []int64 // the scope's cities; nil for every city
	cityOf := map[string]int64{}
	for _, c := range cities {
		if len(slugs) > 0 {
			if !slices.Contains(slugs, c.Slug) {
				continue
			}
			cityIDs = append(cityIDs, c.ID)
		}
		if len(projects[c.ID]) == 0 {
			continue
		}
		cityOf[c.Slug] = c.ID
		qs = append(qs, m.Query(toApplicant(c, store.Profile{}, projects[c.ID])))
	}
	if len(slugs) > 0 && len(cityIDs) == 0 {
		return 0, nil // no such city: nothing in scope (nil would mean every city)
	}
	var callIDs []int64 // nil for every call
	for _, id := range identifiers {
		if callID, ok := ids[id]; ok {
			callIDs = append(callIDs, callID)
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
		callID, ok := ids[identifier]
		if !ok {
			continue
		}
		for _, f := range frs {
			cityID := cityOf[f.City]
			themes, err := json.Marshal(f.Themes)
			if err != nil {
				return 0, fmt.Errorf("front-runners of %s: %w", identifier, err)
			}
			// Rounded, so that a rescore that moves the last digits
			// rewrites nothing.
			rows = append(rows, store.FrontRunnerRow{CallID: callID, CityID: cityID,
				ProjectID: projects[cityID][f.Project].ID, Similarity: math.Round(f.Similarity*100) / 100, Themes: themes})
		}
	}
	return s.store.SaveFrontRunners(ctx, callIDs, cityIDs, rows, s.now())
}
