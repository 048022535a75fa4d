package matching

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// ModelVersion identifies the scoring model. Store it with every match: a
// new version means every stored score is stale.
const ModelVersion = "matching-2026.12.1"

// Options configure a Model.
type Options struct {
	Vocabulary *Vocabulary // nil means the embedded vocabulary
	Dictionary *Dictionary // nil means the embedded dictionary, unless NoDictionary
	// NoDictionary leaves keywords untranslated word by word (the
	// vocabulary still links whole notions).
	NoDictionary bool
	Workers      int // cities scored in parallel by ScoreCities; 0 means GOMAXPROCS
}

// Model holds every call analysed once into an inverted index, so that a
// city is scored against all calls by accumulating over postings. It is safe
// for concurrent use: scoring takes a read lock, Add and Query a write lock.
type Model struct {
	vocab   *Vocabulary
	dict    *Dictionary
	workers int

	analysers sync.Pool // of *analyser, see Model.analyser

	mu         sync.RWMutex
	an         *analyser
	ix         *index
	calls      []indexedCall    // by document number; replaced calls stay as dead slots
	deadlines  []day            // every call's deadlines, in document order
	byID       map[string]int32 // identifier -> live document
	live       int
	programmes map[string]int // programme code -> small number for per-city tables
}

// indexedCall is a call in its compact, pre-analysed form.
type indexedCall struct {
	id        string
	call      *Call // behind a pointer so scoring loops stay in cache
	live      bool
	terms     []termWeight // BM25F weights, sorted by term id
	lengths   [numFields]int
	programme int
	dlStart   int32 // deadlines are Model.deadlines[dlStart:dlEnd]
	dlEnd     int32
	minPop    int // population limits from the eligibility notes, 0 if none
	maxPop    int
	status    funding.Eligibility // city-independent eligibility
	reasons   []Reason            // why status is not funding.Eligible
	grant     float64
	partners  float64
	rate      float64
	hash      uint64
}

