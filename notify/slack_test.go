package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack/slacktest"
)

// secretWebhook is a webhook URL whose path is the secret a leaked error
// would expose.
const secretWebhook = "https://hooks.slack.com/services/T0FUNDMATCH/B0GENT/zYxSeCrEtPaTh123"

const secretToken = "xoxb-1234-5678-SeCrEtToKeN"

// webhookSlack returns a Slack sender whose client reaches srv when it dials
// hooks.slack.com: the URL stays the real Slack URL (so validation runs as in
// production) and the TLS handshake uses the test server's certificate.
func webhookSlack(t testing.TB, srv *httptest.Server, timeout time.Duration) *Slack {
	t.Helper()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com" // httptest's certificate name
	return NewSlack(SlackConfig{HTTPClient: &http.Client{Transport: tr, Timeout: timeout}})
}

// assertNoSecret fails if err, in any format, contains one of the secrets.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	u, _ := url.Parse(secretWebhook)
	secrets = append(secrets, u.Path, "zYxSeCrEtPaTh123", "SeCrEtToKeN")
	for _, s := range secrets {
		for _, form := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(form, s) {
				t.Errorf("error leaks a secret %q: %s", s, form)
			}
		}
	}
}

func goldenBlocks(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Blocks any }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Blocks
}

func TestPostWebhookSendsBlocksAndClassifiesSlackReplies(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		wantClass  Class // 0: success
		wantReason string
		wantRetry  time.Duration
	}{
		{name: "ok", status: 200, body: "ok"},
		{name: "rate limited with Retry-After", status: 429, header: map[string]string{"Retry-After": "30"}, body: "rate_limited", wantClass: RateLimited, wantReason: "http 429", wantRetry: 30 * time.Second},
		{name: "rate limited without Retry-After waits a minute", status: 429, body: "rate_limited", wantClass: RateLimited, wantReason: "rate_limited", wantRetry: time.Minute},
		{name: "revoked webhook", status: 404, body: "no_service", wantClass: Permanent, wantReason: "no_service"},
		{name: "invalid token", status: 403, body: "invalid_token", wantClass: Permanent, wantReason: "invalid_token"},
		{name: "deleted channel", status: 404, body: "channel_not_found", wantClass: Permanent, wantReason: "channel_not_found"},
		{name: "archived channel", status: 410, body: "channel_is_archived", wantClass: Permanent, wantReason: "channel_is_archived"},
		{name: "server error", status: 500, body: "<html>oops</html>", wantClass: Temporary, wantReason: "http 500"},
		{name: "bad gateway", status: 502, wantClass: Temporary, wantReason: "http 502"},
	}
	l := testLinks(t)
	r := sampleRecipient(l, Dutch)
	msg := SlackAlert(r, sampleAlerts(l)[KindNewMatch])
	wantBlocks := goldenBlocks(t, "new_match.nl.slack.json")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				method, path, contentType string
				body                      []byte
			}
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				got.method, got.path, got.contentType = req.Method, req.URL.Path, req.Header.Get("Content-Type")
				got.body, _ = io.ReadAll(req.Body)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()

			err := webhookSlack(t, srv, 5*time.Second).PostWebhook(context.Background(), secretWebhook, msg)

			assertNoSecret(t, err)
			if got.method != http.MethodPost || got.path != "/services/T0FUNDMATCH/B0GENT/zYxSeCrEtPaTh123" || got.contentType != "application/json" {
				t.Errorf("request = %s %s (%s), want POST to the webhook path as JSON", got.method, got.path, got.contentType)
			}
			var sent struct {
				Text   string
				Blocks any
			}
			if err := json.Unmarshal(got.body, &sent); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, got.body)
			}
			if diff := cmp.Diff(wantBlocks, sent.Blocks); diff != "" {
				t.Errorf("blocks sent differ from the golden new_match.nl blocks (-want +got):\n%s", diff)
			}
			if sent.Text != msg.Text {
				t.Errorf("fallback text = %q, want %q", sent.Text, msg.Text)
			}
			checkDeliveryError(t, err, tt.wantClass, tt.wantReason, tt.wantRetry)
		})
	}
}

func checkDeliveryError(t *testing.T, err error, class Class, reason string, retry time.Duration) {
	t.Helper()
	if class == 0 {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	de, ok := err.(*DeliveryError)
	if !ok {
		t.Fatalf("error %v (%T) is not a *DeliveryError", err, err)
	}
	if de.Class != class || de.Reason != reason || de.RetryAfter != retry {
		t.Errorf("got class %s, reason %q, retry after %s; want %s, %q, %s", de.Class, de.Reason, de.RetryAfter, class, reason, retry)
	}
	if Classify(err) != class {
		t.Errorf("Classify = %s, want %s", Classify(err), class)
	}
}

func TestPostWebhookSucceedsAfterRateLimit(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	s := webhookSlack(t, srv, 5*time.Second)
	msg := SlackMessage{Text: "test"}

	err := s.PostWebhook(context.Background(), secretWebhook, msg)
	checkDeliveryError(t, err, RateLimited, "http 429", time.Second)
	if err := s.PostWebhook(context.Background(), secretWebhook, msg); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if calls != 2 {
		t.Errorf("server saw %d calls, want 2", calls)
	}
}

func TestPostWebhookNetworkFailuresAreTemporaryAndRedacted(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		err := webhookSlack(t, srv, 100*time.Millisecond).PostWebhook(context.Background(), secretWebhook, SlackMessage{Text: "x"})
		checkDeliveryError(t, err, Temporary, "timeout", 0)
		assertNoSecret(t, err)
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		s := webhookSlack(t, srv, time.Second)
		srv.Close()
		err := s.PostWebhook(context.Background(), secretWebhook, SlackMessage{Text: "x"})
		checkDeliveryError(t, err, Temporary, "network", 0)
		assertNoSecret(t, err)
		if !strings.Contains(err.Error(), "hooks.slack.com/[redacted]") {
			t.Errorf("error %q should still name the host", err)
		}
	})
}

