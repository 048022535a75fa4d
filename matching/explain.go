package matching

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
)

// Explanation says in Dutch and English why a call scores as it does for a
// city: the profile's themes the call covers with the words found on each
// side, the past project it resembles, eligibility and what is missing, as
// structured reasons and as text (a one-line summary for lists and alerts,
// and the whole explanation).
type Explanation struct {
	Match    Match            `json:"match"`
	Themes   []ThemeMatch     `json:"themes"`   // the profile's themes the call covers, strongest first
	Concepts []ConceptMatch   `json:"concepts"` // vocabulary concepts found on both sides
	Keywords []string         `json:"keywords"` // profile keywords found in the call
	Project  *ProjectEvidence `json:"project"`  // nil when no past project resembles the call
	Missing  []Note           `json:"missing"`  // what stands between the city and a strong bid
	// Reasons are all of the above as one list, best first: themes,
	// project, eligibility, then what is missing. They are what is stored
	// with the match and shown by the API, pages and alerts.
	Reasons   []Point `json:"reasons"`
	SummaryNL string  `json:"summary_nl"` // one line, for lists and alerts
	SummaryEN string  `json:"summary_en"`
	NL        string  `json:"nl"` // the whole explanation as Dutch text
	EN        string  `json:"en"` // the whole explanation as English text
}

// ThemeMatch is one theme of the profile the call covers: the profile's
// words, the call's words, the concept that linked them (if any, with its
// labels) and how strongly (0..1).
type ThemeMatch struct {
	Theme        string   `json:"theme"`
	ProfileWords []string `json:"profile_words"`
	CallWords    []string `json:"call_words"`
	Concept      string   `json:"concept,omitempty"`
	LabelNL      string   `json:"label_nl"`
	LabelEN      string   `json:"label_en"`
	Strength     float64  `json:"strength"`
}

// Point is one reason of an explanation: an eligibility Reason, or a theme
// covered or a past project resembled with the words on each side and the
// strength (0..1), or something missing.
type Point struct {
	Code         string   `json:"code"` // an eligibility reason code, ReasonTheme, ReasonProject or ReasonMissing
	NL           string   `json:"nl"`
	EN           string   `json:"en"`
	ProfileWords []string `json:"profile_words,omitempty"`
	CallWords    []string `json:"call_words,omitempty"`
	Strength     float64  `json:"strength,omitempty"`
}

// Reason codes of explanations, beside the eligibility codes.
const (
	ReasonTheme   = "theme"   // a theme of the profile the call covers
	ReasonProject = "project" // a past project the call resembles
	ReasonMissing = "missing" // something that stands between the city and a strong bid
)

// shownTheme is the lowest theme strength an explanation names, and
// projectShown the lowest resemblance of the past project it names.
const (
	shownTheme   = 0.25
	projectShown = 0.2
)

// ConceptMatch is a vocabulary concept found in both the profile and the
// call, with the words that expressed it on each side.
type ConceptMatch struct {
	Concept      string   `json:"concept"`
	LabelNL      string   `json:"label_nl"`
	LabelEN      string   `json:"label_en"`
	Domain       Domain   `json:"domain"`
	ProfileWords []string `json:"profile_words"`
	CallWords    []string `json:"call_words"`
}

// ProjectEvidence is the past project a call resembles most.
type ProjectEvidence struct {
	Title      string  `json:"title"`
	Year       int     `json:"year"`
	Programme  string  `json:"programme"`
	Similarity float64 `json:"similarity"` // 0..1
}

// Note is one sentence of an explanation in both languages.
type Note struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// Explain scores one call for one city and explains the score. It is meant
// for the few pairs a user looks at: it analyses the call's text again.
func (m *Model) Explain(identifier string, q *CityQuery, now time.Time) (Explanation, error) {
	es, err := m.ExplainCities(identifier, []*CityQuery{q}, now)
	if err != nil {
		return Explanation{}, err
	}
	return es[0], nil
}

