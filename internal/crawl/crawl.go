// Package crawl runs the crawls of configured sources: it builds the crawler
// of a source's kind with a polite fetcher, stores what it found, records the
// run, and hands the new and changed calls on for scoring. It is the glue
// between the crawlers (which only fetch and normalise) and the store.
package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/crawlers/ftportal"
	"github.com/fundmatch/fundmatch/crawlers/htmlsource"
	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
)

// Config holds the crawl settings that come from the environment.
type Config struct {
	FTPortalSearchURL string
	FTPortalTopicURL  string
	UserAgent         string
	Delay             time.Duration
	Timeout           time.Duration // per run
	AllowPrivate      bool          // tests, or sources on an intranet
}

// Progress is how far a run is, for a progress bar.
type Progress struct {
	Pages      int
	PagesTotal int // 0 when unknown
	Calls      int
}

// Options change one run.
type Options struct {
	DryRun   bool // fetch and parse, store nothing
	Progress func(Progress)
}

// Summary is what a run did.
type Summary struct {
	Source string
	Status store.CrawlStatus // ok, partial or failed
	Result *crawlers.Result
	Stats  store.RunStats
}

// Runner runs crawls.
type Runner struct {
	store  *store.Store
	cfg    Config
	relay  func(ctx context.Context) (int, error)
	logger *slog.Logger
	now    func() time.Time
}

// NewRunner returns a Runner. A stored run puts the scoring of its new and
// changed calls in the store's outbox, in the transaction that stores them;
// relay, when not nil, is called after the run to queue it (see
// tasks.RelayScoring). Without relay, or when it fails, the work waits in
// the outbox for the scheduler's next tick.
func NewRunner(st *store.Store, cfg Config, relay func(ctx context.Context) (int, error), logger *slog.Logger) *Runner {
	return &Runner{store: st, cfg: cfg, relay: relay, logger: logger, now: time.Now}
}

// source is what every kind of crawler offers.
type source interface {
	Crawl(ctx context.Context) (*crawlers.Result, error)
}

// ErrUnknownKind is returned for a source whose kind has no crawler here.
var ErrUnknownKind = errors.New("no crawler for this kind of source")

// crawler builds the crawler of src; sink, when not nil, takes its calls
// as it reads them.
func (r *Runner) crawler(src store.CrawlSource, opts Options, sink func([]funding.Call) error) (source, error) {
	fo := fetch.Options{
		UserAgent:            r.cfg.UserAgent,
		Delay:                r.cfg.Delay,
		AllowPrivateNetworks: r.cfg.AllowPrivate,
		Validators:           r.store.Validators(),
		Logger:               r.logger,
	}
	if opts.DryRun {
		// A dry run changes nothing, not even the remembered ETags.
		fo.Validators = &fetch.MemoryValidators{}
	}
	client := fetch.New(fo)
	switch src.Kind {
	case "ftportal":
		fopts := ftportal.Options{
			SearchURL:  r.cfg.FTPortalSearchURL,
			TopicURL:   r.cfg.FTPortalTopicURL,
			RunTimeout: r.cfg.Timeout,
			Now:        r.now,
			Sink:       sink,
		}
		if opts.Progress != nil {
			fopts.Progress = func(p ftportal.Progress) {
				opts.Progress(Progress{Pages: p.Pages, PagesTotal: p.PagesTotal, Calls: p.Calls})
			}
		}
		return ftportal.New(client, fopts), nil
	case "html":
		cfg, err := htmlsource.ParseConfig(src.Config)
		if err != nil {
			return nil, fmt.Errorf("configuration of %s: %w", src.Name, err)
		}
		hopts := htmlsource.Options{RunTimeout: r.cfg.Timeout, Now: r.now, Sink: sink}
		if opts.Progress != nil {
			hopts.Progress = func(p htmlsource.Progress) { opts.Progress(Progress{Pages: p.Pages, Calls: p.Calls}) }
		}
		return htmlCrawler{client: client, cfg: cfg, opts: hopts}, nil
	}
	return nil, fmt.Errorf("%s (%s): %w", src.Name, src.Kind, ErrUnknownKind)
}

