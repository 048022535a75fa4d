package matching

import (
	"os"
	"testing"
	"time"
)

// smallVocabulary is a hand-written excerpt of the vocabulary, so unit tests
// do not depend on the curated file's exact contents.
func smallVocabulary(t testing.TB) *Vocabulary {
	t.Helper()
	f, err := os.Open("testdata/vocabulary-small.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := ParseVocabulary(f)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustDate(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func money(f float64) *float64 { return &f }

var testNow = mustDate("2026-11-23")

// testCalls are three open calls in English and Dutch plus decoys.
func testCalls() []Call {
	return []Call{
		{
			Identifier: "HORIZON-MISS-2027-CIT-01", Programme: "HORIZON", Kind: KindTopic, Status: StatusOpen,
			Title:       "Air quality monitoring with low-cost sensor networks in cities",
			Summary:     "Cities deploy sensor networks to measure air pollution and particulate matter.",
			Description: "Proposals should develop digital twins of urban air quality, engaging citizens in co-creation. Local authorities are expected to lead pilots.",
			Keywords:    []string{"air quality", "sensors", "digital twin"},
			Deadlines:   []time.Time{mustDate("2027-04-15")}, BudgetMax: money(6e6),
		},
		{
			Identifier: "LIFE-2027-CLIMA-CCA", Programme: "LIFE", Kind: KindTopic, Status: StatusOpen,
			Title:       "Urban heat and climate adaptation through nature-based solutions",
			Summary:     "Reduce heat islands in dense neighbourhoods.",
			Description: "Municipalities implement nature-based solutions, greening and de-sealing to adapt to heatwaves and protect biodiversity.",
			Deadlines:   []time.Time{mustDate("2027-03-01")}, BudgetMax: money(2e6), FundingRate: money(60),
		},
		{
			Identifier: "EFRO-VL-2027-01", Programme: "ERDF-VL", Kind: KindCall, Status: StatusOpen,
			Title:       "Oproep slimme stad: deelmobiliteit en laadinfrastructuur",
			Summary:     "Steden en gemeenten die deelmobiliteit uitrollen in hun kern.",
			Description: "De oproep steunt lokale besturen die deelfietsen, deelauto's en laadpalen combineren in mobiliteitshubs.",
			Deadlines:   []time.Time{mustDate("2027-02-15")}, BudgetMax: money(1e6), FundingRate: money(40),
		},
		{
			Identifier: "HORIZON-EIC-2027-ACCELERATOR", Programme: "HORIZON", Kind: KindTopic, Status: StatusOpen,
			Title:       "EIC Accelerator",
			Summary:     "Grant and equity support for start-ups and SMEs with breakthrough innovations.",
			Description: "Single company applicants; air quality sensor start-ups welcome.",
			Deadlines:   []time.Time{mustDate("2027-03-04")},
		},
		{
			Identifier: "DIGITAL-2026-CLOSED", Programme: "DIGITAL", Kind: KindTopic, Status: StatusClosed,
			Title:     "Digital twins for local authorities",
			Deadlines: []time.Time{mustDate("2026-09-01")},
		},
	}
}

func gentApplicant() Applicant {
	return Applicant{
		City: City{Slug: "gent", Name: "Gent", Province: "Oost-Vlaanderen", Arrondissement: "Gent", Population: 265000, Kind: CityCentre},
		Profile: Profile{
			City:          "gent",
			DomainWeights: map[Domain]float64{DomainEnvironment: 1, DomainMobility: 0.8, DomainGovernment: 0.5},
			KeywordsNL:    []string{"luchtkwaliteitsmeetnet", "hittestress", "deelmobiliteit", "digitale tweeling"},
		},
		Projects: []Project{{
			Title: "Meetnet luchtkwaliteit", Summary: "Burgers meten fijnstof met sensoren in hun straat.",
			Year: 2022, Programme: "COT", Domains: []Domain{DomainEnvironment},
		}},
	}
}
