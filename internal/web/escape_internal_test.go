package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCSVCellsCannotBeFormulas: a cell a spreadsheet would read as a
// formula, even after blanks, starts with a quote.
func TestCSVCellsCannotBeFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://evil\")": "'=HYPERLINK(\"http://evil\")",
		"+1+1":                        "'+1+1",
		"-2+3":                        "'-2+3",
		"@SUM(A1)":                    "'@SUM(A1)",
		"\t=1":                        "'\t=1",
		"  =1+1":                      "'  =1+1",
		"\n=1":                        "'\n=1",
		"Climate-neutral cities":      "Climate-neutral cities",
		"":                            "",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestICalTextEscapesItsSeparators: commas, semicolons, backslashes and
// line breaks in a title cannot end a property or start another.
func TestICalTextEscapesItsSeparators(t *testing.T) {
	for in, want := range map[string]string{
		"a, b; c\\d":                     `a\, b\; c\\d`,
		"title\r\nDTSTART:19700101":      `title\nDTSTART:19700101`,
		"line\nEND:VEVENT\nBEGIN:VEVENT": `line\nEND:VEVENT\nBEGIN:VEVENT`,
	} {
		if got := icalText(in); got != want {
			t.Errorf("icalText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestICalFoldKeepsLinesShortAndCharactersWhole: at every length and with a
// multi-byte character at every position near the fold, each physical line
// is at most 75 octets of valid UTF-8 and unfolding gives back the line.
func TestICalFoldKeepsLinesShortAndCharactersWhole(t *testing.T) {
	for n := 0; n < 240; n++ {
		for _, r := range []string{"a", "é", "€", "😀"} {
			in := "SUMMARY:" + strings.Repeat("x", n) + strings.Repeat(r, 40)
			out := icalFold(in)
			if !strings.HasSuffix(out, "\r\n") {
				t.Fatalf("icalFold(%q) does not end with CRLF", in)
			}
			for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
				if len(l) > 75 || !utf8.ValidString(l) || (i > 0 && !strings.HasPrefix(l, " ")) {
					t.Fatalf("icalFold(%q) line %d = %q (%d octets)", in, i, l, len(l))
				}
			}
			if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != in {
				t.Fatalf("unfolded = %q, want %q", got, in)
			}
		}
	}
}
