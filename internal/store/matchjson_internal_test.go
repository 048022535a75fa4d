package store

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString holds appendJSONString to encoding/json's bytes for
// any string: plain runs, escapes, <, > and &, U+2028 and invalid UTF-8.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain text", `"quoted" \ back`, "<b>&amp;</b>", "é — ✓ \u2028\u2029", "bad \xff\xe2\x80", "\x00\x1f\t\n\r\b\f\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}

// FuzzAppendCompactJSON holds appendCompactJSON to what encoding/json makes
// of the same JSON text returned by a Marshaler (compacted, HTML-escaped).
func FuzzAppendCompactJSON(f *testing.F) {
	for _, s := range []string{`[]`, `[{"nl": "a <b> & c", "en" : "\"q\" \\ \u00e9"}, 1.5e-9, [ ], { }]`,
		"[\"x\u2028y\u2029\", \"\\u2028\", \"\xe2\x82\xac\"]", "{\n\t\"k\":\r\n true }", `"\\"`, `"a\"b" `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		want, err := json.Marshal(json.RawMessage(s))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCompactJSON(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Fatalf("appendCompactJSON(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}
