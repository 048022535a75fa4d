package web

import (
	"html/template"
	"strings"

	"golang.org/x/net/html"

	"github.com/fundmatch/fundmatch/funding"
)

// callHTML makes a crawled description or conditions fragment fit to show
// on a call page: sanitised again with funding.SanitizeHTML (so that a row
// written by other means cannot carry a script onto the page) and without
// its images, each replaced by its alt text. An image of a crawled page
// cannot show here: a relative address points at fundmatch, and the
// Content-Security-Policy allows no other site's images, so each would be
// a broken-image icon.
func callHTML(fragment string) template.HTML {
	safe, _ := funding.SanitizeHTML(fragment)
	if !strings.Contains(safe, "<img") {
		return template.HTML(safe)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(safe))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// The sanitiser wrote it, so the only error is the end.
			return template.HTML(b.String())
		}
		if tok := z.Token(); tok.Data == "img" && (tt == html.StartTagToken || tt == html.SelfClosingTagToken) {
			for _, a := range tok.Attr {
				if a.Key == "alt" && strings.TrimSpace(a.Val) != "" {
					b.WriteString(html.EscapeString(a.Val))
				}
			}
			continue
		}
		b.Write(z.Raw())
	}
}
