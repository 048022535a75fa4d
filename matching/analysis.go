package matching

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
)

// language selects a stemmer.
type language uint8

const (
	langEN language = iota
	langNL
)

func (l language) other() language { return 1 - l }

// conceptPrefix marks concept tokens in the index; analysed words never
// contain it.
const conceptPrefix = "#"

// words lower-cases and accent-folds text and splits it into runs of letters
// and digits. A word already in lower-case ASCII is a slice of text (most
// words of most calls), so only the others are copied.
func words(text string) []string {
	out := make([]string, 0, len(text)/7)
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !wordRune(r) {
			i += size
			continue
		}
		j, plain := i, true
		for j < len(text) {
			c := text[j]
			if c < utf8.RuneSelf {
				switch {
				case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				case 'A' <= c && c <= 'Z':
					plain = false
				default:
					goto end
				}
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[j:])
			if !wordRune(r) {
				break
			}
			plain = false
			j += size
		}
	end:
		if plain {
			out = append(out, text[i:j])
		} else {
			out = append(out, strings.Map(func(r rune) rune { return fold(unicode.ToLower(r)) }, text[i:j]))
		}
		i = j
	}
	return out
}

// wordRune reports whether r belongs to a word: a letter or digit once
// lower-cased and folded.
func wordRune(r rune) bool {
	r = fold(unicode.ToLower(r))
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// fold maps the accented letters of Dutch, French and German text to their
// base letter, so "financiële" and "financiele" are one word.
func fold(r rune) rune {
	if r < 0xC0 {
		return r
	}
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return 'a'
	case 'ç':
		return 'c'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ñ':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	}
	return r
}

// contentWords drops stop words of both languages; calls mix Dutch and
// English, so one list serves both.
func contentWords(ws []string) []string {
	out := ws[:0:0]
	for _, w := range ws {
		if !stopWords[w] && len(w) > 1 {
			out = append(out, w)
		}
	}
	return out
}

// detectLanguage guesses whether a text is Dutch or English from its stop
// words; English wins ties because most calls are in English.
func detectLanguage(ws []string) language {
	nl, en := 0, 0
	for _, w := range ws {
		if dutchStopWords[w] {
			nl++
		}
		if englishStopWords[w] {
			en++
		}
	}
	if nl > en {
		return langNL
	}
	return langEN
}

// stemmer wraps the Snowball stemmers, remembering the stems it made: a
// corpus repeats its words, and stemming is most of analysing a text. It is
// not safe for concurrent use.
type stemmer struct {
	env   *snowballstem.Env
	known [2]map[string]string // by language
}

// maxKnownStems bounds what a stemmer remembers per language; past it, it
// starts afresh.
const maxKnownStems = 1 << 16

func newStemmer() *stemmer {
	return &stemmer{env: snowballstem.NewEnv(""), known: [2]map[string]string{{}, {}}}
}

func (s *stemmer) stem(w string, lang language) string {
	known := s.known[lang]
	if st, ok := known[w]; ok {
		return st
	}
	s.env.SetCurrent(w)
	if lang == langNL {
		dutch.Stem(s.env)
	} else {
		english.Stem(s.env)
	}
	st := s.env.Current()
	if len(known) >= maxKnownStems {
		clear(known)
	}
	known[strings.Clone(w)] = st // w may be a slice of a long text
	return st
}

func (s *stemmer) stemAll(ws []string, lang language) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = s.stem(w, lang)
	}
	return out
}

// analysis is the result of analysing one piece of text.
type analysis struct {
	terms    []string     // stems, compound parts and concept tokens, with repeats
	length   int          // number of content words (the field length for BM25)
	concepts []conceptHit // concepts recognised, with the words that expressed them
}

// conceptHit records that a concept was expressed by the given surface words.
type conceptHit struct {
	concept int
	surface string
}

// analyser turns text into index terms with the vocabulary; it is not safe
// for concurrent use (the Snowball environment is stateful).
type analyser struct {
	vocab *Vocabulary
	st    *stemmer
}

func newAnalyser(v *Vocabulary) *analyser { return &analyser{vocab: v, st: newStemmer()} }

// analyse stems the content words of text in lang (detected when auto is
// true), splits Dutch compounds into known parts and adds a concept token
// for every vocabulary term found.
func (a *analyser) analyse(text string, lang language, auto bool) analysis {
	ws := contentWords(words(text))
	if auto {
		lang = detectLanguage(words(text))
	}
	var res analysis
	res.length = len(ws)
	stems := a.st.stemAll(ws, lang)
	res.terms = append(res.terms, stems...)
	for i := 0; i < len(stems); {
		c, n := a.vocab.longestPhrase(stems[i:])
		if c >= 0 {
			res.add(a.vocab, c, strings.Join(ws[i:i+n], " "))
			i += n
			continue
		}
		if lang == langNL {
			a.addCompound(&res, ws[i], lang)
		}
		i++
	}
	return res
}

func (res *analysis) add(v *Vocabulary, concept int, surface string) {
	res.terms = append(res.terms, v.tokens[concept])
	res.concepts = append(res.concepts, conceptHit{concept: concept, surface: surface})
}

// addCompound splits a Dutch compound such as "luchtkwaliteitsmeetnet" into
// parts guided by the vocabulary's single-word Dutch terms, and indexes the
// parts (and their concepts) beside the whole word.
func (a *analyser) addCompound(res *analysis, w string, lang language) {
	parts := a.vocab.splitCompound(w)
	if len(parts) < 2 {
		return
	}
	for _, p := range parts {
		s := a.st.stem(p, lang)
		res.terms = append(res.terms, s)
		if c, n := a.vocab.longestPhrase([]string{s}); c >= 0 && n == 1 {
			res.add(a.vocab, c, w)
		}
	}
}

// splitCompound splits w into a known head and a tail (itself split when
// possible), or an unknown head and a known tail, dropping a linking "s",
// "e" or "en". It returns nil when w is no compound of known words.
func (v *Vocabulary) splitCompound(w string) []string {
	const minKnown, minPart = 4, 3
	if len(w) < minKnown+minPart || v.words[w] {
		return nil
	}
	for i := len(w) - minPart; i >= minKnown; i-- {
		head := w[:i]
		if !v.words[head] {
			continue
		}
		tails := []string{w[i:]}
		for _, link := range []string{"s", "en", "e"} {
			if t := strings.TrimPrefix(w[i:], link); t != w[i:] && len(t) >= minPart {
				tails = append(tails, t)
			}
		}
		for _, t := range tails {
			if v.words[t] {
				return []string{head, t}
			}
		}
		for _, t := range tails {
			if rest := v.splitCompound(t); rest != nil {
				return append([]string{head}, rest...)
			}
		}
		if needsLinkingS(head) && len(tails) > 1 && w[i] == 's' {
			return []string{head, tails[1]}
		}
		return []string{head, tails[0]}
	}
	for i := minPart; i <= len(w)-minKnown; i++ {
		if tail := w[i:]; v.words[tail] {
			head := w[:i]
			if t := strings.TrimSuffix(head, "s"); t != head && needsLinkingS(t) {
				head = t
			}
			return []string{head, tail}
		}
	}
	return nil
}

// needsLinkingS reports whether a Dutch head word ends in a suffix that takes
// a linking "s" in compounds (kwaliteit-s-, gemeenschap-s-, woning-s-).
func needsLinkingS(head string) bool {
	for _, suf := range []string{"teit", "heid", "ing", "schap", "tie", "stad", "dorp", "ling"} {
		if strings.HasSuffix(head, suf) {
			return true
		}
	}
	return false
}
