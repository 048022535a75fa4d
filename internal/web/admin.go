package web

import (
	"errors"
	"net/http"
	"strconv"

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
	s.redirectAfter(w, r, err, "/admin/sources")
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, _ store.User) {
	s.renderAdminUsers(w, r, http.StatusOK, userForm{Access: "invite"}, nil)
}

// userAction applies an operator's action to a user: disable (no sign-in,
// sessions ended, tokens refused), enable, revoke (every session and API
// token) or rotate_ical (a new secret iCal URL). Its effect holds at once on
// every server: cached sessions and tokens are dropped on the change.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, admin store.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	ctx, now := r.Context(), s.now()
	switch action := r.PostFormValue("action"); action {
	case "disable", "enable":
		if id == admin.ID && action == "disable" {
			s.badRequest(w, r, badInput{"action", "you cannot disable your own account"})
			return
		}
		err = s.cfg.Store.SetUserDisabled(ctx, id, action == "disable", now)
	case "revoke":
		_, _, err = s.cfg.Store.RevokeUserAccess(ctx, id, now)
	case "rotate_ical":
		err = s.cfg.Store.RotateUserICal(ctx, id)
	default:
		s.badRequest(w, r, badInput{"action", "want disable, enable, revoke or rotate_ical"})
		return
	}
	s.redirectAfter(w, r, err, "/admin/users")
}

// rotateCityICal gives every user of a city a new secret iCal URL, for when
// a feed with the city's deadlines has leaked.
func (s *Server) rotateCityICal(w http.ResponseWriter, r *http.Request, _ store.User) {
	_, err := s.cfg.Store.RotateCityICal(r.Context(), r.PostFormValue("city"))
	if errors.Is(err, store.ErrNotFound) {
		s.badRequest(w, r, badInput{"city", "no city has this code"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}