// NewModel analyses and indexes calls. A later call with the identifier of
// an earlier one replaces it.
func NewModel(calls []Call, opts Options) (*Model, error) {
	v := opts.Vocabulary
	if v == nil {
		var err error
		if v, err = DefaultVocabulary(); err != nil {
			return nil, err
		}
	}
	d := opts.Dictionary
	if d == nil && !opts.NoDictionary {
		var err error
		if d, err = defaultDictionary(); err != nil {
			return nil, err
		}
	}
	m := &Model{
		vocab:      v,
		dict:       d,
		workers:    cmp.Or(opts.Workers, runtime.GOMAXPROCS(0)),
		an:         newAnalyser(v),
		ix:         newIndex(),
		byID:       map[string]int32{},
		programmes: map[string]int{},
	}
	// Count every call's field lengths before weighing any, so all calls
	// are normalised by the same averages.
	for i := range calls {
		if calls[i].Identifier == "" {
			return nil, fmt.Errorf("new model: call %d has no identifier", i)
		}
	}
	// The calls are analysed in parallel, each worker with its own
	// analyser (a stemmer is not safe for concurrent use).
	// So are the facts of each call that need no index (its eligibility
	// rules above all): worked out in the serial loop below, they were
	// about half of it.
	analysed := make([][numFields]analysis, len(calls))
	facts := make([]callFacts, len(calls))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(m.workers, max(1, len(calls)/64)) {
		wg.Go(func() {
			an := m.analyser()
			defer m.analysers.Put(an)
			for i := int(next.Add(1) - 1); i < len(calls); i = int(next.Add(1) - 1) {
				analysed[i] = analyseCall(an, &calls[i])
				facts[i] = factsOf(&calls[i])
			}
		})
	}
	wg.Wait()
	for i := range analysed {
		m.ix.count(lengths(analysed[i]), 1)
	}
	for i := range calls {
		if err := m.insert(calls[i], analysed[i], facts[i]); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// callFacts are what the model keeps of a call that depends on the call
// alone, not on the index.
type callFacts struct {
	status         funding.Eligibility
	reasons        []Reason
	minPop, maxPop int
	grant, rate    float64
	hash           uint64
}

func factsOf(c *Call) callFacts {
	f := callFacts{grant: grantSize(c), rate: fundingRate(c), hash: hashCall(c)}
	f.status, f.reasons = callRules(c)
	f.minPop, f.maxPop = populationLimits(c.EligibilityNotes)
	return f
}

// Add analyses a new or changed call into the model, replacing the call with
// the same identifier.
func (m *Model) Add(c Call) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.add(c)
}

// Remove takes a call out of the model and reports whether it was there.
func (m *Model) Remove(identifier string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.remove(identifier)
}

func (m *Model) remove(identifier string) bool {
	doc, ok := m.byID[identifier]
	if !ok {
		return false
	}
	m.ix.remove(doc, m.calls[doc].terms)
	m.ix.count(m.calls[doc].lengths, -1)
	m.calls[doc] = indexedCall{}
	delete(m.byID, identifier)
	m.live--
	return true
}

func (m *Model) add(c Call) error {
	if c.Identifier == "" {
		return errors.New("add call: empty identifier")
	}
	fs := analyseCall(m.an, &c)
	m.ix.count(lengths(fs), 1)
	return m.insert(c, fs, factsOf(&c))
}

// insert indexes an analysed call whose lengths are counted, replacing the
// call with the same identifier.
func (m *Model) insert(c Call, fs [numFields]analysis, f callFacts) error {
	m.remove(c.Identifier)
	if len(m.calls) >= maxDocs {
		return fmt.Errorf("add call %s: the model holds at most %d calls", c.Identifier, maxDocs)
	}
	doc := int32(len(m.calls))
	terms := m.ix.termWeights(fs)
	m.ix.add(doc, terms)
	prog, ok := m.programmes[c.Programme]
	if !ok {
		prog = len(m.programmes)
		m.programmes[c.Programme] = prog
	}
	ic := indexedCall{
		id:        c.Identifier,
		lengths:   lengths(fs),
		call:      &c,
		live:      true,
		terms:     terms,
		programme: prog,
		grant:     f.grant,
		partners:  cmp.Or(typicalPartners[c.Programme], 4),
		rate:      f.rate,
		hash:      f.hash,
		status:    f.status,
		reasons:   f.reasons,
		minPop:    f.minPop,
		maxPop:    f.maxPop,
	}
	ic.dlStart = int32(len(m.deadlines))
	for _, d := range c.Deadlines {
		m.deadlines = append(m.deadlines, dayOf(d))
	}
	ic.dlEnd = int32(len(m.deadlines))
	slices.Sort(m.deadlinesOf(&ic)) // callers promise ascending order; do not rely on it
	m.calls = append(m.calls, ic)
	m.byID[c.Identifier] = doc
	m.live++
	return nil
}

// analyseCall analyses the three BM25F fields of a call in the language of
// its text.
func analyseCall(an *analyser, c *Call) [numFields]analysis {
	lang := detectLanguage(words(c.Title + " " + c.Summary + " " + c.Description))
	var fs [numFields]analysis
	fs[fieldTitle] = an.analyse(c.Title, lang, false)
	fs[fieldKeywords] = an.analyse(joinTerms(c.Keywords, c.Tags), lang, false)
	fs[fieldDescription] = an.analyse(c.Summary+"\n"+c.Description, lang, false)
	return fs
}

// analyser lends an analyser for work under the read lock (the model's own
// needs the write lock); give it back with m.analysers.Put. Lent analysers
// keep what their stemmers learnt.
func (m *Model) analyser() *analyser {
	if an, ok := m.analysers.Get().(*analyser); ok {
		return an
	}
	return newAnalyser(m.vocab)
}

func lengths(fs [numFields]analysis) [numFields]int {
	var ls [numFields]int
	for f, a := range fs {
		ls[f] = a.length
	}
	return ls
}

// joinTerms joins keyword lists with a separator no phrase spans.
func joinTerms(lists ...[]string) string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	return strings.Join(all, " ; ")
}

func (m *Model) deadlinesOf(ic *indexedCall) []day { return m.deadlines[ic.dlStart:ic.dlEnd] }

// Len returns the number of calls in the model.
func (m *Model) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.live
}

