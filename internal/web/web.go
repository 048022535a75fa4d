// Package web serves fundmatch's pages and JSON API, the health checks
// (/healthz, /readyz) and the Prometheus metrics (/metrics). Pages are
// server-rendered html/template files embedded in the binary, in Dutch by
// default and in English on request.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundmatch/fundmatch/internal/metrics"
	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Check is one dependency /readyz checks, such as PostgreSQL or Redis.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Config holds what the web server needs.
type Config struct {
	Store   *store.Store
	Checks  []Check
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	BaseURL string
	Version string
	// SecretKey (SECRET_KEY) signs the secret URLs of iCal feeds and
	// verifies the signed unsubscribe and mute links in alerts.
	SecretKey []byte
	// Planner runs the consortium planner and carries out the decisions on
	// stored plans: a coordinator accepts, rejects or adjusts a plan (the
	// rules are checked again, and an accepted plan becomes a bid exactly
	// once), a member city confirms or declines. Nil means
	// planning.New(Store).
	Planner *planning.Service
	// Rescorer enqueues the rescoring of a city after its profile changed;
	// without one the next nightly rescore picks the change up.
	Rescorer Rescorer
	// Changes signals data changes; with it the answers of the busiest read
	// endpoints are cached until the data behind them changes. Nil caches
	// nothing.
	Changes Changes
	// Mailer and Slack send the test message a subscription's owner asks
	// for; without one that channel's test answers that it cannot be sent.
	// SlackAllowedHosts (SLACK_ALLOWED_HOSTS) are the hosts a webhook URL
	// entered on the web may point at.
	Mailer            *notify.Mailer
	Slack             *notify.Slack
	SlackAllowedHosts []string
	// TrustedProxies (TRUSTED_PROXIES) are the reverse proxies whose
	// X-Forwarded-For names the client; from any other peer the header is
	// ignored.
	TrustedProxies []netip.Prefix
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OpenDataRate and OpenDataBurst limit the open-data exports per client
	// address: OpenDataBurst requests at once, then OpenDataRate a second
	// (zero: 1 a second, bursts of 30).
	OpenDataRate  float64
	OpenDataBurst int
	// MetricsToken (METRICS_TOKEN) is the bearer token /metrics asks for;
	// without one /metrics is not served (404).
	MetricsToken string
}

// Server handles fundmatch's HTTP requests.
type Server struct {
	cfg        Config
	pages      map[string]*template.Template
	openLimits *rateLimiter // per client address, on the open-data exports
	patterns   []string
	handler    http.Handler
	// What the database said, kept until it changes (see Changes): the
	// busiest answers, the users of sessions and tokens, cities by slug,
	// what lists show of the calls.
	answers *versionedCache[*answer]
	grants  *versionedCache[store.Grant]
	cities  *versionedCache[store.City]
	cards   callCards
	// matchReads admits the reads of a matches page that the cache could
	// not answer, with their encoding, a few at a time, in arrival order:
	// fifty clients otherwise share two cores among fifty PostgreSQL
	// backends, and the pool hands a freed connection to a random waiter,
	// so the slowest requests wait longest.
	matchReads  chan struct{}
	localWrites atomic.Uint64 // requests that may have changed data
	testsSent   sync.Map      // subscription ID → when its last test message went out
}

