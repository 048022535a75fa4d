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
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path))
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

	signIn(t, ctx, s.URL, "o@gent.be", "/cities/gent")
	step(t, ctx, "see the matches", chromedp.WaitVisible(chromedp.CSS("table.matches")))
	if text := read(t, ctx, "read the matches", chromedp.Text(chromedp.CSS("table.matches"))); !strings.Contains(text, "HORIZON-CL5-2027-D4-01") || !(strings.Contains(text, "Past bij klimaat en mobiliteit.") || strings.Contains(text, "Fits climate and mobility.")) {
		t.Fatalf("the matches table reads %q", text)
	}
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
	screenshot(t, ctx, "call-marked")

	step(t, ctx, "open the call with a hostile description", chromedp.Navigate(s.URL+"/calls/LIFE-2027-XSS"),
		chromedp.WaitVisible(chromedp.CSS(".description")))
	if title := read(t, ctx, "read the title", chromedp.Title()); title == "pwned" {
		t.Fatal("a script from a crawled description ran")
	}
	if n := read(t, ctx, "count scripts", chromedp.Evaluate[int](`document.querySelectorAll('.description script, .description [onerror]').length`)); n != 0 {
		t.Fatalf("the description carries %d script or onerror elements", n)
	}

	step(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	signIn(t, ctx, s.URL, "g@vlaanderen.be", "/uptake")
	step(t, ctx, "see the uptake chart", chromedp.WaitVisible(chromedp.CSS("svg.chart rect.value")))
	if label := read(t, ctx, "read the chart", chromedp.TextContent(chromedp.CSS("svg.chart"))); !strings.Contains(label, "Gent") {
		t.Fatalf("the uptake chart reads %q", label)
	}
	screenshot(t, ctx, "government-uptake")
}
