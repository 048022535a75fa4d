package matching

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode"
)

// TestDictionaryFileIsWellFormed checks dictionary.tsv, the Dutch→English
// word dictionary: header, two columns, lower case, one row per Dutch word,
// 1-5 non-empty translations of at most three words each.
func TestDictionaryFileIsWellFormed(t *testing.T) {
	f, err := os.Open("dictionary.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	seen := map[string]int{}
	line, entries := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			if text != "nl\ten" {
				t.Fatalf("line 1: header %q, want %q", text, "nl\ten")
			}
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cells := strings.Split(text, "\t")
		if len(cells) != 2 {
			t.Errorf("line %d: %d cells, want 2: %q", line, len(cells), text)
			continue
		}
		nl, en := cells[0], cells[1]
		if nl == "" || strings.ContainsAny(nl, " |") || nl != strings.TrimSpace(nl) {
			t.Errorf("line %d: Dutch %q is not a single word", line, nl)
		}
		if nl != strings.ToLower(nl) || en != strings.ToLower(en) {
			t.Errorf("line %d: not lower case: %q", line, text)
		}
		if first, ok := seen[nl]; ok {
			t.Errorf("line %d: duplicate Dutch word %q (first on line %d)", line, nl, first)
		}
		seen[nl] = line
		trs := strings.Split(en, "|")
		if len(trs) > 5 {
			t.Errorf("line %d: %d translations, want at most 5", line, len(trs))
		}
		dup := map[string]bool{}
		for _, tr := range trs {
			if tr == "" || tr != strings.TrimSpace(tr) {
				t.Errorf("line %d: empty or padded translation in %q", line, en)
				continue
			}
			if n := len(strings.Fields(tr)); n > 3 {
				t.Errorf("line %d: translation %q has %d words, want at most 3", line, tr, n)
			}
			if dup[tr] {
				t.Errorf("line %d: translation %q twice", line, tr)
			}
			dup[tr] = true
			for _, r := range tr {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -'", r) {
					t.Errorf("line %d: translation %q has character %q", line, tr, r)
					break
				}
			}
		}
		entries++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if entries < 2500 {
		t.Errorf("%d entries, want at least 2500", entries)
	}
}
