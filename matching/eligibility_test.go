package matching

import (
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

func TestGeographyOfInterregAndERDF(t *testing.T) {
	tests := []struct {
		name, programme, province, arrondissement string
		kind                                      CityKind
		want                                      funding.Eligibility
	}{
		{"Gent is in Vlaanderen-Nederland", "INTERREG-VLNL", "Oost-Vlaanderen", "Gent", CityCentre, funding.Eligible},
		{"Leuven is in Vlaanderen-Nederland", "INTERREG-VLNL", "Vlaams-Brabant", "Leuven", CityCentre, funding.Eligible},
		{"Halle-Vilvoorde is not", "INTERREG-VLNL", "Vlaams-Brabant", "Halle-Vilvoorde", CityMunicipality, funding.Ineligible},
		{"Brugge is in Vlaanderen-Nederland", "INTERREG-VLNL", "West-Vlaanderen", "Brugge", CityCentre, funding.Eligible},
		{"Ieper is not", "INTERREG-VLNL", "West-Vlaanderen", "Ieper", CityMunicipality, funding.Ineligible},
		{"Veurne is not", "INTERREG-VLNL", "Provincie West-Vlaanderen", "Arrondissement Veurne", CityMunicipality, funding.Ineligible},
		{"West Flanders without arrondissement is unknown", "INTERREG-VLNL", "West-Vlaanderen", "", CityMunicipality, funding.EligibilityUnknown},
		{"no province is unknown", "INTERREG-NWE", "", "", CityMunicipality, funding.EligibilityUnknown},
		{"Ieper is in North-West Europe", "INTERREG-NWE", "West-Vlaanderen", "Ieper", CityMunicipality, funding.Eligible},
		{"the VGC is in North-West Europe", "INTERREG-NWE", "Brussel", "Brussel-Hoofdstad", CityVGC, funding.Eligible},
		{"the VGC is outside the Flemish ERDF programme", "ERDF-VL", "Brussel", "Brussel-Hoofdstad", CityVGC, funding.Ineligible},
		{"Genk is in the Flemish ERDF programme", "ERDF-VL", "Limburg", "Maaseik", CityCentre, funding.Eligible},
		{"Horizon Europe has no area", "HORIZON", "", "", CityMunicipality, funding.Eligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := geography(tt.programme, "X", place(tt.province), place(tt.arrondissement), tt.kind)
			if got != tt.want {
				t.Errorf("geography = %s (%v), want %s", got, reason, tt.want)
			}
			if (got == funding.Eligible) != (reason == nil) {
				t.Errorf("geography = %s with reason %v: a reason is due exactly when not eligible", got, reason)
			}
		})
	}
}

