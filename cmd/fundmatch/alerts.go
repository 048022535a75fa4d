package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

func runSubscriptions(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add":
		return runSubscriptionsAdd(ctx, e, args)
	case "list":
		return runSubscriptionsList(ctx, e, args)
	case "remove":
		return runSubscriptionsRemove(ctx, e, args)
	}
	fs := e.flags("subscriptions", "add|list|remove ...", "Manage alert subscriptions. Run 'fundmatch subscriptions add --help' (or list, remove) for each.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return usageError{msg: "want: subscriptions add|list|remove"}
}

func runSubscriptionsAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("subscriptions add", "--city SLUG [--city ...] (--email E | --slack-webhook URL | --slack-token T --slack-channel C) [flags]",
		"Subscribe to alerts for one or more cities: new matches above a score, changes and deadline\nreminders of calls the city follows, consortium invitations. The subscription belongs to\n--user (created as an officer of the cities when unknown; defaults to --email).")
	var cities, programmes stringList
	fs.Var(&cities, "city", "city `slug` (repeat or comma-separate for several)")
	email := fs.String("email", "", "deliver by email to this `address`")
	webhook := fs.String("slack-webhook", "", "deliver to a Slack incoming-webhook `URL` (a secret; never shown)")
	token := fs.String("slack-token", "", "deliver with a Slack bot `token` (a secret; never shown) ...")
	channel := fs.String("slack-channel", "", "... to this Slack `channel`, e.g. #subsidies")
	user := fs.String("user", "", "owner's `email`; defaults to --email")
	minScore := fs.Int("min-score", 60, "smallest match `score` (0-100) that makes an alert")
	fs.Var(&programmes, "programme", "only calls of this `programme`, e.g. HORIZON (repeatable; default every programme)")
	frequency := choiceFlag(fs, "frequency", notify.Instant, "instant, daily or weekly", notify.ParseFrequency)
	language := fs.String("language", "nl", "nl or en")
	quiet := fs.String("quiet", "", "quiet `hours` for instant alerts in Brussels time, e.g. 20:00-07:00")
	reminders := fs.String("reminders", "30,14,7,1", "`days` before a deadline to remind of calls marked interested or applying")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	n := store.NewSubscription{Cities: cities, Email: *email, SlackChannel: *channel, MinScore: *minScore,
		Programmes: programmes, Frequency: string(*frequency), Language: *language, UserEmail: *user}
	channels := 0
	if *email != "" {
		n.Channel, channels = store.ChannelEmail, channels+1
	}
	if *webhook != "" {
		n.Channel, n.SlackWebhookURL, channels = store.ChannelSlackWebhook, *webhook, channels+1
	}
	if *token != "" || *channel != "" {
		n.Channel, n.SlackToken, channels = store.ChannelSlackBot, *token, channels+1
		if *token == "" || *channel == "" {
			return usageError{msg: "--slack-token and --slack-channel go together"}
		}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{msg: "unexpected arguments: " + strings.Join(fs.Args(), " ")}
	case len(cities) == 0:
		return usageError{msg: "name at least one --city"}
	case channels != 1:
		return usageError{msg: "give exactly one of --email, --slack-webhook, or --slack-token with --slack-channel"}
	case n.UserEmail == "" && *email == "":
		return usageError{msg: "--user is required for a Slack subscription"}
	case *minScore < 0 || *minScore > 100:
		return usageError{msg: "--min-score must be from 0 to 100"}
	case *language != "nl" && *language != "en":
		return usageError{msg: "--language must be nl or en"}
	}
	if n.UserEmail == "" {
		n.UserEmail = *email
	}
	if *webhook != "" {
		if err := notify.ValidateWebhookURL(*webhook, e.cfg.SlackAllowedHosts...); err != nil {
			return usageError{msg: "--slack-webhook: " + err.Error()}
		}
	}
	if *quiet != "" {
		q, err := notify.ParseQuietHours(*quiet, time.UTC)
		if err != nil {
			return usageError{msg: "--quiet: " + err.Error()}
		}
		if q.Start != q.End {
			n.QuietStart, n.QuietEnd = clock(q.Start), clock(q.End)
		}
	}
	days, err := alerts.ParseReminderDays(*reminders)
	if err != nil {
		return usageError{msg: "--reminders: " + err.Error()}
	}
	n.ReminderDays = days
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := st.AddSubscription(ctx, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "subscription %d added\n", id)
	return nil
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func runSubscriptionsList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("subscriptions list", "[--json]", "List the alert subscriptions; webhook URLs and tokens are never shown.\nA broken subscription shows why its channel refused messages.")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if subs == nil {
			subs = []store.Subscription{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(subs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tCITIES\tTO\tMIN\tFREQUENCY\tLANG\tSTATUS")
	for _, s := range subs {
		status := string(s.Status)
		if s.BrokenReason != "" && s.Status == store.SubscriptionBroken {
			status += " (" + s.BrokenReason + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s.ID, s.UserEmail, strings.Join(s.Cities, ","),
			s.Target(), s.MinScore, s.Frequency, s.Language, status)
	}
	return tw.Flush()
}

func runSubscriptionsRemove(ctx context.Context, e *env, args []string) error {
	fs := e.flags("subscriptions remove", "ID", "Delete a subscription and its notification history.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{msg: "want: subscriptions remove ID"}
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return usageError{msg: fmt.Sprintf("subscription ID %q is not a number", fs.Arg(0))}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := st.RemoveSubscription(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no subscription %d (see 'fundmatch subscriptions list')", id)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "subscription %d removed\n", id)
	return nil
}

func runMute(ctx context.Context, e *env, args []string) error {
	fs := e.flags("mute", "--user EMAIL --call IDENTIFIER", "Stop every alert about one call for a user (consortium invitations still arrive).")
	user := fs.String("user", "", "the user's `email`")
	call := fs.String("call", "", "the call's `identifier`, e.g. HORIZON-CL5-2027-01-01")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *user == "" || *call == "" || fs.NArg() > 0 {
		return usageError{msg: "want: mute --user EMAIL --call IDENTIFIER"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := st.MuteCall(ctx, *user, 0, *call); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user %s or no call %s", *user, *call)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "%s will hear no more about %s\n", *user, *call)
	return nil
}