// htmlCrawler runs one configured HTML source.
type htmlCrawler struct {
	client *fetch.Client
	cfg    htmlsource.Config
	opts   htmlsource.Options
}

func (h htmlCrawler) Crawl(ctx context.Context) (*crawlers.Result, error) {
	return htmlsource.Crawl(ctx, h.client, h.cfg, h.opts)
}

// Run crawls src once. Unless opts.DryRun, it stores the calls page by page
// as the crawler reads them (in one transaction, so PostgreSQL writes while
// the crawler parses) and records the run, whatever happens: a failed crawl
// is recorded as failed and leaves the stored calls as they were, so it can
// simply run again. A stored run holds the source's lock (store.LockSource)
// from start to end; when another process is crawling the source, Run
// returns an error wrapping store.ErrSourceBusy and does nothing.
func (r *Runner) Run(ctx context.Context, src store.CrawlSource, opts Options) (Summary, error) {
	sum := Summary{Source: src.Name}
	var in *store.Ingest
	var sink func([]funding.Call) error
	if !opts.DryRun {
		sink = func(calls []funding.Call) error {
			for i := range calls {
				calls[i].Source = src.Name
			}
			return in.Add(calls)
		}
	}
	c, err := r.crawler(src, opts, sink)
	if err != nil {
		return sum, err
	}
	if r.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.cfg.Timeout)
		defer cancel()
	}
	if !opts.DryRun {
		lock, err := r.store.LockSource(ctx, src.Name, r.now())
		if err != nil {
			return sum, err
		}
		defer lock.Unlock()
		if in, err = r.store.BeginRun(ctx, src.Name, r.now()); err != nil {
			return sum, err
		}
		defer in.Close()
	}
	res, crawlErr := c.Crawl(ctx)
	if res == nil {
		sum.Status = store.CrawlFailed
		if crawlErr == nil {
			crawlErr = errors.New("the crawler returned nothing")
		}
		if !opts.DryRun {
			// The run's own context may be spent; record the failure anyway.
			if err := in.Fail(context.WithoutCancel(ctx), crawlErr, r.now()); err != nil {
				r.logger.Error("record failed crawl", "source", src.Name, "err", err)
			}
		}
		return sum, fmt.Errorf("crawl %s: %w", src.Name, crawlErr)
	}
	res.Source = src.Name
	for i := range res.Calls {
		res.Calls[i].Source = src.Name
	}
	sum.Result = res
	sum.Status = store.RunStatus(res)
	if opts.DryRun {
		return sum, nil
	}
	sum.Stats, err = in.Finish(context.WithoutCancel(ctx), res, r.now())
	if err != nil {
		sum.Status = store.CrawlFailed
		return sum, fmt.Errorf("store crawl of %s: %w", src.Name, err)
	}
	r.logger.Info("crawl finished", "source", src.Name, "status", sum.Status, "pages", res.Pages, "calls", res.Found(),
		"new", sum.Stats.New, "changed", sum.Stats.Changed, "unchanged", sum.Stats.Unchanged,
		"closed", sum.Stats.Closed, "errors", len(res.Errors))
	if r.relay != nil && len(sum.Stats.Touched) > 0 {
		if _, err := r.relay(context.WithoutCancel(ctx)); err != nil {
			// The work is in the outbox: the scheduler queues it later.
			r.logger.Warn("could not queue scoring of crawled calls yet; it waits in the outbox", "source", src.Name, "calls", len(sum.Stats.Touched), "err", err)
		}
	}
	return sum, nil
}

// Crawl implements tasks.Crawler for the worker.
func (r *Runner) Crawl(ctx context.Context, src store.CrawlSource) error {
	_, err := r.Run(ctx, src, Options{})
	return err
}
