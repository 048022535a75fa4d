package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestSubscriptionsAddListRemoveNeverShowSecrets(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	if code, _, stderr := fundmatch(ctx, env, "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	const hook = "https://hooks.slack.com/services/T0GENT/B0X/hookSeCrEt77"
	const token = "xoxb-123-tokenSeCrEt88"
	steps := []struct {
		args     []string
		wantCode int
		want     string // in stdout for 0, stderr otherwise
	}{
		{[]string{"subscriptions", "add", "--city", "gent", "--email", "officer@gent.be", "--min-score", "70", "--frequency", "daily", "--quiet", "20:00-07:00"}, 0, "subscription 1 added"},
		{[]string{"subscriptions", "add", "--city", "gent,antwerpen", "--slack-webhook", hook, "--user", "coord@vvsg.be", "--programme", "HORIZON", "--programme", "LIFE"}, 0, "subscription 2 added"},
		{[]string{"subscriptions", "add", "--city", "gent", "--slack-token", token, "--slack-channel", "#subsidies", "--user", "officer@gent.be", "--language", "en", "--reminders", "14,3"}, 0, "subscription 3 added"},
		{[]string{"subscriptions", "add", "--city", "gent", "--slack-webhook", "https://evil.example.com/hookSeCrEt77", "--user", "x@gent.be"}, 2, "not allowed"},
		{[]string{"subscriptions", "add", "--city", "gent", "--email", "a@gent.be", "--slack-token", token, "--slack-channel", "#x"}, 2, "exactly one of"},
		{[]string{"subscriptions", "add", "--city", "atlantis", "--email", "a@gent.be"}, 1, `unknown city "atlantis"`},
		{[]string{"subscriptions", "add", "--city", "gent", "--email", "a@gent.be", "--quiet", "late"}, 2, "--quiet"},
		{[]string{"subscriptions", "add", "--city", "gent", "--email", "a@gent.be", "--frequency", "hourly"}, 2,
			`invalid value "hourly" for flag -frequency: want instant, daily or weekly`},
		{[]string{"subscriptions", "remove", "9"}, 1, "no subscription 9"},
		{[]string{"mute", "--user", "officer@gent.be", "--call", "NO-SUCH-CALL"}, 1, "no user officer@gent.be or no call NO-SUCH-CALL"},
	}
	for _, s := range steps {
		code, stdout, stderr := fundmatch(ctx, env, s.args...)
		out := stdout
		if s.wantCode != 0 {
			out = stderr
		}
		if code != s.wantCode || !strings.Contains(out, s.want) {
			t.Fatalf("fundmatch %v: exit %d, stdout %q, stderr %q; want %d and %q", s.args, code, stdout, stderr, s.wantCode, s.want)
		}
		if strings.Contains(stdout+stderr, "SeCrEt") {
			t.Fatalf("fundmatch %v printed a secret: %s%s", s.args, stdout, stderr)
		}
	}
	_, table, _ := fundmatch(ctx, env, "subscriptions", "list")
	code, stdout, stderr := fundmatch(ctx, env, "subscriptions", "list", "--json")
	if code != 0 {
		t.Fatalf("list --json: %s", stderr)
	}
	if strings.Contains(table+stdout, "SeCrEt") {
		t.Fatalf("list shows a secret:\n%s\n%s", table, stdout)
	}
	var subs []struct {
		ID           int64
		User         string
		Channel      string
		Cities       []string
		Programmes   []string
		Frequency    string
		Quiet        string
		ReminderDays []int `json:"reminder_days"`
		MinScore     int   `json:"min_score"`
	}
	if err := json.Unmarshal([]byte(stdout), &subs); err != nil || len(subs) != 3 {
		t.Fatalf("list --json: %v\n%s", err, stdout)
	}
	if s := subs[0]; s.User != "officer@gent.be" || s.MinScore != 70 || s.Frequency != "daily" || s.Quiet != "20:00-07:00" {
		t.Errorf("first subscription %+v", s)
	}
	if s := subs[1]; s.Channel != "slack_webhook" || strings.Join(s.Cities, ",") != "antwerpen,gent" || strings.Join(s.Programmes, ",") != "HORIZON,LIFE" {
		t.Errorf("second subscription %+v", s)
	}
	if s := subs[2]; s.Channel != "slack_bot" || len(s.ReminderDays) != 2 || s.ReminderDays[0] != 14 {
		t.Errorf("third subscription %+v", s)
	}
	if code, stdout, _ := fundmatch(ctx, env, "subscriptions", "remove", "2"); code != 0 || !strings.Contains(stdout, "removed") {
		t.Fatalf("remove 2: %d %s", code, stdout)
	}
	if _, table, _ := fundmatch(ctx, env, "subscriptions", "list"); strings.Contains(table, "coord@vvsg.be") {
		t.Fatalf("removed subscription still listed:\n%s", table)
	}
	if code, stdout, _ := fundmatch(ctx, env, "subscriptions", "add", "--help"); code != 0 || !strings.Contains(stdout, "--slack-webhook") {
		t.Fatalf("add --help: %d\n%s", code, stdout)
	}
}