// ExplainCities explains one call's score for each city, in the order of
// qs, analysing the call's text once for all of them: what storing a new
// call's explanations for many cities needs.
func (m *Model) ExplainCities(identifier string, qs []*CityQuery, now time.Time) ([]Explanation, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	doc, ok := m.byID[identifier]
	if !ok {
		return nil, fmt.Errorf("explain call %q: not in the model", identifier)
	}
	ic := &m.calls[doc]
	an := m.analyser()
	defer m.analysers.Put(an)
	lang := detectLanguage(words(ic.call.Title + " " + ic.call.Summary + " " + ic.call.Description))
	callWords := map[int][]string{}
	stems := map[string]bool{}
	for _, text := range []string{ic.call.Title, joinTerms(ic.call.Keywords, ic.call.Tags), ic.call.Summary + "\n" + ic.call.Description} {
		res := an.analyse(text, lang, false)
		for _, h := range res.concepts {
			callWords[h.concept] = appendUnique(callWords[h.concept], h.surface)
		}
		for _, t := range res.terms {
			stems[t] = true
		}
	}
	specs := m.specificities(ic)
	out := make([]Explanation, len(qs))
	for i, q := range qs {
		sim, best := m.bestProject(ic, q)
		s := m.newScorer(q, now)
		e := Explanation{Match: s.match(ic, s.assess(ic, m.relevance(ic, q, specs, sim), sim))}
		e.Themes = m.matchedThemes(q, ic, callWords)
		e.Concepts = m.matchedConcepts(q, callWords)
		e.Keywords = foundKeywords(q, stems)
		if best >= 0 && sim >= projectShown {
			p := q.Applicant.Projects[best]
			e.Project = &ProjectEvidence{Title: p.Title, Year: p.Year, Programme: p.Programme, Similarity: sim}
		}
		e.Missing = m.missing(ic, q, s, e, callWords)
		e.Reasons = e.reasons(q)
		e.SummaryNL, e.SummaryEN = e.summary(q)
		e.NL, e.EN = e.render(ic)
		out[i] = e
	}
	return out, nil
}

// matchedThemes lists the themes of the profile the call covers, strongest
// first, with the words on both sides.
func (m *Model) matchedThemes(q *CityQuery, ic *indexedCall, callWords map[int][]string) []ThemeMatch {
	strengths, best := m.themeMatches(q, ic, m.specificities(ic))
	var out []ThemeMatch
	for i, v := range strengths {
		if v < shownTheme || best[i] < 0 {
			continue
		}
		th, alt := q.themes[i], q.themes[i].alts[best[i]]
		tm := ThemeMatch{Theme: th.label, Strength: math.Round(v*100) / 100, LabelNL: th.label, LabelEN: th.label}
		for _, a := range th.alts {
			if a.surface != "" {
				tm.ProfileWords = appendUnique(tm.ProfileWords, a.surface)
			}
		}
		if alt.concept >= 0 {
			c := m.vocab.concepts[alt.concept]
			tm.Concept, tm.LabelNL, tm.LabelEN = c.ID, c.LabelNL(), c.LabelEN()
			tm.CallWords = callWords[alt.concept]
		}
		if len(tm.CallWords) == 0 {
			tm.CallWords = []string{alt.surface}
		}
		if q.domainOnly { // a domain theme: the labels name the domain
			tm.LabelNL, tm.LabelEN = domainLabel(Domain(th.label))
		}
		out = append(out, tm)
	}
	slices.SortStableFunc(out, func(a, b ThemeMatch) int { return cmp.Compare(b.Strength, a.Strength) })
	return out
}

// reasons lists the explanation as reasons, best first.
func (e Explanation) reasons(q *CityQuery) []Point {
	rs := make([]Point, 0, 1+len(e.Themes)+1+len(e.Match.Reasons)+len(e.Missing))
	if q.domainOnly {
		n := note("explain.no_keywords")
		rs = append(rs, Point{Code: ReasonMissing, NL: n.NL, EN: n.EN})
	}
	for _, t := range e.Themes {
		n := note("explain.theme", quoteAll(t.ProfileWords), quoteAll(t.CallWords))
		r := Point{Code: ReasonTheme, ProfileWords: t.ProfileWords, CallWords: t.CallWords, Strength: t.Strength, NL: n.NL, EN: n.EN}
		if t.Concept != "" {
			r.NL = n.NL + " (" + t.LabelNL + ")"
			r.EN = n.EN + " (" + t.LabelEN + ")"
		}
		rs = append(rs, r)
	}
	if p := e.Project; p != nil {
		n := note("explain.project", p.Title, p.Year, p.Programme)
		rs = append(rs, Point{Code: ReasonProject, Strength: math.Round(p.Similarity*100) / 100, NL: n.NL, EN: n.EN})
	}
	for _, r := range e.Match.Reasons {
		rs = append(rs, Point{Code: r.Code, NL: r.NL, EN: r.EN})
	}
	for _, n := range e.Missing {
		rs = append(rs, Point{Code: ReasonMissing, NL: n.NL, EN: n.EN})
	}
	return rs
}

