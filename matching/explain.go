package matching

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Explanation says in Dutch and English why a call scores as it does for a
// city: the concepts matched with the words found on each side, the profile
// keywords found, the past project the call resembles and what is missing.
type Explanation struct {
	Match    Match            `json:"match"`
	Concepts []ConceptMatch   `json:"concepts"`
	Keywords []string         `json:"keywords"` // profile keywords found in the call
	Project  *ProjectEvidence `json:"project"`  // nil when no past project resembles the call
	Missing  []Note           `json:"missing"`  // what stands between the city and a strong bid
	NL       string           `json:"nl"`       // the whole explanation as Dutch text
	EN       string           `json:"en"`       // the whole explanation as English text
}

// ConceptMatch is a vocabulary concept found in both the profile and the
// call, with the words that expressed it on each side.
type ConceptMatch struct {
	Concept      string   `json:"concept"`
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	doc, ok := m.byID[identifier]
	if !ok {
		return Explanation{}, fmt.Errorf("explain call %q: not in the model", identifier)
	}
	ic := &m.calls[doc]
	sim, best := m.bestProject(ic, q)
	s := m.newScorer(q, now)
	e := Explanation{Match: s.match(ic, s.assess(ic, m.relevance(ic, q), sim))}

	an := newAnalyser(m.vocab) // the model's analyser needs the write lock
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
	e.Concepts = m.matchedConcepts(q, callWords)
	e.Keywords = foundKeywords(an, q.Applicant.Profile, stems)
	if best >= 0 && sim >= 0.2 {
		p := q.Applicant.Projects[best]
		e.Project = &ProjectEvidence{Title: p.Title, Year: p.Year, Programme: p.Programme, Similarity: sim}
	}
	e.Missing = m.missing(ic, q, s, e, callWords)
	e.NL, e.EN = e.render(ic)
	return e, nil
}

