package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
)

// checkValues checks that parse accepts every value of all, each Valid, and
// refuses a value outside the set with a *funding.ValueError that names
// field and lists all, in order.
func checkValues[T interface {
	~string
	Valid() bool
}](t *testing.T, field string, all []T, parse func(string) (T, error)) {
	t.Helper()
	for _, v := range all {
		if got, err := parse(string(v)); err != nil || got != v || !v.Valid() {
			t.Errorf("%s %q: parsed as %q, %v; valid %v", field, v, got, err, v.Valid())
		}
	}
	allowed := make([]string, len(all))
	for i, v := range all {
		allowed[i] = string(v)
	}
	for _, bad := range []string{"", "x", "OFFICER", " sent", string(all[0]) + " "} {
		got, err := parse(bad)
		var ve *funding.ValueError
		if !errors.As(err, &ve) || got != "" || T(bad).Valid() {
			t.Errorf("%s %q: parsed as %q, %v; want a *funding.ValueError", field, bad, got, err)
			continue
		}
		if ve.Field != field || ve.Value != bad || !slices.Equal(ve.Allowed, allowed) {
			t.Errorf("%s %q: error %+v, want field %q allowing %v", field, bad, ve, field, allowed)
		}
	}
}

func TestParseValues(t *testing.T) {
	checkValues(t, "role", store.Roles, store.ParseRole)
	checkValues(t, "event", store.Events, store.ParseEvent)
	checkValues(t, "channel", store.Channels, store.ParseChannel)
	checkValues(t, "status", store.SubscriptionStatuses, store.ParseSubscriptionStatus)
	checkValues(t, "status", store.CrawlStatuses, store.ParseCrawlStatus)
	checkValues(t, "status", store.PlanStatuses, store.ParsePlanStatus)
	checkValues(t, "response", store.Responses, store.ParseResponse)
	checkValues(t, "status", store.BidStatuses, store.ParseBidStatus)
	checkValues(t, "status", store.InterestStatuses, store.ParseInterestStatus)
	checkValues(t, "verdict", store.Verdicts, store.ParseVerdict)
	checkValues(t, "status", store.ReviewStatuses, store.ParseReviewStatus)
	_, err := store.ParseChannel("slack")
	if want := `channel "slack": want email, slack_webhook or slack_bot`; err == nil || err.Error() != want {
		t.Errorf("ParseChannel(\"slack\") = %v, want %q", err, want)
	}
}
