package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

func init() {
	// has reports whether a list holds a value, for the checked options of
	// a multiple choice.
	funcs["has"] = func(list []string, v string) bool { return slices.Contains(list, v) }
}

// subscriptionForm is the add or edit form of a subscription as the user
// filled it in, kept as text so that a mistake shows beside the field with
// everything else as it was typed.
type subscriptionForm struct {
	ID           int64 // 0 when adding
	Channel      store.Channel
	Email        string
	SlackChannel string
	// Current is the channel of the subscription being edited: its Slack
	// webhook URL or token is never shown, and stays when left empty.
	Current   store.Channel
	Cities    []string
	MinScore  string
	Frequency string
	Language  string
	Errors    map[string]string // field → message key
}

// Action is where the form posts.
func (f subscriptionForm) Action() string {
	if f.ID == 0 {
		return "/subscriptions"
	}
	return "/subscriptions/" + strconv.FormatInt(f.ID, 10)
}

// subscriptionPage is what subscriptions.html shows on top: a Notice that
// all went well or a Problem (message keys), with Detail filled into it.
type subscriptionPage struct {
	Notice, Problem, Detail string
}

// subscriptionsPage lists the signed-in user's alert subscriptions, with a
// broken one (a revoked Slack webhook, a refused mailbox) and its reason on
// top, so its owner sees it here as well as in the email that told them;
// below them the form to add one.
func (s *Server) subscriptionsPage(w http.ResponseWriter, r *http.Request, u store.User) {
	form := subscriptionForm{Channel: store.ChannelEmail, Email: u.Email, MinScore: "60", Frequency: string(notify.Daily), Language: language(w, r)}
	if len(u.Cities) == 1 {
		form.Cities = []string(u.Cities)
	}
	s.renderSubscriptions(w, r, u, http.StatusOK, form, subscriptionPage{})
}