// Components are the parts of a score, each 0..1.
type Components struct {
	Relevance         float64 `json:"relevance"`          // how much of the profile the call covers, and how substantively
	Experience        float64 `json:"experience"`         // resemblance to past projects and earlier participation
	Feasibility       float64 `json:"feasibility"`        // time to deadline, co-funding share, funding rate
	EligibilityFactor float64 `json:"eligibility_factor"` // 1 eligible, 0.85 unknown, 0 ineligible
}

// Match is the score of one call for one city.
type Match struct {
	Call        string              `json:"call"`  // call identifier
	City        string              `json:"city"`  // city slug
	Score       int                 `json:"score"` // 0..100
	Components  Components          `json:"components"`
	Eligibility funding.Eligibility `json:"eligibility"`
	// Reasons say why the call is ineligible or its eligibility unknown;
	// they may be shared between matches, so do not modify them.
	Reasons []Reason `json:"reasons"`
	// InputHash changes when the call, the city's profile, projects or city
	// data, the model version, or the deadline situation changes; a caller
	// may skip rewriting a stored match with the same hash. It ignores
	// corpus statistics (other calls), which shift scores only slightly.
	InputHash uint64 `json:"input_hash,string"`
}

// Score weights. The score is relevance (0..1, see relevance.go) scaled to
// 0..100, adjusted by experience and feasibility by at most a fifth and
// weighed by eligibility:
//
//	score = 100 × eligibility × relevance × (0.80 + 0.14·experience + 0.06·feasibility)
//
// so experience and feasibility reorder calls of about the same relevance,
// never calls of clearly different relevance. The bands the README documents
// follow: 80 and more is a strong fit (several themes covered substantively,
// and a past project or good feasibility), 60-79 partial, 40-59 weak, below
// 40 not shown by default.
const (
	relevanceBase     = 0.80
	experienceWeight  = 0.14
	feasibilityWeight = 0.06
)

// total combines components into a 0..100 score, before rounding.
func (c Components) total() float64 {
	return 100 * c.EligibilityFactor * c.Relevance * (relevanceBase + experienceWeight*c.Experience + feasibilityWeight*c.Feasibility)
}

// programmeRules are a city's rules for one programme, computed once per
// scoring run.
type programmeRules struct {
	status   funding.Eligibility
	reasons  []Reason
	prep     int
	rate     float64 // overrides the call's rate when > 0 (Limburg ERDF)
	previous bool    // the city had a project in this programme
}

// scorer scores the calls of a model for one city at one moment.
type scorer struct {
	m          *Model
	q          *CityQuery
	now        day
	capacity   float64
	programmes []*programmeRules   // by programme number, computed on first use
	tooClose   map[[2]int][]Reason // deadline-too-close reasons by deadline day and preparation days
}

func (m *Model) newScorer(q *CityQuery, now time.Time) *scorer {
	return &scorer{
		m:          m,
		q:          q,
		now:        dayOf(now),
		capacity:   cofundingCapacity(q.Applicant.Profile, q.Applicant.City),
		programmes: make([]*programmeRules, len(m.programmes)),
	}
}

// rules returns the city's rules for the programme of ic.
func (s *scorer) rules(ic *indexedCall) *programmeRules {
	pr := s.programmes[ic.programme]
	if pr == nil {
		pr = s.q.rules(ic.call.Programme)
		s.programmes[ic.programme] = pr
	}
	return pr
}

// ScoreCity scores every call for one city and returns the matches in rank
// order: eligible and unknown before ineligible, then by score and
// relevance, ties in the order calls were added.
func (m *Model) ScoreCity(ctx context.Context, q *CityQuery, now time.Time) ([]Match, error) {
	return m.scoreCity(ctx, q, now, &scratch{}, true)
}

// scratch holds the per-call buffers of scoring one city, reused from city
// to city by a ScoreCities worker so that only the matches are garbage.
type scratch struct {
	rel      relevanceScratch
	sim, buf []float32
	byDoc    []assessment
	keys     []uint64
}

