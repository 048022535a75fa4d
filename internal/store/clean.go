package store

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/funding"
)

// cleanCall makes the text of c storable: PostgreSQL refuses NUL and
// invalid UTF-8 in text, and the \u0000 escape in jsonb, and one such
// record would fail the whole run. Invalid bytes become U+FFFD and NULs are
// dropped, so the text stays readable. Every string and string list of the
// call is cleaned, whatever fields it gains.
func cleanCall(c *funding.Call) {
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Kind() == reflect.String:
			if s := f.String(); !cleanText(s) {
				f.SetString(storableText(s))
			}
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			for j := range f.Len() {
				if s := f.Index(j).String(); !cleanText(s) {
					f.Index(j).SetString(storableText(s))
				}
			}
		}
	}
	c.Raw = storableJSON(c.Raw)
}

// cleanText reports whether PostgreSQL takes s as text.
func cleanText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// storableText is s with invalid UTF-8 replaced by U+FFFD and NULs dropped.
func storableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// storableJSON is a JSON document without the \u0000 escapes jsonb refuses
// and with invalid UTF-8 replaced; it is returned as it is when it has
// neither, which is nearly always.
func storableJSON(doc []byte) []byte {
	if !bytes.Contains(doc, []byte(`\u0000`)) && utf8.Valid(doc) {
		return doc
	}
	doc = bytes.ToValidUTF8(doc, []byte("\uFFFD"))
	out := make([]byte, 0, len(doc))
	for i := 0; i < len(doc); i++ {
		// In valid JSON a backslash only starts an escape inside a string,
		// so \\u0000 (a backslash, then text) is copied as it is.
		if doc[i] == '\\' && i+1 < len(doc) {
			if bytes.HasPrefix(doc[i+1:], []byte("u0000")) {
				i += 5
				continue
			}
			out = append(out, doc[i], doc[i+1])
			i++
			continue
		}
		out = append(out, doc[i])
	}
	return out
}
