package planning

import (
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching/consortium"
)

// InVlaanderenNederland reports whether a city lies in the programme area of
// Interreg Vlaanderen-Nederland: the provinces of Antwerpen, Limburg and
// Oost-Vlaanderen, the arrondissement of Leuven, and West-Vlaanderen except
// the arrondissements of Veurne and Ieper.
func InVlaanderenNederland(province, arrondissement string) bool {
	switch province {
	case "Antwerpen", "Limburg", "Oost-Vlaanderen":
		return true
	case "Vlaams-Brabant":
		return arrondissement == "Leuven"
	case "West-Vlaanderen":
		return arrondissement != "Veurne" && arrondissement != "Ieper"
	}
	return false
}

// ActionKind tells a call's kind of action from its types of action: a call
// with a research and innovation, innovation, or coordination and support
// action (RIA, IA, CSA) is collaborative; one whose only types are
// single-beneficiary grants (ERC, MSCA postdoctoral fellowships, the EIC
// Accelerator, anything marked mono-beneficiary) admits one applicant; a
// call with no types of action is taken as collaborative.
func ActionKind(types []string) consortium.ActionKind {
	mono := false
	for _, t := range types {
		lower := strings.ToLower(t)
		for _, tok := range strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '/' }) {
			if tok == "RIA" || tok == "IA" || tok == "CSA" {
				return consortium.Collaborative
			}
			if tok == "ERC" || tok == "PF" || tok == "EIC" {
				mono = true
			}
		}
		if strings.Contains(lower, "innovation action") || strings.Contains(lower, "coordination and support") {
			return consortium.Collaborative
		}
		if strings.Contains(lower, "mono-beneficiary") || strings.Contains(lower, "postdoctoral") || strings.Contains(lower, "accelerator") {
			mono = true
		}
	}
	if mono {
		return consortium.MonoBeneficiary
	}
	return consortium.Collaborative
}

// defaultFundingRate is the EU share of a programme's grants, in percent,
// when the call does not state it.
var defaultFundingRate = map[string]float64{
	"HORIZON": 100, "DIGITAL": 50, "LIFE": 60, "CEF": 50, "ERDF-VL": 40, "COT": 50, "EUI": 80,
	"INTERREG-VLNL": 60, "INTERREG-NWE": 60,
}

// typicalPartners is the number of partners a city's share of a grant's
// budget is estimated over, foreign partners included.
const typicalPartners = 4

// coFundingNeeded estimates what a bid for the call asks of one city: its
// share of the largest grant that the EU does not pay. Zero when the budget
// is unknown.
func coFundingNeeded(c store.PlanCall) float64 {
	if c.BudgetMax == nil {
		return 0
	}
	rate, ok := defaultFundingRate[strings.ToUpper(c.Programme)]
	if c.FundingRate != nil && *c.FundingRate > 0 {
		rate, ok = *c.FundingRate, true
	}
	if !ok {
		rate = 50
	}
	return math.Round(*c.BudgetMax * (100 - rate) / 100 / typicalPartners)
}

// storedExplanation is the part of a stored match explanation the planner
// reads: the vocabulary concepts matched and the past project it resembles.
type storedExplanation struct {
	Concepts []struct {
		Concept string `json:"concept"`
		Domain  string `json:"domain"`
	} `json:"concepts"`
	Project *struct {
		Title string `json:"title"`
		Year  int    `json:"year"`
	} `json:"project"`
}

// callInput is a call with its candidates, as planner input.
type callInput struct {
	record     store.PlanCall
	call       consortium.Call
	candidates []consortium.Candidate
}