// matchedConcepts lists the concepts the profile names that the call
// contains, those of the profile's strongest domains first.
func (m *Model) matchedConcepts(q *CityQuery, callWords map[int][]string) []ConceptMatch {
	var named []ConceptMatch
	for c, cw := range callWords {
		if pw, ok := q.named[c]; ok {
			concept := m.vocab.concepts[c]
			named = append(named, ConceptMatch{Concept: concept.ID, Domain: concept.Domain, ProfileWords: pw, CallWords: cw})
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
func foundKeywords(an *analyser, p Profile, stems map[string]bool) []string {
	var found []string
	for _, kw := range [...]struct {
		list []string
		lang language
	}{{p.KeywordsNL, langNL}, {p.KeywordsEN, langEN}} {
	next:
		for _, k := range kw.list {
			for _, lang := range []language{kw.lang, kw.lang.other()} {
				res := an.analyse(k, lang, false)
				ss := res.terms[:res.length]
				if len(ss) > 0 && !slices.ContainsFunc(ss, func(s string) bool { return !stems[s] }) {
					found = append(found, k)
					continue next
				}
			}
		}
	}
	return found
}

// missing lists what stands between the city and a strong bid, beside the
// eligibility reasons of the match.
func (m *Model) missing(ic *indexedCall, q *CityQuery, s *scorer, e Explanation, callWords map[int][]string) []Note {
	var notes []Note
	pr := s.rules(ic)
	prog := ic.call.Programme
	if e.Project == nil {
		notes = append(notes, Note{"Geen eerder project van de stad lijkt op deze oproep.", "No past project of the city resembles this call."})
	}
	if !pr.previous && prog != "" {
		notes = append(notes, Note{"Nog geen eerdere deelname aan " + prog + ".", "No earlier participation in " + prog + "."})
	}
	switch prog {
	case "HORIZON":
		notes = append(notes, Note{"Een consortium met partners uit minstens drie landen is nodig.", "A consortium with partners from at least three countries is needed."})
	case "INTERREG-NWE":
		notes = append(notes, Note{"Minstens drie partners uit drie programmalanden zijn nodig.", "At least three partners from three programme countries are needed."})
	case "INTERREG-VLNL":
		notes = append(notes, Note{"Partners aan beide kanten van de grens zijn nodig.", "Partners on both sides of the border are needed."})
	}
	_, _, daysLeft := deadlineCheck(m.deadlinesOf(ic), s.now, pr.prep)
	f := assessFeasibility(daysLeft, pr.prep, ic.grant, ic.partners, max(pr.rate, ic.rate), s.capacity)
	if f.budget < 0.5 {
		notes = append(notes, Note{"Het aandeel cofinanciering overstijgt wellicht de jaarlijkse capaciteit.", "The co-funding share probably exceeds the yearly capacity."})
	}
	if ic.grant == 0 {
		notes = append(notes, Note{"Budget per project onbekend.", "Budget per project unknown."})
	}
	var extra []string
	for c := range callWords {
		if _, ok := q.named[c]; !ok {
			extra = append(extra, m.vocab.concepts[c].ID)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		extra = extra[:min(len(extra), 4)]
		list := strings.Join(extra, ", ")
		notes = append(notes, Note{"De oproep vraagt ook naar thema's die het profiel niet noemt: " + list + ".",
			"The call also asks for themes the profile does not name: " + list + "."})
	}
	return notes
}

// render writes the explanation as Dutch and English text.
func (e Explanation) render(ic *indexedCall) (nl, en string) {
	var b [2]strings.Builder // 0 Dutch, 1 English
	m := e.Match
	fmt.Fprintf(&b[0], "%s voor %s: score %d (%s).\n", ic.call.Identifier, m.City, m.Score, dutchStatus(m.Eligibility))
	fmt.Fprintf(&b[1], "%s for %s: score %d (%s).\n", ic.call.Identifier, m.City, m.Score, m.Eligibility)
	fmt.Fprintf(&b[0], "Relevantie %.2f, ervaring %.2f, haalbaarheid %.2f.\n", m.Components.Relevance, m.Components.Experience, m.Components.Feasibility)
	fmt.Fprintf(&b[1], "Relevance %.2f, experience %.2f, feasibility %.2f.\n", m.Components.Relevance, m.Components.Experience, m.Components.Feasibility)
	for _, c := range e.Concepts {
		prof, call := quoteAll(c.ProfileWords), quoteAll(c.CallWords)
		fmt.Fprintf(&b[0], "- %s in het profiel ~ %s in de oproep (%s).\n", prof, call, c.Concept)
		fmt.Fprintf(&b[1], "- %s in the profile ~ %s in the call (%s).\n", prof, call, c.Concept)
	}
	for _, r := range m.Reasons {
		fmt.Fprintf(&b[0], "Voorwaarde: %s\n", r.NL)
		fmt.Fprintf(&b[1], "Eligibility: %s\n", r.EN)
	}
	if len(e.Keywords) > 0 {
		fmt.Fprintf(&b[0], "Trefwoorden gevonden: %s.\n", quoteAll(e.Keywords))
		fmt.Fprintf(&b[1], "Keywords found: %s.\n", quoteAll(e.Keywords))
	}
	if p := e.Project; p != nil {
		fmt.Fprintf(&b[0], "Lijkt op uw project %q (%d, %s).\n", p.Title, p.Year, p.Programme)
		fmt.Fprintf(&b[1], "Resembles your %d project %q (%s).\n", p.Year, p.Title, p.Programme)
	}
	for _, n := range e.Missing {
		fmt.Fprintf(&b[0], "Ontbreekt: %s\n", n.NL)
		fmt.Fprintf(&b[1], "Missing: %s\n", n.EN)
	}
	return b[0].String(), b[1].String()
}

func dutchStatus(e Eligibility) string {
	switch e {
	case Eligible:
		return "in aanmerking"
	case Ineligible:
		return "niet in aanmerking"
	}
	return "onbekend"
}

func quoteAll(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, ", ")
}
