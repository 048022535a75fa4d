package web

import "testing"

// TestCallHTMLShowsNoImages: a crawled fragment's images give way to their
// alt text, since none could show (a broken-image icon), and what the
// sanitiser removes stays removed.
func TestCallHTMLShowsNoImages(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>Zie <img src="x" alt="de kaart"> hieronder.</p>`, `<p>Zie de kaart hieronder.</p>`},
		{`<p>Logo<img src="https://ec.europa.eu/logo.png"/></p>`, `<p>Logo</p>`},
		{`<p>Safe text</p><script>document.title="pwned"</script><img src="x" onerror="document.title='pwned'">`, `<p>Safe text</p>`},
		{`<p>Geen <strong>beeld</strong> &amp; tekst</p>`, `<p>Geen <strong>beeld</strong> &amp; tekst</p>`},
	}
	for _, tt := range tests {
		if got := string(callHTML(tt.in)); got != tt.want {
			t.Errorf("callHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
