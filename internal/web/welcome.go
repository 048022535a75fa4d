package web

import (
	"errors"
	"net/http"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

// The one-time sign-in link: 'fundmatch seed' and 'fundmatch all' print one
// for the first admin, and an admin makes one when inviting a user. Opening
// it shows a form to choose a password (GET changes nothing, because link
// scanners open links too); posting a password that meets the policy sets
// it, uses the link up and signs the user in. Links are stored as hashes
// and expire after store.SignInLinkLifetime.

// welcomePage shows the form to choose a password, or says that the link no
// longer works.
func (s *Server) welcomePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	u, err := s.cfg.Store.SignInLinkUser(r.Context(), auth.HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) || token == "" {
		s.render(w, r, http.StatusBadRequest, "welcome.html", map[string]any{"Invalid": true})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "welcome.html", map[string]any{"Token": token, "Email": u.Email, "Errors": map[string]string{}})
}

// welcome sets the password chosen through a sign-in link and starts a
// session. A password the policy refuses shows the form again with the
// reason beside the field.
func (s *Server) welcome(w http.ResponseWriter, r *http.Request) {
	token, password, repeat := r.PostFormValue("token"), r.PostFormValue("password"), r.PostFormValue("password_repeat")
	now := s.now()
	ctx := r.Context()
	u, err := s.cfg.Store.SignInLinkUser(ctx, auth.HashToken(token), now)
	if errors.Is(err, store.ErrNotFound) || token == "" || len(token) > 100 {
		s.render(w, r, http.StatusBadRequest, "welcome.html", map[string]any{"Invalid": true})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := map[string]any{"Token": token, "Email": u.Email, "Errors": map[string]string{}}
	problem := ""
	var hash string
	switch {
	case len(password) > 1024:
		problem = "err_password_long"
	case password != repeat:
		problem = "err_password_mismatch"
	default:
		hash, err = auth.HashPassword(password)
		switch {
		case errors.Is(err, auth.ErrWeakPassword):
			problem = "err_password_short"
		case errors.Is(err, auth.ErrCommonPassword):
			problem = "err_password_common"
		case errors.Is(err, auth.ErrBusy):
			w.Header().Set("Retry-After", "5")
			data["Errors"] = map[string]string{"password": "login_busy"}
			s.render(w, r, http.StatusServiceUnavailable, "welcome.html", data)
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		}
	}
	if problem != "" {
		data["Errors"] = map[string]string{"password": problem}
		s.render(w, r, http.StatusBadRequest, "welcome.html", data)
		return
	}
	u, err = s.cfg.Store.UseSignInLink(ctx, auth.HashToken(token), hash, now)
	if errors.Is(err, store.ErrNotFound) { // used meanwhile, in another tab
		s.render(w, r, http.StatusBadRequest, "welcome.html", map[string]any{"Invalid": true})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	session, sessionHash := auth.NewToken()
	if err := s.cfg.Store.CreateSession(ctx, sessionHash, u.ID, now.Add(sessionLifetime)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.cfg.Logger.Info("password chosen through a sign-in link", "user", u.ID)
	s.setSessionCookie(w, session, int(sessionLifetime.Seconds()))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
