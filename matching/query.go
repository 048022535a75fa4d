package matching

import (
	"cmp"
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"github.com/fundmatch/fundmatch/funding"
)

// Applicant is everything the matcher knows about one city: who it is, what
// its officers want and what it did before.
type Applicant struct {
	City     City
	Profile  Profile
	Projects []Project
}

// CityQuery is an applicant analysed for scoring: its profile as a weighted
// query of stems and concepts, and each past project as a query of its own.
// Build it once with Model.Query and reuse it while the applicant is
// unchanged; it is read-only and safe for concurrent use.
type CityQuery struct {
	Applicant Applicant

	themes     []theme       // the profile's themes (see relevance.go)
	mass       float64       // the themes' total weight
	domainOnly bool          // no keywords: themes are the weighted domains
	projects   [][]queryTerm // one query per past project
	hash       uint64
	named      map[int][]string // concepts the profile names -> the profile's words for them
	excluded   map[string]bool
	previous   map[string]bool // programmes of past projects
	province   string
	arrond     string
	keywords   []profileKeyword // for explanations: see foundKeywords
}

// profileKeyword is a profile keyword with its stems in the language of its
// list and in the other.
type profileKeyword struct {
	word  string
	stems [2][]string
}

// Query weights of past projects: every stem counts once, a concept
// twice, repeats adding up to maxTermWeight.
const (
	keywordWeight = 1.0
	conceptWeight = 2.0
	maxTermWeight = 3.0
)

// Query analyses an applicant into a CityQuery for this model.
func (m *Model) Query(a Applicant) *CityQuery {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := a.Profile
	q := &CityQuery{
		Applicant: a,
		hash:      hashApplicant(&a),
		named:     map[int][]string{},
		excluded:  map[string]bool{},
		previous:  map[string]bool{},
		province:  place(a.City.Province),
		arrond:    place(a.City.Arrondissement),
	}
	for _, code := range p.ExcludedProgrammes {
		q.excluded[strings.ToUpper(strings.TrimSpace(code))] = true
	}
	m.buildThemes(q)
	q.keywords = m.profileKeywords(p)
	for _, pr := range a.Projects {
		q.previous[strings.ToUpper(pr.Programme)] = true
		ws := map[string]float64{}
		m.addTerms(ws, m.an.analyse(pr.Title, langNL, true), keywordWeight)
		m.addTerms(ws, m.an.analyse(pr.Summary, langNL, true), keywordWeight)
		q.projects = append(q.projects, m.resolve(ws))
	}
	return q
}

// addTerms adds an analysis' terms to query weights: concept tokens at
// conceptWeight, other terms at w, repeats adding up to maxTermWeight.
func (m *Model) addTerms(weights map[string]float64, res analysis, w float64) {
	for _, t := range res.terms {
		x := w
		if strings.HasPrefix(t, conceptPrefix) {
			x = conceptWeight
		}
		weights[t] = math.Min(maxTermWeight, weights[t]+x)
	}
}

// resolve turns term weights into a query sorted by term id.
func (m *Model) resolve(weights map[string]float64) []queryTerm {
	q := make([]queryTerm, 0, len(weights))
	for t, w := range weights {
		q = append(q, queryTerm{id: m.ix.termID(t), weight: w})
	}
	slices.SortFunc(q, func(a, b queryTerm) int { return cmp.Compare(a.id, b.id) })
	return q
}

// domainWeight is the profile's weight for a domain; a profile without
// domain weights weighs every domain 0.5.
func domainWeight(p Profile, d Domain) float64 {
	if len(p.DomainWeights) == 0 {
		return 0.5
	}
	return math.Max(0, math.Min(1, p.DomainWeights[d]))
}

