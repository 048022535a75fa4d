// Package consortium plans joint bids the way Finland's six largest cities
// did in the 6Aika strategy: for a call, or a portfolio of calls, it proposes
// which Flemish cities bid together, who leads, and what each member brings,
// within each city's capacity and the programme's consortium rules. It is
// pure planning code: the caller supplies calls, candidate cities, capacity
// and collaboration history as plain values, and gets bids with their value
// explained and the constraints they meet or still miss, in Dutch and English.
package consortium

import "time"

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

// Eligibility is whether a city may apply to a call.
type Eligibility string

// The eligibility states. An ineligible city never joins a bid; a city whose
// eligibility is unknown may join, and the bid says so.
const (
	Eligible           Eligibility = "eligible"
	EligibilityUnknown Eligibility = "unknown"
	Ineligible         Eligibility = "ineligible"
)

// Project is a past project that shows a city can deliver on a concept.
type Project struct {
	Title string
	Year  int
}

// Coverage is how strongly a city covers one of the call's concepts.
type Coverage struct {
	Concept  string
	Strength float64 // 0..1
	Evidence Project // zero when there is none
}

// Experience is a city's track record with EU funding.
type Experience struct {
	PastEUProjects int // EU-funded projects the city took part in
	ProgrammesLed  int // projects it led as coordinator or lead applicant
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
	Eligibility Eligibility
	Covers      []Coverage // the call's concepts this city covers
	// CoFundingNeeded is the co-funding a bid for this call would ask of the city.
	CoFundingNeeded float64
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
	Concept  string
	Strength float64
	Evidence Project
	// Strongest is whether no other member covers this concept better, so
	// that the bid's coverage of it comes from this member.
	Strongest bool
}

// Contribution is what a member brings to a bid and what the bid costs it.
type Contribution struct {
	Concepts        []ConceptContribution
	Fit             float64
	Eligibility     Eligibility
	Experience      Experience
	BidsAfter       int // bids in progress once this bid (and, in a plan, the others) is added
	MaxBids         int
	CoFundingNeeded float64
	CoFundingLeft   float64 // co-funding capacity left after this bid (and, in a plan, the others)
}

// Member is a city in a bid.
type Member struct {
	City         string
	Name         string
	Role         Role
	Contribution Contribution
}

// Value is a bid's worth in points, with the parts that make it up:
//
//	Fit            each member adds (fit − 50) / 10: from −5 to +5
//	Coverage       30 × the weighted share of the call's concepts covered, each
//	               concept counted at the strongest member's strength
//	LeadExperience the lead's record: 0.5 per past EU project (up to 10) plus
//	               1 per project led (up to 5)
//	Synergy        1 per past joint project between two members (up to 3 a pair)
//	Spreading      3 per newcomer (no past EU project) in a bid with a
//	               front-runner (3 or more past EU projects)
type Value struct {
	Fit            float64
	Coverage       float64
	LeadExperience float64
	Synergy        float64
	Spreading      float64
	Total          float64
}

// Constraint is a programme or planning rule a bid meets or still misses,
// with a stable code and a sentence in Dutch and in English.
type Constraint struct {
	Code string
	NL   string
	EN   string
}

// PartnerSuggestion is a foreign partner proposed from history to complete
// a bid's consortium.
type PartnerSuggestion struct {
	Name          string
	Country       string
	JointProjects int // past joint projects with the bid's members
}

// Bid is a proposed consortium for one call.
type Bid struct {
	Call               string
	Programme          Programme
	Lead               string
	Members            []Member // lead first, then partners by fit
	Value              Value
	ConstraintsMet     []Constraint
	ConstraintsMissing []Constraint
	// ForeignPartners are suggestions for the partners the programme still
	// needs outside Flanders, best first; empty when none are needed or known.
	ForeignPartners []PartnerSuggestion
}

// Exclusion is a candidate left out of a call's search, and why.
type Exclusion struct {
	City   string
	Reason Constraint
}

// CallPlan is the planner's answer for one call: its best bids, best first.
type CallPlan struct {
	Call     string
	Bids     []Bid // distinct member sets, best first
	Excluded []Exclusion
	// Optimal is whether Bids are proven to be the best bids over all the
	// candidates given (false when candidates were cut to keep search exact).
	Optimal bool
	Nodes   int // search nodes visited
}

// Plan is a portfolio of bids, at most one per call.
type Plan struct {
	Bids       []Bid
	Value      float64 // sum of the bids' values
	UpperBound float64 // no plan in the stated model is worth more
	Gap        float64 // (UpperBound − Value) / UpperBound, 0 when proven optimal
	Optimal    bool
	Elapsed    time.Duration
}
