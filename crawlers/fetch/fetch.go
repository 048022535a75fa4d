// Package fetch is the polite HTTP layer every crawler shares: it names
// itself with a User-Agent carrying a contact URL, respects robots.txt, keeps
// a delay between requests to one host, retries 5xx answers, timeouts and
// connection errors with back-off, limits body sizes, sends conditional GETs
// and refuses to reach private, loopback or link-local addresses unless told
// to.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultUserAgent      = "fundmatch-crawler/1.0 (+https://github.com/fundmatch/fundmatch)"
	DefaultDelay          = time.Second
	DefaultRetries        = 3
	DefaultBackoff        = 500 * time.Millisecond
	DefaultMaxBodySize    = 32 << 20
	DefaultRequestTimeout = 60 * time.Second
)

// ErrDisallowed is returned for a URL that the host's robots.txt forbids.
var ErrDisallowed = errors.New("disallowed by robots.txt")

// Options configures a Client. Zero fields take the defaults above.
type Options struct {
	// UserAgent identifies the crawler; it should carry a contact URL.
	UserAgent string
	// Delay is the minimum time between two requests to one host.
	Delay time.Duration
	// Retries is how many times a request is tried again after a 5xx
	// answer, a timeout or a connection error; a negative value means none.
	Retries int
	// Backoff is the wait before the first retry; it doubles every retry.
	Backoff time.Duration
	// MaxBodySize is the largest response body read, in bytes.
	MaxBodySize int64
	// RequestTimeout bounds one attempt, body included. The run's own
	// timeout is the caller's context.
	RequestTimeout time.Duration
	// AllowPrivateNetworks lets requests reach private, loopback and
	// link-local addresses (tests, or a source on an intranet).
	AllowPrivateNetworks bool
	// AllowedNetworks lists networks that may be reached even when private
	// networks are not allowed.
	AllowedNetworks []netip.Prefix
	// IgnoreRobotsTxt skips robots.txt; only for sources that have agreed.
	IgnoreRobotsTxt bool
	// Validators, when set, turns GET requests into conditional GETs and
	// remembers the ETag and Last-Modified of every 200 answer.
	Validators ValidatorStore
	// Logger receives one line per retry; nil means slog.Default().
	Logger *slog.Logger
}

// Client is a polite HTTP client. Use one Client per crawl run: it caches
// robots.txt and the last request time of each host for its lifetime. It is
// safe for concurrent use.
type Client struct {
	opts      Options
	transport *transport
	http      *http.Client

	mu     sync.Mutex
	robots map[string]*robotstxt.RobotsData
}

// New returns a Client with opts, defaults filled in.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Delay == 0 {
		opts.Delay = DefaultDelay
	}
	if opts.Retries == 0 {
		opts.Retries = DefaultRetries
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.Backoff == 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.MaxBodySize == 0 {
		opts.MaxBodySize = DefaultMaxBodySize
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	t := newTransport(opts)
	return &Client{
		opts:      opts,
		transport: t,
		http:      &http.Client{Transport: t, CheckRedirect: checkRedirect},
		robots:    make(map[string]*robotstxt.RobotsData),
	}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	return nil
}

// UserAgent returns the User-Agent the client sends.
func (c *Client) UserAgent() string { return c.opts.UserAgent }

// MaxBodySize returns the body size limit in bytes.
func (c *Client) MaxBodySize() int64 { return c.opts.MaxBodySize }

// Transport returns the polite round tripper (SSRF guard, per-host delay,
// retries, body limit, conditional GET) without the robots.txt check, for
// libraries such as colly that check robots.txt themselves.
func (c *Client) Transport() http.RoundTripper { return c.transport }

// Do sends req after checking robots.txt. Redirects are followed and each
// hop passes the address guard. The caller closes the body; a 304 Not
// Modified answer is returned as is.
func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	req = req.WithContext(ctx)
	if !c.opts.IgnoreRobotsTxt {
		if err := c.checkRobots(ctx, req.URL); err != nil {
			return nil, err
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, Redact(req.URL), err)
	}
	return resp, nil
}

// Get fetches rawURL and returns its body when the status is 200. A 304
// answer returns nil body and NotModified true; any other status is an
// *StatusError.
func (c *Client) Get(ctx context.Context, rawURL string) (body []byte, notModified bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, false, fmt.Errorf("build request: %w", err)
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, true, nil
	case resp.StatusCode != http.StatusOK:
		return nil, false, &StatusError{URL: Redact(req.URL), Code: resp.StatusCode}
	}
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", Redact(req.URL), err)
	}
	return body, false, nil
}

// StatusError is an HTTP answer other than the one expected.
type StatusError struct {
	URL  string // redacted
	Code int
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
}

// checkRobots fetches and caches the host's robots.txt and refuses u when it
// is disallowed for our User-Agent. A missing robots.txt (4xx) allows all;
// a 5xx one disallows all, as robotstxt.FromResponse decides.
func (c *Client) checkRobots(ctx context.Context, u *url.URL) error {
	if u.Path == "/robots.txt" {
		return nil
	}
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	data, ok := c.robots[key]
	c.mu.Unlock()
	if !ok {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, key+"/robots.txt", nil)
		if err != nil {
			return fmt.Errorf("build robots.txt request: %w", err)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("fetch %s/robots.txt: %w", key, err)
		}
		data, err = robotstxt.FromResponse(resp)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("parse %s/robots.txt: %w", key, err)
		}
		c.mu.Lock()
		c.robots[key] = data
		c.mu.Unlock()
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if !data.TestAgent(path, c.opts.UserAgent) {
		return fmt.Errorf("%s: %w", Redact(u), ErrDisallowed)
	}
	return nil
}

// secretParams are query parameters whose values never reach a log line.
var secretParams = []string{"key", "token", "secret", "password", "passwd", "auth", "signature", "sig"}

// Redact returns u as a string with user info and secret-looking query
// values replaced by "xxx", fit for logs and errors.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	if r.User != nil {
		r.User = url.User("xxx")
	}
	if r.RawQuery != "" {
		q := r.Query()
		for name := range q {
			lower := strings.ToLower(name)
			for _, s := range secretParams {
				if strings.Contains(lower, s) {
					q.Set(name, "xxx")
					break
				}
			}
		}
		r.RawQuery = q.Encode()
	}
	return r.String()
}

// RedactString is Redact for a URL in a string; an unparsable URL is
// dropped entirely rather than risk showing a secret.
func RedactString(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return Redact(u)
}
