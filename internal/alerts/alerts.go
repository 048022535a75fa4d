// Package alerts turns what fundmatch stores (matches, revisions of followed
// calls, interest marks with deadlines, consortium plans) into notifications
// and delivers them by email and Slack through package notify, each exactly
// once.
//
// Every event becomes a row in the notifications table whose delivery key
// (subscription, call, event, revision) is unique: Sweep inserts the rows,
// ComposeDigests groups the events of daily and weekly subscribers into one
// digest row per period, and Deliver leases the due rows of a few
// subscriptions, makes one message per digest, notice, or burst of an
// instant subscriber's events, and sends them one at a time, each row going
// to sending just before its message is handed over and to sent right
// after. A row found in sending after its worker stopped is settled as sent
// without sending it again: fundmatch chooses at most once for that window,
// because sending again could deliver a message twice and nothing can tell
// whether the first attempt arrived.
package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

// Defaults of a Service.
const (
	// Lease is how long a worker holds the notifications it claimed, and
	// how long one may stay in sending before Deliver considers its worker
	// gone; far above an SMTP or Slack timeout.
	Lease = store.ClaimLease
	// MaxAttempts is how often a temporary failure is retried before the
	// notification is given up.
	MaxAttempts = 8
	// DigestHour is the local hour from which the day's digests go out
	// (weekly digests on Monday).
	DigestHour = 7
	// BatchSize is how many subscriptions' due notifications Deliver claims
	// at once; their emails go over one SMTP connection.
	BatchSize = 100
	// Parallel is how many batches Deliver claims and renders at once;
	// one sender sends their messages one at a time, so a worker that dies
	// has at most one in flight.
	Parallel = 2
)

// Config is what a Service needs.
type Config struct {
	Store   *store.Store
	Links   *notify.Links
	Mailer  *notify.Mailer
	Slack   *notify.Slack
	BaseURL string // the site, for links to plans and settings
	Logger  *slog.Logger
	// Location is where quiet hours, digest periods and deadlines are
	// counted; nil means Europe/Brussels.
	Location *time.Location
}

// Service finds the events subscribers should hear about and delivers them.
// It is safe for concurrent use, also from several processes.
type Service struct {
	store   *store.Store
	links   *notify.Links
	mailer  *notify.Mailer
	slack   *notify.Slack
	baseURL string
	logger  *slog.Logger
	loc     *time.Location
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	loc := cfg.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation("Europe/Brussels"); err != nil {
			return nil, fmt.Errorf("alerts: %w", err)
		}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: cfg.Store, links: cfg.Links, mailer: cfg.Mailer, slack: cfg.Slack,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"), logger: logger.With("component", "alerts"), loc: loc}, nil
}

// day returns the local calendar date of t as midnight UTC, the form
// deadlines are stored in.
func (s *Service) day(t time.Time) time.Time {
	y, m, d := t.In(s.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Sweep records every event a subscription has not been told about yet as
// a pending notification, delaying those of instant subscriptions in their
// quiet hours. It returns how many it added per event; a second sweep at the
// same moment adds nothing.
func (s *Service) Sweep(ctx context.Context, now time.Time) (map[store.Event]int, error) {
	quiet, err := s.store.QuietSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	notBefore := map[int64]time.Time{}
	for _, sub := range quiet {
		q, err := notify.ParseQuietHours(sub.Quiet, s.loc)
		if err != nil {
			s.logger.Warn("subscription has invalid quiet hours; ignored", "subscription", sub.ID, "err", err)
			continue
		}
		if at := q.SendAt(now); at.After(now) {
			notBefore[sub.ID] = at
		}
	}
	added, err := s.store.SweepEvents(ctx, now, s.day(now), notBefore)
	if err != nil {
		return nil, err
	}
	return added, nil
}

// Period returns the digest period of frequency ("daily" or "weekly") at
// now, e.g. "2026-11-23" or "2026-W48", and whether its digest is due: from
// DigestHour on the day, or on the week's Monday.
func (s *Service) Period(frequency notify.Frequency, now time.Time) (string, bool) {
	local := now.In(s.loc)
	if frequency == notify.Weekly {
		year, week := local.ISOWeek()
		due := local.Weekday() != time.Monday || local.Hour() >= DigestHour
		return fmt.Sprintf("%d-W%02d", year, week), due
	}
	return local.Format(time.DateOnly), local.Hour() >= DigestHour
}

// ComposeDigests makes the due daily and weekly digests: one per subscriber
// with waiting events and period, grouping those events. It returns how many
// digests it made; calling it again in the same period makes none.
func (s *Service) ComposeDigests(ctx context.Context, now time.Time) (int, error) {
	var total int
	for _, frequency := range []notify.Frequency{notify.Daily, notify.Weekly} {
		period, due := s.Period(frequency, now)
		if !due {
			continue
		}
		n, err := s.store.ComposeDigests(ctx, string(frequency), period, now)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// ParseReminderDays reads reminder offsets such as "30,14,7,1": whole days
// from 1 to 365, returned highest first without duplicates.
func ParseReminderDays(s string) ([]int, error) {
	var days []int
	for part := range strings.SplitSeq(s, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || d < 1 || d > 365 {
			return nil, fmt.Errorf("reminder days %q: want whole days from 1 to 365, e.g. 30,14,7,1", s)
		}
		days = append(days, d)
	}
	slices.Sort(days)
	slices.Reverse(days)
	return slices.Compact(days), nil
}
