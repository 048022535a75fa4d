package matching

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:embed vocabulary.tsv
var vocabularyTSV []byte

// Concept is one entry of the bilingual vocabulary: a smart-city or EU-policy
// notion with the Dutch and English terms that express it.
type Concept struct {
	ID     string // stable kebab-case id, e.g. "air-quality"
	Domain Domain
	NL     []string // Dutch terms, lower case
	EN     []string // English terms, lower case
}

// LabelNL is the concept's Dutch name for people: its first Dutch term.
func (c Concept) LabelNL() string { return first(c.NL, c.ID) }

// LabelEN is the concept's English name for people: its first English term.
func (c Concept) LabelEN() string { return first(c.EN, c.ID) }

func first(terms []string, fallback string) string {
	if len(terms) > 0 {
		return terms[0]
	}
	return fallback
}

// Vocabulary is a parsed, validated bilingual concept vocabulary with the
// phrase index the analyser uses to recognise concepts in text.
type Vocabulary struct {
	concepts []Concept
	phrases  *phraseNode     // stemmed token sequences of every term, both stemmers
	words    map[string]bool // single-word Dutch terms, folded, for compound splitting
	byID     map[string]int  // concept id -> index
	tokens   []string        // concept index -> index token ("#air-quality")
}

// phraseNode is a trie over stemmed tokens; concept is -1 when no term ends here.
type phraseNode struct {
	concept int
	next    map[string]*phraseNode
}

// DefaultVocabulary returns the vocabulary embedded in the package
// (vocabulary.tsv), parsed once and shared: a Vocabulary is never changed
// after it is built.
func DefaultVocabulary() (*Vocabulary, error) { return defaultVocabulary() }

var defaultVocabulary = sync.OnceValues(func() (*Vocabulary, error) {
	v, err := ParseVocabulary(bytes.NewReader(vocabularyTSV))
	if err != nil {
		return nil, fmt.Errorf("embedded vocabulary.tsv: %w", err)
	}
	return v, nil
})

// ParseVocabulary reads a vocabulary in the tab-separated format
// "id<TAB>domain<TAB>nl<TAB>en" with a header line and terms separated by
// "|". It rejects malformed rows, unknown domains, duplicate ids and terms
// claimed by two concepts, naming the offending line.
func ParseVocabulary(r io.Reader) (*Vocabulary, error) {
	sc := bufio.NewScanner(r)
	line := 0
	var concepts []Concept
	ids := map[string]int{}
	terms := map[string]string{} // folded term -> concept id
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			if text != "id\tdomain\tnl\ten" {
				return nil, fmt.Errorf("line 1: header is %q, want \"id\\tdomain\\tnl\\ten\"", text)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		c, err := parseConcept(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if prev, ok := ids[c.ID]; ok {
			return nil, fmt.Errorf("line %d: duplicate id %q (first on line %d)", line, c.ID, prev)
		}
		ids[c.ID] = line
		for _, t := range append(append([]string(nil), c.NL...), c.EN...) {
			key := strings.Join(words(t), " ")
			if other, ok := terms[key]; ok && other != c.ID {
				return nil, fmt.Errorf("line %d: term %q of %q is also a term of %q", line, t, c.ID, other)
			}
			terms[key] = c.ID
		}
		concepts = append(concepts, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	if len(concepts) == 0 {
		return nil, fmt.Errorf("vocabulary has no concepts")
	}
	return newVocabulary(concepts), nil
}

func parseConcept(text string) (Concept, error) {
	cells := strings.Split(text, "\t")
	if len(cells) != 4 {
		return Concept{}, fmt.Errorf("%d cells, want 4 (id, domain, nl, en)", len(cells))
	}
	for i, name := range []string{"id", "domain", "nl", "en"} {
		if strings.TrimSpace(cells[i]) == "" {
			return Concept{}, fmt.Errorf("empty %s cell", name)
		}
	}
	c := Concept{ID: strings.TrimSpace(cells[0]), Domain: Domain(strings.TrimSpace(cells[1]))}
	if !validDomain(c.Domain) {
		return Concept{}, fmt.Errorf("concept %q: unknown domain %q", c.ID, c.Domain)
	}
	var err error
	if c.NL, err = splitTerms(cells[2]); err != nil {
		return Concept{}, fmt.Errorf("concept %q, nl: %w", c.ID, err)
	}
	if c.EN, err = splitTerms(cells[3]); err != nil {
		return Concept{}, fmt.Errorf("concept %q, en: %w", c.ID, err)
	}
	return c, nil
}

func splitTerms(cell string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(cell, "|") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			return nil, fmt.Errorf("empty term in %q", cell)
		}
		if len(words(t)) == 0 {
			return nil, fmt.Errorf("term %q has no letters or digits", t)
		}
		out = append(out, t)
	}
	return out, nil
}

func validDomain(d Domain) bool {
	for _, x := range Domains {
		if d == x {
			return true
		}
	}
	return false
}

// newVocabulary indexes every term under both its Dutch and its English
// stemming, so a term is recognised whatever language the text around it is
// detected as (Dutch officers write "smart city", English calls say "living lab").
func newVocabulary(concepts []Concept) *Vocabulary {
	v := &Vocabulary{
		concepts: concepts,
		phrases:  &phraseNode{concept: -1},
		words:    map[string]bool{},
		byID:     map[string]int{},
	}
	st := newStemmer()
	for i, c := range concepts {
		v.byID[c.ID] = i
		v.tokens = append(v.tokens, conceptPrefix+c.ID)
		for _, t := range c.NL {
			ws := words(t)
			if len(ws) == 1 && len(ws[0]) >= 4 {
				v.words[ws[0]] = true
			}
		}
		for _, t := range append(append([]string(nil), c.NL...), c.EN...) {
			ws := contentWords(words(t))
			if len(ws) == 0 {
				continue
			}
			for _, lang := range []language{langNL, langEN} {
				v.addPhrase(st.stemAll(ws, lang), i)
			}
		}
	}
	return v
}

func (v *Vocabulary) addPhrase(stems []string, concept int) {
	n := v.phrases
	for _, s := range stems {
		next := n.next[s]
		if next == nil {
			if n.next == nil {
				n.next = map[string]*phraseNode{}
			}
			next = &phraseNode{concept: -1}
			n.next[s] = next
		}
		n = next
	}
	if n.concept < 0 { // the first concept to claim a stemmed form keeps it
		n.concept = concept
	}
}

// longestPhrase returns the concept and length of the longest term starting
// at stems[0], or -1 and 0.
func (v *Vocabulary) longestPhrase(stems []string) (concept, length int) {
	concept = -1
	n := v.phrases
	for i, s := range stems {
		n = n.next[s]
		if n == nil {
			break
		}
		if n.concept >= 0 {
			concept, length = n.concept, i+1
		}
	}
	return concept, length
}

// Len returns the number of concepts.
func (v *Vocabulary) Len() int { return len(v.concepts) }

// Concept returns the concept with the given id.
func (v *Vocabulary) Concept(id string) (Concept, bool) {
	i, ok := v.byID[id]
	if !ok {
		return Concept{}, false
	}
	return v.concepts[i], true
}
