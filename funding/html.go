package funding

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy is built once and only read afterwards; bluemonday policies are
// safe for concurrent use once built.
var policy = newPolicy()

// newPolicy is bluemonday's user-generated-content policy (no script, no
// style, no on* attributes, only http, https and mailto links) with links
// that open in a new tab without referrer or opener.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// SanitizeHTML returns a source's HTML fragment made safe to render, and a
// plain-text copy of it for search and scoring.
func SanitizeHTML(fragment string) (safe, text string) {
	if strings.TrimSpace(fragment) == "" {
		return "", ""
	}
	safe = policy.Sanitize(fragment)
	return safe, PlainText(safe)
}

// blocks are the elements that start a new line in plain text.
var blocks = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true, "table": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"section": true, "article": true, "dd": true, "dt": true, "pre": true, "hr": true,
}

// PlainText returns the text of an HTML fragment: entities decoded, one line
// per block element, runs of spaces collapsed, script and style dropped.
func PlainText(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyLines(b.String())
		case html.TextToken:
			if skip == 0 {
				// Line breaks in the source are only layout; blocks
				// decide the lines.
				writeSpaced(&b, z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			default:
				if blocks[string(name)] {
					b.WriteByte('\n')
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			default:
				if blocks[string(name)] {
					b.WriteByte('\n')
				}
			}
		}
	}
}

// writeSpaced writes text with its line breaks and tabs as spaces.
func writeSpaced(b *strings.Builder, text []byte) {
	for _, c := range text {
		switch c {
		case '\n', '\r', '\t':
			c = ' '
		}
		b.WriteByte(c)
	}
}

// tidyLines collapses whitespace within lines and drops empty lines, in
// one pass: what strings.Fields and Join do line by line, without their
// slices (the plain text of every description and condition goes through
// here).
func tidyLines(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	wrote := false  // a line was written
	inLine := false // a word was written on this line
	space := false  // whitespace since the last word of this line
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\n' {
			inLine, space = false, false
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			space = true
			i += size
			continue
		}
		switch {
		case !inLine && wrote:
			b.WriteByte('\n')
		case inLine && space:
			b.WriteByte(' ')
		}
		wrote, inLine, space = true, true, false
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// Summarise returns the start of text, at most n bytes, cut at a word
// boundary, with an ellipsis when it was cut.
func Summarise(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8Start(text[cut]) {
			cut--
		}
	}
	return strings.TrimRight(text[:cut], " ,;:") + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
