package web

import (
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fundmatch/fundmatch/internal/store"
)

// routes registers every page and API endpoint.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Metrics.Registry, promhttp.HandlerOpts{}))
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	mux.HandleFunc("GET /open", s.openDataPage)
	mux.HandleFunc("GET /open/calls.json", s.openCallsJSON)
	mux.HandleFunc("GET /open/calls.csv", s.openCallsCSV)
	mux.HandleFunc("GET /open/calls.atom", s.openCallsAtom)
	mux.HandleFunc("GET /ical/{token}", s.ical)

	// Pages for signed-in users; each handler checks access to the city,
	// call or plan it shows.
	mux.HandleFunc("GET /calls", s.require(s.callsPage))
	mux.HandleFunc("GET /calls/{identifier}", s.require(s.callPage))
	mux.HandleFunc("GET /cities/{slug}", s.require(s.cityPage))
	mux.HandleFunc("POST /cities/{slug}/calls/{identifier}/interest", s.require(s.markCall))
	mux.HandleFunc("GET /cities/{slug}/profile", s.require(s.profilePage))
	mux.HandleFunc("POST /cities/{slug}/profile", s.require(s.saveProfile))
	mux.HandleFunc("GET /plans", s.require(s.plansPage))
	mux.HandleFunc("GET /plans/{id}", s.require(s.planPage))
	mux.HandleFunc("POST /plans/{id}/decision", s.require(s.decidePlan, store.RoleCoordinator, store.RoleAdmin))
	mux.HandleFunc("POST /plans/{id}/members", s.require(s.adjustPlan, store.RoleCoordinator, store.RoleAdmin))
	mux.HandleFunc("POST /plans/{id}/response", s.require(s.respondToPlan, store.RoleOfficer, store.RoleAdmin))
	mux.HandleFunc("GET /uptake", s.require(s.uptakePage, store.RoleGovernment, store.RoleAdmin))
	mux.HandleFunc("GET /uptake.csv", s.require(s.uptakeCSV, store.RoleGovernment, store.RoleAdmin))
	mux.HandleFunc("GET /admin/sources", s.require(s.adminSources, store.RoleAdmin))
	mux.HandleFunc("POST /admin/sources/{name}/enabled", s.require(s.setSourceEnabled, store.RoleAdmin))
	mux.HandleFunc("GET /admin/users", s.require(s.adminUsers, store.RoleAdmin))

	s.apiRoutes(mux)
	mux.HandleFunc("/", s.notFound)
}
