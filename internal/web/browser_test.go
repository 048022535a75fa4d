package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fundmatch/fundmatch/internal/web"
)

// screenshotDir is where browser tests leave their screenshots (gitignored).
const screenshotDir = "screenshots"

// newBrowser starts headless Chromium for a test. Without Chromium the test
// is skipped, except under CI=true, where it fails: CI installs Chromium.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed; .ci/run installs Debian's chromium package")
		}
		t.Skip("Chromium is not installed (apt-get install -y chromium); skipping the browser test")
	}
	// 1280 px wide: the pages must read well on an office screen.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(1280, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser; it must not have a timeout, which
	// would stop the whole browser (chromedp v0.23 docs).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// step runs browser actions with a timeout of their own.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func read[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := read(t, ctx, "screenshot "+name, chromedp.FullScreenshot(90))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func signIn(t *testing.T, ctx context.Context, base, email, next string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/login?next="+next),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
}

func TestBrowserOfficerAndGovernmentFlows(t *testing.T) {
	ctx := newBrowser(t)
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.addUser(t, "o@gent.be", "officer", "gent")
	s.addUser(t, "g@vlaanderen.be", "government")
	s.addUser(t, "a@fundmatch.be", "admin")
	// Gent has 300 more matches, each with a long explanation and reasons
	// as the scorer writes them: its default matches page must stay within
	// its budget all the same.
	s.db.MustExec(`INSERT INTO calls (source, identifier, kind, programme, title, summary, description_html, status, deadlines, budget_max, content_hash)
		SELECT 'ftportal', 'LOAD-2027-' || g, 'topic', (ARRAY['HORIZON', 'DIGITAL', 'LIFE', 'CEF'])[1 + g % 4],
			'Call number ' || g || ' on climate-neutral, smart and inclusive cities', repeat('A call about cities and climate. ', 20),
			'<p>' || repeat('Cities test climate solutions with citizens and partners. ', 60) || '</p>', 'open',
			ARRAY[brussels_today() + g % 200, brussels_today() + 30 + g % 200]::date[], 100000 * g, md5(g::text)
		FROM generate_series(1, 300) g`)
	s.db.MustExec(`INSERT INTO matches (call_id, city_id, score, eligibility, reasons, text_nl, text_en, summary_nl, summary_en, model_version, input_hash, deadlines)
		SELECT c.id, ct.id, 40 + c.id % 40, 'eligible',
			'[{"code": "theme", "nl": "Thema klimaat", "en": "Theme climate", "profile_words": ["klimaat", "hittestress"], "call_words": ["climate-neutral", "emissions"], "strength": 0.9},
			  {"code": "theme", "nl": "Thema mobiliteit", "en": "Theme mobility", "profile_words": ["fietspaden"], "strength": 0.4},
			  {"code": "missing", "nl": "Ontbreekt: een buitenlandse partner.", "en": "Missing: a foreign partner."}]',
			repeat('Past bij klimaat en mobiliteit; lijkt op een eerder project. ', 12),
			repeat('Fits climate and mobility; resembles a past project. ', 12),
			'Gedeeltelijke match: klimaat, mobiliteit.', 'Partial fit: climate, mobility.',
			'test', 'x', c.deadlines
		FROM calls c, cities ct WHERE c.identifier LIKE 'LOAD-%' AND ct.slug = 'gent'`)

	signIn(t, ctx, s.URL, "o@gent.be", "/cities/gent")
	step(t, ctx, "see the matches", chromedp.WaitVisible(chromedp.CSS("table.matches")))
	if text := read(t, ctx, "read the matches", chromedp.Text(chromedp.CSS("table.matches"))); !strings.Contains(text, "HORIZON-CL5-2027-D4-01") || !(strings.Contains(text, "Past bij klimaat en mobiliteit.") || strings.Contains(text, "Fits climate and mobility.")) {
		t.Fatalf("the matches table reads %q", text)
	}
	checkPage(t, ctx)
	screenshot(t, ctx, "officer-matches")

	step(t, ctx, "mark a call interested",
		chromedp.Navigate(s.URL+"/calls/HORIZON-CL5-2027-D4-01"),
		chromedp.Click(chromedp.CSS(`#mark-gent + form input[value="interested"]`)),
		chromedp.SendKeys(chromedp.ID("note-gent"), "Bespreken op het diensthoofdenoverleg"),
		chromedp.Click(chromedp.CSS(`#mark-gent + form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#mark-gent + form input[value="interested"][checked]`)),
	)
	var status, note string
	if err := s.db.QueryRow(`SELECT status, note FROM call_interests`).Scan(&status, &note); err != nil || status != "interested" || !strings.HasPrefix(note, "Bespreken") {
		t.Fatalf("stored mark = %q %q (%v)", status, note, err)
	}
	checkPage(t, ctx)
	screenshot(t, ctx, "call-marked")

	step(t, ctx, "open the call with a hostile description", chromedp.Navigate(s.URL+"/calls/LIFE-2027-XSS"),
		chromedp.WaitVisible(chromedp.CSS(".description")))
	if title := read(t, ctx, "read the title", chromedp.Title()); title == "pwned" {
		t.Fatal("a script from a crawled description ran")
	}
	if n := read(t, ctx, "count scripts", chromedp.Evaluate[int](`document.querySelectorAll('.description script, .description [onerror]').length`)); n != 0 {
		t.Fatalf("the description carries %d script or onerror elements", n)
	}
	checkPage(t, ctx)

	var plan string
	if err := s.db.QueryRow(`SELECT min(id)::text FROM consortium_plans`).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/calls", "/plans", "/plans/" + plan, "/subscriptions", "/cities/gent?lang=en", "/cities/gent?lang=nl"} {
		step(t, ctx, "open "+path, chromedp.Navigate(s.URL+path))
		checkPage(t, ctx)
	}
	walkProfileForm(t, ctx, s)

	step(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	checkPage(t, ctx)
	signIn(t, ctx, s.URL, "g@vlaanderen.be", "/uptake")
	step(t, ctx, "see the uptake chart", chromedp.WaitVisible(chromedp.CSS("svg.chart rect.value")))
	if label := read(t, ctx, "read the chart", chromedp.TextContent(chromedp.CSS("svg.chart"))); !strings.Contains(label, "Gent") {
		t.Fatalf("the uptake chart reads %q", label)
	}
	checkPage(t, ctx)
	chartLabelsFit(t, ctx)
	screenshot(t, ctx, "government-uptake")
	step(t, ctx, "filter the uptake by province",
		chromedp.SetValue(chromedp.ID("f-province"), "Vlaams-Brabant"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`#f-province option[selected]`)),
	)
	if text := read(t, ctx, "read the filtered uptake", chromedp.Text(chromedp.CSS("table"))); strings.Contains(text, "Gent") || !strings.Contains(text, "Leuven") {
		t.Fatalf("the uptake filtered to Vlaams-Brabant reads %q", text)
	}
	checkPage(t, ctx)
	screenshot(t, ctx, "government-uptake-filtered")
	step(t, ctx, "read the uptake in English", chromedp.Navigate(s.URL+"/uptake?lang=en"))
	checkPage(t, ctx)

	step(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	signIn(t, ctx, s.URL, "a@fundmatch.be", "/admin/users")
	checkPage(t, ctx)
	for _, path := range []string{"/admin/sources", "/uptake", "/cities/gent/profile", "/open", "/"} {
		step(t, ctx, "open "+path, chromedp.Navigate(s.URL+path))
		checkPage(t, ctx)
	}
}