func (sc *scratch) reset(n int) {
	grow := func(xs []float32) []float32 {
		if cap(xs) < n {
			return make([]float32, n)
		}
		xs = xs[:n]
		clear(xs)
		return xs
	}
	sc.sim, sc.buf = grow(sc.sim), grow(sc.buf)
	sc.rel.sum, sc.rel.subst = grow(sc.rel.sum), grow(sc.rel.subst)
	if len(sc.rel.theme) != n { // kept zeroed between uses
		sc.rel.theme, sc.rel.alt, sc.rel.slot = make([]float32, n), make([]float32, n), make([]float32, n)
	}
	if cap(sc.byDoc) < n {
		sc.byDoc = make([]assessment, n)
	}
	sc.byDoc = sc.byDoc[:n]
	sc.keys = sc.keys[:0]
}

// scoreCity scores every call for a city, in rank order when ranked and in
// model order otherwise (sorting and gathering in rank order are a third of
// the work).
func (m *Model) scoreCity(ctx context.Context, q *CityQuery, now time.Time, sc *scratch, ranked bool) ([]Match, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("score %s: %w", q.Applicant.City.Slug, err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	sc.reset(len(m.calls))
	m.accumulateThemes(q, &sc.rel)
	for _, p := range q.projects {
		clear(sc.buf)
		m.ix.accumulate(p, m.live, sc.buf)
		scale := m.ix.similarityScale(p, m.live)
		for d, x := range sc.buf {
			if x > 0 {
				sc.sim[d] = max(sc.sim[d], float32(saturate(float64(x), scale)))
			}
		}
	}
	rel := func(d int) float64 {
		return relevanceOf(float64(sc.rel.sum[d]), float64(sc.rel.subst[d]), q.mass, float64(sc.sim[d]), q.domainOnly)
	}
	s := m.newScorer(q, now)
	if !ranked {
		matches := recycled(m.live)
		for d := range m.calls {
			if ic := &m.calls[d]; ic.live {
				matches = append(matches, s.match(ic, s.assess(ic, rel(d), float64(sc.sim[d]))))
			}
		}
		return matches, nil
	}
	for d := range m.calls {
		ic := &m.calls[d]
		if !ic.live {
			continue
		}
		sc.byDoc[d] = s.assess(ic, rel(d), float64(sc.sim[d]))
		sc.keys = append(sc.keys, rankKey(&sc.byDoc[d], d))
	}
	// Sorting packed keys is several times faster than sorting matches.
	slices.Sort(sc.keys)
	// Equal scores (calls of no relevance, mostly) go by next deadline,
	// then identifier: never by the order calls were added.
	for i := 0; i < len(sc.keys); {
		j := i + 1
		for j < len(sc.keys) && sc.keys[j]>>24 == sc.keys[i]>>24 {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(sc.keys[i:j], func(a, b uint64) int {
				ca, cb := &m.calls[a&(maxDocs-1)], &m.calls[b&(maxDocs-1)]
				return cmp.Or(cmp.Compare(s.nextDay(ca), s.nextDay(cb)), strings.Compare(ca.id, cb.id))
			})
		}
		i = j
	}
	matches := make([]Match, len(sc.keys))
	for i, k := range sc.keys {
		d := k & (maxDocs - 1)
		matches[i] = s.match(&m.calls[d], sc.byDoc[d])
	}
	return matches, nil
}

// nextDay is a call's next deadline as a day, for ordering: calls without
// one come last.
func (s *scorer) nextDay(ic *indexedCall) day {
	if d := nextDeadline(s.m.deadlinesOf(ic), s.now); d >= 0 {
		return d
	}
	return math.MaxInt32
}

// maxDocs bounds the document numbers rankKey can pack.
const maxDocs = 1 << 24

// rankKey packs the rank order of a match into an integer that sorts
// ascending in rank order: eligible and unknown before ineligible, then the
// unrounded score (relevance for ineligible calls), then document number.
func rankKey(a *assessment, doc int) uint64 {
	var k uint64
	v := a.score / 100
	if a.status == funding.Ineligible {
		k = 1 << 63
		v = a.components.Relevance // all score 0: the most relevant first
	}
	k |= uint64((1-v)*(1<<38-1)) << 24 & (1<<62 - 1)
	return k | uint64(doc)
}

// assessment is a pair's score before it becomes a Match. It holds no
// pointers, so scoring every call for a city leaves little for the garbage
// collector to scan.
type assessment struct {
	components Components
	score      float64 // unrounded, so ranking does not depend on rounding
	daysLeft   int
	status     funding.Eligibility
}

// assess scores one call given its relevance and best project similarity.
func (s *scorer) assess(ic *indexedCall, relevance, similarity float64) assessment {
	pr := s.rules(ic)
	next := nextDeadline(s.m.deadlinesOf(ic), s.now)
	daysLeft := -1
	status := worse(ic.status, pr.status)
	if ic.minPop > 0 || ic.maxPop > 0 {
		st, _ := populationCheck(ic.minPop, ic.maxPop, s.q.Applicant.City.Population)
		status = worse(status, st)
	}
	switch {
	case next >= 0:
		daysLeft = int(next - s.now)
		if daysLeft < pr.prep {
			status = funding.Ineligible
		}
	case ic.dlEnd > ic.dlStart:
		status = funding.Ineligible // every deadline has passed
	default:
		status = worse(status, funding.EligibilityUnknown)
	}
	rate := ic.rate
	if pr.rate > 0 {
		rate = pr.rate
	}
	c := Components{
		Relevance:         relevance,
		Experience:        experience(similarity, pr.previous),
		Feasibility:       assessFeasibility(daysLeft, pr.prep, ic.grant, ic.partners, rate, s.capacity).total(),
		EligibilityFactor: eligibilityFactor(status),
	}
	return assessment{components: c, score: c.total(), daysLeft: daysLeft, status: status}
}

// match turns an assessment into a Match with its reasons.
func (s *scorer) match(ic *indexedCall, a assessment) Match {
	pr := s.rules(ic)
	reasons := noReasons
	if a.status != funding.Eligible {
		// Reasons of this pair: the deadline and the city's size.
		_, pair, _ := s.deadline(ic, pr.prep)
		if _, r := populationCheck(ic.minPop, ic.maxPop, s.q.Applicant.City.Population); r != nil {
			pair = append([]Reason{*r}, pair...)
		}
		// Share the reason slices when only one part has reasons.
		switch {
		case len(pr.reasons) == 0 && pair == nil:
			reasons = ic.reasons
		case len(ic.reasons) == 0 && pair == nil:
			reasons = pr.reasons
		case len(ic.reasons)+len(pr.reasons) == 0:
			reasons = pair
		default:
			reasons = slices.Concat(ic.reasons, pr.reasons, pair)
		}
	}
	// Only the deadline situation that can change the result enters the
	// hash: beyond twice the preparation time every day scores the same.
	clamped := min(a.daysLeft, 2*pr.prep+1)
	return Match{
		Call:        ic.id,
		City:        s.q.Applicant.City.Slug,
		Score:       int(math.Round(a.score)),
		Components:  a.components,
		Eligibility: a.status,
		Reasons:     reasons,
		InputHash:   mix(ic.hash, s.q.hash, uint64(int64(clamped))),
	}
}

// deadline is deadlineCheck with the reasons as shared one-element slices,
// remembered because many calls share a deadline and formatting is slow.
func (s *scorer) deadline(ic *indexedCall, prep int) (funding.Eligibility, []Reason, int) {
	deadlines := s.m.deadlinesOf(ic)
	next := nextDeadline(deadlines, s.now)
	if next >= 0 && int(next-s.now) >= prep {
		return funding.Eligible, nil, int(next - s.now)
	}
	key := [2]int{int(next), prep}
	if next < 0 {
		key[0] = -len(deadlines) // passed deadlines or none at all
	}
	if rs, ok := s.tooClose[key]; ok {
		days := -1
		if next >= 0 {
			days = int(next - s.now)
		}
		status := funding.Ineligible
		if len(deadlines) == 0 {
			status = funding.EligibilityUnknown
		}
		return status, rs, days
	}
	status, r, days := deadlineCheck(deadlines, s.now, prep)
	rs := []Reason{*r}
	if s.tooClose == nil {
		s.tooClose = map[[2]int][]Reason{}
	}
	s.tooClose[key] = rs
	return status, rs, days
}

// noReasons is the empty reason list of eligible matches: empty, not nil,
// so it encodes as a JSON array.
var noReasons = []Reason{}

// saturate maps a BM25 score to 0..1: scale is the score of a call that
// matches the query as well as a few average query terms would.
func saturate(x, scale float64) float64 {
	if x <= 0 || scale <= 0 {
		return 0
	}
	return 1 - math.Exp(-x/scale)
}

// Rank sorts matches as an officer sees them: eligible and unknown calls
// before ineligible ones, then by score, relevance and identifier (the
// store breaks remaining ties by deadline).
func Rank(ms []Match) {
	slices.SortFunc(ms, func(a, b Match) int {
		if ai, bi := a.Eligibility == funding.Ineligible, b.Eligibility == funding.Ineligible; ai != bi {
			if ai {
				return 1
			}
			return -1
		}
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(b.Components.Relevance, a.Components.Relevance),
			cmp.Compare(a.Call, b.Call),
		)
	})
}

