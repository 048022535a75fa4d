package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fundmatch/fundmatch/internal/web"
)

// TestBrowserOfficerAnswersAndCoordinatorDecidesFromThePages walks the
// invitation of a planner run in Chromium: the officer lands on what is new
// and what waits for them, follows the email's Bevestigen link to the plan
// and confirms; the coordinator lands on the worklist, opens the plan and
// decides it from that page alone, after which it is read-only.
func TestBrowserOfficerAnswersAndCoordinatorDecidesFromThePages(t *testing.T) {
	ctx := newBrowser(t)
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.addUser(t, "o@gent.be", "officer", "gent")
	coordinator := s.addUser(t, "c@ovl.be", "coordinator", "gent", "aalst")
	links := s.invite(t, s.session(t, coordinator))
	if len(links["o@gent.be"]) != 2 || len(links["c@ovl.be"]) != 2 {
		t.Fatalf("invitation links %v", links)
	}
	plan := s.planIDs(t)[0]

	signIn(t, ctx, s.URL, "o@gent.be", "/")
	// The invitations went out in Dutch; the pages follow (the choice is
	// kept in a cookie for the whole walk).
	step(t, ctx, "see the officer's landing page in Dutch", chromedp.Navigate(s.URL+"/?lang=nl"), chromedp.WaitVisible(chromedp.CSS("#new-matches table")))
	if text := read(t, ctx, "read the new matches", chromedp.Text(chromedp.CSS("#new-matches"))); !strings.Contains(text, "Climate-neutral cities pilots") {
		t.Fatalf("the officer's new matches read %q", text)
	}
	if text := read(t, ctx, "read what waits", chromedp.Text(chromedp.CSS("#waiting"))); !strings.Contains(text, "wacht op antwoord van Gent") {
		t.Fatalf("the officer's waiting plans read %q", text)
	}
	screenshot(t, ctx, "officer-landing")
	checkPage(t, ctx)

	confirm := links["o@gent.be"][0]
	step(t, ctx, "follow the email's "+confirm.Label+" link", chromedp.Navigate(confirm.URL), chromedp.WaitVisible(chromedp.ID("confirm-gent")))
	if target := read(t, ctx, "read the link's target", chromedp.Evaluate[string](`document.querySelector(':target') ? document.querySelector(':target').textContent : ''`)); target != confirm.Label {
		t.Fatalf("the link %s points at %q, want a button that says %q", confirm.URL, target, confirm.Label)
	}
	screenshot(t, ctx, "officer-plan-invitation")
	checkPage(t, ctx)
	// The members table is there before the answer too: wait for the answer.
	step(t, ctx, "confirm Gent's part", chromedp.Click(chromedp.ID("confirm-gent")),
		chromedp.WaitVisible(chromedp.CSS("#respond-gent .answer-confirmed")))
	if text := read(t, ctx, "read the members", chromedp.Text(chromedp.CSS("#members"))); !strings.Contains(text, "bevestigd") {
		t.Fatalf("after confirming, the members read %q", text)
	}

	step(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	signIn(t, ctx, s.URL, "c@ovl.be", "/")
	step(t, ctx, "see the worklist", chromedp.WaitVisible(chromedp.CSS("#worklist table")), chromedp.WaitVisible(chromedp.CSS("#shared table")))
	screenshot(t, ctx, "coordinator-landing")
	checkPage(t, ctx)
	step(t, ctx, "open the plan from the worklist", chromedp.Click(chromedp.CSS(`#worklist a[href="/plans/`+plan+`"]`)),
		chromedp.WaitVisible(chromedp.ID("accept")))
	page := read(t, ctx, "read the plan page", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Brengt mee", "Ontbreekt nog", "Voorgestelde buitenlandse partners", "De waarde vergelijkt", "Match van de steden", "bevestigd"} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan page lacks %q", want)
		}
	}
	screenshot(t, ctx, "coordinator-plan")
	checkPage(t, ctx)
	step(t, ctx, "accept the plan with a note",
		chromedp.SendKeys(chromedp.ID("decision-note"), "Besproken op het overleg van 4 december"),
		chromedp.Click(chromedp.ID("accept")),
		chromedp.WaitVisible(chromedp.ID("plan-state")))
	if text := read(t, ctx, "read the plan's state", chromedp.Text(chromedp.ID("plan-state"))); !strings.Contains(text, "Aanvaard") || !strings.Contains(text, "Besproken op het overleg") {
		t.Fatalf("the accepted plan says %q", text)
	}
	if n := read(t, ctx, "count the decision buttons", chromedp.Evaluate[int](`document.querySelectorAll('#accept, #reject, #adjust, form[action$="/decision"], form[action$="/members"]').length`)); n != 0 {
		t.Errorf("the accepted plan still shows %d decision or adjustment controls", n)
	}
	screenshot(t, ctx, "coordinator-plan-accepted")
	checkPage(t, ctx)
	var status string
	var bids int
	if err := s.db.QueryRow(`SELECT status, (SELECT count(*) FROM bids WHERE plan_id = $1) FROM consortium_plans WHERE id = $1`, plan).Scan(&status, &bids); err != nil || status != "accepted" || bids != 1 {
		t.Fatalf("stored plan %s: %q with %d bids (%v)", plan, status, bids, err)
	}
}