// walkProfileForm walks the officer through the profile form at 1280 px: each
// label sits on one line beside its field; a mistake comes back beside its
// field with the other edits kept; decimal commas are saved.
func walkProfileForm(t *testing.T, ctx context.Context, s *site) {
	t.Helper()
	step(t, ctx, "open the profile", chromedp.Navigate(s.URL+"/cities/gent/profile?lang=nl"), chromedp.WaitVisible(chromedp.ID("w-mobility")))
	checkPage(t, ctx)
	// Each label is one line high and level with its field.
	layout := read(t, ctx, "measure the form", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.form-grid > label')].flatMap(l => {
		const field = document.getElementById(l.htmlFor), lr = l.getBoundingClientRect(), fr = field.getBoundingClientRect();
		const line = parseFloat(getComputedStyle(l).lineHeight) || 24;
		const out = [];
		if (lr.height > line * 1.5) out.push(l.htmlFor + ': the label wraps (' + lr.height + ' px high)');
		if (Math.abs(lr.top - fr.top) > line) out.push(l.htmlFor + ': the label is not beside its field');
		if (lr.right > fr.left) out.push(l.htmlFor + ': the label runs into its field');
		return out;
	}).concat([...document.querySelectorAll('ul.choices label')].filter(l => l.getBoundingClientRect().height > 30).map(l => l.htmlFor + ': wraps'))`))
	for _, problem := range layout {
		t.Errorf("the profile form at 1280 px: %s", problem)
	}
	if n := read(t, ctx, "count the form's labels", chromedp.Evaluate[int](`document.querySelectorAll('.form-grid > label').length`)); n != 11 {
		t.Errorf("the profile form has %d labelled fields, want 11", n)
	}
	screenshot(t, ctx, "officer-profile")

	step(t, ctx, "save the profile with a mistake",
		chromedp.SetValue(chromedp.ID("kw-nl"), "fietsstraten, speelpleinen"),
		chromedp.SetValue(chromedp.ID("w-mobility"), "0,85"),
		chromedp.SetValue(chromedp.ID("cof"), "veel geld"),
		chromedp.Click(chromedp.CSS(`form.profile button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("cof-error")),
	)
	checkPage(t, ctx)
	screenshot(t, ctx, "officer-profile-mistake")
	kept := read(t, ctx, "read the kept edits", chromedp.Evaluate[[]string](`[document.getElementById('kw-nl').value, document.getElementById('w-mobility').value,
		document.getElementById('cof').value, document.getElementById('cof-error').textContent]`))
	if kept[0] != "fietsstraten, speelpleinen" || kept[1] != "0,85" || kept[2] != "veel geld" || !strings.HasPrefix(kept[3], "Een bedrag in euro") {
		t.Fatalf("after a mistake the form reads %q, want the edits kept and the mistake in Dutch beside the amount", kept)
	}
	step(t, ctx, "correct the amount and save",
		chromedp.SetValue(chromedp.ID("cof"), "1.250.000,50"),
		chromedp.Click(chromedp.CSS(`form.profile button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)
	p, err := s.st.ProfileBySlug(context.Background(), "gent")
	if err != nil || p.CoFundingCapacity != 1250000.5 || p.Mobility != 0.85 || strings.Join(p.KeywordsNL, ",") != "fietsstraten,speelpleinen" {
		t.Fatalf("saved profile = %+v (%v)", p, err)
	}
	checkPage(t, ctx)
}

// chartLabelsFit fails when a city's name in a chart of the page runs out
// of the drawing on the left, as "…e Gemeenschapscommissie" did.
func chartLabelsFit(t *testing.T, ctx context.Context) {
	t.Helper()
	cut := read(t, ctx, "measure the chart labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll('svg.chart text')].filter(l => l.getBBox().x < 0 || l.getBBox().x + l.getBBox().width > l.ownerSVGElement.viewBox.baseVal.width).map(l => l.textContent)`))
	if len(cut) > 0 {
		t.Errorf("chart labels run out of the drawing: %q", cut)
	}
}