// ScoreCities scores every city against every call on a bounded pool of
// workers and hands each city's matches to emit, one city at a time, in the
// order calls were added (bulk rescoring stores them; Rank sorts them). It
// stops at the first error of emit or when ctx is cancelled. emit may keep
// the slice, and hand it back with Recycle when done with it.
func (m *Model) ScoreCities(ctx context.Context, qs []*CityQuery, now time.Time, emit func(*CityQuery, []Match) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan *CityQuery)
	var (
		wg     sync.WaitGroup
		emitMu sync.Mutex
	)
	for range min(m.workers, max(len(qs), 1)) {
		wg.Go(func() {
			var sc scratch
			for q := range jobs {
				ms, err := m.scoreCity(ctx, q, now, &sc, false)
				if err == nil {
					emitMu.Lock()
					err = emit(q, ms)
					emitMu.Unlock()
				}
				if err != nil {
					cancel(err)
					return
				}
			}
		})
	}
send:
	for _, q := range qs {
		select {
		case jobs <- q:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("score cities: %w", err)
	}
	return nil
}

// matchSlices holds the slices of matches ScoreCities emitted and its
// caller handed back (Recycle): a city's 20,000 matches are 2.4 MB, and a
// full rescore of 300 cities allocated 720 MB of them, to be cleared and
// collected again and again.
var matchSlices sync.Pool // of *[]Match