func TestCallRulesForApplicantsOtherThanCities(t *testing.T) {
	tests := []struct {
		name string
		call Call
		want funding.Eligibility
		code string
	}{
		{"open city call", Call{Identifier: "LIFE-2027-X", Programme: "LIFE", Status: StatusOpen, Title: "Urban heat"}, funding.Eligible, ""},
		{"closed", Call{Identifier: "X", Status: StatusClosed}, funding.Ineligible, ReasonClosed},
		{"tender", Call{Identifier: "X", Kind: KindTender, Status: StatusOpen}, funding.Ineligible, ReasonTender},
		{"EIC topic", Call{Identifier: "HORIZON-EIC-2026-ACCELERATOR-01", Programme: "HORIZON", Status: StatusOpen}, funding.Ineligible, ReasonApplicantType},
		{"ERC grant", Call{Identifier: "ERC-2027-STG", Programme: "HORIZON", Status: StatusOpen}, funding.Ineligible, ReasonApplicantType},
		{"SMEs only in the notes", Call{Identifier: "X", Status: StatusOpen, EligibilityNotes: "Open to SMEs only."}, funding.Ineligible, ReasonApplicantType},
		{"start-ups in the title", Call{Identifier: "X", Status: StatusOpen, Title: "Scale-up support for start-ups"}, funding.Ineligible, ReasonApplicantType},
		{"individual researchers in the description", Call{Identifier: "X", Status: StatusOpen, Description: "Grants to individual researchers."}, funding.EligibilityUnknown, ReasonApplicantTypeCue},
		{"designated national bodies", Call{Identifier: "X", Status: StatusOpen, EligibilityNotes: "Only the competent national or regional authorities designated by the Member State may coordinate."}, funding.Ineligible, ReasonApplicantType},
		{"less developed regions", Call{Identifier: "X", Status: StatusOpen, EligibilityNotes: "At least half of the partners in less developed regions."}, funding.Ineligible, ReasonApplicantType},
		{"public bodies named in the notes", Call{Identifier: "X", Status: StatusOpen, EligibilityNotes: "Local authorities and start-ups may apply."}, funding.Eligible, ""},

		// The type of action decides where the identifier does not say.
		{"EIC equity by its type of action alone", stepScaleUp("HORIZON-2026-STEP-SCALEUP", KindTopic), funding.Ineligible, ReasonApplicantType},
		{"EIC Accelerator by its type of action", Call{Identifier: "HORIZON-2027-ACCELERATOR-01", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"HORIZON EIC Accelerator Blended Finance"}}, funding.Ineligible, ReasonApplicantType},
		{"ERC by its type of action", Call{Identifier: "HORIZON-2027-STG", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"ERC Starting Grant"}}, funding.Ineligible, ReasonApplicantType},
		{"MSCA postdoctoral fellowships by their type code", Call{Identifier: "HORIZON-2027-PF-01", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"HORIZON-TMA-MSCA-PF-EF"}}, funding.Ineligible, ReasonApplicantType},
		{"postdoctoral fellowships named in the type of action", Call{Identifier: "HORIZON-2027-PF-02", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"HORIZON Postdoctoral Fellowships"}}, funding.Ineligible, ReasonApplicantType},
		{"tender by its type of action", Call{Identifier: "DIGITAL-2027-DATA", Programme: "DIGITAL", Status: StatusOpen,
			TypesOfAction: []string{"Call for tenders (services)"}}, funding.Ineligible, ReasonTender},
		{"procurement reference", Call{Identifier: "EC-CNECT/2027/OP/0012", Status: StatusOpen, Title: "Study on local digital twins"}, funding.Ineligible, ReasonTender},
		{"restricted procedure reference", Call{Identifier: "NEAR/BEG/2023/EA-RP/0169", Status: StatusOpen}, funding.Ineligible, ReasonTender},
		{"call for tenders in the title", Call{Identifier: "X", Status: StatusOpen, Title: "Call for tenders: technical assistance to the Covenant of Mayors"}, funding.Ineligible, ReasonTender},
		{"pre-commercial procurement is a grant to public buyers", Call{Identifier: "HORIZON-CL5-2027-D4-01-05", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"HORIZON-PCP HORIZON Pre-commercial Procurement"}}, funding.Eligible, ""},
		{"public procurement of innovative solutions is too", Call{Identifier: "HORIZON-CL6-2027-GOVERNANCE-01-08", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"HORIZON PPI Public Procurement of Innovative solutions"}}, funding.Eligible, ""},
		{"a Horizon topic's segments are no procurement reference", Call{Identifier: "HORIZON-CL5-2024-D2-01-03", Programme: "HORIZON", Status: StatusOpen,
			TypesOfAction: []string{"HORIZON Research and Innovation Actions"}}, funding.Eligible, ""},

		// A cascade call keeps its parent's types of action; its own rules count.
		{"cascade call under an EIC equity topic, open to cities", func() Call {
			c := stepScaleUp("11321COMPETITIVE_CALLen", KindCascade)
			c.Title, c.Description = "Open call: digital health pilots with municipalities", "Pilot digital health services with a city."
			c.EligibilityNotes = "Who can apply: local authorities (municipalities, cities) in EU Member States, alone or with an SME."
			return c
		}(), funding.Eligible, ""},
		{"cascade call for SMEs only", func() Call {
			c := stepScaleUp("11322COMPETITIVE_CALLen", KindCascade)
			c.Title, c.EligibilityNotes = "Open call for health start-up pilots", "Open to SMEs only."
			return c
		}(), funding.Ineligible, ReasonApplicantType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reasons := callRules(&tt.call)
			if got != tt.want {
				t.Fatalf("callRules = %s %v, want %s", got, reasons, tt.want)
			}
			if tt.code != "" && (len(reasons) == 0 || reasons[0].Code != tt.code) {
				t.Errorf("reasons = %v, want code %q", reasons, tt.code)
			}
			for _, r := range reasons {
				if r.NL == "" || r.EN == "" {
					t.Errorf("reason %q lacks a Dutch or English text", r.Code)
				}
			}
		})
	}
}

// stepScaleUp is the real HORIZON-EIC-2026-STEP record as the matcher sees
// it, under another identifier.
func stepScaleUp(identifier string, kind Kind) Call {
	return Call{Identifier: identifier, Source: "ftportal", Programme: "HORIZON", Kind: kind, Status: StatusOpen,
		Title: "STEP Scale Up", TypesOfAction: []string{"HORIZON EIC Equity Only"},
		Description: "The EIC STEP Scale Up call offers a total indicative budget of EUR 300 million for 2026. " +
			"The support will be in the form of equity-only investments managed by the EIC Fund.",
		EligibilityNotes: "described in Annex 2(B. funding.Eligibility) of the EIC Work Programme 2026",
		Deadlines:        []time.Time{mustDate("2026-11-25")}}
}

