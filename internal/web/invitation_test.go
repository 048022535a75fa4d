package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testsmtp"
	"github.com/fundmatch/fundmatch/internal/web"
	"github.com/fundmatch/fundmatch/notify"
)

// answerLink is a link of an invitation email: its words and where it goes.
type answerLink struct{ Label, URL string }

// invite has the coordinator run the planner for the fixture's Horizon call
// and the alerts service email the invitations of that run, and returns the
// answer links each address received. Subscribed: Gent's officer
// o@gent.be and the coordinator c@ovl.be, who must exist.
func (s *site) invite(t *testing.T, coordinator *http.Cookie) map[string][]answerLink {
	t.Helper()
	ctx := context.Background()
	box := testsmtp.Start(t, testsmtp.Options{})
	for _, sub := range []store.NewSubscription{
		{UserEmail: "o@gent.be", Email: "o@gent.be", Cities: []string{"gent"}},
		{UserEmail: "c@ovl.be", Email: "c@ovl.be", Cities: []string{}},
	} {
		sub.Channel, sub.MinScore, sub.Frequency, sub.Language = "email", 100, "instant", "nl"
		if _, err := s.st.AddSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, _ := postForm(t, s.URL+"/calls/HORIZON-CL5-2027-D4-01/plans", coordinator, nil); code != http.StatusSeeOther {
		t.Fatalf("run the planner = %d", code)
	}
	links, err := notify.NewLinks(s.URL, s.cfg.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := notify.NewMailer(notify.MailConfig{URL: "smtp://" + box.Addr(), TLS: notify.TLSNone, From: "fundmatch <alerts@fundmatch.test>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := alerts.New(alerts.Config{Store: s.st, Links: links, Mailer: mailer, BaseURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := svc.Sweep(ctx, now); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Deliver(ctx, now); err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^(Bevestigen|Afzeggen|Aanvaarden|Verwerpen|Afwijzen): (\S+)\r?$`)
	out := map[string][]answerLink{}
	for _, to := range []string{"o@gent.be", "c@ovl.be"} {
		for _, msg := range box.Messages() {
			if !slices.Contains(msg.To, to) {
				continue
			}
			for _, m := range line.FindAllStringSubmatch(testsmtp.TextPart(t, msg.Mail(t)), -1) {
				out[to] = append(out[to], answerLink{m[1], m[2]})
			}
		}
	}
	return out
}

// TestInvitationLinksOpenTheButtonsThatAnswerThem: each answer link of an
// invitation email opens the plan page for its reader at a button with the
// link's own words: the officer's Bevestigen and Afzeggen for Gent, the
// coordinator's Aanvaarden and Verwerpen.
func TestInvitationLinksOpenTheButtonsThatAnswerThem(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	readers := map[string]*http.Cookie{
		"o@gent.be": s.session(t, s.addUser(t, "o@gent.be", "officer", "gent")),
		"c@ovl.be":  s.session(t, s.addUser(t, "c@ovl.be", "coordinator", "gent", "aalst")),
	}
	got := s.invite(t, readers["c@ovl.be"])
	want := map[string][]string{"o@gent.be": {"Bevestigen", "Afzeggen"}, "c@ovl.be": {"Aanvaarden", "Verwerpen"}}
	for to, labels := range want {
		if len(got[to]) != len(labels) {
			t.Fatalf("%s received the answer links %v, want %v", to, got[to], labels)
		}
		for i, link := range got[to] {
			if link.Label != labels[i] {
				t.Errorf("%s's link %d says %q, want %q", to, i, link.Label, labels[i])
			}
			page, fragment, ok := strings.Cut(link.URL, "#")
			if !ok || !strings.HasPrefix(page, s.URL+"/plans/") {
				t.Fatalf("%s's link %s does not open a plan at an element", to, link.URL)
			}
			code, _, body := do(t, "GET", page, readers[to], "", nil)
			button := regexp.MustCompile(`<button[^>]*\bid="` + regexp.QuoteMeta(fragment) + `"[^>]*>` + link.Label + `</button>`)
			if code != http.StatusOK || !button.MatchString(body) {
				t.Errorf("%s's link %s (%s) = %d, without a button #%s that says %s", to, link.URL, link.Label, code, fragment, link.Label)
			}
		}
	}
}
