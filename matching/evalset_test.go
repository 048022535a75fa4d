package matching

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The evaluation set in testdata/eval (see its README): calls, Dutch city
// profiles with past projects, and graded relevance labels.
const evalDir = "testdata/eval"

// evalNow is the evaluation date of the set.
var evalNow = mustDate("2026-11-23")

type evalCall struct {
	Identifier       string   `json:"identifier"`
	Source           string   `json:"source"`
	Programme        string   `json:"programme"`
	Kind             string   `json:"kind"`
	Title            string   `json:"title"`
	Summary          string   `json:"summary"`
	Description      string   `json:"description"`
	Keywords         []string `json:"keywords"`
	Tags             []string `json:"tags"`
	TypesOfAction    []string `json:"types_of_action"`
	EligibilityNotes string   `json:"eligibility_notes"`
	Status           string   `json:"status"`
	OpeningDate      string   `json:"opening_date"`
	Deadlines        []string `json:"deadlines"`
	BudgetMin        *float64 `json:"budget_min"`
	BudgetMax        *float64 `json:"budget_max"`
	CallBudget       *float64 `json:"call_budget"`
	FundingRate      *float64 `json:"funding_rate"`
}

type evalProfile struct {
	City               string             `json:"city"`
	Name               string             `json:"name"`
	Province           string             `json:"province"`
	Arrondissement     string             `json:"arrondissement"`
	Population         int                `json:"population"`
	Kind               string             `json:"kind"`
	DomainWeights      map[Domain]float64 `json:"domain_weights"`
	KeywordsNL         []string           `json:"keywords_nl"`
	KeywordsEN         []string           `json:"keywords_en"`
	ExcludedProgrammes []string           `json:"excluded_programmes"`
	PreparationDays    int                `json:"preparation_days"`
	MaxConcurrentBids  int                `json:"max_concurrent_bids"`
	CofundingCapacity  float64            `json:"cofunding_capacity"`
	Projects           []struct {
		Title     string   `json:"title"`
		Summary   string   `json:"summary"`
		Year      int      `json:"year"`
		Programme string   `json:"programme"`
		Domains   []Domain `json:"domains"`
		Budget    *float64 `json:"budget"`
	} `json:"projects"`
}

// evalSet is the loaded evaluation set.
type evalSet struct {
	calls      []Call
	applicants []Applicant
	grades     map[string]map[string]int // city -> call -> grade
}

// loadEvalSet loads testdata/eval, skipping the test when the data helper's
// files are not there yet.
func loadEvalSet(tb testing.TB) *evalSet {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(evalDir, "labels.tsv")); os.IsNotExist(err) {
		tb.Skip("no evaluation set in " + evalDir)
	}
	var raw []evalCall
	readJSON(tb, filepath.Join(evalDir, "calls.json"), &raw)
	var profiles []evalProfile
	readJSON(tb, filepath.Join(evalDir, "profiles.json"), &profiles)
	set := &evalSet{grades: map[string]map[string]int{}}
	for _, r := range raw {
		c, err := r.call()
		if err != nil {
			tb.Fatalf("calls.json: %v", err)
		}
		set.calls = append(set.calls, c)
	}
	for _, p := range profiles {
		set.applicants = append(set.applicants, p.applicant())
	}
	f, err := os.Open(filepath.Join(evalDir, "labels.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		cells := strings.Split(sc.Text(), "\t")
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if len(cells) < 3 {
			tb.Fatalf("labels.tsv line %d: %d cells", line, len(cells))
		}
		g, err := strconv.Atoi(strings.TrimSpace(cells[2]))
		if err != nil {
			tb.Fatalf("labels.tsv line %d: grade: %v", line, err)
		}
		if set.grades[cells[0]] == nil {
			set.grades[cells[0]] = map[string]int{}
		}
		set.grades[cells[0]][cells[1]] = g
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return set
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

func (r evalCall) call() (Call, error) {
	c := Call{
		Identifier: r.Identifier, Source: r.Source, Programme: r.Programme, Kind: Kind(r.Kind),
		Title: r.Title, Summary: r.Summary, Description: r.Description, Keywords: r.Keywords, Tags: r.Tags,
		TypesOfAction: r.TypesOfAction, EligibilityNotes: r.EligibilityNotes, Status: Status(r.Status),
		BudgetMin: r.BudgetMin, BudgetMax: r.BudgetMax, CallBudget: r.CallBudget, FundingRate: r.FundingRate,
	}
	if r.OpeningDate != "" {
		d, err := time.Parse("2006-01-02", r.OpeningDate)
		if err != nil {
			return Call{}, fmt.Errorf("%s: opening date: %w", r.Identifier, err)
		}
		c.OpeningDate = &d
	}
	for _, s := range r.Deadlines {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return Call{}, fmt.Errorf("%s: deadline: %w", r.Identifier, err)
		}
		c.Deadlines = append(c.Deadlines, d)
	}
	return c, nil
}

func (p evalProfile) applicant() Applicant {
	a := Applicant{
		City: City{Slug: p.City, Name: p.Name, Province: p.Province, Arrondissement: p.Arrondissement,
			Population: p.Population, Kind: CityKind(p.Kind)},
		Profile: Profile{City: p.City, DomainWeights: p.DomainWeights, KeywordsNL: p.KeywordsNL, KeywordsEN: p.KeywordsEN,
			ExcludedProgrammes: p.ExcludedProgrammes, PreparationDays: p.PreparationDays,
			MaxConcurrentBids: p.MaxConcurrentBids, CoFundingCapacity: p.CofundingCapacity},
	}
	for _, pr := range p.Projects {
		project := Project{Title: pr.Title, Summary: pr.Summary, Year: pr.Year, Programme: pr.Programme, Domains: pr.Domains}
		if pr.Budget != nil {
			project.Budget = *pr.Budget
		}
		a.Projects = append(a.Projects, project)
	}
	return a
}
