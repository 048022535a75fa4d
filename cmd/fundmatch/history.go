package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/internal/history"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
)

// addHistoryCrawlers registers the crawlers of the history sources (kinds
// cordis, kohesio and keep) for the worker.
func (e *env) addHistoryCrawlers(crawlers map[string]tasks.Crawler, s *services, client *asynq.Client) {
	im := &history.Importer{Store: s.store, Logger: e.logger.With("component", "history")}
	opts := e.historyFetch()
	for _, src := range history.Sources {
		c := &history.Crawler{Importer: im, Source: src, Fetch: opts, Logger: im.Logger}
		crawlers[string(src)] = rescoreAfter{Crawler: c, client: client, logger: im.Logger}
	}
}

// rescoreAfter queues a rescore of every city after a history crawl: the
// cities' experience may have changed. An unchanged file costs a rescore
// that writes nothing.
type rescoreAfter struct {
	tasks.Crawler
	client *asynq.Client
	logger *slog.Logger
}

func (r rescoreAfter) Crawl(ctx context.Context, src store.CrawlSource) error {
	if err := r.Crawler.Crawl(ctx, src); err != nil {
		return err
	}
	if _, err := r.client.EnqueueContext(ctx, tasks.NewScoreAllTask()); err != nil && !errors.Is(err, asynq.ErrDuplicateTask) {
		r.logger.Warn("could not queue a rescore after the history crawl; the nightly rescore will catch up", "source", src.Name, "err", err)
	}
	return nil
}

// historyFetch is how the history crawlers fetch: as every crawler does.
func (e *env) historyFetch() fetch.Options {
	return fetch.Options{UserAgent: e.cfg.CrawlUserAgent, Delay: e.cfg.CrawlDelay, AllowPrivateNetworks: e.cfg.CrawlAllowPrivate}
}

// runHistoryCrawl is `fundmatch crawl SOURCE` for a cordis, kohesio or keep
// source: download the file now, import it and record the run.
func runHistoryCrawl(ctx context.Context, e *env, st *store.Store, src store.CrawlSource, dryRun bool) error {
	if dryRun {
		return usageError{msg: "--dry-run is not available for history sources; 'fundmatch import' a downloaded file instead"}
	}
	kind, _ := history.ParseSource(src.Kind)
	im := &history.Importer{Store: st, Logger: e.logger, Progress: func(s history.Stats) {
		fmt.Fprintf(e.stderr, "%s: %d rows read, %d matched, %d uncertain\n", src.Name, s.Rows, s.Matched, s.Uncertain)
	}}
	c := &history.Crawler{Importer: im, Source: kind, Fetch: e.historyFetch(), Logger: e.logger}
	if err := c.Crawl(ctx, src); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "crawled %s; 'fundmatch crawl --list' shows the run\n", src.Name)
	return nil
}

// runHistoryImport is `fundmatch import cordis|kohesio|keep FILE`.
func runHistoryImport(ctx context.Context, e *env, kind, path string) error {
	src, err := history.ParseSource(kind)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &history.Importer{Store: st, Logger: e.logger, Progress: func(s history.Stats) {
		fmt.Fprintf(e.stderr, "%s: %d rows read, %d matched, %d uncertain\n", kind, s.Rows, s.Matched, s.Uncertain)
	}}
	s, err := im.Import(ctx, src, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s %s: %d rows read, %d matched, %d uncertain (%d review entries new or changed), "+
		"%d projects (%d changed), %d collaborations, %d uptake shares, %d projects skipped without a year\n",
		kind, path, s.Rows, s.Matched, s.Uncertain, s.Reviews, s.Projects, s.Changed, s.Collaborations, s.Uptake, s.Skipped)
	if s.Changed > 0 {
		e.queueRescore(ctx) // the cities' experience changed
	}
	return nil
}

func runReview(ctx context.Context, e *env, args []string) error {
	fs := e.flags("review", "list [--json] [--all] | confirm KEY --city SLUG [--body BODY] | reject KEY",
		"Review the participants of the EU history imports that the resolver was not sure of.\n"+
			"'list' shows the pending ones (--all: every entry). 'confirm KEY --city SLUG' says the\n"+
			"name belongs to that city, 'reject KEY' that it belongs to none. A verdict applies at\n"+
			"once to the imported projects that name it, and to every later import.")
	asJSON := fs.Bool("json", false, "list: print a JSON array")
	all := fs.Bool("all", false, "list: also the entries already decided")
	city := fs.String("city", "", "confirm: the slug of the city the name belongs to")
	body := fs.String("body", "", "confirm: the kind of body (municipality, ocmw, autonomous company, police zone, city agency, vgc)")
	by := fs.String("by", "", "who decides, for the record (default: $USER)")
	// Flags may follow the arguments: parse until every argument is taken.
	var pos []string
	for {
		if err := e.parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) == 0 {
		return usageError{msg: "want: review list|confirm|reject"}
	}
	switch {
	case pos[0] == "list" && len(pos) == 1:
		return reviewList(ctx, e, *asJSON, *all)
	case pos[0] == "confirm" && len(pos) == 2:
		if *city == "" {
			return usageError{msg: "confirm needs --city SLUG"}
		}
		return reviewDecide(ctx, e, history.Verdict{Key: pos[1], City: *city, Body: *body, By: decider(e, *by)})
	case pos[0] == "reject" && len(pos) == 2:
		if *city != "" {
			return usageError{msg: "reject takes no --city"}
		}
		return reviewDecide(ctx, e, history.Verdict{Key: pos[1], By: decider(e, *by)})
	}
	return usageError{msg: "want: review list, review confirm KEY --city SLUG, or review reject KEY"}
}

func decider(e *env, by string) string {
	if by != "" {
		return by
	}
	if u := e.getenv("USER"); u != "" {
		return u
	}
	return "cli"
}

func reviewList(ctx context.Context, e *env, asJSON, all bool) error {
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	status := store.ReviewPending
	if all {
		status = ""
	}
	rs, err := st.EntityReviews(ctx, status)
	if err != nil {
		return err
	}
	if asJSON {
		if rs == nil {
			rs = []store.EntityReview{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tNAME\tCOUNTRY\tPOSTCODE\tSOURCE\tCANDIDATE\tCONFIDENCE\tSEEN\tSTATUS\tEVIDENCE")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%d\t%s\t%s\n", r.Key, r.Name, r.Country, r.Postcode, r.Source,
			r.Candidate, r.Confidence, r.TimesSeen, r.Status, strings.Join(r.Evidence, "; "))
	}
	return tw.Flush()
}

func reviewDecide(ctx context.Context, e *env, v history.Verdict) error {
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &history.Importer{Store: st, Logger: e.logger}
	n, err := im.Decide(ctx, v)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no city %q; 'fundmatch cities' lists them", v.City)
	}
	if err != nil {
		return err
	}
	verdict := "rejected"
	if v.City != "" {
		verdict = "confirmed as " + v.City
	}
	fmt.Fprintf(e.stdout, "%s: %s; %d imported projects updated\n", v.Key, verdict, n)
	return nil
}