// Band names the score band of a score, in Dutch and English: 80 and more
// a strong fit, 60-79 partial, 40-59 weak, below 40 no fit (not shown by
// default).
func Band(score int) (nl, en string) {
	key := "band.none"
	switch {
	case score >= BandStrong:
		key = "band.strong"
	case score >= BandPartial:
		key = "band.partial"
	case score >= BandWeak:
		key = "band.weak"
	}
	t := i18n.Both(key)
	return t.NL, t.EN
}

// The score bands.
const (
	BandStrong  = 80
	BandPartial = 60
	BandWeak    = 40
)

// summary is the explanation in one line: the band, the themes covered,
// the past project, and eligibility when it is not plain.
func (e Explanation) summary(q *CityQuery) (nl, en string) {
	m := e.Match
	band := i18n.Both("band.none")
	band.NL, band.EN = Band(m.Score)
	if m.Eligibility == funding.Ineligible {
		band = i18n.Both("ineligible")
		if len(m.Reasons) > 0 {
			return capitalise(band.NL) + ": " + strings.TrimSuffix(m.Reasons[0].NL, "."), capitalise(band.EN) + ": " + strings.TrimSuffix(m.Reasons[0].EN, ".")
		}
	}
	var themesNL, themesEN []string
	for _, t := range e.Themes[:min(3, len(e.Themes))] {
		themesNL, themesEN = append(themesNL, t.LabelNL), append(themesEN, t.LabelEN)
	}
	var what Note
	switch {
	case len(themesNL) > 0:
		what = note("summary.covers", i18n.Text{NL: list(i18n.NL, themesNL), EN: list(i18n.EN, themesEN)})
	case q.domainOnly:
		what = note("summary.on_weights")
	default:
		what = note("summary.no_theme")
	}
	nl, en = capitalise(band.NL)+": "+what.NL, capitalise(band.EN)+": "+what.EN
	if p := e.Project; p != nil {
		r := note("summary.resembles", p.Title, p.Year)
		nl, en = nl+"; "+r.NL, en+"; "+r.EN
	}
	if m.Eligibility == funding.EligibilityUnknown {
		c := note("summary.check")
		nl, en = nl+"; "+c.NL, en+"; "+c.EN
	}
	return nl + ".", en + "."
}

