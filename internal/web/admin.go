package web

import (
	"errors"
	"net/http"

	"github.com/fundmatch/fundmatch/internal/store"
)

// adminSources lists the crawl sources with their latest runs.
func (s *Server) adminSources(w http.ResponseWriter, r *http.Request, _ store.User) {
	sources, err := s.cfg.Store.CrawlSources(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	runs, err := s.cfg.Store.Runs(r.Context(), "", 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_sources.html", map[string]any{"Sources": sources, "Runs": runs})
}

// setSourceEnabled enables or disables a crawl source.
func (s *Server) setSourceEnabled(w http.ResponseWriter, r *http.Request, _ store.User) {
	enabled := r.PostFormValue("enabled")
	if enabled != "true" && enabled != "false" {
		s.badRequest(w, r, badInput{"enabled", "want true or false"})
		return
	}
	err := s.cfg.Store.SetSourceEnabled(r.Context(), r.PathValue("name"), enabled == "true")
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sources", http.StatusSeeOther)
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, _ store.User) {
	users, err := s.cfg.Store.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_users.html", map[string]any{"Users": users})
}
