// Package imports loads reference data that users bring as files: more
// municipalities (CSV), past projects (CSV) and city profiles (JSON). Every
// file loads in one transaction: a bad row rejects the whole file with its
// line, column and reason, and nothing is half-loaded. The formats are
// documented in README.md ("Import formats") and shown in examples/.
package imports

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RowError says which line and column of a file is wrong, and why.
type RowError struct {
	File   string
	Line   int
	Column string
	Reason string
}

func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	b.WriteString(" (nothing was imported)")
	return b.String()
}

// Result counts what an import did.
type Result struct {
	Rows    int // rows read
	Changed int // rows inserted or updated; 0 when the file was already loaded
}

// table is a CSV file read whole with its header, for validation row by row.
type table struct {
	file    string
	columns map[string]int
	rows    [][]string
	lines   []int // the line on which each row starts
}

// readTable reads a comma-separated file with a header row. required columns
// must be present; any column not in allowed is an error (a typo would
// otherwise be silently ignored).
func readTable(file string, r io.Reader, required, allowed []string) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &RowError{File: file, Line: 1, Reason: "the file is empty; want a header row"}
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	t := &table{file: file, columns: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(allowed, h) {
			return nil, &RowError{File: file, Line: 1, Column: h, Reason: fmt.Sprintf("unknown column; the columns are %s", strings.Join(allowed, ", "))}
		}
		if _, dup := t.columns[h]; dup {
			return nil, &RowError{File: file, Line: 1, Column: h, Reason: "the column appears twice"}
		}
		t.columns[h] = i
	}
	for _, c := range required {
		if _, ok := t.columns[c]; !ok {
			return nil, &RowError{File: file, Line: 1, Column: c, Reason: "required column is missing"}
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			return nil, &RowError{File: file, Line: line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))}
		}
		for i, v := range rec {
			if reason := badText(v); reason != "" {
				return nil, &RowError{File: file, Line: line, Column: strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))), Reason: reason}
			}
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{File: file, Line: pe.Line, Reason: pe.Err.Error()}
	}
	return &RowError{File: file, Reason: err.Error()}
}

// get returns the trimmed value of column c in row i, "" when the column is absent.
func (t *table) get(i int, c string) string {
	j, ok := t.columns[c]
	if !ok {
		return ""
	}
	return strings.TrimSpace(t.rows[i][j])
}

func (t *table) errorf(i int, column, format string, args ...any) error {
	return &RowError{File: t.file, Line: t.lines[i], Column: column, Reason: fmt.Sprintf(format, args...)}
}

// list splits a |-separated cell into its non-empty, trimmed parts.
func list(cell string) []string {
	var out []string
	for _, p := range strings.Split(cell, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// badText says why PostgreSQL would refuse s as text (it is not UTF-8 or
// holds a NUL), or returns "".
func badText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "the text is not UTF-8; save the file as UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "the text holds a NUL character"
	}
	return ""
}

// maxAmount is the most the numeric(14, 2) money columns hold.
const maxAmount = 999_999_999_999.99

// amount parses an optional euro amount written with a decimal point.
func amount(cell string) (*float64, error) {
	if cell == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(cell, "_", ""), 64)
	if err != nil || !(v >= 0 && v <= maxAmount) { // also refuses NaN and Inf
		return nil, fmt.Errorf("want an amount in euro such as 1250000 or 99.50, got %q", cell)
	}
	return &v, nil
}
