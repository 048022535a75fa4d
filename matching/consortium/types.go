// Package consortium plans joint bids the way Finland's six largest cities
// did in the 6Aika strategy: for a call, or a portfolio of calls, it proposes
// which Flemish cities bid together, who leads, and what each member brings,
// within each city's capacity and the programme's consortium rules. It is
// pure planning code: the caller supplies calls, candidate cities, capacity
// and collaboration history as plain values, and gets bids with their value
// explained and the constraints they meet or still miss, in Dutch and English.
package consortium

import (
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// Programme is the short code of a funding programme, e.g. "HORIZON" or
// "INTERREG-VLNL".
type Programme string

// The programmes with consortium rules of their own. Any other code gets
// the default rule: a joint bid of at least two Flemish cities.
const (
	Horizon         Programme = "HORIZON"
	Digital         Programme = "DIGITAL"
	Life            Programme = "LIFE"
	CEF             Programme = "CEF"
	ERDFFlanders    Programme = "ERDF-VL"
	CityOfThings    Programme = "COT"
	InterregVLNL    Programme = "INTERREG-VLNL"
	InterregNWE     Programme = "INTERREG-NWE"
	UrbanInitiative Programme = "EUI"
)

// ActionKind says whether a call funds a consortium or a single beneficiary;
// it only matters for programmes that have both (Horizon Europe, Digital Europe).
type ActionKind string

// The kinds of action.
const (
	Collaborative   ActionKind = "collaborative"    // RIA, IA, CSA with a consortium; the default
	MonoBeneficiary ActionKind = "mono-beneficiary" // one applicant only
)

// Need is one concept or domain a call asks for, with its weight.
type Need struct {
	Concept string
	Weight  float64 // relative importance; weights need not sum to one
}

// Call is the part of a funding call the planner uses.
type Call struct {
	Identifier string
	Programme  Programme
	Action     ActionKind // empty means Collaborative
	Needs      []Need
	Budget     float64 // euro, for information only
	// MaxCities overrides the programme's maximum number of Flemish cities
	// in one bid when positive.
	MaxCities int
}

// Project is a past project that shows a city can deliver on a concept.
type Project struct {
	Title string `json:"title"`
	Year  int    `json:"year,omitempty"`
}

// Coverage is how strongly a city covers one of the call's concepts.
type Coverage struct {
	Concept  string
	Strength float64 // 0..1
	Evidence Project // zero when there is none
}

// Experience is a city's track record with EU funding.
type Experience struct {
	PastEUProjects int `json:"past_eu_projects"` // EU-funded projects the city took part in
	ProgrammesLed  int `json:"programmes_led"`   // projects it led as coordinator or lead applicant
}

// Capacity is how many bids and how much co-funding a city can take on.
type Capacity struct {
	MaxConcurrentBids int
	BidsInProgress    int
	CoFunding         float64 // euro still available for co-funding
}

// City is a Flemish city or municipality as the planner sees it.
type City struct {
	Slug     string
	Name     string
	Province string
	Country  string // "BE"
	// InVlaanderenNederland is whether the city lies in the programme area
	// of Interreg Vlaanderen-Nederland.
	InVlaanderenNederland bool
	Experience            Experience
	Capacity              Capacity
}

// Candidate is a city considered for one call: its match with the call and
// what joining a bid for it would cost.
type Candidate struct {
	City        City
	Fit         float64 // match score 0..100 from the matcher
	Eligibility funding.Eligibility
	Covers      []Coverage // the call's concepts this city covers
	// CoFundingNeeded is the co-funding a bid for this call would ask of the city.
	CoFundingNeeded float64
	// FrontRunner is whether the city did a project like this call (its
	// past project clearly resembles the call): it is a front-runner for
	// the call whatever its EU record, and no newcomer to it.
	FrontRunner bool
}

// Collaboration is a count of past joint projects between two partners. A
// partner is a city slug or the name of a foreign partner.
type Collaboration struct {
	A, B          string
	JointProjects int
}

// ForeignPartner is a partner outside Belgium the cities have worked with.
type ForeignPartner struct {
	Name       string
	Country    string      // ISO 3166-1 alpha-2, e.g. "NL"
	Programmes []Programme // programmes it took part in with Flemish cities
}

// History is the collaboration record the planner draws synergy and partner
// suggestions from.
type History struct {
	Joint   []Collaboration
	Foreign []ForeignPartner
}

// CallCandidates is one call of a portfolio with its candidate cities.
type CallCandidates struct {
	Call       Call
	Candidates []Candidate
}

// Portfolio is a set of calls to plan together, sharing the cities' capacity.
type Portfolio struct {
	Calls   []CallCandidates
	History History
}

// Role is a member's role in a bid.
type Role string

// The roles in a bid.
const (
	Lead    Role = "lead"
	Partner Role = "partner"
)

// ConceptContribution is one call concept a member covers.
type ConceptContribution struct {
	Concept  string  `json:"concept"`
	Strength float64 `json:"strength"`
	Evidence Project `json:"evidence"`
	// Strongest is whether no other member covers this concept better, so
	// that the bid's coverage of it comes from this member.
	Strongest bool `json:"strongest"`
}

// Contribution is what a member brings to a bid and what the bid costs it.
type Contribution struct {
	Concepts        []ConceptContribution `json:"concepts"`
	Fit             float64               `json:"fit"`
	Eligibility     funding.Eligibility   `json:"eligibility"`
	Experience      Experience            `json:"experience"`
	BidsAfter       int                   `json:"bids_after"` // bids in progress once this bid (and, in a plan, the others) is added
	MaxBids         int                   `json:"max_bids"`
	CoFundingNeeded float64               `json:"co_funding_needed"`
	CoFundingLeft   float64               `json:"co_funding_left"` // co-funding capacity left after this bid (and, in a plan, the others)
}

// Member is a city in a bid.
type Member struct {
	City         string       `json:"city"`
	Name         string       `json:"name"`
	Role         Role         `json:"role"`
	Contribution Contribution `json:"contribution"`
}

// Value is a bid's worth in points, with the parts that make it up:
//
//	Fit            each member adds (fit − 50) / 10: from −5 to +5
//	Coverage       30 × the weighted share of the call's concepts covered, each
//	               concept counted at the strongest member's strength
//	LeadExperience the lead's record: 0.5 per past EU project (up to 10) plus
//	               1 per project led (up to 5)
//	Synergy        1 per past joint project between two members (up to 3 a pair)
//	Spreading      3 per newcomer (no past EU project and no project like
//	               the call) in a bid with a front-runner (3 or more past EU
//	               projects, or a project like the call)
type Value struct {
	Fit            float64 `json:"fit"`
	Coverage       float64 `json:"coverage"`
	LeadExperience float64 `json:"lead_experience"`
	Synergy        float64 `json:"synergy"`
	Spreading      float64 `json:"spreading"`
	Total          float64 `json:"total"`
}

// Constraint is a programme or planning rule a bid meets or still misses,
// with a stable code and a sentence in Dutch and in English.
type Constraint struct {
	Code string `json:"code"`
	NL   string `json:"nl"`
	EN   string `json:"en"`
}

// PartnerSuggestion is a foreign partner proposed from history to complete
// a bid's consortium.
type PartnerSuggestion struct {
	Name          string `json:"name"`
	Country       string `json:"country"`
	JointProjects int    `json:"joint_projects"` // past joint projects with the bid's members
}

// Bid is a proposed consortium for one call.
type Bid struct {
	Call               string       `json:"call"`
	Programme          Programme    `json:"programme"`
	Lead               string       `json:"lead"`
	Members            []Member     `json:"members"` // lead first, then partners by fit
	Value              Value        `json:"value"`
	ConstraintsMet     []Constraint `json:"constraints_met"`
	ConstraintsMissing []Constraint `json:"constraints_missing"`
	// ForeignPartners are suggestions for the partners the programme still
	// needs outside Flanders, best first; empty when none are needed or known.
	ForeignPartners []PartnerSuggestion `json:"foreign_partners"`
}

// Exclusion is a candidate left out of a call's search, and why.
type Exclusion struct {
	City   string     `json:"city"`
	Reason Constraint `json:"reason"`
}

// CallPlan is the planner's answer for one call: its best bids, best first.
type CallPlan struct {
	Call     string      `json:"call"`
	Bids     []Bid       `json:"bids"` // distinct member sets, best first
	Excluded []Exclusion `json:"excluded"`
	// Optimal is whether Bids are proven to be the best bids over all the
	// candidates given (false when candidates were cut to keep search exact).
	Optimal bool `json:"optimal"`
	Nodes   int  `json:"nodes"` // search nodes visited
}

// Plan is a portfolio of bids, at most one per call.
type Plan struct {
	Bids       []Bid         `json:"bids"`
	Value      float64       `json:"value"`       // sum of the bids' values
	UpperBound float64       `json:"upper_bound"` // no plan in the stated model is worth more
	Gap        float64       `json:"gap"`         // (UpperBound − Value) / UpperBound, 0 when proven optimal
	Optimal    bool          `json:"optimal"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}
