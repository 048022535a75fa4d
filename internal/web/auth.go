package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
func (s *Server) require(h userHandler, roles ...store.Role) http.HandlerFunc {
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
	s.render(w, r, http.StatusOK, "login.html", map[string]any{"Next": localPath(r.URL.Query().Get("next"))})
}

// signInLimits bound password guessing, in 15 minutes: five failures per
// account from one address; and, for an account and an address it has not
// signed in from in the last 30 days, fifty per address (a spray over many
// accounts) and a hundred per account (guesses from many addresses). Users
// behind one city hall's NAT or proxy therefore never lock each other out,
// and nobody locks an owner out of the address they use.
var signInLimits = store.SignInLimits{PerAccountAddress: 5, PerAccount: 100, PerAddress: 50,
	Window: 15 * time.Minute, Known: 30 * 24 * time.Hour}

// login checks the password and starts a session. The attempt is counted
// (in PostgreSQL, shared by every server) before the password is hashed, so
// a burst of guesses gets at most the allowed few hashed; the hashes
// themselves run a few at a time (auth.CheckPassword), so a burst cannot
// exhaust memory either.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	now := s.now()
	data := map[string]any{"Next": next, "Email": email}
	if len(email) > 254 || len(password) > 1024 {
		data["Email"], data["Error"] = "", "login_failed"
		s.render(w, r, http.StatusBadRequest, "login.html", data)
		return
	}
	attempt, ok, err := s.cfg.Store.ReserveSignIn(r.Context(), email, throttleAddress(s.clientAddr(r)), signInLimits, now)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(signInLimits.Window.Seconds())))
		data["Error"] = "login_limited"
		s.render(w, r, http.StatusTooManyRequests, "login.html", data)
		return
	}
	u, err := s.cfg.Store.UserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	matched := false
	if err == nil && u.DisabledAt == nil {
		matched, err = auth.CheckPassword(r.Context(), u.PasswordHash, password)
		if errors.Is(err, auth.ErrBusy) {
			// Not checked, so not a failure.
			if err := s.cfg.Store.CancelSignIn(context.WithoutCancel(r.Context()), attempt); err != nil {
				s.serverError(w, r, err)
				return
			}
			w.Header().Set("Retry-After", "5")
			data["Error"] = "login_busy"
			s.render(w, r, http.StatusServiceUnavailable, "login.html", data)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if !matched {
		data["Error"] = "login_failed"
		s.render(w, r, http.StatusUnauthorized, "login.html", data)
		return
	}
	if err := s.cfg.Store.SignInSucceeded(r.Context(), attempt, signInLimits, now); err != nil {
		s.serverError(w, r, err)
		return
	}
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

// localPath returns next when it is a path on this site and "/" otherwise:
// the one check of every redirect target taken from a request. Browsers
// forgive a lot (they drop tabs and newlines, read a backslash as a slash,
// follow "//host" to another site, and some decode percent-escapes first),
// so anything unusual is refused rather than repaired.
func localPath(next string) string {
	if len(next) > 2048 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	decoded := next
	for range 3 { // escapes of escapes too, such as %252F
		if !plainPath(decoded) {
			return "/"
		}
		d, err := url.PathUnescape(decoded)
		if err != nil {
			return "/"
		}
		if d == decoded {
			break
		}
		decoded = d
	}
	if !plainPath(decoded) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}

// plainPath reports whether p starts with one slash and holds only printable
// ASCII without backslashes.
func plainPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] >= 0x7f || p[i] == '\\' {
			return false
		}
	}
	return true
}

// clientIP is the address of the peer, whoever it is.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddr is the address of the client: the peer's, unless the peer is
// one of the trusted proxies (TRUSTED_PROXIES); then it is the last address
// in X-Forwarded-For that is not a trusted proxy. Anyone can send
// X-Forwarded-For, so only what trusted proxies appended is believed.
func (s *Server) clientAddr(r *http.Request) string {
	peer, err := netip.ParseAddr(clientIP(r))
	if err != nil {
		return clientIP(r)
	}
	peer = peer.Unmap().WithZone("")
	if !s.trustedProxy(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbled: the last proxy that passed it on is the client we know
		}
		a = a.Unmap().WithZone("")
		if !s.trustedProxy(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// throttleAddress is what sign-ins are counted by for a client address: an
// IPv4 address, or the /64 network of an IPv6 address (one subscriber
// usually has a whole /64 to pick addresses from).
func throttleAddress(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() {
		return addr
	}
	p, _ := a.Prefix(64)
	return p.String()
}