func TestPostWebhookRefusesInvalidURLWithoutCalling(t *testing.T) {
	called := false
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	defer srv.Close()
	bad := "https://evil.example.com/services/T0FUNDMATCH/B0GENT/zYxSeCrEtPaTh123"
	err := webhookSlack(t, srv, time.Second).PostWebhook(context.Background(), bad, SlackMessage{Text: "x"})
	checkDeliveryError(t, err, Permanent, "invalid_webhook_url", 0)
	assertNoSecret(t, err)
	if called {
		t.Error("the server was called for a URL that failed validation")
	}
}

// recorder keeps the form bodies of the requests that pass through it.
type recorder struct {
	mu    sync.Mutex
	forms []url.Values
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.forms = append(r.forms, form)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestPostBotSendsBlocksToSlacktest(t *testing.T) {
	srv := slacktest.NewTestServer()
	srv.Start()
	defer srv.Stop()
	rec := &recorder{}
	s := NewSlack(SlackConfig{HTTPClient: &http.Client{Transport: rec, Timeout: 5 * time.Second}, APIURL: srv.GetAPIURL()})
	l := testLinks(t)
	msg := SlackAlert(sampleRecipient(l, English), sampleAlerts(l)[KindInvitation])

	if err := s.PostBot(context.Background(), secretToken, "C0GENTSUBS", msg); err != nil {
		t.Fatal(err)
	}

	if len(rec.forms) != 1 {
		t.Fatalf("%d requests, want 1", len(rec.forms))
	}
	form := rec.forms[0]
	if form.Get("channel") != "C0GENTSUBS" || form.Get("token") != secretToken || form.Get("text") != msg.Text {
		t.Errorf("form = channel %q, token %q, text %q", form.Get("channel"), form.Get("token"), form.Get("text"))
	}
	var sent any
	if err := json.Unmarshal([]byte(form.Get("blocks")), &sent); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(goldenBlocks(t, "invitation.en.slack.json"), sent); diff != "" {
		t.Errorf("blocks sent (-want +got):\n%s", diff)
	}
}

func TestPostBotClassifiesAPIErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		wantClass  Class
		wantReason string
		wantRetry  time.Duration
	}{
		{"channel not found", 200, nil, `{"ok":false,"error":"channel_not_found"}`, Permanent, "channel_not_found", 0},
		{"revoked token", 200, nil, `{"ok":false,"error":"token_revoked"}`, Permanent, "token_revoked", 0},
		{"invalid auth", 200, nil, `{"ok":false,"error":"invalid_auth"}`, Permanent, "invalid_auth", 0},
		{"slack internal error", 200, nil, `{"ok":false,"error":"internal_error"}`, Temporary, "internal_error", 0},
		{"rate limited", 429, map[string]string{"Retry-After": "7"}, `{"ok":false,"error":"ratelimited"}`, RateLimited, "http 429", 7 * time.Second},
		{"service unavailable", 503, nil, "", Temporary, "http 503", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := slacktest.NewTestServer(func(c slacktest.Customize) {
				c.Handle("/chat.postMessage", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tt.status)
					io.WriteString(w, tt.body)
				})
			})
			srv.Start()
			defer srv.Stop()
			s := NewSlack(SlackConfig{APIURL: srv.GetAPIURL(), AllowPrivateNetworks: true})

			err := s.PostBot(context.Background(), secretToken, "C0GENTSUBS", SlackMessage{Text: "x"})

			checkDeliveryError(t, err, tt.wantClass, tt.wantReason, tt.wantRetry)
			assertNoSecret(t, err)
		})
	}
}

// TestSlackDefaultClientRefusesPrivateAddresses: without
// AllowPrivateNetworks the sender will not connect to a loopback address,
// however the URL got there (here the bot API URL).
func TestSlackDefaultClientRefusesPrivateAddresses(t *testing.T) {
	srv := slacktest.NewTestServer()
	srv.Start()
	defer srv.Stop()
	err := NewSlack(SlackConfig{APIURL: srv.GetAPIURL()}).PostBot(context.Background(), secretToken, "C0GENTSUBS", SlackMessage{Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "private address") {
		t.Fatalf("PostBot to a loopback server: %v, want a refused private address", err)
	}
	assertNoSecret(t, err)
}