// recycled returns an empty slice with room for n matches, one handed back
// if there is one.
func recycled(n int) []Match {
	if p, ok := matchSlices.Get().(*[]Match); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]Match, 0, n)
}

// Recycle hands back a slice of matches ScoreCities emitted, for a later
// city's: the caller must be done with it and with every pointer into it.
// The matches may keep what they share with the model (identifiers,
// reasons) until then, which the model keeps anyway.
func Recycle(ms []Match) {
	ms = ms[:0]
	matchSlices.Put(&ms)
}

// ScoreCall scores one call, already added to the model, for each city and
// returns the matches in the order of qs.
func (m *Model) ScoreCall(identifier string, qs []*CityQuery, now time.Time) ([]Match, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	doc, ok := m.byID[identifier]
	if !ok {
		return nil, fmt.Errorf("score call %q: not in the model", identifier)
	}
	ic := &m.calls[doc]
	matches := make([]Match, len(qs))
	specs := m.specificities(ic)
	for i, q := range qs {
		s := m.newScorer(q, now)
		sim := m.similarity(ic, q)
		matches[i] = s.match(ic, s.assess(ic, m.relevance(ic, q, specs, sim), sim))
	}
	return matches, nil
}

// similarity is the best saturated BM25F score of one call for the city's
// past projects, and the index of that project (-1 if none matches).
func (m *Model) similarity(ic *indexedCall, q *CityQuery) float64 {
	best, _ := m.bestProject(ic, q)
	return best
}

func (m *Model) bestProject(ic *indexedCall, q *CityQuery) (float64, int) {
	best, at := 0.0, -1
	for i, p := range q.projects {
		if s := saturate(m.ix.scoreDoc(p, m.live, ic.terms), m.ix.similarityScale(p, m.live)); s > best {
			best, at = s, i
		}
	}
	return best, at
}
