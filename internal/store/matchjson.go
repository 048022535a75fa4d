package store

import (
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends m as encoding/json encodes it (its field tags, HTML
// escaping, the stored reasons compacted), without reflection: a page of
// matches is the API's busiest answer, and encoding it by reflection cost
// as much CPU as reading it from PostgreSQL. TestAppendJSONEncodesAsEncodingJSON
// holds the two to the same bytes.
func (m *CityMatch) AppendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"city":`...)
	b = appendJSONString(b, m.City)
	b = append(b, `,"city_name":`...)
	b = appendJSONString(b, m.CityName)
	b = append(b, `,"call":`...)
	b = appendJSONString(b, m.CallIdentifier)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, m.Title)
	b = append(b, `,"programme":`...)
	b = appendJSONString(b, m.Programme)
	b = append(b, `,"call_status":`...)
	b = appendJSONString(b, string(m.CallStatus))
	b = append(b, `,"next_deadline":`...)
	if b, err = appendJSONTime(b, m.NextDeadline); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{`,"budget_min":`, m.BudgetMin}, {`,"budget_max":`, m.BudgetMax}, {`,"call_budget":`, m.CallBudget}} {
		b = append(b, f.name...)
		if f.v == nil {
			b = append(b, "null"...)
		} else if b, err = appendJSONFloat(b, *f.v); err != nil {
			return nil, err
		}
	}
	if len(m.TypesOfAction) > 0 {
		b = append(b, `,"types_of_action":[`...)
		for i, t := range m.TypesOfAction {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"score":`...)
	b = strconv.AppendInt(b, int64(m.Score), 10)
	b = append(b, `,"eligibility":`...)
	b = appendJSONString(b, string(m.Eligibility))
	for _, f := range []struct {
		name string
		v    float64
	}{{`,"relevance":`, m.Relevance}, {`,"experience":`, m.Experience}, {`,"feasibility":`, m.Feasibility}} {
		b = append(b, f.name...)
		if b, err = appendJSONFloat(b, f.v); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"reasons":`...)
	if len(m.Reasons) == 0 {
		b = append(b, "[]"...)
	} else {
		b = appendCompactJSON(b, m.Reasons)
	}
	b = append(b, `,"explanation":{`...)
	if m.Explanation.NL != "" {
		b = append(b, `"nl":`...)
		b = appendJSONString(b, m.Explanation.NL)
		b = append(b, ',')
	}
	if m.Explanation.EN != "" {
		b = append(b, `"en":`...)
		b = appendJSONString(b, m.Explanation.EN)
		b = append(b, ',')
	}
	b = append(b, `"summary_nl":`...)
	b = appendJSONString(b, m.Explanation.SummaryNL)
	b = append(b, `,"summary_en":`...)
	b = appendJSONString(b, m.Explanation.SummaryEN)
	b = append(b, '}')
	if m.Interest != "" {
		b = append(b, `,"interest":`...)
		b = appendJSONString(b, string(m.Interest))
	}
	b = append(b, `,"scored_at":`...)
	if b, err = appendJSONTime(b, &m.ScoredAt); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

const jsonHex = "0123456789abcdef"

// jsonPlain marks the bytes a JSON string holds as they are, with HTML
// escaping: printable ASCII but for ", \, <, > and &. A page of matches is
// mostly such bytes (a best match's reasons and texts are 4 kB), so the
// loops below skip runs of them one table lookup a byte.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s quoted and escaped as encoding/json does with
// HTML escaping: <, > and & as \u escapes, invalid UTF-8 as U+FFFD, and
// U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && jsonPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', jsonHex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

var errJSONFloat = errors.New("json: unsupported value: NaN or infinity")

// appendJSONFloat appends f as encoding/json writes a float64: like %g but
// with exponents only below 1e-6 and from 1e21, and not padded.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errJSONFloat
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 is written e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendJSONTime appends t as time.Time's MarshalJSON does, or null.
func appendJSONTime(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// appendCompactJSON appends the JSON text src (valid, as PostgreSQL's json
// type holds it) without the spaces between its tokens and with HTML
// escaping in its strings, as encoding/json passes on what a Marshaler
// returns. PostgreSQL's escapes in strings are kept as they are.
func appendCompactJSON(b, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"':
			// A string, to its closing quote: runs of plain bytes and
			// UTF-8 are skipped, escapes kept, <, >, &, U+2028 and
			// U+2029 escaped.
			for i++; i < len(src); {
				for i < len(src) && (jsonPlain[src[i]] || src[i] >= utf8.RuneSelf && src[i] != 0xE2) {
					i++
				}
				if i == len(src) {
					break
				}
				c := src[i]
				if c == '"' {
					break
				}
				switch {
				case c == '\\':
					i += 2
					continue
				case c == '<' || c == '>' || c == '&':
					b = append(b, src[start:i]...)
					b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xF])
					start = i + 1
				case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8: // U+2028, U+2029
					b = append(b, src[start:i]...)
					b = append(b, '\\', 'u', '2', '0', '2', jsonHex[src[i+2]&0xF])
					i += 2
					start = i + 1
				}
				i++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			b = append(b, src[start:i]...)
			start = i + 1
		}
		i++
	}
	return append(b, src[start:]...)
}