// TestBrowserOfficerSetsUpAnAlertAndMarksACallWithoutAShell walks the
// officer's first morning in Chromium, from pages alone: create an email
// alert for the city, find the calls whose deadlines come first this month
// and mark one. The walk's time is logged (the goal is under two minutes
// for a person; the browser's is a floor), never asserted.
func TestBrowserOfficerSetsUpAnAlertAndMarksACallWithoutAShell(t *testing.T) {
	ctx := newBrowser(t)
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.addUser(t, "o@gent.be", "officer", "gent")
	start := time.Now()

	signIn(t, ctx, s.URL, "o@gent.be", "/subscriptions?lang=nl")
	step(t, ctx, "fill in an email alert for Gent",
		chromedp.WaitVisible(chromedp.ID("sub-form")),
		chromedp.Click(chromedp.CSS(`input[name="channel"][value="email"]`)),
		chromedp.SetValue(chromedp.ID("sub-email"), "subsidies@gent.be"), // it offers the officer's own address
		chromedp.SetValue(chromedp.ID("sub-frequency"), "daily"),
	)
	if !read(t, ctx, "choose Gent", chromedp.Evaluate[bool](`document.querySelector('#sub-cities option[value="gent"]').selected = true`)) {
		t.Fatal("Gent could not be chosen")
	}
	checkPage(t, ctx)
	step(t, ctx, "add the alert",
		chromedp.Click(chromedp.CSS(`form[aria-labelledby="sub-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("main table")))
	if text := read(t, ctx, "read the alerts", chromedp.Text(chromedp.CSS("main table"))); !strings.Contains(text, "subsidies@gent.be") {
		t.Fatalf("the alerts list reads %q", text)
	}
	var channel, frequency string
	if err := s.db.QueryRow(`SELECT channel, frequency FROM subscriptions WHERE email = 'subsidies@gent.be'`).Scan(&channel, &frequency); err != nil || channel != "email" || frequency != "daily" {
		t.Fatalf("stored alert = %q %q (%v)", channel, frequency, err)
	}
	checkPage(t, ctx)
	screenshot(t, ctx, "officer-alert-added")

	step(t, ctx, "list Gent's matches by deadline",
		chromedp.Navigate(s.URL+"/cities/gent?sort=deadline"), chromedp.WaitVisible(chromedp.CSS("table.matches")))
	first := read(t, ctx, "read the first calls", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('table.matches a.call-title')].slice(0, 3).map(a => a.getAttribute('href'))`))
	if len(first) == 0 {
		t.Fatal("Gent's matches list no call")
	}
	checkPage(t, ctx)
	step(t, ctx, "open the first and mark it",
		chromedp.Navigate(s.URL+first[0]),
		chromedp.Click(chromedp.CSS(`#mark-gent + form input[value="interested"]`)),
		chromedp.Click(chromedp.CSS(`#mark-gent + form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#mark-gent + form input[value="interested"][checked]`)))
	var marked int
	if err := s.db.QueryRow(`SELECT count(*) FROM call_interests WHERE status = 'interested'`).Scan(&marked); err != nil || marked != 1 {
		t.Fatalf("%d calls marked (%v), want 1", marked, err)
	}
	checkPage(t, ctx)
	screenshot(t, ctx, "officer-first-call-marked")
	t.Logf("alert set up, %d calls found and one marked in %s of browser time", len(first), time.Since(start).Round(time.Millisecond))
}