// buildCall turns a stored call and its matches into planner input. The
// call's needs are the vocabulary concepts its stored match explanations
// found in both the call and a city's profile, each of weight one; a city
// covers the concepts of its own explanation, with strength 0.5 + 0.5 ×
// the match's relevance and the resembling past project as evidence. A
// match without a stored explanation adds its fit but covers nothing. The
// cities of frontRunners did a project like the call: front-runners for it,
// whom the planner likes to pair with newcomers.
func buildCall(c store.PlanCall, matches []store.PlanMatch, cities map[string]consortium.City, frontRunners []string) callInput {
	in := callInput{record: c, call: consortium.Call{
		Identifier: c.Identifier,
		Programme:  consortium.Programme(strings.ToUpper(c.Programme)),
		Action:     ActionKind(c.TypesOfAction),
	}}
	if c.BudgetMax != nil {
		in.call.Budget = *c.BudgetMax
	}
	need := coFundingNeeded(c)
	for _, m := range matches {
		city, ok := cities[m.City]
		if !ok {
			continue // no profile: no capacity to plan with
		}
		var e storedExplanation
		_ = json.Unmarshal(m.Explanation, &e) // an empty or older explanation covers nothing
		cand := consortium.Candidate{City: city, Fit: float64(m.Score),
			Eligibility: m.Eligibility, CoFundingNeeded: need,
			FrontRunner: slices.Contains(frontRunners, m.City)}
		for _, cm := range e.Concepts {
			if cm.Concept == "" || slices.ContainsFunc(cand.Covers, func(cv consortium.Coverage) bool { return cv.Concept == cm.Concept }) {
				continue
			}
			cov := consortium.Coverage{Concept: cm.Concept, Strength: 0.5 + 0.5*min(max(m.Relevance, 0), 1)}
			if e.Project != nil {
				cov.Evidence = consortium.Project{Title: e.Project.Title, Year: e.Project.Year}
			}
			cand.Covers = append(cand.Covers, cov)
			if !slices.ContainsFunc(in.call.Needs, func(n consortium.Need) bool { return n.Concept == cm.Concept }) {
				in.call.Needs = append(in.call.Needs, consortium.Need{Concept: cm.Concept, Weight: 1})
			}
		}
		in.candidates = append(in.candidates, cand)
	}
	slices.SortFunc(in.call.Needs, func(a, b consortium.Need) int { return strings.Compare(a.Concept, b.Concept) })
	return in
}

// planCities turns the stored cities into the planner's, by slug.
func planCities(rows []store.PlanCity) map[string]consortium.City {
	out := make(map[string]consortium.City, len(rows))
	for _, r := range rows {
		out[r.Slug] = consortium.City{
			Slug: r.Slug, Name: r.Name, Province: r.Province, Country: "BE",
			InVlaanderenNederland: InVlaanderenNederland(r.Province, r.Arrondissement),
			Experience:            consortium.Experience{PastEUProjects: r.PastEUProjects, ProgrammesLed: r.ProjectsLed},
			Capacity: consortium.Capacity{MaxConcurrentBids: r.MaxConcurrentBids, BidsInProgress: r.BidsInProgress,
				CoFunding: r.CoFunding},
		}
	}
	return out
}

// history turns the stored collaboration record into the planner's.
func history(joint []store.JointProjects, foreign []store.ForeignPartner) consortium.History {
	var h consortium.History
	for _, j := range joint {
		h.Joint = append(h.Joint, consortium.Collaboration{A: j.A, B: j.B, JointProjects: j.Count})
	}
	for _, f := range foreign {
		fp := consortium.ForeignPartner{Name: f.Name, Country: f.Country}
		for _, p := range f.Programmes {
			fp.Programmes = append(fp.Programmes, consortium.Programme(programmeCode(p)))
		}
		h.Foreign = append(h.Foreign, fp)
	}
	return h
}

// programmeCode maps the programme of an imported past project to the
// planner's code, so that a Horizon 2020 partner counts for Horizon Europe.
func programmeCode(p string) string {
	up := strings.ToUpper(strings.TrimSpace(p))
	switch {
	case up == "H2020" || up == "FP7" || strings.HasPrefix(up, "HORIZON"):
		return string(consortium.Horizon)
	case strings.Contains(up, "VLAANDEREN-NEDERLAND") || up == "INTERREG-VLNL":
		return string(consortium.InterregVLNL)
	case strings.Contains(up, "NORTH-WEST") || strings.Contains(up, "NWE"):
		return string(consortium.InterregNWE)
	}
	return up
}
