package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pageBudgets are the most HTML a page may weigh, by the path it starts
// with (the longest match wins); other pages get defaultPageBudget. A
// page that grows past its budget has stopped paging or repeats itself.
var pageBudgets = map[string]int{
	"/cities/": 300 << 10, // a city's matches: the default page of 50
	"/calls/":  200 << 10, // a call with its description and cities
	"/uptake":  250 << 10, // the uptake of every city, per programme and year
}

// defaultPageBudget is the budget of a page pageBudgets does not name.
const defaultPageBudget = 150 << 10

// pageBudget is the budget of the page at path.
func pageBudget(path string) int {
	budget, longest := defaultPageBudget, 0
	for prefix, b := range pageBudgets {
		if strings.HasPrefix(path, prefix) && len(prefix) > longest {
			budget, longest = b, len(prefix)
		}
	}
	return budget
}

// pageReport is what pageChecks finds on a page.
type pageReport struct {
	URL      string   `json:"url"`
	Size     int      `json:"size"` // bytes of HTML the server sent
	Problems []string `json:"problems"`
}

// pageChecks is evaluated in the page the browser shows. It returns the
// page's size and its problems: an untranslated message key (a snake_case
// word such as front_runners, or a printf mistake such as %!(EXTRA) in the
// text or in the attributes people read; a broken image; and the checks
// axe-core makes for these rules: page-has-heading-one and heading-order
// (one h1, no skipped levels, no empty heading), label (every input,
// select and textarea has a label, aria-label, aria-labelledby or title),
// button-name and link-name, image-alt and svg-img-alt, and color-contrast
// (the WCAG 2 contrast ratio of each visible text against the backgrounds
// behind it, composited, at least 4.5:1, or 3:1 for large text: 24 px, or
// 18.66 px bold). As in axe, text over a background image is not judged,
// and disabled controls and their text are exempt.
const pageChecks = `(() => {
	const problems = [];
	const describe = el => {
		let s = el.tagName.toLowerCase();
		if (el.id) s += '#' + el.id;
		else if (el.classList.length) s += '.' + [...el.classList].join('.');
		if (el.getAttribute('name')) s += '[name=' + el.getAttribute('name') + ']';
		const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
		return text ? s + ' "' + text + '"' : s;
	};
	const rendered = el => {
		const st = getComputedStyle(el);
		return st.display !== 'none' && st.visibility === 'visible';
	};
	const shown = el => {
		if (!rendered(el)) return false;
		const r = el.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0;
	};

	const nav = performance.getEntriesByType('navigation')[0];
	const size = nav && nav.decodedBodySize ? nav.decodedBodySize : new Blob([document.documentElement.outerHTML]).size;

	// Untranslated keys, in the text and the attributes people read.
	const key = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|%!/;
	const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
	for (let n; (n = walker.nextNode()); ) {
		const p = n.parentElement;
		if (!p || p.closest('script, style, code, kbd, pre, samp')) continue;
		const m = n.data.match(key);
		if (m) problems.push('untranslated text "' + m[0] + '" in ' + describe(p));
	}
	for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
		for (const a of ['aria-label', 'title', 'alt', 'placeholder']) {
			const m = (el.getAttribute(a) || '').match(key);
			if (m) problems.push('untranslated ' + a + ' "' + m[0] + '" on ' + describe(el));
		}
	}

	// Broken images: loaded, and nothing to show.
	for (const img of document.images) {
		if (img.complete && img.naturalWidth === 0) problems.push('broken image ' + (img.getAttribute('src') || '(no src)'));
	}
	for (const img of document.querySelectorAll('img')) {
		if (!img.hasAttribute('alt') && !['presentation', 'none'].includes(img.getAttribute('role'))) {
			problems.push('image without alt: ' + (img.getAttribute('src') || '(no src)'));
		}
	}
	const named = el => {
		if ((el.getAttribute('aria-label') || '').trim()) return true;
		const by = el.getAttribute('aria-labelledby');
		if (by && by.split(/\s+/).some(id => { const t = document.getElementById(id); return t && t.textContent.trim(); })) return true;
		return (el.getAttribute('title') || '').trim() !== '';
	};
	for (const svg of document.querySelectorAll('svg[role="img"]')) {
		if (!named(svg) && !(svg.querySelector('title') || {textContent: ''}).textContent.trim()) problems.push('svg image without a text alternative: ' + describe(svg));
	}

	// Headings: one h1, no skipped level, none empty.
	const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(rendered);
	const h1s = headings.filter(h => h.tagName === 'H1').length;
	if (h1s !== 1) problems.push('the page has ' + h1s + ' h1 headings, want one');
	let level = 0;
	for (const h of headings) {
		const l = Number(h.tagName[1]);
		if (level && l > level + 1) problems.push('heading ' + describe(h) + ' skips from h' + level + ' to h' + l);
		if (!h.textContent.trim()) problems.push('empty heading ' + describe(h));
		level = l;
	}

	// Labels of form fields; names of buttons and links.
	for (const el of document.querySelectorAll('input, select, textarea')) {
		const type = (el.getAttribute('type') || '').toLowerCase();
		if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
		if (!named(el) && ![...(el.labels || [])].some(l => l.textContent.trim())) problems.push('form field without a label: ' + describe(el));
	}
	for (const el of document.querySelectorAll('button, input[type="submit"], input[type="button"], a[href]')) {
		const text = (el.textContent || '').trim() || el.value || [...el.querySelectorAll('img[alt]')].map(i => i.alt).join('').trim();
		if (!text && !named(el)) problems.push((el.tagName === 'A' ? 'link' : 'button') + ' without a name: ' + describe(el));
	}

	// Colour contrast of text.
	const parse = c => {
		const m = /^rgba?\(([^)]*)\)$/.exec(c.trim());
		if (!m) return null;
		const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
		return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
	};
	const over = (top, below) => ({
		r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
		b: top.b * top.a + below.b * (1 - top.a), a: 1});
	const background = el => {
		const layers = [];
		for (let e = el; e; e = e.parentElement) {
			const st = getComputedStyle(e);
			if (st.backgroundImage !== 'none') return null;
			const c = parse(st.backgroundColor);
			if (c && c.a > 0) {
				layers.push(c);
				if (c.a >= 1) break;
			}
		}
		return layers.reduceRight((below, top) => over(top, below), {r: 255, g: 255, b: 255, a: 1});
	};
	const luminance = c => {
		const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
	};
	const seen = new Set();
	for (const el of document.body.querySelectorAll('*')) {
		if (el instanceof SVGElement || el.closest('fieldset:disabled, :disabled, [aria-disabled="true"]')) continue;
		const field = el.matches('input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]), select, textarea');
		const hasText = field ? (el.value || el.placeholder || '').trim() !== '' :
			[...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.data.trim());
		if (!hasText || !shown(el)) continue;
		const st = getComputedStyle(el);
		const bg = background(el);
		const fg = parse(st.color);
		if (!bg || !fg) continue;
		const colour = over(fg, bg);
		const [hi, lo] = [luminance(colour), luminance(bg)].sort((x, y) => y - x);
		const ratio = (hi + 0.05) / (lo + 0.05);
		const px = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
		const want = px >= 24 || (bold && px >= 18.66) ? 3 : 4.5;
		if (ratio + 1e-6 < want) {
			const msg = 'contrast ' + ratio.toFixed(2) + ':1 (want ' + want + ':1) of ' + describe(el) + ': ' + st.color + ' on rgb(' +
				[bg.r, bg.g, bg.b].map(Math.round).join(', ') + ')';
			if (!seen.has(msg)) { seen.add(msg); problems.push(msg); }
		}
	}
	return {url: location.href, size: size, problems: problems};
})()`

