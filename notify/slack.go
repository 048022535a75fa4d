package notify

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
)

// DefaultSlackTimeout bounds one Slack request when SlackConfig gives no
// HTTP client.
const DefaultSlackTimeout = 10 * time.Second

// SlackConfig configures a Slack sender.
type SlackConfig struct {
	// HTTPClient sends the requests; nil means a client with
	// DefaultSlackTimeout. Redirects are never followed, whatever the client
	// says, so a webhook cannot bounce the server to another address.
	HTTPClient *http.Client
	// AllowedHosts are the hosts webhook URLs may point at; empty means
	// DefaultWebhookHost.
	AllowedHosts []string
	// APIURL is the Web API base for bot tokens; empty means Slack's. Tests
	// point it at slacktest.
	APIURL string
	// AllowPrivateNetworks lets the default client reach special-purpose
	// addresses (loopback test servers). Without it, a webhook host that
	// resolves to a private, loopback or otherwise special address is
	// refused when dialled (fetch.Guard), whatever the allow-list says.
	AllowPrivateNetworks bool
}

// Slack delivers messages to Slack through incoming webhooks or a bot token.
// It is safe for concurrent use.
type Slack struct {
	client       *http.Client
	allowedHosts []string
	apiURL       string
}

// NewSlack returns a Slack sender.
func NewSlack(cfg SlackConfig) *Slack {
	c := &http.Client{Timeout: DefaultSlackTimeout}
	if !cfg.AllowPrivateNetworks {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil // the guard must see the real destination
		tr.DialContext = (&net.Dialer{Timeout: DefaultSlackTimeout, Control: fetch.Guard(nil)}).DialContext
		c.Transport = tr
	}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		c = &copied
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// Remember the body of a failed webhook call: Slack puts its error code
	// there ("no_service", "channel_not_found"), and slack-go discards it.
	c.Transport = errorBodyTransport{next: c.Transport}
	return &Slack{client: c, allowedHosts: cfg.AllowedHosts, apiURL: cfg.APIURL}
}

// PostWebhook posts m to an incoming webhook. The URL is validated first; an
// invalid URL is a Permanent failure. Every error is a *DeliveryError whose
// message does not contain the URL.
func (s *Slack) PostWebhook(ctx context.Context, webhookURL string, m SlackMessage) error {
	if err := ValidateWebhookURL(webhookURL, s.allowedHosts...); err != nil {
		return &DeliveryError{Channel: "slack", Class: Permanent, Reason: "invalid_webhook_url", Err: err}
	}
	ctx, body := withErrorBody(ctx)
	msg := &slack.WebhookMessage{Text: m.Text, Blocks: &slack.Blocks{BlockSet: m.Blocks}}
	err := slack.PostWebhookCustomHTTPContext(ctx, webhookURL, s.client, msg)
	if err == nil {
		return nil
	}
	return classifySlack(err, strings.TrimSpace(body.text), webhookURL)
}

// PostBot posts m to a channel with a bot token (chat.postMessage). Every
// error is a *DeliveryError whose message does not contain the token.
func (s *Slack) PostBot(ctx context.Context, token, channel string, m SlackMessage) error {
	opts := []slack.Option{slack.OptionHTTPClient(s.client)}
	if s.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(s.apiURL))
	}
	api := slack.New(token, opts...)
	_, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...))
	if err == nil {
		return nil
	}
	return classifySlack(err, "", token)
}

// slackTemporaryErrors are the Web API error codes Slack documents as
// transient; every other code means the request will never succeed as it is.
var slackTemporaryErrors = map[string]bool{
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
	"ratelimited":         true,
}

// classifySlack turns a slack-go error into a DeliveryError. body is the
// response body of a failed webhook call, if any. secret (the webhook URL or
// token) is removed from the cause.
func classifySlack(err error, body, secret string) *DeliveryError {
	de := &DeliveryError{Channel: "slack", Err: redact(err, secret)}
	var (
		rateLimited *slack.RateLimitedError
		status      slack.StatusCodeError
		apiErr      slack.SlackErrorResponse
	)
	switch {
	case errors.As(err, &rateLimited):
		de.Class, de.Reason, de.RetryAfter = RateLimited, "http 429", rateLimited.RetryAfter
	case errors.As(err, &status):
		de.Reason = "http " + strconv.Itoa(status.Code)
		if body != "" && len(body) <= 64 && !strings.ContainsAny(body, " <\n") {
			de.Reason = body // Slack's webhook error code, e.g. "no_service"
		}
		switch {
		case status.Code == http.StatusTooManyRequests:
			// 429 without a usable Retry-After: wait a minute, Slack's window.
			de.Class, de.RetryAfter = RateLimited, time.Minute
		case status.Code >= 500, status.Code == http.StatusRequestTimeout:
			de.Class = Temporary
		default:
			de.Class = Permanent
		}
	case errors.As(err, &apiErr):
		de.Reason = apiErr.Err
		de.Class = Permanent
		if slackTemporaryErrors[apiErr.Err] {
			de.Class = Temporary
		}
	default:
		// Timeouts, refused connections, cancelled contexts: the request
		// may succeed later.
		de.Class, de.Reason = Temporary, "network"
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			de.Reason = "timeout"
		}
	}
	return de
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// redact returns err with secret removed from its message. A *url.Error
// keeps its inner error (so errors.Is still finds timeouts) with the URL
// replaced by its scheme and host; anything else becomes a plain error with
// the secret blanked out.
func redact(err error, secret string) error {
	if secret == "" {
		return err
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		safe := "[redacted]"
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			safe = u.Scheme + "://" + u.Host + "/[redacted]"
		}
		inner := ue.Err
		if strings.Contains(inner.Error(), secret) {
			inner = errors.New(strings.ReplaceAll(inner.Error(), secret, "[redacted]"))
		}
		return &url.Error{Op: ue.Op, URL: safe, Err: inner}
	}
	msg := err.Error()
	if !strings.Contains(msg, secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(msg, secret, "[redacted]"))
}

// errorBody receives the start of a failed response's body.
type errorBody struct{ text string }

type errorBodyKey struct{}

func withErrorBody(ctx context.Context) (context.Context, *errorBody) {
	b := &errorBody{}
	return context.WithValue(ctx, errorBodyKey{}, b), b
}

// errorBodyTransport copies the first bytes of a non-200 response body into
// the request's errorBody, and passes the body on unchanged.
type errorBodyTransport struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t errorBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil || resp.StatusCode == http.StatusOK {
		return resp, err
	}
	b, ok := req.Context().Value(errorBodyKey{}).(*errorBody)
	if !ok {
		return resp, nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	b.text = string(head)
	resp.Body = readCloser{io.MultiReader(strings.NewReader(b.text), resp.Body), resp.Body}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
