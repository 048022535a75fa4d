package web

import (
	"crypto/subtle"
	"io/fs"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fundmatch/fundmatch/internal/store"
)

// routes registers every page and API endpoint.
func (s *Server) routes(mux *http.ServeMux) {
	s.handle(mux, "GET /healthz", s.healthz)
	s.handle(mux, "GET /readyz", s.readyz)
	s.handle(mux, "GET /metrics", s.metrics(promhttp.HandlerFor(s.cfg.Metrics.Registry, promhttp.HandlerOpts{})))
	static, _ := fs.Sub(staticFS, "static")
	s.handle(mux, "GET /static/", http.StripPrefix("/static/", http.FileServerFS(filesOnly{static})).ServeHTTP)
	s.handle(mux, "GET /{$}", s.home)
	s.handle(mux, "GET /login", s.loginPage)
	s.handle(mux, "POST /login", s.login)
	s.handle(mux, "POST /logout", s.logout)
	// The one-time link that lets a new user (the first admin, an invited
	// user) choose a password; the token is the credential.
	s.handle(mux, "GET /welcome", s.welcomePage)
	s.handle(mux, "POST /welcome", s.welcome)

	s.handle(mux, "GET /open", s.openDataPage)
	// Anyone may fetch open data, so each client address has its budget.
	s.handle(mux, "GET /open/calls.json", s.limit(s.openLimits, s.openCallsJSON))
	s.handle(mux, "GET /open/calls.csv", s.limit(s.openLimits, s.openCallsCSV))
	s.handle(mux, "GET /open/calls.atom", s.limit(s.openLimits, s.openCallsAtom))
	s.handle(mux, "GET /ical/{token}", s.ical)
	// One-click links from alert emails: the signed token is the credential.
	s.handle(mux, "GET /unsubscribe", s.unsubscribeConfirm)
	s.handle(mux, "POST /unsubscribe", s.unsubscribe)
	s.handle(mux, "GET /mute", s.muteConfirm)
	s.handle(mux, "POST /mute", s.mute)

	// Pages for signed-in users; each handler checks access to the city,
	// call or plan it shows.
	s.handle(mux, "GET /calls", s.require(s.callsPage))
	s.handle(mux, "GET /calls/{identifier}", s.require(s.callPage))
	s.handle(mux, "GET /cities/{slug}", s.require(s.cityPage))
	s.handle(mux, "POST /cities/{slug}/calls/{identifier}/interest", s.require(s.markCall))
	s.handle(mux, "GET /cities/{slug}/profile", s.require(s.profilePage))
	s.handle(mux, "POST /cities/{slug}/profile", s.require(s.saveProfile))
	s.handle(mux, "POST /calls/{identifier}/plans", s.require(s.runPlanner, store.RoleCoordinator, store.RoleAdmin))
	s.handle(mux, "GET /plans", s.require(s.plansPage))
	s.handle(mux, "GET /plans/{id}", s.require(s.planPage))
	s.handle(mux, "POST /plans/{id}/decision", s.require(s.decidePlan, store.RoleCoordinator, store.RoleAdmin))
	s.handle(mux, "POST /plans/{id}/members", s.require(s.adjustPlan, store.RoleCoordinator, store.RoleAdmin))
	s.handle(mux, "POST /plans/{id}/response", s.require(s.respondToPlan, store.RoleOfficer, store.RoleAdmin))
	s.handle(mux, "GET /subscriptions", s.require(s.subscriptionsPage))
	s.handle(mux, "POST /subscriptions", s.require(s.addSubscription))
	s.handle(mux, "GET /subscriptions/{id}/edit", s.require(s.editSubscriptionPage))
	s.handle(mux, "POST /subscriptions/{id}", s.require(s.saveSubscription))
	s.handle(mux, "POST /subscriptions/{id}/pause", s.require(s.pauseSubscription))
	s.handle(mux, "POST /subscriptions/{id}/test", s.require(s.testSubscription))
	s.handle(mux, "POST /subscriptions/{id}/delete", s.require(s.removeSubscription))
	s.handle(mux, "GET /uptake", s.require(s.uptakePage, store.RoleGovernment, store.RoleAdmin))
	s.handle(mux, "GET /uptake.csv", s.require(s.uptakeCSV, store.RoleGovernment, store.RoleAdmin))
	s.handle(mux, "GET /admin/sources", s.require(s.adminSources, store.RoleAdmin))
	s.handle(mux, "POST /admin/sources/{name}/enabled", s.require(s.setSourceEnabled, store.RoleAdmin))
	s.handle(mux, "GET /admin/users", s.require(s.adminUsers, store.RoleAdmin))
	s.handle(mux, "POST /admin/users", s.require(s.addUser, store.RoleAdmin))
	s.handle(mux, "GET /admin/users/{id}", s.require(s.editUserPage, store.RoleAdmin))
	s.handle(mux, "POST /admin/users/{id}/access", s.require(s.saveUserAccess, store.RoleAdmin))
	s.handle(mux, "POST /admin/users/{id}", s.require(s.userAction, store.RoleAdmin))
	s.handle(mux, "POST /admin/ical", s.require(s.rotateCityICal, store.RoleAdmin))

	s.apiRoutes(mux)
	s.handle(mux, "/", s.notFound)
}

// handle registers h under pattern and remembers the pattern for Routes.
func (s *Server) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	mux.Handle(pattern, s.invalidateAfterWrites(h))
}

// Routes lists the patterns the server handles, such as "GET /api/v1/calls".
func (s *Server) Routes() []string { return append([]string{}, s.patterns...) }

// metrics serves h only to a scraper that sends the METRICS_TOKEN as a
// bearer token: the counts tell who uses what, and how much. Without a
// token configured the metrics are not served at all.
func (s *Server) metrics(h http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken == "" {
			http.NotFound(w, r)
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.MetricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "send Authorization: Bearer METRICS_TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}
}

// filesOnly hides the directories of an FS, so that the file server
// answers 404 for them instead of listing their files.
type filesOnly struct{ fs.FS }

// Open implements fs.FS.
func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if info, err := file.Stat(); err != nil || info.IsDir() {
		file.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return file, nil
}
