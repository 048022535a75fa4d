package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

// The signed links in alerts. GET /unsubscribe only asks for confirmation,
// because link scanners and prefetchers open links in emails; the form's
// POST, like a mail client's RFC 8058 one-click POST, ends the subscription
// at once. /mute works the same way: GET asks, the form's POST mutes, so a
// scanner that opens every link in an email (Safe Links and the like) does
// not mute calls behind the user's back.

// verifyLink checks the token of a signed link for purpose; on failure it
// writes the error page and returns false.
func (s *Server) verifyLink(w http.ResponseWriter, r *http.Request, purpose notify.Purpose) (notify.Token, bool) {
	t, err := notify.Verify(s.cfg.SecretKey, r.URL.Query().Get("token"))
	if err != nil || t.Purpose != purpose {
		s.render(w, r, http.StatusBadRequest, "alerts.html", map[string]any{"Heading": "link_invalid_heading", "Message": "link_invalid"})
		return notify.Token{}, false
	}
	return t, true
}

func (s *Server) unsubscribeConfirm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.verifyLink(w, r, notify.PurposeUnsubscribe); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "alerts.html", map[string]any{"Heading": "unsubscribe_heading",
		"Message": "unsubscribe_confirm", "Confirm": "/unsubscribe", "Button": "unsubscribe_button", "Token": r.URL.Query().Get("token")})
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	t, ok := s.verifyLink(w, r, notify.PurposeUnsubscribe)
	if !ok {
		return
	}
	// A subscription already removed needs nothing more: the link did its job.
	if err := s.cfg.Store.Unsubscribe(r.Context(), t.SubscriptionID, time.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	s.cfg.Logger.Info("unsubscribed through a signed link", "subscription", t.SubscriptionID)
	s.render(w, r, http.StatusOK, "alerts.html", map[string]any{"Heading": "unsubscribe_heading", "Message": "unsubscribed"})
}

func (s *Server) muteConfirm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.verifyLink(w, r, notify.PurposeMute); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "alerts.html", map[string]any{"Heading": "mute_heading",
		"Message": "mute_confirm", "Confirm": "/mute", "Button": "mute_button", "Token": r.URL.Query().Get("token")})
}

func (s *Server) mute(w http.ResponseWriter, r *http.Request) {
	t, ok := s.verifyLink(w, r, notify.PurposeMute)
	if !ok {
		return
	}
	err := s.cfg.Store.MuteCall(r.Context(), "", t.SubscriptionID, t.CallID)
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "alerts.html", map[string]any{"Heading": "mute_heading", "Message": "mute_gone"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "alerts.html", map[string]any{"Heading": "mute_heading", "Message": "muted"})
}
