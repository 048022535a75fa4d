package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// ErrPrivateAddress is returned when a request would reach an address the
// guard refuses: any special-purpose address (see SpecialPurpose).
var ErrPrivateAddress = errors.New("refused to connect to a private address")

// transport is the polite http.RoundTripper behind a Client.
type transport struct {
	opts Options
	base *http.Transport

	mu   sync.Mutex
	next map[string]time.Time // host -> earliest time of its next request
}

func newTransport(opts Options) *transport {
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivateNetworks {
		dialer.Control = Guard(opts.AllowedNetworks)
	}
	return &transport{
		opts: opts,
		base: &http.Transport{
			// No proxy from the environment: the guard must see the real
			// destination, not a proxy's address.
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   1,
			IdleConnTimeout:       60 * time.Second,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: opts.RequestTimeout,
		},
		next: make(map[string]time.Time),
	}
}

// Guard returns a dialer Control hook that refuses, after DNS resolution,
// every special-purpose address unless it lies in allowed.
func Guard(allowed []netip.Prefix) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("guard %s: %w", address, err)
		}
		ip := ap.Addr().WithZone("")
		for _, p := range allowed {
			if p.Contains(ip) || p.Contains(ip.Unmap()) {
				return nil
			}
		}
		if SpecialPurpose(ip) {
			return fmt.Errorf("%s: %w", ip, ErrPrivateAddress)
		}
		return nil
	}
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	req = req.Clone(ctx)
	// Every request names us, whatever a library (colly) put there.
	req.Header.Set("User-Agent", t.opts.UserAgent)
	validated := false
	if t.opts.Validators != nil && req.Method == http.MethodGet && req.URL.Path != "/robots.txt" &&
		req.Header.Get("If-None-Match") == "" && req.Header.Get("Cache-Control") != "no-cache" {
		v, err := t.opts.Validators.Load(ctx, req.URL.String())
		if err != nil {
			return nil, fmt.Errorf("load validators for %s: %w", Redact(req.URL), err)
		}
		if v.ETag != "" {
			req.Header.Set("If-None-Match", v.ETag)
		}
		if v.LastModified != "" {
			req.Header.Set("If-Modified-Since", v.LastModified)
		}
		validated = true
	}

	var lastErr error
	for attempt := 0; attempt <= t.opts.Retries; attempt++ {
		if attempt > 0 {
			wait := t.opts.Backoff << (attempt - 1)
			t.opts.Logger.Warn("retrying request", "url", Redact(req.URL), "attempt", attempt, "wait", wait, "err", lastErr)
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			if req.Body != nil {
				if req.GetBody == nil {
					return nil, fmt.Errorf("cannot retry %s: body not replayable: %w", Redact(req.URL), lastErr)
				}
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("replay body: %w", err)
				}
				req.Body = body
			}
		}
		if err := t.wait(ctx, req.URL.Host); err != nil {
			return nil, err
		}
		resp, err := t.attempt(req)
		if err != nil {
			if !retryable(ctx, err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		if resp.StatusCode >= 500 {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			lastErr = fmt.Errorf("HTTP %d", resp.StatusCode)
			if attempt < t.opts.Retries {
				continue
			}
			return nil, &StatusError{URL: Redact(req.URL), Code: resp.StatusCode}
		}
		if validated && resp.StatusCode == http.StatusOK {
			v := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
			if v != (Validators{}) {
				resp.Body = &saveOnEOF{ReadCloser: resp.Body, save: func() error {
					return t.opts.Validators.Save(ctx, req.URL.String(), v)
				}}
			}
		}
		return resp, nil
	}
	return nil, fmt.Errorf("%s %s: gave up after %d attempts: %w", req.Method, Redact(req.URL), t.opts.Retries+1, lastErr)
}

// attempt sends req once with the per-attempt timeout, which keeps running
// while the body is read and is released when the body is closed.
func (t *transport) attempt(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.opts.RequestTimeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &limitedBody{r: resp.Body, left: t.opts.MaxBodySize, limit: t.opts.MaxBodySize, cancel: cancel}
	return resp, nil
}

// wait blocks until host may be sent another request.
func (t *transport) wait(ctx context.Context, host string) error {
	t.mu.Lock()
	now := time.Now()
	at := t.next[host]
	if at.Before(now) {
		at = now
	}
	t.next[host] = at.Add(t.opts.Delay)
	t.mu.Unlock()
	return sleep(ctx, time.Until(at))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryable reports whether a transport error is worth another attempt:
// timeouts and connection errors are, a refused address or the run's own
// cancellation are not.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, ErrPrivateAddress) {
		return false
	}
	return true
}

// ErrBodyTooLarge is returned when a response body exceeds MaxBodySize.
var ErrBodyTooLarge = errors.New("response body too large")

type limitedBody struct {
	r      io.ReadCloser
	left   int64
	limit  int64
	cancel context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Probe one byte to tell an exact fit from an overflow.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%w (limit %d bytes)", ErrBodyTooLarge, b.limit)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error {
	err := b.r.Close()
	b.cancel()
	return err
}

// saveOnEOF saves the validators once the body was read to its end, so that
// a truncated download is not remembered as seen.
type saveOnEOF struct {
	io.ReadCloser
	save  func() error
	saved bool
}

func (s *saveOnEOF) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	if err == io.EOF && !s.saved {
		s.saved = true
		if serr := s.save(); serr != nil {
			return n, fmt.Errorf("save validators: %w", serr)
		}
	}
	return n, err
}
