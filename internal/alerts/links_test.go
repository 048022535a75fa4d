package alerts_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
)

// webServer serves fundmatch's pages on the fixture's database.
func (f *fixture) webServer() *httptest.Server {
	f.t.Helper()
	srv, err := web.New(web.Config{Store: f.st, Metrics: metrics.New(), Logger: slog.New(slog.DiscardHandler),
		Version: "test", SecretKey: []byte(secret)})
	if err != nil {
		f.t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	f.t.Cleanup(ts.Close)
	return ts
}

// onServer moves a link from BASE_URL to the test server.
func onServer(tb testing.TB, link string, ts *httptest.Server) string {
	tb.Helper()
	u, err := url.Parse(strings.Trim(link, "<>"))
	if err != nil {
		tb.Fatal(err)
	}
	return ts.URL + u.RequestURI()
}

func do(tb testing.TB, method, link, body string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, link, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheOneClickUnsubscribeLinkStopsFurtherMail(t *testing.T) {
	f := newFixture(t)
	ts := f.webServer()
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)
	f.deliver(monday)
	mails := f.sink.Mails(t)
	if len(mails) != 1 {
		t.Fatalf("sink received %d emails, want 1", len(mails))
	}
	link := onServer(t, mails[0].Header.Get("List-Unsubscribe"), ts)

	// Opening the link (or a scanner prefetching it) only asks.
	if code, body := do(t, "GET", link, ""); code != http.StatusOK || !strings.Contains(body, "<form method=\"post\"") {
		t.Fatalf("GET unsubscribe: %d\n%s", code, body)
	}
	// A tampered token is refused.
	if code, _ := do(t, "POST", link+"x", "List-Unsubscribe=One-Click"); code != http.StatusBadRequest {
		t.Fatalf("POST with a tampered token: %d, want 400", code)
	}
	// A new alert waits while the one-click POST arrives.
	f.match(f.call("CALL-2", "Oproep 2", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday.Add(time.Minute))
	if code, body := do(t, "POST", link, "List-Unsubscribe=One-Click"); code != http.StatusOK || !strings.Contains(body, "uitgeschreven") {
		t.Fatalf("one-click POST: %d\n%s", code, body)
	}
	f.match(f.call("CALL-3", "Oproep 3", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday.Add(2 * time.Minute))
	f.deliver(monday.Add(2 * time.Minute))
	if n := len(f.sink.Messages()); n != 1 {
		t.Fatalf("sink received %d emails after unsubscribing, want still 1", n)
	}
	want := "new_match:sent,new_match:skipped"
	if got := strings.Join(f.statuses(sub), ","); got != want {
		t.Errorf("notifications %s, want %s", got, want)
	}
}

func TestTheMuteLinkStopsAlertsAboutOneCall(t *testing.T) {
	f := newFixture(t)
	ts := f.webServer()
	sub := f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	muted := f.call("CALL-1", "Oproep 1", "HORIZON", "2026-12-31")
	f.exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($1, $2, 'interested', $3)`, f.gent, muted, monday.AddDate(0, 0, -1))
	link := onServer(t, f.links.Mute(sub, "CALL-1"), ts)
	// Opening the link (or a scanner prefetching it) only asks.
	for range 2 {
		if code, body := do(t, "GET", link, ""); code != http.StatusOK || !strings.Contains(body, `<form method="post" action="/mute?token=`) {
			t.Fatalf("GET mute: %d\n%s", code, body)
		}
	}
	var mutes int
	if err := f.db.GetContext(f.ctx, &mutes, `SELECT count(*) FROM call_mutes`); err != nil || mutes != 0 {
		t.Fatalf("after GET: %d mutes (%v), want none", mutes, err)
	}
	if code, _ := do(t, "POST", link+"x", ""); code != http.StatusBadRequest {
		t.Fatalf("POST with a tampered token: %d, want 400", code)
	}
	if code, body := do(t, "POST", link, ""); code != http.StatusOK || !strings.Contains(body, "Je krijgt geen meldingen meer over deze oproep") {
		t.Fatalf("POST mute: %d\n%s", code, body)
	}
	f.match(muted, f.gent, 90, "eligible")
	f.match(f.call("CALL-2", "Oproep 2", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	added := f.sweep(monday)
	if added[store.EventNewMatch] != 1 || added[store.EventDeadlineReminder] != 0 {
		t.Fatalf("sweep added %v, want only the other call's match", added)
	}
	if code, _ := do(t, "POST", onServer(t, f.links.Mute(sub, "NO-SUCH-CALL"), ts), ""); code != http.StatusNotFound {
		t.Errorf("muting an unknown call: %d, want 404", code)
	}
}