func TestAnIneligibleTypeOfActionIsNamedInBothLanguages(t *testing.T) {
	c := stepScaleUp("HORIZON-2026-STEP-SCALEUP", KindTopic)
	_, reasons := callRules(&c)
	if len(reasons) != 1 || !strings.Contains(reasons[0].EN, `"HORIZON EIC Equity Only"`) ||
		!strings.Contains(reasons[0].NL, `soort actie "HORIZON EIC Equity Only"`) {
		t.Errorf("reasons = %+v, want the type of action named in Dutch and English", reasons)
	}
}

func TestDeadlineCheckAgainstPreparationTime(t *testing.T) {
	now := dayOf(mustDate("2026-11-23"))
	days := func(ds ...string) []day {
		var out []day
		for _, d := range ds {
			out = append(out, dayOf(mustDate(d)))
		}
		return out
	}
	tests := []struct {
		name      string
		deadlines []day
		prep      int
		want      funding.Eligibility
		code      string
		daysLeft  int
	}{
		{"enough time", days("2027-03-01"), 45, funding.Eligible, "", 98},
		{"too close", days("2026-12-10"), 21, funding.Ineligible, ReasonDeadlineTooClose, 17},
		{"first cut-off passed, next one counts", days("2026-10-01", "2027-01-20"), 21, funding.Eligible, "", 58},
		{"every deadline passed", days("2026-10-01"), 21, funding.Ineligible, ReasonDeadlinePassed, -1},
		{"no deadline is unknown", nil, 21, funding.EligibilityUnknown, ReasonNoDeadline, -1},
		{"deadline today counts as too close", days("2026-11-23"), 21, funding.Ineligible, ReasonDeadlineTooClose, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason, left := deadlineCheck(tt.deadlines, now, tt.prep)
			if got != tt.want || left != tt.daysLeft {
				t.Errorf("deadlineCheck = %s, %d days; want %s, %d days", got, left, tt.want, tt.daysLeft)
			}
			if code := ""; reason != nil {
				code = reason.Code
				if code != tt.code {
					t.Errorf("reason %q, want %q", code, tt.code)
				}
			} else if tt.code != "" {
				t.Errorf("no reason, want %q", tt.code)
			}
		})
	}
}

func TestProgrammeRulesOfACity(t *testing.T) {
	m, err := NewModel(nil, Options{Vocabulary: smallVocabulary(t)})
	if err != nil {
		t.Fatal(err)
	}
	genk := Applicant{City: City{Slug: "genk", Name: "Genk", Province: "Limburg", Arrondissement: "Maaseik"},
		Profile: Profile{ExcludedProgrammes: []string{"erasmus"}}}
	q := m.Query(genk)
	if pr := q.rules("HORIZON"); pr.prep != 45 || pr.status != funding.Eligible {
		t.Errorf("HORIZON rules = %+v, want 45 preparation days, eligible", pr)
	}
	if pr := q.rules("CERV"); pr.prep != 30 {
		t.Errorf("CERV preparation = %d, want 30", pr.prep)
	}
	if pr := q.rules("SMP"); pr.prep != defaultPreparationDays {
		t.Errorf("SMP preparation = %d, want the default %d", pr.prep, defaultPreparationDays)
	}
	if pr := q.rules("ERDF-VL"); pr.rate != 60 {
		t.Errorf("ERDF-VL rate for Limburg = %v, want 60", pr.rate)
	}
	if pr := q.rules("ERASMUS"); pr.status != funding.Ineligible || pr.reasons[0].Code != ReasonProgrammeExcluded {
		t.Errorf("excluded ERASMUS rules = %+v, want ineligible, programme excluded", pr)
	}
	genk.Profile.PreparationDays = 60
	if pr := m.Query(genk).rules("HORIZON"); pr.prep != 60 {
		t.Errorf("profile preparation days: got %d, want 60", pr.prep)
	}
}

func TestPopulationLimitsFromEligibilityNotes(t *testing.T) {
	tests := []struct {
		notes      string
		population int
		want       funding.Eligibility
	}{
		{"Urban authorities of a local administrative unit with at least 50,000 inhabitants.", 35800, funding.Ineligible},
		{"Urban authorities of a local administrative unit with at least 50,000 inhabitants.", 265000, funding.Eligible},
		{"Municipalities with fewer than 100,000 inhabitants.", 265000, funding.Ineligible},
		{"Municipalities with fewer than 100,000 inhabitants.", 35800, funding.Eligible},
		{"Gemeenten met minder dan 20.000 inwoners.", 19999, funding.Eligible},
		{"Gemeenten met minder dan 20.000 inwoners.", 20000, funding.Ineligible},
		{"Municipalities with fewer than 100,000 inhabitants.", 0, funding.EligibilityUnknown},
		{"Public bodies are eligible.", 0, funding.Eligible},
	}
	for _, tt := range tests {
		t.Run(tt.notes, func(t *testing.T) {
			lo, hi := populationLimits(tt.notes)
			if got, r := populationCheck(lo, hi, tt.population); got != tt.want {
				t.Errorf("population %d: %s (%v), want %s", tt.population, got, r, tt.want)
			}
		})
	}
}
