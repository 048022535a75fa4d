package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

const (
	sessionCookie   = "fundmatch_session"
	sessionLifetime = 14 * 24 * time.Hour
)

type userKey struct{}

// currentUser returns the signed-in user of the request, if any.
func currentUser(r *http.Request) (store.User, bool) {
	u, ok := r.Context().Value(userKey{}).(store.User)
	return u, ok
}

// authenticate finds the user of a request from an API token
// (Authorization: Bearer) or a session cookie. A bad bearer token is refused
// at once; a stale cookie is cleared and the request goes on anonymously.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r) // its bearer token is METRICS_TOKEN, not a user's
			return
		}
		now := s.now()
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "use Authorization: Bearer TOKEN", nil)
				return
			}
			u, err := s.grant(r.Context(), "token", auth.HashToken(strings.TrimSpace(token)), now)
			if err != nil {
				if !errors.Is(err, store.ErrNotFound) {
					s.apiError(w, r, http.StatusInternalServerError, "internal", "", err)
					return
				}
				s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "the API token is not valid", nil)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			u, err := s.grant(r.Context(), "session", auth.HashToken(c.Value), now)
			switch {
			case err == nil:
				r = r.WithContext(context.WithValue(r.Context(), userKey{}, u))
				// Every page a signed-in user sees may show who they are.
				w.Header().Set("Cache-Control", "no-store")
			case errors.Is(err, store.ErrNotFound):
				s.setSessionCookie(w, "", -1)
			default:
				s.serverError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// grant returns the user of an API token or a session ("token" or
// "session") by its hash. What the database said is kept until users,
// their cities, tokens or sessions change; a kept token's use is still
// recorded once a minute. Unknown hashes are not kept.
func (s *Server) grant(ctx context.Context, kind string, hash []byte, now time.Time) (store.User, error) {
	key := kind + " " + string(hash)
	version, cacheable := s.dataVersion(grantTables)
	g, hit, err := s.grants.through(ctx, version, cacheable, key, func(ctx context.Context) (store.Grant, error) {
		if kind == "token" {
			return s.cfg.Store.UserByAPIToken(ctx, hash, now) // records the use
		}
		return s.cfg.Store.UserBySession(ctx, hash, now)
	})
	switch {
	case err != nil:
		return store.User{}, err
	case !g.Valid(now):
		return store.User{}, store.ErrNotFound // expired since it was kept
	case hit && kind == "token" && (g.LastUsedAt == nil || now.Sub(*g.LastUsedAt) > time.Minute):
		if err := s.cfg.Store.TouchAPIToken(ctx, hash, &g, now); err != nil {
			return store.User{}, err
		}
		s.grants.put(version, key, g)
	}
	return g.User, nil
}

// userHandler is a handler for signed-in users.
type userHandler func(w http.ResponseWriter, r *http.Request, u store.User)

// require lets only signed-in users with one of roles (any role when none
// are given) reach h. Without a user a page redirects to sign in and the API
// answers 401; with the wrong role both answer 403.
func (s *Server) require(h userHandler, roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := currentUser(r)
		if !ok {
			if isAPI(r) {
				s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "sign in or send an API token", nil)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !isAPI(r) {
			// A signed-in page is for its user only: no browser or proxy
			// cache may keep it (the back button after signing out, a
			// shared computer).
			w.Header().Set("Cache-Control", "no-store")
		}
		if len(roles) > 0 && !slices.Contains(roles, u.Role) {
			s.forbidden(w, r)
			return
		}
		h(w, r, u)
	}
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		s.apiError(w, r, http.StatusForbidden, "forbidden", "your role does not allow this", nil)
		return
	}
	s.render(w, r, http.StatusForbidden, "error.html", map[string]any{"Status": http.StatusForbidden, "Message": "forbidden"})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login.html", map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
}

// login checks the password, limited per email and per client address so
// that guessing is slow, and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := clientIP(r)
	now := s.now()
	data := map[string]any{"Next": next, "Email": email}
	if !s.loginLimits.allow("email:"+email, now) || !s.loginLimits.allow("ip:"+ip, now) {
		w.Header().Set("Retry-After", "900")
		data["Error"] = "login_limited"
		s.render(w, r, http.StatusTooManyRequests, "login.html", data)
		return
	}
	u, err := s.cfg.Store.UserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if err != nil || u.DisabledAt != nil || !auth.CheckPassword(u.PasswordHash, password) {
		s.loginLimits.fail("email:"+email, now)
		s.loginLimits.fail("ip:"+ip, now)
		data["Error"] = "login_failed"
		s.render(w, r, http.StatusUnauthorized, "login.html", data)
		return
	}
	s.loginLimits.reset("email:" + email)
	token, hash := auth.NewToken()
	if err := s.cfg.Store.CreateSession(r.Context(), hash, u.ID, now.Add(sessionLifetime)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token, int(sessionLifetime.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.cfg.Store.DeleteSession(r.Context(), auth.HashToken(c.Value)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext keeps a redirect after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// clientIP is the address of the peer; a proxy's X-Forwarded-For is not
// trusted, since anyone can send it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failed sign-ins per key in a sliding window.
type limiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// allow reports whether key has had fewer than max failures in the window.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(key, now)
	return len(recent) < l.max
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100_000 { // bound the memory an attacker can make us use
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	l.fails[key] = append(l.recent(key, now), now)
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// recent drops failures older than the window; l.mu must be held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	times := l.fails[key]
	i := 0
	for i < len(times) && now.Sub(times[i]) >= l.window {
		i++
	}
	if i == len(times) {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = times[i:]
	return times[i:]
}