// rules returns the city's eligibility rules for a programme.
func (q *CityQuery) rules(programme string) *programmeRules {
	pr := &programmeRules{status: funding.Eligible, prep: q.Applicant.Profile.PreparationDays}
	if pr.prep <= 0 {
		pr.prep = cmp.Or(preparationDays[programme], defaultPreparationDays)
	}
	if q.excluded[strings.ToUpper(programme)] {
		pr.status = funding.Ineligible
		pr.reasons = append(pr.reasons, reason(ReasonProgrammeExcluded, "reason.programme_excluded", programme))
	}
	if st, r := geography(programme, q.Applicant.City.Name, q.province, q.arrond, q.Applicant.City.Kind); r != nil {
		pr.status = worse(pr.status, st)
		pr.reasons = append(pr.reasons, *r)
	}
	if programme == "ERDF-VL" && q.province == "limburg" {
		pr.rate = limburgERDFRate
	}
	pr.previous = q.previous[strings.ToUpper(programme)]
	return pr
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// hashCall hashes everything of a call that the score depends on.
func hashCall(c *Call) uint64 {
	h := fnv.New64a()
	put := func(ss ...string) {
		for _, s := range ss {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	putF := func(f *float64) {
		var b [9]byte
		if f != nil {
			b[0] = 1
			binary.LittleEndian.PutUint64(b[1:], math.Float64bits(*f))
		}
		h.Write(b[:])
	}
	put(ModelVersion, c.Identifier, c.Programme, string(c.Kind), c.Title, c.Summary, c.Description,
		c.EligibilityNotes, string(c.Status))
	put(c.Keywords...)
	put("|")
	put(c.Tags...)
	put("|")
	put(c.TypesOfAction...)
	for _, d := range c.Deadlines {
		put(d.UTC().Format("2006-01-02"))
	}
	putF(c.BudgetMin)
	putF(c.BudgetMax)
	putF(c.FundingRate)
	return h.Sum64()
}

// hashApplicant hashes everything of an applicant that the score depends on.
func hashApplicant(a *Applicant) uint64 {
	h := fnv.New64a()
	put := func(ss ...string) {
		for _, s := range ss {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	num := func(f float64) { put(strconvF(f)) }
	c, p := a.City, a.Profile
	put(ModelVersion, c.Slug, c.Name, c.Province, c.Arrondissement, string(c.Kind))
	num(float64(c.Population))
	for _, d := range Domains {
		if w, ok := p.DomainWeights[d]; ok {
			put(string(d))
			num(w)
		}
	}
	put(p.KeywordsNL...)
	put("|")
	put(p.KeywordsEN...)
	put("|")
	put(p.ExcludedProgrammes...)
	num(float64(p.PreparationDays))
	num(p.CoFundingCapacity)
	for _, pr := range a.Projects {
		put(pr.Title, pr.Summary, pr.Programme)
		num(float64(pr.Year))
	}
	return h.Sum64()
}

func strconvF(f float64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
	return string(b[:])
}

// mix combines hashes (splitmix64 finaliser), so a pair's hash is cheap.
func mix(hs ...uint64) uint64 {
	var x uint64
	for _, h := range hs {
		x ^= h
		x += 0x9e3779b97f4a7c15
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
		x = (x ^ (x >> 27)) * 0x94d049bb133111eb
		x ^= x >> 31
	}
	return x
}

// CorpusHash digests calls as scores depend on them, in any order: it
// changes when a call is added, removed or changed in anything a score
// depends on, and so whenever the corpus statistics may have moved.
func CorpusHash(calls []Call) uint64 {
	var h uint64
	for i := range calls {
		h += mix(hashCall(&calls[i]))
	}
	return h
}

// CorpusHash is CorpusHash of the calls in the model.
func (m *Model) CorpusHash() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var h uint64
	for i := range m.calls {
		if m.calls[i].live {
			h += mix(m.calls[i].hash)
		}
	}
	return h
}

// ApplicantHash digests everything of an applicant that its scores depend
// on.
func ApplicantHash(a *Applicant) uint64 { return hashApplicant(a) }