// note is the catalogue's text with the given key in both languages, with
// args filled in.
func note(key string, args ...any) Note {
	t := i18n.Both(key, args...)
	return Note{t.NL, t.EN}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// list joins items as a sentence does: "a, b en c", "a, b and c".
func list(lang i18n.Lang, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + i18n.T(lang, "list.and") + items[len(items)-1]
}

// domainLabel names a smart-city domain in Dutch and English, in lower
// case for a sentence, with the words the profile form uses.
func domainLabel(d Domain) (nl, en string) {
	key := "domain_" + string(d)
	if !i18n.Has(key) {
		return string(d), string(d)
	}
	t := i18n.Both(key)
	return strings.ToLower(t.NL), strings.ToLower(t.EN)
}

// matchedConcepts lists the concepts the profile names that the call
// contains, those of the profile's strongest domains first.
func (m *Model) matchedConcepts(q *CityQuery, callWords map[int][]string) []ConceptMatch {
	var named []ConceptMatch
	for c, cw := range callWords {
		if pw, ok := q.named[c]; ok {
			concept := m.vocab.concepts[c]
			named = append(named, ConceptMatch{Concept: concept.ID, LabelNL: concept.LabelNL(), LabelEN: concept.LabelEN(),
				Domain: concept.Domain, ProfileWords: pw, CallWords: cw})
		}
	}
	byWeight := func(a, b ConceptMatch) int {
		wa, wb := domainWeight(q.Applicant.Profile, a.Domain), domainWeight(q.Applicant.Profile, b.Domain)
		if wa != wb {
			if wa > wb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Concept, b.Concept)
	}
	slices.SortFunc(named, byWeight)
	return named
}

// foundKeywords returns the profile keywords whose stems all occur in the
// call, in either language.
func foundKeywords(q *CityQuery, stems map[string]bool) []string {
	var found []string
	for _, k := range q.keywords {
		for _, ss := range k.stems {
			if len(ss) > 0 && !slices.ContainsFunc(ss, func(s string) bool { return !stems[s] }) {
				found = append(found, k.word)
				break
			}
		}
	}
	return found
}

// profileKeywords analyses the profile's keywords, each in its own list's
// language and then the other, once per city: explanations look for them in
// every call explained.
func (m *Model) profileKeywords(p Profile) []profileKeyword {
	var out []profileKeyword
	for _, kw := range [...]struct {
		list []string
		lang language
	}{{p.KeywordsNL, langNL}, {p.KeywordsEN, langEN}} {
		for _, k := range kw.list {
			pk := profileKeyword{word: k}
			for i, lang := range []language{kw.lang, kw.lang.other()} {
				res := m.an.analyse(k, lang, false)
				pk.stems[i] = res.terms[:res.length]
			}
			out = append(out, pk)
		}
	}
	return out
}

// missing lists what stands between the city and a strong bid, beside the
// eligibility reasons of the match.
func (m *Model) missing(ic *indexedCall, q *CityQuery, s *scorer, e Explanation, callWords map[int][]string) []Note {
	var notes []Note
	pr := s.rules(ic)
	prog := ic.call.Programme
	if e.Project == nil {
		notes = append(notes, note("missing.no_project"))
	}
	if !pr.previous && prog != "" {
		notes = append(notes, note("missing.no_programme", prog))
	}
	switch prog {
	case "HORIZON":
		notes = append(notes, note("missing.horizon"))
	case "INTERREG-NWE":
		notes = append(notes, note("missing.nwe"))
	case "INTERREG-VLNL":
		notes = append(notes, note("missing.vlnl"))
	}
	_, _, daysLeft := deadlineCheck(m.deadlinesOf(ic), s.now, pr.prep)
	f := assessFeasibility(daysLeft, pr.prep, ic.grant, ic.partners, max(pr.rate, ic.rate), s.capacity)
	if f.budget < 0.5 {
		notes = append(notes, note("missing.co_funding"))
	}
	if ic.grant == 0 {
		notes = append(notes, note("missing.budget"))
	}
	var extra []int
	for c := range callWords {
		if _, ok := q.named[c]; !ok {
			extra = append(extra, c)
		}
	}
	if len(extra) > 0 {
		slices.SortFunc(extra, func(a, b int) int { return strings.Compare(m.vocab.concepts[a].ID, m.vocab.concepts[b].ID) })
		extra = extra[:min(len(extra), 4)]
		var nl, en []string
		for _, c := range extra {
			nl, en = append(nl, m.vocab.concepts[c].LabelNL()), append(en, m.vocab.concepts[c].LabelEN())
		}
		notes = append(notes, note("missing.themes", i18n.Text{NL: strings.Join(nl, ", "), EN: strings.Join(en, ", ")}))
	}
	return notes
}

// render writes the explanation as Dutch and English text, for people:
// the summary, then one line per theme, the project, eligibility and what is
// missing. It names no internal identifiers.
func (e Explanation) render(ic *indexedCall) (nl, en string) {
	var b [2]strings.Builder // 0 Dutch, 1 English
	m := e.Match
	status := "eligibility_unknown"
	switch m.Eligibility {
	case funding.Eligible:
		status = "eligible"
	case funding.Ineligible:
		status = "ineligible"
	}
	// Room for every reason and its line's frame at once: an explained
	// match's text is some 1 kB, and growing it line by line was most of
	// what a full rescore allocated to render them.
	size := 160
	for _, r := range e.Reasons {
		size += max(len(r.NL), len(r.EN)) + 16
	}
	for i, lang := range i18n.Langs {
		summary := e.SummaryNL
		if lang == i18n.EN {
			summary = e.SummaryEN
		}
		w := &b[i]
		w.Grow(size)
		w.WriteString(i18n.T(lang, "explain.head", m.Score, i18n.T(lang, status), summary))
		w.WriteByte('\n')
		for _, r := range e.Reasons {
			text := i18n.Text{NL: r.NL, EN: r.EN}.In(lang)
			switch r.Code {
			case ReasonTheme:
				w.WriteString("- ")
				w.WriteString(text)
				w.WriteString(".\n")
				continue
			case ReasonProject:
				w.WriteString(text)
			case ReasonMissing:
				w.WriteString(i18n.T(lang, "explain.missing", text))
			default:
				w.WriteString(i18n.T(lang, "explain.condition", text))
			}
			w.WriteByte('\n')
		}
	}
	return b[0].String(), b[1].String()
}

// quoteAll quotes each word as %q does (without fmt's cost for every
// word), joined by commas.
func quoteAll(ws []string) string {
	var b []byte
	for i, w := range ws {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, w)
	}
	return string(b)
}
