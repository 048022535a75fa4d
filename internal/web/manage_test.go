package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
	"github.com/fundmatch/fundmatch/notify"
)

// subscriptionForm is the add form as a browser posts it.
func subscriptionForm(changes ...string) url.Values {
	f := url.Values{"channel": {"email"}, "email": {"alerts@gent.be"}, "city": {"gent"}, "min_score": {"70"},
		"frequency": {"daily"}, "language": {"en"}}
	for i := 0; i+1 < len(changes); i += 2 {
		f[changes[i]] = []string{changes[i+1]}
	}
	return f
}

func TestAnOfficerManagesAlertsOnTheWebWithoutAShell(t *testing.T) {
	s := newSite(t, web.Config{SlackAllowedHosts: []string{"hooks.slack.com"}})
	officer := s.addUser(t, "o@gent.be", "officer", "gent")
	cookie := s.session(t, officer)
	ctx := context.Background()
	only := func(t *testing.T) store.Subscription {
		t.Helper()
		subs, err := s.st.SubscriptionsOfUser(ctx, officer.ID)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions = %+v, %v; want one", subs, err)
		}
		return subs[0]
	}

	t.Run("MistakesShowBesideTheFieldsWithTheInputKept", func(t *testing.T) {
		code, _, body := postForm(t, s.URL+"/subscriptions", cookie, subscriptionForm(
			"email", "alerts-at-gent.be", "min_score", "150", "city", "brugge", "frequency", "hourly"))
		if code != http.StatusBadRequest {
			t.Fatalf("= %d, want 400", code)
		}
		for _, want := range []string{"Kijk de gemarkeerde velden na", `id="email-error"`, "Vul een geldig e-mailadres in",
			"De minimumscore is een geheel getal van 0 tot 100", "Je kan alleen steden kiezen waarvoor je werkt",
			"Kies meteen, dagelijks of wekelijks", `value="alerts-at-gent.be"`, `value="150"`, `<option value="en" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the answer lacks %q", want)
			}
		}
		if subs, _ := s.st.SubscriptionsOfUser(ctx, officer.ID); len(subs) != 0 {
			t.Fatalf("a subscription was stored from a wrong form: %+v", subs)
		}
		// Text a database would refuse is a mistake of the field, not a 500.
		if code, _, _ := postForm(t, s.URL+"/subscriptions", cookie, subscriptionForm("email", "a\x00b@gent.be")); code != http.StatusBadRequest {
			t.Fatalf("a NUL in the email = %d, want 400", code)
		}
		_, _, body = postForm(t, s.URL+"/subscriptions?lang=en", cookie, subscriptionForm("channel", "slack_bot"))
		if !strings.Contains(body, "Enter the Slack bot token") || !strings.Contains(body, "Enter the Slack channel") {
			t.Fatalf("English page lacks the English errors:\n%.2000s", body)
		}
	})

	t.Run("AddAnEmailAlert", func(t *testing.T) {
		code, hdr, body := postForm(t, s.URL+"/subscriptions", cookie, subscriptionForm())
		if code != http.StatusSeeOther || hdr.Get("Location") != "/subscriptions" {
			t.Fatalf("= %d: %.500s", code, body)
		}
		sub := only(t)
		if sub.Channel != "email" || sub.Email != "alerts@gent.be" || strings.Join(sub.Cities, ",") != "gent" || sub.MinScore != 70 ||
			sub.Frequency != "daily" || sub.Language != "en" || sub.Status != "active" || len(sub.ReminderDays) == 0 {
			t.Fatalf("stored %+v", sub)
		}
		_, _, body = do(t, "GET", s.URL+"/subscriptions", cookie, "", nil)
		if !strings.Contains(body, "alerts@gent.be") || !strings.Contains(body, fmt.Sprintf(`/subscriptions/%d/edit`, sub.ID)) {
			t.Fatalf("the list lacks the new subscription")
		}
	})

	t.Run("EditToSlackKeepsTheWebhookSecret", func(t *testing.T) {
		id := strconv.FormatInt(only(t).ID, 10)
		code, _, body := do(t, "GET", s.URL+"/subscriptions/"+id+"/edit", cookie, "", nil)
		if code != http.StatusOK || !strings.Contains(body, `value="70"`) || !strings.Contains(body, `action="/subscriptions/`+id+`"`) {
			t.Fatalf("edit page = %d:\n%.2000s", code, body)
		}
		webhook := "https://hooks.slack.com/services/T000/B000/secretpath"
		code, _, body = postForm(t, s.URL+"/subscriptions/"+id, cookie, subscriptionForm("channel", "slack_webhook", "slack_webhook", "http://evil.example/hook", "min_score", "55"))
		if code != http.StatusBadRequest || !strings.Contains(body, "Plak de volledige webhook-URL") || !strings.Contains(body, `value="55"`) {
			t.Fatalf("a bad webhook = %d:\n%.2000s", code, body)
		}
		if sub := only(t); sub.Channel != "email" || sub.MinScore != 70 {
			t.Fatalf("a refused edit changed the subscription: %+v", sub)
		}
		if code, _, body := postForm(t, s.URL+"/subscriptions/"+id, cookie, subscriptionForm("channel", "slack_webhook", "slack_webhook", webhook, "min_score", "55", "frequency", "weekly")); code != http.StatusSeeOther {
			t.Fatalf("edit = %d: %.500s", code, body)
		}
		if sub := only(t); sub.Channel != "slack_webhook" || sub.SlackWebhookURL != webhook || sub.MinScore != 55 || sub.Frequency != "weekly" {
			t.Fatalf("after edit %+v", sub)
		}
		_, _, body = do(t, "GET", s.URL+"/subscriptions/"+id+"/edit", cookie, "", nil)
		if strings.Contains(body, "secretpath") || !strings.Contains(body, "Leeg laten om de huidige te houden") {
			t.Fatal("the edit page shows the webhook URL, or does not say that an empty field keeps it")
		}
		// Saved again with the webhook field left empty: the URL stays.
		if code, _, _ := postForm(t, s.URL+"/subscriptions/"+id, cookie, subscriptionForm("channel", "slack_webhook", "min_score", "80")); code != http.StatusSeeOther {
			t.Fatalf("edit without the webhook = %d", code)
		}
		if sub := only(t); sub.SlackWebhookURL != webhook || sub.MinScore != 80 {
			t.Fatalf("after an edit without the webhook: %+v", sub)
		}
	})

	t.Run("PauseSkipsWhatWaitsAndResume", func(t *testing.T) {
		id := only(t).ID
		if _, err := s.db.Exec(`INSERT INTO notifications (subscription_id, event) VALUES ($1, 'weekly_digest')`, id); err != nil {
			t.Fatal(err)
		}
		pause := fmt.Sprintf("%s/subscriptions/%d/pause", s.URL, id)
		if code, _, _ := postForm(t, pause, cookie, url.Values{"paused": {"true"}}); code != http.StatusSeeOther {
			t.Fatalf("pause = %d", code)
		}
		var waiting int
		s.db.QueryRow(`SELECT count(*) FROM notifications WHERE subscription_id = $1 AND status = 'pending'`, id).Scan(&waiting)
		if sub := only(t); sub.Status != "paused" || waiting != 0 {
			t.Fatalf("paused: status %s, %d notifications still waiting", sub.Status, waiting)
		}
		_, _, body := do(t, "GET", s.URL+"/subscriptions", cookie, "", nil)
		if !strings.Contains(body, "gepauzeerd") || !strings.Contains(body, "Hervatten") {
			t.Fatal("the list does not show the pause or the button to resume")
		}
		if code, _, _ := postForm(t, pause, cookie, url.Values{"paused": {"maybe"}}); code != http.StatusBadRequest {
			t.Fatalf("paused=maybe = %d, want 400", code)
		}
		postForm(t, pause, cookie, url.Values{"paused": {"false"}})
		if sub := only(t); sub.Status != "active" {
			t.Fatalf("resumed: status %s", sub.Status)
		}
	})

	t.Run("ABrokenSubscriptionSetUpAgainIsActive", func(t *testing.T) {
		id := only(t).ID
		s.db.Exec(`UPDATE subscriptions SET status = 'broken', broken_reason = 'no_service' WHERE id = $1`, id)
		postForm(t, fmt.Sprintf("%s/subscriptions/%d", s.URL, id), cookie, subscriptionForm())
		if sub := only(t); sub.Status != "active" || sub.BrokenReason != "" || sub.Channel != "email" || sub.SlackWebhookURL != "" {
			t.Fatalf("after setting it up again: %+v", sub)
		}
	})

	t.Run("OthersCannotTouchIt", func(t *testing.T) {
		other := s.session(t, s.addUser(t, "o@leuven.be", "officer", "leuven"))
		id := only(t).ID
		for _, path := range []string{"", "/pause", "/test", "/delete"} {
			if code, _, _ := postForm(t, fmt.Sprintf("%s/subscriptions/%d%s", s.URL, id, path), other, subscriptionForm("city", "leuven", "paused", "true")); code != http.StatusForbidden {
				t.Errorf("another officer's POST %s = %d, want 403", path, code)
			}
		}
		if sub := only(t); sub.Status != "active" || strings.Join(sub.Cities, ",") != "gent" {
			t.Fatalf("another officer changed it: %+v", sub)
		}
	})
}

func TestTheTestMessageGoesThroughTheSubscriptionsChannel(t *testing.T) {
	// A Slack Web API that records what it is sent.
	var mu sync.Mutex
	var posted url.Values
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		posted = r.PostForm
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("channel") == "#gone" {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C1", "ts": "1.2"})
	}))
	defer slackAPI.Close()
	// A mail server that is not there.
	mailer, err := notify.NewMailer(notify.MailConfig{URL: "smtp://127.0.0.1:1", TLS: notify.TLSNone, From: "fundmatch <noreply@fundmatch.localhost>"})
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, web.Config{Slack: notify.NewSlack(notify.SlackConfig{APIURL: slackAPI.URL + "/", AllowPrivateNetworks: true}), Mailer: mailer, BaseURL: "https://fundmatch.example"})
	officer := s.addUser(t, "o@gent.be", "officer", "gent")
	cookie := s.session(t, officer)
	ctx := context.Background()
	add := func(n store.NewSubscription) string {
		n.UserEmail, n.MinScore, n.Frequency, n.Language, n.Cities = officer.Email, 60, "instant", "nl", []string{"gent"}
		id, err := s.st.AddSubscription(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s/subscriptions/%d/test", s.URL, id)
	}

	testURL := add(store.NewSubscription{Channel: "slack_bot", SlackToken: "xoxb-secret-token", SlackChannel: "#subsidies"})
	code, _, body := postForm(t, testURL, cookie, nil)
	mu.Lock()
	got := posted
	mu.Unlock()
	if code != http.StatusOK || !strings.Contains(body, "Testbericht verstuurd naar Slack #subsidies") {
		t.Fatalf("Slack test = %d:\n%.2000s", code, body)
	}
	if got.Get("channel") != "#subsidies" || got.Get("token") != "xoxb-secret-token" || !strings.Contains(got.Get("text"), "Testbericht van fundmatch") ||
		!strings.Contains(got.Get("blocks"), "https://fundmatch.example/subscriptions") {
		t.Fatalf("Slack got %v", got)
	}

	// A second test right away is refused: the button cannot flood a channel.
	if code, hdr, body := postForm(t, testURL, cookie, nil); code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" ||
		!strings.Contains(body, "probeer het over een minuut opnieuw") {
		t.Fatalf("a second test at once = %d", code)
	}
	code, _, body = postForm(t, add(store.NewSubscription{Channel: "slack_bot", SlackToken: "xoxb-secret-token", SlackChannel: "#gone"}), cookie, nil)
	if code != http.StatusBadGateway || !strings.Contains(body, "kon niet worden verstuurd (channel_not_found)") || strings.Contains(body, "xoxb-secret-token") {
		t.Fatalf("Slack refusal = %d:\n%.2000s", code, body)
	}
	code, _, body = postForm(t, add(store.NewSubscription{Channel: "email", Email: "o@gent.be"}), cookie, nil)
	if code != http.StatusBadGateway || !strings.Contains(html.UnescapeString(body), "Het testbericht kon niet worden verstuurd") {
		t.Fatalf("email to a mail server that is not there = %d:\n%.2000s", code, body)
	}
	// A test sends; it neither breaks nor changes the subscription.
	subs, _ := s.st.SubscriptionsOfUser(ctx, officer.ID)
	for _, sub := range subs {
		if sub.Status != "active" {
			t.Errorf("subscription %d is %s after a failed test", sub.ID, sub.Status)
		}
	}
}

var inviteLink = regexp.MustCompile(`/welcome\?token=([A-Za-z0-9_-]+)`)

func TestAnAdminAddsUsersWhoSignInWithAPasswordOrAnInvitation(t *testing.T) {
	s := newSite(t, web.Config{})
	admin := s.addUser(t, "a@fundmatch.be", "admin")
	cookie := s.session(t, admin)
	ctx := context.Background()

	t.Run("MistakesShowBesideTheFields", func(t *testing.T) {
		code, _, body := postForm(t, s.URL+"/admin/users", cookie, url.Values{"email": {"new-at-gent.be"}, "role": {"officer"},
			"access": {"password"}, "password": {"short"}})
		if code != http.StatusBadRequest {
			t.Fatalf("= %d, want 400", code)
		}
		for _, want := range []string{"Vul een geldig e-mailadres in", "heeft minstens één stad nodig", "Dit wachtwoord is te kort", `value="new-at-gent.be"`} {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("the answer lacks %q", want)
			}
		}
		_, _, body = postForm(t, s.URL+"/admin/users", cookie, url.Values{"email": {"new@gent.be"}, "role": {"officer"}, "city": {"gent"},
			"access": {"password"}, "password": {"Welkom2024!!"}})
		if !strings.Contains(body, "Dit wachtwoord is te bekend") {
			t.Error("a common password is accepted or not explained")
		}
		if _, err := s.st.UserByEmail(ctx, "new@gent.be"); err == nil {
			t.Fatal("a user was added from a wrong form")
		}
	})

	t.Run("WithAPassword", func(t *testing.T) {
		form := url.Values{"email": {"officer@gent.be"}, "role": {"officer"}, "city": {"gent"}, "access": {"password"}, "password": {testPassword}}
		if code, _, body := postForm(t, s.URL+"/admin/users", cookie, form); code != http.StatusSeeOther {
			t.Fatalf("= %d: %.1000s", code, body)
		}
		if code := tryLogin(t, s.URL, "officer@gent.be", testPassword, ""); code != http.StatusSeeOther {
			t.Fatalf("the new user's sign-in = %d", code)
		}
		code, _, body := postForm(t, s.URL+"/admin/users", cookie, form)
		if code != http.StatusBadRequest || !strings.Contains(body, "Er is al een gebruiker met dit e-mailadres") {
			t.Fatalf("a taken email = %d", code)
		}
	})

	t.Run("WithAnInvitationUsedOnce", func(t *testing.T) {
		code, _, body := postForm(t, s.URL+"/admin/users", cookie, url.Values{"email": {"coord@ovl.be"}, "role": {"coordinator"},
			"city": {"gent", "aalst"}, "access": {"invite"}})
		m := inviteLink.FindStringSubmatch(body)
		if code != http.StatusOK || m == nil {
			t.Fatalf("= %d, no invitation link:\n%.2000s", code, body)
		}
		if _, _, again := do(t, "GET", s.URL+"/admin/users", cookie, "", nil); inviteLink.MatchString(again) {
			t.Fatal("the invitation link shows again on the users page")
		}
		if code := tryLogin(t, s.URL, "coord@ovl.be", "", ""); code != http.StatusUnauthorized {
			t.Fatalf("an invited user without a password signs in: %d", code)
		}
		welcome := s.URL + "/welcome?token=" + m[1]
		code, _, body = do(t, "GET", welcome, nil, "", nil)
		if code != http.StatusOK || !strings.Contains(body, "coord@ovl.be") || !strings.Contains(body, `name="password_repeat"`) {
			t.Fatalf("welcome page = %d:\n%.1500s", code, body)
		}
		post := func(password, repeat string) (int, http.Header, string) {
			return postForm(t, s.URL+"/welcome", nil, url.Values{"token": {m[1]}, "password": {password}, "password_repeat": {repeat}})
		}
		if code, _, body := post(testPassword, testPassword+"x"); code != http.StatusBadRequest || !strings.Contains(body, "De twee wachtwoorden zijn niet gelijk") {
			t.Fatalf("different passwords = %d", code)
		}
		if code, _, body := post("kort", "kort"); code != http.StatusBadRequest || !strings.Contains(body, "te kort") || !strings.Contains(body, `name="token"`) {
			t.Fatalf("a short password = %d", code)
		}
		code, hdr, _ := post(testPassword, testPassword)
		if code != http.StatusSeeOther {
			t.Fatalf("choosing a password = %d", code)
		}
		var session *http.Cookie
		for _, c := range (&http.Response{Header: hdr}).Cookies() {
			if c.Name == "fundmatch_session" && c.Value != "" {
				session = c
			}
		}
		if session == nil {
			t.Fatal("no session after choosing a password")
		}
		if code, _, _ := do(t, "GET", s.URL+"/cities/aalst", session, "", nil); code != http.StatusOK {
			t.Fatalf("the invited coordinator's city page = %d", code)
		}
		if code, _, body := post(testPassword, testPassword); code != http.StatusBadRequest || !strings.Contains(body, "Deze link werkt niet") {
			t.Fatalf("the link used again = %d", code)
		}
		if code, _, _ := do(t, "GET", welcome, nil, "", nil); code != http.StatusBadRequest {
			t.Fatalf("the used link's page = %d", code)
		}
		if code := tryLogin(t, s.URL, "coord@ovl.be", testPassword, ""); code != http.StatusSeeOther {
			t.Fatalf("sign-in with the chosen password = %d", code)
		}
	})

	t.Run("RevokeEndsAnUnusedInvitation", func(t *testing.T) {
		_, _, body := postForm(t, s.URL+"/admin/users", cookie, url.Values{"email": {"gov@vlaanderen.be"}, "role": {"government"}, "access": {"invite"}})
		m := inviteLink.FindStringSubmatch(body)
		u, err := s.st.UserByEmail(ctx, "gov@vlaanderen.be")
		if m == nil || err != nil {
			t.Fatalf("no invitation: %v", err)
		}
		postForm(t, fmt.Sprintf("%s/admin/users/%d", s.URL, u.ID), cookie, url.Values{"action": {"revoke"}})
		if code, _, _ := do(t, "GET", s.URL+"/welcome?token="+m[1], nil, "", nil); code != http.StatusBadRequest {
			t.Fatalf("a revoked invitation's page = %d, want 400", code)
		}
	})

	t.Run("ChangeRoleAndCities", func(t *testing.T) {
		u, err := s.st.UserByEmail(ctx, "officer@gent.be")
		if err != nil {
			t.Fatal(err)
		}
		userCookie := s.session(t, u)
		if code, _, _ := do(t, "GET", s.URL+"/cities/leuven", userCookie, "", nil); code != http.StatusForbidden {
			t.Fatalf("before: leuven = %d", code)
		}
		access := fmt.Sprintf("%s/admin/users/%d/access", s.URL, u.ID)
		code, _, body := do(t, "GET", fmt.Sprintf("%s/admin/users/%d", s.URL, u.ID), cookie, "", nil)
		if code != http.StatusOK || !strings.Contains(body, `<option value="gent" selected>`) {
			t.Fatalf("edit page = %d", code)
		}
		if code, _, body := postForm(t, access, cookie, url.Values{"role": {"coordinator"}}); code != http.StatusBadRequest ||
			!strings.Contains(html.UnescapeString(body), "heeft minstens één stad nodig") {
			t.Fatalf("a coordinator without cities = %d", code)
		}
		if code, _, _ := postForm(t, access, cookie, url.Values{"role": {"coordinator"}, "city": {"gent", "leuven"}}); code != http.StatusSeeOther {
			t.Fatalf("change = %d", code)
		}
		u, _ = s.st.UserByID(ctx, u.ID)
		if u.Role != "coordinator" || strings.Join(u.Cities, ",") != "gent,leuven" {
			t.Fatalf("after the change: %s %v", u.Role, u.Cities)
		}
		if code, _, _ := do(t, "GET", s.URL+"/cities/leuven", userCookie, "", nil); code != http.StatusOK {
			t.Fatalf("after: leuven = %d for the user's open session", code)
		}
		own := fmt.Sprintf("%s/admin/users/%d/access", s.URL, admin.ID)
		if code, _, body := postForm(t, own, cookie, url.Values{"role": {"officer"}, "city": {"gent"}}); code != http.StatusBadRequest ||
			!strings.Contains(body, "Je kan je eigen rol niet wijzigen") {
			t.Fatalf("changing one's own role = %d", code)
		}
	})
}