func (s *Server) renderSubscriptions(w http.ResponseWriter, r *http.Request, u store.User, status int, form subscriptionForm, page subscriptionPage) {
	subs, err := s.cfg.Store.SubscriptionsOfUser(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cities, err := s.selectableCities(r.Context(), u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	broken := 0
	for _, sub := range subs {
		if sub.Status == store.SubscriptionBroken {
			broken++
		}
	}
	s.render(w, r, status, "subscriptions.html", map[string]any{"Subscriptions": subs, "Broken": broken,
		"Form": form, "Cities": cities, "Notice": page.Notice, "Problem": page.Problem, "Detail": page.Detail})
}

// selectableCities are the cities u may subscribe to: those u may see.
func (s *Server) selectableCities(ctx context.Context, u store.User) ([]store.City, error) {
	all, err := s.cfg.Store.Cities(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(c store.City) bool { return !u.CanSeeCity(c.ID) }), nil
}

// subscriptionFromForm reads the subscription form. current is the
// subscription being edited (nil when adding): its Slack secret stays when
// the field is left empty and the channel is the same. Mistakes are in
// form.Errors.
func (s *Server) subscriptionFromForm(r *http.Request, u store.User, cities []store.City, current *store.Subscription) (store.NewSubscription, subscriptionForm) {
	text := func(name string, max int) (string, bool) {
		v := strings.TrimSpace(r.PostFormValue(name))
		return v, utf8.ValidString(v) && !strings.ContainsRune(v, 0) && len(v) <= max
	}
	f := subscriptionForm{Errors: map[string]string{}}
	var ok bool
	// An unknown channel is "", which the switch below refuses.
	f.Channel, _ = store.ParseChannel(r.PostFormValue("channel"))
	f.Email, ok = text("email", 254)
	if !ok {
		f.Email, f.Errors["email"] = "", "err_sub_email"
	}
	f.SlackChannel, ok = text("slack_channel", 80)
	if !ok {
		f.SlackChannel, f.Errors["slack_channel"] = "", "err_sub_slack_channel"
	}
	webhook, okWebhook := text("slack_webhook", 500)
	token, okToken := text("slack_token", 500)
	if f.MinScore, ok = text("min_score", 10); !ok {
		f.MinScore = ""
	}
	f.Frequency, f.Language = r.PostFormValue("frequency"), r.PostFormValue("language")
	n := store.NewSubscription{UserEmail: u.Email, Channel: f.Channel, Frequency: f.Frequency, Language: f.Language}
	if current != nil {
		// What the form does not show stays as it was.
		f.ID, n.UserEmail = current.ID, current.UserEmail
		n.Programmes, n.ReminderDays = current.Programmes, current.ReminderDays
		if n.ReminderDays == nil {
			n.ReminderDays = []int{}
		}
		n.QuietStart, n.QuietEnd, _ = strings.Cut(current.Quiet, "-")
		f.Current = current.Channel
	}
	keep := current != nil && current.Channel == f.Channel
	switch f.Channel {
	case store.ChannelEmail:
		if _, set := f.Errors["email"]; !set {
			if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email {
				f.Errors["email"] = "err_sub_email"
			}
		}
		n.Email = f.Email
	case store.ChannelSlackWebhook:
		switch {
		case webhook == "" && keep:
			n.SlackWebhookURL = current.SlackWebhookURL
		case !okWebhook || notify.ValidateWebhookURL(webhook, s.cfg.SlackAllowedHosts...) != nil:
			f.Errors["slack_webhook"] = "err_sub_webhook"
		default:
			n.SlackWebhookURL = webhook
		}
	case store.ChannelSlackBot:
		switch {
		case token == "" && keep:
			n.SlackToken = current.SlackToken
		case !okToken || token == "" || strings.ContainsAny(token, " \t\r\n"):
			f.Errors["slack_token"] = "err_sub_slack_token"
		default:
			n.SlackToken = token
		}
		if _, set := f.Errors["slack_channel"]; !set && f.SlackChannel == "" {
			f.Errors["slack_channel"] = "err_sub_slack_channel"
		}
		n.SlackChannel = f.SlackChannel
	default:
		f.Channel, f.Errors["channel"] = store.ChannelEmail, "err_sub_channel"
	}
	for _, slug := range r.PostForm["city"] {
		i := slices.IndexFunc(cities, func(c store.City) bool { return c.Slug == slug })
		if i < 0 {
			f.Errors["city"] = "err_sub_city"
			continue
		}
		if !slices.Contains(f.Cities, slug) {
			f.Cities = append(f.Cities, slug)
		}
	}
	if len(f.Cities) == 0 && f.Errors["city"] == "" {
		f.Errors["city"] = "err_sub_cities"
	}
	n.Cities = f.Cities
	score, err := strconv.Atoi(f.MinScore)
	if err != nil || score < 0 || score > 100 {
		f.Errors["min_score"] = "err_sub_min_score"
	}
	n.MinScore = score
	if _, err := notify.ParseFrequency(f.Frequency); err != nil {
		f.Frequency, f.Errors["frequency"] = "", "err_sub_frequency"
	}
	if f.Language != "nl" && f.Language != "en" {
		f.Language, f.Errors["language"] = "nl", "err_sub_language"
	}
	return n, f
}

// addSubscription adds a subscription of the signed-in user; a mistake
// shows the form again with the user's input and the problem beside it.
func (s *Server) addSubscription(w http.ResponseWriter, r *http.Request, u store.User) {
	cities, err := s.selectableCities(r.Context(), u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	n, form := s.subscriptionFromForm(r, u, cities, nil)
	if len(form.Errors) > 0 {
		s.renderSubscriptions(w, r, u, http.StatusBadRequest, form, subscriptionPage{Problem: "form_errors"})
		return
	}
	if _, err := s.cfg.Store.AddSubscription(r.Context(), n); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}

// ownSubscription returns the subscription of the path's id when u owns it
// or is an admin; otherwise it answers 404 or 403 and returns false.
func (s *Server) ownSubscription(w http.ResponseWriter, r *http.Request, u store.User) (store.Subscription, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.Subscription{}, false
	}
	subs, err := s.cfg.Store.SubscriptionsByID(r.Context(), []int64{id})
	if err != nil {
		s.serverError(w, r, err)
		return store.Subscription{}, false
	}
	sub, ok := subs[id]
	if !ok {
		s.notFound(w, r)
		return store.Subscription{}, false
	}
	if sub.UserID != u.ID && u.Role != store.RoleAdmin {
		s.forbidden(w, r)
		return store.Subscription{}, false
	}
	return sub, true
}

// editSubscriptionPage shows a subscription in the form, to change it.
func (s *Server) editSubscriptionPage(w http.ResponseWriter, r *http.Request, u store.User) {
	sub, ok := s.ownSubscription(w, r, u)
	if !ok {
		return
	}
	form := subscriptionForm{ID: sub.ID, Channel: sub.Channel, Email: sub.Email, SlackChannel: sub.SlackChannel,
		Current: sub.Channel, Cities: sub.Cities, MinScore: strconv.Itoa(sub.MinScore),
		Frequency: sub.Frequency, Language: sub.Language}
	s.renderSubscriptions(w, r, u, http.StatusOK, form, subscriptionPage{})
}

// saveSubscription changes a subscription; a mistake shows the form again
// as the user left it.
func (s *Server) saveSubscription(w http.ResponseWriter, r *http.Request, u store.User) {
	sub, ok := s.ownSubscription(w, r, u)
	if !ok {
		return
	}
	cities, err := s.selectableCities(r.Context(), u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	n, form := s.subscriptionFromForm(r, u, cities, &sub)
	if len(form.Errors) > 0 {
		s.renderSubscriptions(w, r, u, http.StatusBadRequest, form, subscriptionPage{Problem: "form_errors"})
		return
	}
	err = s.cfg.Store.UpdateSubscription(r.Context(), sub.ID, n, s.now())
	s.redirectAfter(w, r, err, "/subscriptions")
}

// pauseSubscription pauses (paused=true) or resumes (paused=false) one of
// the user's subscriptions.
func (s *Server) pauseSubscription(w http.ResponseWriter, r *http.Request, u store.User) {
	paused := r.PostFormValue("paused")
	if paused != "true" && paused != "false" {
		s.badRequest(w, r, badInput{"paused", "want true or false"})
		return
	}
	sub, ok := s.ownSubscription(w, r, u)
	if !ok {
		return
	}
	err := s.cfg.Store.SetSubscriptionPaused(r.Context(), sub.ID, paused == "true", s.now())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}

// testSubscription sends one test message through a subscription's channel
// and says on the page whether it went out, with the reason when not (a
// refused address, Slack's error code; never a secret).
func (s *Server) testSubscription(w http.ResponseWriter, r *http.Request, u store.User) {
	sub, ok := s.ownSubscription(w, r, u)
	if !ok {
		return
	}
	form := subscriptionForm{Channel: store.ChannelEmail, Email: u.Email, MinScore: "60", Frequency: string(notify.Daily), Language: language(w, r)}
	// One test a minute per subscription: the button cannot be used to
	// flood a mailbox or a channel.
	now := s.now()
	if last, ok := s.testsSent.Load(sub.ID); ok && now.Sub(last.(time.Time)) < testMessageInterval {
		w.Header().Set("Retry-After", strconv.Itoa(int(testMessageInterval.Seconds())))
		s.renderSubscriptions(w, r, u, http.StatusTooManyRequests, form, subscriptionPage{Problem: "sub_test_wait"})
		return
	}
	s.testsSent.Store(sub.ID, now)
	err := s.sendTest(r.Context(), sub)
	var de *notify.DeliveryError
	switch {
	case err == nil:
		s.cfg.Logger.Info("test message sent", "subscription", sub.ID, "channel", sub.Channel)
		s.renderSubscriptions(w, r, u, http.StatusOK, form, subscriptionPage{Notice: "sub_test_sent", Detail: sub.Target()})
	case errors.Is(err, errNoSender):
		// Nothing went out: this server has no sender for the channel
		// (a state of the server, said on the page, not a failure of it).
		s.testsSent.Delete(sub.ID)
		s.renderSubscriptions(w, r, u, http.StatusConflict, form, subscriptionPage{Problem: "sub_test_unavailable"})
	case errors.As(err, &de):
		s.cfg.Logger.Warn("test message failed", "subscription", sub.ID, "channel", sub.Channel, "err", err)
		s.renderSubscriptions(w, r, u, http.StatusBadGateway, form, subscriptionPage{Problem: "sub_test_failed", Detail: de.Reason})
	default:
		s.serverError(w, r, err)
	}
}

// testMessageInterval is the least time between two test messages of one
// subscription.
const testMessageInterval = time.Minute

var errNoSender = errors.New("no sender for this channel is configured")

// sendTest sends the test message of sub through notify, as delivery would.
func (s *Server) sendTest(ctx context.Context, sub store.Subscription) error {
	m := notify.TestMessage{
		Recipient:    notify.Recipient{Name: sub.UserName, Email: sub.Email, Language: notify.ParseLanguage(sub.Language)},
		Subscription: strings.Join(sub.Cities, ", ") + ", " + sub.Target(),
		SettingsURL:  s.cfg.BaseURL + "/subscriptions",
	}
	switch {
	case sub.Channel == store.ChannelEmail && s.cfg.Mailer != nil:
		e, err := notify.RenderTest(m)
		if err != nil {
			return err
		}
		return s.cfg.Mailer.Send(ctx, e)
	case sub.Channel == store.ChannelSlackWebhook && s.cfg.Slack != nil:
		return s.cfg.Slack.PostWebhook(ctx, sub.SlackWebhookURL, notify.SlackTest(m))
	case sub.Channel == store.ChannelSlackBot && s.cfg.Slack != nil:
		return s.cfg.Slack.PostBot(ctx, sub.SlackToken, sub.SlackChannel, notify.SlackTest(m))
	}
	return errNoSender
}

// removeSubscription deletes one of the user's own subscriptions.
func (s *Server) removeSubscription(w http.ResponseWriter, r *http.Request, u store.User) {
	sub, ok := s.ownSubscription(w, r, u)
	if !ok {
		return
	}
	if err := s.cfg.Store.RemoveSubscription(r.Context(), sub.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}
