package funding

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// htmlSeeds adds the real pages of the HTML sources (in htmlsource's
// testdata) and a few hostile fragments to a fuzz corpus.
func htmlSeeds(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("..", "crawlers", "htmlsource", "testdata", "sites", "*", "*"))
	more, _ := filepath.Glob(filepath.Join("..", "crawlers", "htmlsource", "testdata", "sites", "*", "*", "*", "*", "*"))
	for _, p := range append(pages, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(string(data))
		}
	}
	for _, s := range []string{
		"", " \n\t", "<p>Scope: <b>districts</b></p>", "a<br>b<li>c</li>", "<script>alert(1)</script>x",
		`<a href="javascript:alert(1)" onclick="x()">y</a>`, "<style>p{}</style><p>z</p>", "&#0;&amp;&nbsp;",
		"x\x00y", "\xff\xfe<p>\xc3</p>", "<p>  two\u00a0\u2003spaces  </p>", "<svg><script>1</script></svg>",
		"<img src=x onerror=alert(1)>", "<iframe src=//evil></iframe>", "<!-- <script> -->", "<p>caf\u00e9</p>",
	} {
		f.Add(s)
	}
}

// FuzzSanitizeHTML checks that a source's HTML comes out safe to render and
// its plain text tidy: no script, style, event handler or script URL
// survives, the text is the safe HTML's text, one block a line with single
// spaces, and neither is corrupted when the input was clean UTF-8.
func FuzzSanitizeHTML(f *testing.F) {
	htmlSeeds(f)
	f.Fuzz(func(t *testing.T, fragment string) {
		safe, text := SanitizeHTML(fragment)
		if strings.TrimSpace(fragment) == "" && (safe != "" || text != "") {
			t.Fatalf("blank input gave %q, %q", safe, text)
		}
		if got := PlainText(safe); got != text {
			t.Fatalf("text %q is not the safe HTML's text %q", text, got)
		}
		checkTidy(t, text)
		if utf8.ValidString(fragment) && (!utf8.ValidString(safe) || !utf8.ValidString(text)) {
			t.Fatalf("valid UTF-8 became %q, %q", safe, text)
		}
		if !strings.Contains(fragment, "\x00") && (strings.Contains(safe, "\x00") || strings.Contains(text, "\x00")) {
			t.Fatalf("a NUL appeared: %q, %q", safe, text)
		}
		checkSafe(t, safe)
	})
}

// checkTidy fails unless text has one trimmed, non-empty line per block
// with single spaces between words.
func checkTidy(t *testing.T, text string) {
	t.Helper()
	if text == "" {
		return
	}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line != strings.Join(strings.Fields(line), " ") {
			t.Fatalf("line %q of %q is not tidy", line, text)
		}
	}
}

// checkSafe fails when the sanitised HTML still has an element or
// attribute that runs script.
func checkSafe(t *testing.T, safe string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(safe))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "form", "input", "svg", "math", "base", "meta", "link":
			t.Fatalf("<%s> survived in %q", tok.Data, safe)
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.TrimLeftFunc(a.Val, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }))
			if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" {
				t.Fatalf("attribute %s survived in %q", a.Key, safe)
			}
			if key == "href" || key == "src" {
				switch scheme(val) {
				case "", "http", "https", "mailto":
				default:
					t.Fatalf("%s=%q survived in %q", a.Key, a.Val, safe)
				}
			}
		}
	}
}

// scheme returns the scheme of a URL as a browser reads it (tabs and line
// breaks removed, lower-cased), or "" for a relative URL ("#a:b", "x/y:z").
func scheme(u string) string {
	u = strings.ToLower(strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u))
	i := strings.IndexByte(u, ':')
	if i <= 0 || u[0] < 'a' || u[0] > 'z' {
		return ""
	}
	for _, c := range u[:i] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return ""
		}
	}
	return u[:i]
}

// FuzzSummarise checks that a summary is at most n bytes and the ellipsis,
// a prefix of the text's words, cut on a character boundary.
func FuzzSummarise(f *testing.F) {
	f.Add("Climate-neutral cities: positive energy districts in every region of Europe", 30)
	f.Add("ééééééééééé", 5)
	f.Add("short", 300)
	f.Add("", 0)
	f.Add("a b", 1)
	f.Add("\u00a0x\u2003y", 2)
	f.Fuzz(func(t *testing.T, text string, n int) {
		n = max(n, -n) % 1000 // n is the program's, not the source's: 0 to 999
		if n < 0 {
			n = 0
		}
		got := Summarise(text, n)
		words := strings.Join(strings.Fields(text), " ")
		if len(words) <= n {
			if got != words {
				t.Fatalf("Summarise(%q, %d) = %q, want the whole text", text, n, got)
			}
			return
		}
		cut, ok := strings.CutSuffix(got, "…")
		if !ok || len(cut) > n || !strings.HasPrefix(words, cut) {
			t.Fatalf("Summarise(%q, %d) = %q, want at most %d bytes of its start and an ellipsis", text, n, got, n)
		}
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("Summarise(%q, %d) = %q cuts a character", text, n, got)
		}
	})
}
