package alerts_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

func TestBotTokenSubscriptionsPostToTheirChannelOrBreak(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var forms []url.Values
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/chat.postMessage" || r.ParseForm() != nil {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		forms = append(forms, r.PostForm)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("channel") == "#gone" {
			io.WriteString(w, `{"ok": false, "error": "channel_not_found"}`)
			return
		}
		io.WriteString(w, `{"ok": true, "channel": "C1", "ts": "1.2"}`)
	}))
	defer api.Close()
	svc, err := alerts.New(alerts.Config{Store: f.st, Links: f.links, BaseURL: baseURL, Location: brussels,
		Slack: notify.NewSlack(notify.SlackConfig{APIURL: api.URL + "/", HTTPClient: &http.Client{Timeout: 5 * time.Second}})})
	if err != nil {
		t.Fatal(err)
	}
	const token = "xoxb-1-bOtSeCrEt"
	ok := f.subscribe(store.NewSubscription{Channel: "slack_bot", SlackToken: token, SlackChannel: "#subsidies", UserEmail: "officer@gent.be", MinScore: 50})
	gone := f.subscribe(store.NewSubscription{Channel: "slack_bot", SlackToken: token, SlackChannel: "#gone", UserEmail: "officer@gent.be", MinScore: 50})
	f.match(f.call("CALL-1", "Groene straten", "LIFE", "2027-01-01"), f.gent, 70, "eligible")
	f.sweep(monday)
	r, err := svc.Deliver(f.ctx, monday)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 1 || r.Broken != 1 {
		t.Fatalf("deliver: %s, want one sent and one subscription broken", r)
	}
	mu.Lock()
	defer mu.Unlock()
	var posted url.Values
	for _, form := range forms {
		if form.Get("channel") == "#subsidies" {
			posted = form
		}
	}
	if posted == nil || posted.Get("token") != token || !strings.Contains(posted.Get("text"), "Groene straten") ||
		!strings.Contains(posted.Get("blocks"), `"type":"header"`) {
		t.Fatalf("chat.postMessage forms %v", forms)
	}
	subs, err := f.st.SubscriptionsByID(f.ctx, []int64{ok, gone})
	if err != nil {
		t.Fatal(err)
	}
	if subs[ok].Status != "active" || subs[gone].Status != "broken" || subs[gone].BrokenReason != "channel_not_found" {
		t.Errorf("statuses %s and %s (%q), want active and broken (channel_not_found)", subs[ok].Status, subs[gone].Status, subs[gone].BrokenReason)
	}
}
