package web

import "testing"

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
