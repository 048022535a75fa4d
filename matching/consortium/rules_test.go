package consortium

import (
	"testing"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/google/go-cmp/cmp"
)

func TestProgrammeRulesShapeTheConsortium(t *testing.T) {
	tests := []struct {
		name     string
		call     Call
		min, max int
		missing  []Constraint // with a two-city bid of eligible cities
	}{
		{"Horizon collaborative needs two foreign partners from two other countries",
			Call{Programme: Horizon}, 2, 8,
			[]Constraint{{CodeForeign, "heeft nog twee buitenlandse partners uit twee andere landen nodig", "needs two foreign partners from two other countries"}}},
		{"Horizon mono-beneficiary admits one city and no partners",
			Call{Programme: Horizon, Action: MonoBeneficiary}, 1, 1, nil},
		{"Digital Europe collaborative needs partners from three countries",
			Call{Programme: Digital}, 2, 6,
			[]Constraint{{CodeForeign, "heeft nog twee buitenlandse partners uit twee andere landen nodig", "needs two foreign partners from two other countries"}}},
		{"Interreg North-West Europe needs two partners from two other NWE countries",
			Call{Programme: InterregNWE}, 2, 6,
			[]Constraint{{CodeForeign, "heeft nog twee partners uit twee andere landen van Noordwest-Europa nodig", "needs two partners from two other North-West Europe countries"}}},
		{"Interreg Vlaanderen-Nederland needs a Dutch partner across the border",
			Call{Programme: InterregVLNL}, 2, 6,
			[]Constraint{{CodeForeign, "heeft nog een Nederlandse partner aan de andere kant van de grens nodig", "needs a Dutch partner across the border"}}},
		{"Flemish ERDF allows a single applicant", Call{Programme: ERDFFlanders}, 1, 6, nil},
		{"City of Things allows a single applicant", Call{Programme: CityOfThings}, 1, 6, nil},
		{"European Urban Initiative allows a single applicant and three cities at most", Call{Programme: UrbanInitiative}, 1, 3, nil},
		{"CEF joint bids follow the 6Aika rule with at most four cities", Call{Programme: CEF}, 2, 4, nil},
		{"LIFE joint bids follow the 6Aika rule", Call{Programme: Life}, 2, 6, nil},
		{"an unknown programme follows the 6Aika rule", Call{Programme: "CERV"}, 2, 6, nil},
		{"a call's own maximum overrides the programme's", Call{Programme: Horizon, MaxCities: 3}, 2, 3,
			[]Constraint{{CodeForeign, "heeft nog twee buitenlandse partners uit twee andere landen nodig", "needs two foreign partners from two other countries"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ruleFor(tt.call)
			if r.minCities != tt.min || r.maxCities != tt.max {
				t.Fatalf("cities %d..%d, want %d..%d", r.minCities, r.maxCities, tt.min, tt.max)
			}
			members := []Member{
				{City: "gent", Name: "Gent", Role: Lead, Contribution: Contribution{Eligibility: funding.Eligible}},
				{City: "aalst", Name: "Aalst", Role: Partner, Contribution: Contribution{Eligibility: funding.Eligible}},
			}
			_, missing := constraints(tt.call, members[:min(2, tt.max)])
			if diff := cmp.Diff(tt.missing, missing); diff != "" {
				t.Errorf("missing constraints (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConstraintsNameTheBidInDutchAndEnglish(t *testing.T) {
	members := []Member{
		{City: "gent", Name: "Gent", Role: Lead, Contribution: Contribution{Eligibility: funding.Eligible}},
		{City: "aalst", Name: "Aalst", Role: Partner, Contribution: Contribution{Eligibility: funding.EligibilityUnknown}},
		{City: "ronse", Name: "Ronse", Role: Partner, Contribution: Contribution{Eligibility: funding.EligibilityUnknown}},
	}
	met, missing := constraints(Call{Programme: InterregVLNL}, members)
	wantMet := []Constraint{
		{CodeMinCities, "drie Vlaamse steden, minstens twee voor een gezamenlijk voorstel", "three Flemish cities, at least two for a joint bid"},
		{CodeMaxCities, "niet meer dan zes Vlaamse steden", "no more than six Flemish cities"},
		{CodeOneLead, "één trekker: Gent", "one lead: Gent"},
		{CodeCapacity, "elke stad heeft een vrije plaats voor een voorstel en genoeg cofinanciering", "every city has a free bid slot and enough co-funding"},
		{CodeBorderArea, "alle Vlaamse partners liggen in het programmagebied Interreg Vlaanderen-Nederland", "every Flemish member lies in the Interreg Vlaanderen-Nederland programme area"},
	}
	wantMissing := []Constraint{
		{CodeForeign, "heeft nog een Nederlandse partner aan de andere kant van de grens nodig", "needs a Dutch partner across the border"},
		{CodeEligibility, "in aanmerking komen nog niet bevestigd voor Aalst, Ronse", "eligibility not yet confirmed for Aalst, Ronse"},
	}
	if diff := cmp.Diff(wantMet, met); diff != "" {
		t.Errorf("met (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantMissing, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
}

func TestExclusionsSayWhyACityCannotJoin(t *testing.T) {
	city := func(slots, inProgress int, coFunding float64, border bool) City {
		return City{Slug: "c", InVlaanderenNederland: border, Capacity: Capacity{MaxConcurrentBids: slots, BidsInProgress: inProgress, CoFunding: coFunding}}
	}
	tests := []struct {
		name string
		call Call
		cand Candidate
		want string // reason code, "" when the city may join
	}{
		{"ineligible never joins", Call{}, Candidate{City: city(2, 0, 1e6, true), Eligibility: funding.Ineligible}, "ineligible"},
		{"unknown eligibility may join", Call{}, Candidate{City: city(2, 0, 1e6, true), Eligibility: funding.EligibilityUnknown}, ""},
		{"no free slot", Call{}, Candidate{City: city(2, 2, 1e6, true), Eligibility: funding.Eligible}, "no-bid-slot"},
		{"too little co-funding", Call{}, Candidate{City: city(2, 0, 1e5, true), Eligibility: funding.Eligible, CoFundingNeeded: 2e5}, "co-funding"},
		{"outside the Vlaanderen-Nederland area", Call{Programme: InterregVLNL}, Candidate{City: city(2, 0, 1e6, false), Eligibility: funding.Eligible}, "outside-border-area"},
		{"outside the area matters only for that programme", Call{Programme: InterregNWE}, Candidate{City: city(2, 0, 1e6, false), Eligibility: funding.Eligible}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why, out := exclusion(ruleFor(tt.call), tt.cand)
			got := ""
			if out {
				got = why.Code
			}
			if got != tt.want {
				t.Errorf("reason %q, want %q", got, tt.want)
			}
		})
	}
}
