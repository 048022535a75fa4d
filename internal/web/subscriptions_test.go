package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/web"
)

func TestABrokenSubscriptionShowsOnItsOwnersPageAndOnlyTheOwnerRemovesIt(t *testing.T) {
	s := newSite(t, web.Config{})
	owner := s.addUser(t, "o@gent.be", "officer", "gent")
	other := s.addUser(t, "o@leuven.be", "officer", "leuven")
	ctx := context.Background()
	id, err := s.st.AddSubscription(ctx, store.NewSubscription{UserEmail: owner.Email, Channel: "slack_webhook",
		SlackWebhookURL: "https://hooks.slack.com/services/T000/B000/secretpath", MinScore: 60, Frequency: "instant",
		Language: "nl", Cities: []string{"gent"}})
	if err != nil {
		t.Fatal(err)
	}
	// What delivery does after Slack answered 404 no_service.
	if _, err := s.st.DB().Exec(`UPDATE subscriptions SET status = 'broken', broken_reason = 'no_service' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	code, _, body := do(t, "GET", s.URL+"/subscriptions", s.session(t, owner), "", nil)
	if code != http.StatusOK || !strings.Contains(body, "werkt niet meer") || !strings.Contains(body, "no_service") {
		t.Fatalf("owner's page = %d, lacks the broken subscription and its reason:\n%s", code, body)
	}
	if strings.Contains(body, "secretpath") {
		t.Fatal("the page shows the webhook URL's secret path")
	}
	_, _, body = do(t, "GET", s.URL+"/subscriptions", s.session(t, other), "", nil)
	if strings.Contains(body, "no_service") {
		t.Fatal("another user sees the owner's subscription")
	}
	del := fmt.Sprintf("%s/subscriptions/%d/delete", s.URL, id)
	if code, _, _ := postForm(t, del, s.session(t, other), nil); code != http.StatusForbidden {
		t.Fatalf("another user's delete = %d, want 403", code)
	}
	if code, _, _ := postForm(t, del, s.session(t, owner), nil); code != http.StatusSeeOther {
		t.Fatalf("owner's delete = %d, want 303", code)
	}
	if left, _ := s.st.SubscriptionsOfUser(ctx, owner.ID); len(left) != 0 {
		t.Fatalf("%d subscriptions left after removal", len(left))
	}
}
