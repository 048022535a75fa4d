// Package seed loads fundmatch's reference data: every Flemish municipality
// (285 since the mergers of 1 January 2025, municipalities.csv), the 13
// centre cities and the VGC with a starting profile each, the City of Things
// projects that the published sources document, and a derived starter
// profile for every other municipality (starter.go). Seeding is idempotent:
// a second run changes nothing, and a profile an officer has edited is never
// overwritten.
//
// Sources: municipalities.csv's columns are described, with their official
// sources, in README.md next to it; the centre cities' populations in
// cities.csv are the official counts of municipalities.csv; profiles are
// a starting point drawn from what each city is publicly known for, for its
// officer to edit; the history crawl sources are listed in sources.go;
// projects come from ../shared/reference/samples/vlaio
// (VVSG, slimmeregio.vlaanderen), which name the cities but not every title.
package seed

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fundmatch/fundmatch/crawlers/htmlsource"
	"github.com/fundmatch/fundmatch/internal/imports"
	"github.com/fundmatch/fundmatch/internal/store"
)

var (
	//go:embed cities.csv
	citiesCSV []byte
	//go:embed municipalities.csv
	municipalitiesCSV []byte
	//go:embed profiles.json
	profilesJSON []byte
	//go:embed projects.csv
	projectsCSV []byte
)

// Result counts what a seed run changed.
type Result struct {
	Cities, Municipalities, Profiles, Projects imports.Result

	// Derived counts the starter profiles derived or brought up to date.
	Derived int
}

// Run loads the seed data. Each part runs in its own transaction.
func Run(ctx context.Context, st *store.Store) (Result, error) {
	var res Result
	var err error
	if res.Cities, err = imports.Cities(ctx, st, "seed/cities.csv", bytes.NewReader(citiesCSV)); err != nil {
		return res, fmt.Errorf("seed cities: %w", err)
	}
	if res.Municipalities, err = imports.Municipalities(ctx, st, "seed/municipalities.csv", bytes.NewReader(municipalitiesCSV)); err != nil {
		return res, fmt.Errorf("seed municipalities: %w", err)
	}
	opts := imports.ProfileOptions{OnlyIfMissing: true, StartingPoint: true}
	if res.Profiles, err = imports.Profiles(ctx, st, "seed/profiles.json", bytes.NewReader(profilesJSON), opts); err != nil {
		return res, fmt.Errorf("seed profiles: %w", err)
	}
	if res.Projects, err = imports.Projects(ctx, st, "seed/projects.csv", bytes.NewReader(projectsCSV), "seed"); err != nil {
		return res, fmt.Errorf("seed projects: %w", err)
	}
	if res.Derived, err = DeriveProfiles(ctx, st); err != nil {
		return res, err
	}
	sources, err := Sources()
	if err != nil {
		return res, err
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for _, src := range sources {
			if err := tx.SaveCrawlSource(ctx, src); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("seed crawl sources: %w", err)
	}
	return res, nil
}

// Sources are the crawl sources fundmatch ships: the Funding & Tenders
// Portal every six hours, and the HTML pages of the Flemish ERDF programme,
// the European Urban Initiative and the Interreg programmes that cover
// Flanders once a day, and the EU history downloads (sources.go) monthly. Seeding adds a missing source and updates a shipped
// one's settings, but keeps an admin's enabled flag and next run.
func Sources() ([]store.CrawlSource, error) {
	out := []store.CrawlSource{
		{Name: "ftportal", Kind: "ftportal", Title: "EU Funding & Tenders Portal (SEDIA search API)", Enabled: true, Schedule: 6 * time.Hour},
	}
	configs, err := htmlsource.Sources()
	if err != nil {
		return nil, fmt.Errorf("shipped HTML sources: %w", err)
	}
	for _, cfg := range configs {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, store.CrawlSource{Name: cfg.Name, Kind: "html", Title: cfg.ProgrammeName, Config: b, Enabled: true, Schedule: 24 * time.Hour})
	}
	history, err := historyCrawlSources()
	if err != nil {
		return nil, fmt.Errorf("history sources: %w", err)
	}
	return append(out, history...), nil
}