// New parses the templates and returns a server.
func New(cfg Config) (*Server, error) {
	s := &Server{cfg: cfg, pages: map[string]*template.Template{},
		answers:    newVersionedCache(64<<20, answerCost),
		grants:     newVersionedCache(10_000, func(string, store.Grant) int { return 1 }),
		cities:     newVersionedCache(10_000, func(string, store.City) int { return 1 }),
		matchReads: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	if s.cfg.Planner == nil {
		s.cfg.Planner = planning.New(s.cfg.Store)
	}
	if s.cfg.OpenDataRate <= 0 {
		s.cfg.OpenDataRate = 1
	}
	if s.cfg.OpenDataBurst <= 0 {
		s.cfg.OpenDataBurst = 30
	}
	s.openLimits = newRateLimiter(s.cfg.OpenDataRate, s.cfg.OpenDataBurst, s.cfg.Now)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	for _, file := range files {
		page := path.Base(file)
		if page == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", "templates/"+page)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	s.handler = s.buildHandler()
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Handler returns the server's routes wrapped in its middleware. State
// changes from other sites are refused by http.CrossOriginProtection (on top
// of SameSite=Lax session cookies).
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	csrf := http.NewCrossOriginProtection()
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Host != "" {
		csrf.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r) {
			s.apiError(w, r, http.StatusForbidden, "cross_origin", "cross-origin requests that change data are refused", nil)
			return
		}
		s.render(w, r, http.StatusForbidden, "error.html", map[string]any{"Status": http.StatusForbidden, "Message": "forbidden"})
	}))
	return s.recoverPanics(s.secure(s.measure(csrf.Handler(s.checkInput(s.authenticate(mux))))))
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 when every dependency answers within two seconds, and
// 503 with the failing ones otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{}
	code := http.StatusOK
	for _, c := range s.cfg.Checks {
		if err := c.Fn(ctx); err != nil {
			s.cfg.Logger.Warn("readiness check failed", "check", c.Name, "err", err)
			status[c.Name] = "unavailable"
			code = http.StatusServiceUnavailable
			continue
		}
		status[c.Name] = "ok"
	}
	writeJSON(w, code, status)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		s.apiError(w, r, http.StatusNotFound, "not_found", "", nil)
		return
	}
	s.render(w, r, http.StatusNotFound, "error.html", map[string]any{"Status": http.StatusNotFound, "Message": "not_found"})
}

// redirectAfter ends a form post that changed something: 404 when what it
// names is not there, the error page for another error, else 303 to the
// page that shows the change.
func (s *Server) redirectAfter(w http.ResponseWriter, r *http.Request, err error, to string) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}

// serverError logs err and shows the user a page that says only that
// something went wrong: internal details never reach a page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if bi, ok := badValue(err); ok {
		s.badRequest(w, r, bi)
		return
	}
	s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.render(w, r, http.StatusInternalServerError, "error.html", map[string]any{"Status": 500, "Message": "internal"})
}

// apiError writes {"error": {"code": ..., "message": ...}}; a 5xx is logged
// and its message is generic.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, code, message string, err error) {
	if bi, ok := badValue(err); ok && status >= 500 {
		s.badRequest(w, r, bi)
		return
	}
	if status >= 500 {
		s.cfg.Logger.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if message == "" {
		message = http.StatusText(status)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data map[string]any) {
	lang := language(w, r)
	data["Lang"] = lang
	data["T"] = translator(lang)
	data["Path"] = r.URL.Path
	data["Query"] = r.URL.Query()
	data["Version"] = s.cfg.Version
	if u, ok := currentUser(r); ok {
		data["User"] = u
	}
	var buf bytesBuffer
	if err := s.pages[page].Execute(&buf, data); err != nil {
		s.cfg.Logger.Error("render page", "page", page, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// dataVersion is the version of tables, and false when nothing read from
// them may be cached.
func (s *Server) dataVersion(tables []string) (uint64, bool) {
	if s.cfg.Changes == nil {
		return 0, false
	}
	// Both counts only grow, so their sum changes with either.
	v, ok := s.cfg.Changes.Version(tables...)
	return v + s.localWrites.Load(), ok
}

func isAPI(r *http.Request) bool {
	return len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/"
}

// Run serves h on addr until ctx ends, then shuts down gracefully, giving
// requests in flight up to timeout to finish. ready, if not nil, receives
// the address the server listens on (useful with port 0 in tests).
func Run(ctx context.Context, addr string, h http.Handler, timeout time.Duration, logger *slog.Logger, ready chan<- net.Addr) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (HTTP_ADDR): %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready <- ln.Addr()
	}
	logger.Info("web server listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down web server: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("web server stopped")
	return nil
}
