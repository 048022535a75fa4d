package web

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/internal/auth"
	"github.com/fundmatch/fundmatch/internal/store"
)

// userForm is the admin's form to add a user, or to change one's role and
// cities, as filled in: a mistake shows beside its field with the rest kept.
type userForm struct {
	ID     int64 // the user being changed; 0 when adding
	Email  string
	Role   store.Role
	Cities []string
	Access string            // when adding: "invite" (a one-time link) or "password" (typed by the admin)
	Errors map[string]string // field → message key
}

func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, form userForm, data map[string]any) {
	users, err := s.cfg.Store.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cities, err := s.cfg.Store.Cities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Users"], data["Cities"], data["Form"], data["Roles"] = users, cities, form, store.Roles
	s.render(w, r, status, "admin_users.html", data)
}

// roleAndCities reads the role and cities of the user form into f.
func roleAndCities(r *http.Request, cities []store.City, f *userForm) {
	var err error
	if f.Role, err = store.ParseRole(r.PostFormValue("role")); err != nil {
		f.Errors["role"] = "err_user_role"
	}
	for _, slug := range r.PostForm["city"] {
		if !slices.ContainsFunc(cities, func(c store.City) bool { return c.Slug == slug }) {
			f.Errors["city"] = "err_user_city"
			continue
		}
		if !slices.Contains(f.Cities, slug) {
			f.Cities = append(f.Cities, slug)
		}
	}
	if (f.Role == store.RoleOfficer || f.Role == store.RoleCoordinator) && len(f.Cities) == 0 && f.Errors["city"] == "" {
		f.Errors["city"] = "err_user_cities"
	}
}

// addUser adds a user with a password the admin typed, or with a one-time
// link the admin passes on (shown once on the page), to choose their own.
func (s *Server) addUser(w http.ResponseWriter, r *http.Request, _ store.User) {
	ctx := r.Context()
	cities, err := s.cfg.Store.Cities(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := userForm{Errors: map[string]string{}, Access: r.PostFormValue("access")}
	f.Email = strings.TrimSpace(r.PostFormValue("email"))
	if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 || !utf8.ValidString(f.Email) {
		f.Errors["email"] = "err_sub_email"
		if !utf8.ValidString(f.Email) || len(f.Email) > 254 {
			f.Email = ""
		}
	}
	roleAndCities(r, cities, &f)
	var hash string
	switch f.Access {
	case "invite":
	case "password":
		password := r.PostFormValue("password")
		if len(password) > 1024 {
			f.Errors["password"] = "err_password_long"
			break
		}
		hash, err = auth.HashPassword(password)
		switch {
		case errors.Is(err, auth.ErrWeakPassword):
			f.Errors["password"] = "err_password_short"
		case errors.Is(err, auth.ErrCommonPassword):
			f.Errors["password"] = "err_password_common"
		case errors.Is(err, auth.ErrBusy):
			f.Errors["password"] = "login_busy"
		case err != nil:
			s.serverError(w, r, err)
			return
		}
	default:
		f.Access, f.Errors["access"] = "invite", "err_user_access"
	}
	if len(f.Errors) > 0 {
		s.renderAdminUsers(w, r, http.StatusBadRequest, f, map[string]any{"Problem": "form_errors"})
		return
	}
	u, err := s.cfg.Store.CreateUser(ctx, store.NewUser{Email: f.Email, PasswordHash: hash, Role: f.Role, Cities: f.Cities})
	if errors.Is(err, store.ErrEmailTaken) {
		f.Errors["email"] = "err_user_email_taken"
		s.renderAdminUsers(w, r, http.StatusBadRequest, f, map[string]any{"Problem": "form_errors"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.cfg.Logger.Info("user added on the web", "user", u.ID, "role", u.Role, "access", f.Access)
	if f.Access == "password" {
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return
	}
	token, tokenHash := auth.NewToken()
	if err := s.cfg.Store.CreateSignInLink(ctx, u.ID, tokenHash, s.now().Add(store.SignInLinkLifetime)); err != nil {
		s.serverError(w, r, err)
		return
	}
	// Shown once, on this answer only: the link is a credential.
	s.renderAdminUsers(w, r, http.StatusOK, userForm{Access: "invite"}, map[string]any{
		"Invited": u.Email, "InviteLink": s.cfg.BaseURL + "/welcome?token=" + url.QueryEscape(token)})
}

// editUserPage shows the form to change a user's role and cities.
func (s *Server) editUserPage(w http.ResponseWriter, r *http.Request, _ store.User) {
	u, ok := s.pathUser(w, r)
	if !ok {
		return
	}
	s.renderUserPage(w, r, http.StatusOK, userForm{ID: u.ID, Email: u.Email, Role: u.Role, Cities: u.Cities, Errors: map[string]string{}})
}

func (s *Server) renderUserPage(w http.ResponseWriter, r *http.Request, status int, f userForm) {
	cities, err := s.cfg.Store.Cities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "admin_user.html", map[string]any{"Form": f, "Cities": cities, "Roles": store.Roles})
}

// pathUser returns the user of the path's id, or answers 404.
func (s *Server) pathUser(w http.ResponseWriter, r *http.Request) (store.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return store.User{}, false
	}
	u, err := s.cfg.Store.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return store.User{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return store.User{}, false
	}
	return u, true
}

// saveUserAccess changes a user's role and cities. Admins cannot change
// their own role, so that there is always one admin left.
func (s *Server) saveUserAccess(w http.ResponseWriter, r *http.Request, admin store.User) {
	u, ok := s.pathUser(w, r)
	if !ok {
		return
	}
	cities, err := s.cfg.Store.Cities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := userForm{ID: u.ID, Email: u.Email, Errors: map[string]string{}}
	roleAndCities(r, cities, &f)
	if u.ID == admin.ID && f.Role != "" && f.Role != u.Role {
		f.Errors["role"] = "err_user_own_role"
	}
	if len(f.Errors) > 0 {
		s.renderUserPage(w, r, http.StatusBadRequest, f)
		return
	}
	err = s.cfg.Store.UpdateUser(r.Context(), u.ID, f.Role, f.Cities)
	s.redirectAfter(w, r, err, "/admin/users")
}
