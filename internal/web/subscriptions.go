package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/fundmatch/fundmatch/internal/store"
)

// subscriptionsPage lists the signed-in user's alert subscriptions, with a
// broken one (a revoked Slack webhook, a refused mailbox) and its reason on
// top, so its owner sees it here as well as in the email that told them.
func (s *Server) subscriptionsPage(w http.ResponseWriter, r *http.Request, u store.User) {
	subs, err := s.cfg.Store.SubscriptionsOfUser(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	broken := 0
	for _, sub := range subs {
		if sub.Status == "broken" {
			broken++
		}
	}
	s.render(w, r, http.StatusOK, "subscriptions.html", map[string]any{"Subscriptions": subs, "Broken": broken})
}

// removeSubscription deletes one of the user's own subscriptions.
func (s *Server) removeSubscription(w http.ResponseWriter, r *http.Request, u store.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	subs, err := s.cfg.Store.SubscriptionsByID(r.Context(), []int64{id})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sub, ok := subs[id]
	if !ok {
		s.notFound(w, r)
		return
	}
	if sub.UserID != u.ID && u.Role != store.RoleAdmin {
		s.forbidden(w, r)
		return
	}
	if err := s.cfg.Store.RemoveSubscription(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}
