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

// The dictionary translates single Dutch words into English words and short
// phrases (dictionary.tsv: "nl<TAB>en1|en2|..."), and back. The vocabulary
// links whole notions across languages; the dictionary covers the rest of
// what an officer writes ("modulair bouwen", "vervoersarmoede"), word by word
// and through the parts of compounds.
//
//go:embed dictionary.tsv
var dictionaryTSV []byte

// Dictionary maps folded Dutch words to English translations and English
// words to Dutch ones.
type Dictionary struct {
	nlEN map[string][]string
	enNL map[string][]string
}

var defaultDictionary = sync.OnceValues(func() (*Dictionary, error) {
	d, err := ParseDictionary(bytes.NewReader(dictionaryTSV))
	if err != nil {
		return nil, fmt.Errorf("embedded dictionary.tsv: %w", err)
	}
	return d, nil
})

// ParseDictionary reads a dictionary: a header line, then "nl<TAB>en|en|..."
// lines; blank lines and lines starting with # are skipped.
func ParseDictionary(r io.Reader) (*Dictionary, error) {
	d := &Dictionary{nlEN: map[string][]string{}, enNL: map[string][]string{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 || text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		nl, en, ok := strings.Cut(text, "\t")
		ws := words(nl)
		if !ok || len(ws) == 0 || strings.ContainsAny(strings.TrimSpace(nl), " \t") {
			return nil, fmt.Errorf("dictionary line %d: want one Dutch word, a tab and translations", line)
		}
		// "programma's" is analysed as "programma" (and a dropped "s").
		for _, t := range strings.Split(en, "|") {
			t = strings.Join(words(t), " ")
			if t == "" {
				return nil, fmt.Errorf("dictionary line %d: empty translation", line)
			}
			d.nlEN[ws[0]] = appendUnique(d.nlEN[ws[0]], t)
			if tw := words(t); len(tw) == 1 {
				d.enNL[tw[0]] = appendUnique(d.enNL[tw[0]], ws[0])
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	return d, nil
}

// split splits a Dutch compound into words the dictionary knows, longest
// head first, dropping a linking "s", "e" or "en"; nil when it cannot.
func (d *Dictionary) split(w string) []string {
	const minPart = 3
	if _, ok := d.nlEN[w]; ok {
		return []string{w}
	}
	for i := len(w) - minPart; i >= minPart; i-- {
		head := w[:i]
		if _, ok := d.nlEN[head]; !ok {
			continue
		}
		rest := w[i:]
		for _, link := range []string{"", "s", "en", "e"} {
			tail, ok := strings.CutPrefix(rest, link)
			if !ok || len(tail) < minPart {
				continue
			}
			if parts := d.split(tail); parts != nil {
				return append([]string{head}, parts...)
			}
		}
	}
	return nil
}

// translate returns the translation slots of a keyword: one slot per word
// (a compound counts its parts), each slot the stems of that word's
// translations in the other language. It returns nil when some word has no
// translation, since a half-translated keyword would match the wrong calls.
// A Dutch word or compound the dictionary knows whole keeps its phrases:
// each multi-word translation becomes a phrase alternative of its own.
func (d *Dictionary) translate(st *stemmer, keyword string, from language) (slots [][]string, phrases [][]string) {
	ws := contentWords(words(keyword))
	for _, w := range ws {
		if from == langEN {
			nl := d.enNL[w]
			if len(nl) == 0 {
				return nil, nil
			}
			var slot []string
			for _, t := range nl {
				slot = appendUnique(slot, st.stem(t, langNL))
			}
			slots = append(slots, slot)
			continue
		}
		parts := d.split(w)
		if parts == nil {
			return nil, nil
		}
		whole := len(ws) == 1 && len(parts) == 1 // the keyword is one known word
		for _, p := range parts {
			var slot, heads []string
			for _, t := range d.nlEN[p] {
				tw := contentWords(words(t))
				switch {
				case len(tw) == 1:
					slot = appendUnique(slot, st.stem(tw[0], langEN))
				case len(tw) > 1 && whole:
					phrases = append(phrases, st.stemAll(tw, langEN))
				case len(tw) > 1:
					// Within a longer keyword a phrase stands in by its last
					// word, mostly its head ("urban regeneration").
					heads = appendUnique(heads, st.stem(tw[len(tw)-1], langEN))
				}
			}
			if len(slot) == 0 {
				slot = heads
			}
			if len(slot) == 0 {
				if whole {
					return nil, phrases
				}
				return nil, nil
			}
			slots = append(slots, slot)
		}
	}
	return slots, phrases
}