// inspectPage runs pageChecks in the page the browser shows and adds a
// problem when the page weighs more than budget bytes.
func inspectPage(t *testing.T, ctx context.Context, budget int) pageReport {
	t.Helper()
	raw := read(t, ctx, "check the page", chromedp.Evaluate[json.RawMessage](pageChecks))
	var rep pageReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("the page checks returned %s: %v", raw, err)
	}
	if rep.Size > budget {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the page weighs %d KB, more than its budget of %d KB", rep.Size>>10, budget>>10))
	}
	return rep
}

// checkPage fails the test for each problem of the page the browser shows
// (pageChecks), within the budget pageBudgets gives its path, and returns
// the page's size. Call it after every navigation of a browser walk.
func checkPage(t *testing.T, ctx context.Context) int {
	t.Helper()
	location := read(t, ctx, "read the location", chromedp.Location())
	u, err := url.Parse(location)
	if err != nil {
		t.Fatal(err)
	}
	rep := inspectPage(t, ctx, pageBudget(u.Path))
	t.Logf("%s: %.1f KB of HTML", u.RequestURI(), float64(rep.Size)/1024)
	for _, p := range rep.Problems {
		t.Errorf("%s: %s", u.RequestURI(), p)
	}
	return rep.Size
}

// TestPageChecksFindEachProblem: the checks find every problem of a page
// made to have each one, and none on a page made to have none, so that a
// walk that passes them says something.
func TestPageChecksFindEachProblem(t *testing.T) {
	ctx := newBrowser(t)
	pages := map[string]string{
		"/bad": `<!doctype html><html lang="nl"><head><title>front_runners</title></head><body>
<h1>Een</h1><h1>Twee</h1><h2>Deel</h2><h4>Diep</h4><h3></h3>
<p>Koplopers: uptake_totals%!(EXTRA int=3)</p>
<img src="/missing.png" alt="kapot"><img src="/dot.svg">
<svg role="img" width="10" height="10"><rect width="10" height="10"/></svg>
<form><input name="naamloos"><select name="keuze"><option>a</option></select><textarea></textarea>
<label for="ok">Goed</label><input id="ok" name="ok"><button type="submit"></button></form>
<a href="/x"></a>
<p style="color:#aaa">Lichtgrijs op wit</p>
<p style="color:#777;background:rgba(0,0,0,.5)">Grijs op halfzwart</p>
<p style="color:#aaa;font-size:30px">Grote lichtgrijze tekst</p>
<p>` + strings.Repeat("opvulling ", 2000) + `</p>
</body></html>`,
		"/good": `<!doctype html><html lang="nl"><head><title>Goed</title></head><body>
<h1>Een</h1><h2>Deel</h2><h3>Dieper</h3><h2>Terug</h2>
<img src="/dot.svg" alt="punt"><img src="/dot.svg" alt="">
<svg role="img" aria-label="Grafiek" width="10" height="10"><rect width="10" height="10"/></svg>
<form><label for="a">Naam</label><input id="a" name="a"><input aria-label="Zoeken" name="q">
<label>Keuze <select name="k"><option>a</option></select></label><input type="hidden" name="h" value="x">
<fieldset disabled><label for="d" style="color:#bbb">Uit</label><input id="d" name="d"></fieldset>
<button type="submit">Bewaren</button></form><a href="/x">Verder</a>
<p style="color:#767676">Grijs dat nog leest</p><p style="color:#949494;font-size:24px">Groot grijs</p>
<p style="color:#fff;background:#0b5394">Wit op blauw</p>
<code>fundmatch subscriptions add --min_score 60</code>
</body></html>`,
		"/dot.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".svg") {
			w.Header().Set("Content-Type", "image/svg+xml")
		}
		io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)

	step(t, ctx, "open the bad page", chromedp.Navigate(srv.URL+"/bad"))
	bad := inspectPage(t, ctx, 10<<10)
	all := strings.Join(bad.Problems, "\n")
	for _, want := range []string{
		`KB, more than its budget of 10 KB`,
		`untranslated text "front_runners" in title`,
		`untranslated text "uptake_totals" in p`,
		`the page has 2 h1 headings, want one`,
		`heading h4 "Diep" skips from h2 to h4`,
		`empty heading h3`,
		`broken image /missing.png`,
		`image without alt: /dot.svg`,
		`svg image without a text alternative`,
		`form field without a label: input[name=naamloos]`,
		`form field without a label: select[name=keuze]`,
		`form field without a label: textarea`,
		`button without a name`,
		`link without a name`,
		`contrast 2.32:1 (want 4.5:1) of p "Lichtgrijs op wit"`,
		`of p "Grijs op halfzwart"`,
		`contrast 2.32:1 (want 3:1) of p "Grote lichtgrijze tekst"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the checks missed %q; they found:\n%s", want, all)
		}
	}
	if strings.Contains(all, "Goed") {
		t.Errorf("the checks fault the labelled field:\n%s", all)
	}

	step(t, ctx, "open the good page", chromedp.Navigate(srv.URL+"/good"))
	if good := inspectPage(t, ctx, 10<<10); len(good.Problems) != 0 {
		t.Errorf("the checks fault a page without problems:\n%s", strings.Join(good.Problems, "\n"))
	}
}
