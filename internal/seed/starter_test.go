package seed

import (
	"slices"
	"testing"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/store"
)

func TestStarterProfileDrawsFromTheMostSimilarMunicipalities(t *testing.T) {
	profile := func(slug string, w store.DomainWeights, nl ...string) store.Profile {
		return store.Profile{City: slug, DomainWeights: w, KeywordsNL: nl, KeywordsEN: pq.StringArray{"x"}, CoFundingCapacity: 100_000}
	}
	sources := []source{
		{store.City{ID: 1, Slug: "genk", Province: "Limburg", Arrondissement: "Hasselt", Population: 67000, Kind: store.KindCentreCity},
			profile("genk", store.DomainWeights{Economy: 0.9, People: 0.9}, "werkgelegenheid", "jongeren", "mijnerfgoed")},
		{store.City{ID: 2, Slug: "hasselt", Province: "Limburg", Arrondissement: "Hasselt", Population: 81000, Kind: store.KindCentreCity},
			profile("hasselt", store.DomainWeights{Economy: 0.7, Mobility: 0.8}, "jongeren", "mobiliteit")},
		{store.City{ID: 3, Slug: "aalst", Province: "Oost-Vlaanderen", Arrondissement: "Aalst", Population: 90000, Kind: store.KindCentreCity},
			profile("aalst", store.DomainWeights{Environment: 1}, "Dender", "leegstand")},
		{store.City{ID: 4, Slug: "vgc", Province: "Brussel", Kind: store.KindVGC},
			profile("vgc", store.DomainWeights{Government: 1}, "onderwijs")},
	}
	herstappe := store.City{ID: 9, Slug: "herstappe", Province: "Limburg", Arrondissement: "Tongeren", Kind: store.KindMunicipality}
	own := []store.CityProject{{Project: store.Project{Domains: pq.StringArray{"environment"}}}}
	p, ok := starterProfile(herstappe, own, sources)
	if !ok || !p.Derived || p.CityID != 9 {
		t.Fatalf("starterProfile = %+v, %v", p, ok)
	}
	// Genk and Hasselt (Limburg) only: Aalst shares nothing, the VGC is never a source.
	if p.DomainWeights.Economy != 0.8 || p.DomainWeights.People != 0.45 || p.DomainWeights.Mobility != 0.4 || p.DomainWeights.Government != 0 {
		t.Errorf("weights = %+v, want Genk's and Hasselt's averaged", p.DomainWeights)
	}
	// Its own project in the environment domain raises that weight.
	if p.DomainWeights.Environment != 0.3 {
		t.Errorf("environment = %v, want 0.3 from its own project", p.DomainWeights.Environment)
	}
	// Keywords both share come first; Aalst's river never comes in.
	if !slices.Equal(p.KeywordsNL, []string{"jongeren", "werkgelegenheid", "mijnerfgoed", "mobiliteit"}) {
		t.Errorf("keywords = %q", p.KeywordsNL)
	}
	if p.MaxConcurrentBids != 1 || p.CoFundingCapacity != 0 {
		t.Errorf("a municipality of unknown size gets %d bids and %v co-funding, want 1 and 0", p.MaxConcurrentBids, p.CoFundingCapacity)
	}
	if _, ok := starterProfile(herstappe, nil, nil); ok {
		t.Error("a profile derived from nothing")
	}
}
