package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/crawl"
	"github.com/fundmatch/fundmatch/internal/history"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
)

func (e *env) crawlConfig() crawl.Config {
	return crawl.Config{
		FTPortalSearchURL: e.cfg.FTPortalSearchURL, FTPortalTopicURL: e.cfg.FTPortalTopicURL,
		UserAgent: e.cfg.CrawlUserAgent, Delay: e.cfg.CrawlDelay, Timeout: e.cfg.CrawlTimeout,
		AllowPrivate: e.cfg.CrawlAllowPrivate,
	}
}

// scoreRelay queues the scoring that crawls left in the outbox on Redis.
func scoreRelay(st *store.Store, client *asynq.Client) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) { return tasks.RelayScoring(ctx, st, client) }
}

func runCrawl(ctx context.Context, e *env, args []string) error {
	fs := e.flags("crawl", "SOURCE | --list", "Crawl one source now, in the foreground, with a progress bar and a summary line; the\nnew and changed calls are queued for scoring. When another process is crawling the\nsource, it says so and does nothing. --dry-run fetches and parses but stores\nnothing and prints the calls. --list shows every source with its schedule and last run.")
	list := fs.Bool("list", false, "list the sources with their schedule and last run")
	dryRun := fs.Bool("dry-run", false, "fetch and parse, print the calls, store nothing")
	asJSON := fs.Bool("json", false, "with --dry-run or --list: print JSON")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *list {
		if fs.NArg() > 0 {
			return usageError{msg: "--list takes no source"}
		}
		return listSources(ctx, e, *asJSON)
	}
	if fs.NArg() != 1 {
		return usageError{msg: "want: crawl SOURCE (see crawl --list)"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	src, err := st.CrawlSourceByName(ctx, fs.Arg(0))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no crawl source %q; 'fundmatch crawl --list' shows them", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	if _, err := history.ParseSource(src.Kind); err == nil {
		return sourceBusy(e, runHistoryCrawl(ctx, e, st, src, *dryRun))
	}
	var relay func(context.Context) (int, error)
	if !*dryRun {
		if opt, err := tasks.RedisOpt(e.cfg.RedisURL); err == nil && tasks.PingRedis(ctx, opt) == nil {
			client := asynq.NewClient(opt)
			defer client.Close()
			relay = scoreRelay(st, client)
		} else {
			fmt.Fprintln(e.stderr, "note: Redis is not reachable; the scoring of the crawled calls waits in PostgreSQL and is queued when the scheduler next runs with Redis back")
		}
	}
	bar := newProgressBar(e.stderr, "pages")
	r := crawl.NewRunner(st, e.crawlConfig(), relay, e.logger)
	sum, err := r.Run(ctx, src, crawl.Options{DryRun: *dryRun, Progress: func(p crawl.Progress) {
		bar.set(p.Pages, p.PagesTotal, fmt.Sprintf("calls %d", p.Calls))
	}})
	bar.done()
	if err != nil {
		return sourceBusy(e, err)
	}
	res := sum.Result
	if *dryRun {
		if *asJSON {
			return writeCallsJSON(e.stdout, res.Calls, time.Now())
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "IDENTIFIER\tPROGRAMME\tSTATUS\tNEXT DEADLINE\tTITLE")
		for _, c := range res.Calls {
			next := "-"
			if d, ok := c.NextDeadline(time.Now()); ok {
				next = d.Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Identifier, c.Programme, c.Status, next, truncate(c.Title, 70))
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "dry run of %s: %s, %d pages, %d calls, %d errors; nothing stored\n", src.Name, sum.Status, res.Pages, len(res.Calls), len(res.Errors))
	} else {
		fmt.Fprintf(e.stdout, "crawled %s: %s, %d pages, %d calls: %d new, %d changed, %d unchanged, %d closed; %d errors\n",
			src.Name, sum.Status, res.Pages, res.Found(), sum.Stats.New, sum.Stats.Changed, sum.Stats.Unchanged, sum.Stats.Closed, len(res.Errors))
	}
	for i, ce := range res.Errors {
		if i == 10 {
			fmt.Fprintf(e.stderr, "  … and %d more errors\n", len(res.Errors)-10)
			break
		}
		fmt.Fprintf(e.stderr, "  error: %v\n", ce)
	}
	if res.PartialReason != "" {
		fmt.Fprintf(e.stderr, "  partial: %s (nothing was closed)\n", res.PartialReason)
	}
	return nil
}

// sourceBusy tells that the source is being crawled by another process,
// which is not a failure: the crawl asked for is being done. Other errors
// are returned.
func sourceBusy(e *env, err error) error {
	if errors.Is(err, store.ErrSourceBusy) {
		fmt.Fprintf(e.stdout, "%v; nothing done\n", err)
		return nil
	}
	return err
}

func listSources(ctx context.Context, e *env, asJSON bool) error {
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sources, err := st.CrawlSources(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sources)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tENABLED\tEVERY\tNEXT RUN\tLAST RUN\tSTATUS\tNEW\tCHANGED\tCLOSED")
	for _, s := range sources {
		last, status, n, c, cl := "never", "-", "-", "-", "-"
		if r := s.LastRun; r != nil {
			last, status = r.StartedAt.Local().Format("2006-01-02 15:04"), string(r.Status)
			n, c, cl = fmt.Sprint(r.CallsNew), fmt.Sprint(r.CallsChanged), fmt.Sprint(r.CallsClosed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.Enabled, s.Schedule,
			s.NextRunAt.Local().Format("2006-01-02 15:04"), last, status, n, c, cl)
	}
	return tw.Flush()
}

func writeCallsJSON(w io.Writer, calls []funding.Call, today time.Time) error {
	out := make([]funding.Listing, 0, len(calls))
	for i := range calls {
		out = append(out, calls[i].Listing(today))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func runCalls(ctx context.Context, e *env, args []string) error {
	fs := e.flags("calls", "[--status open|forthcoming|closed] [--programme P] [--source S] [--json]", "List the stored calls, soonest next deadline first.")
	status := choiceFlag(fs, "status", "", "only calls with this status: open, forthcoming or closed", funding.ParseStatus)
	programme := fs.String("programme", "", "only calls of this programme, e.g. HORIZON, DIGITAL, LIFE, ERDF-VL")
	source := fs.String("source", "", "only calls from this crawl source")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "calls takes no arguments"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	records, err := st.Calls(ctx, store.CallFilter{Status: *status, Programme: *programme, Source: *source})
	if err != nil {
		return err
	}
	calls := make([]funding.Call, len(records))
	for i := range records {
		calls[i] = records[i].Call
	}
	today := time.Now()
	if *asJSON {
		return writeCallsJSON(e.stdout, calls, today)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IDENTIFIER\tPROGRAMME\tSTATUS\tNEXT DEADLINE\tTITLE")
	for _, c := range calls {
		next := "-"
		if d, ok := c.NextDeadline(today); ok {
			next = d.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Identifier, c.Programme, c.Status, next, truncate(c.Title, 70))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d calls\n", len(calls))
	return nil
}

func truncate(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// progressBar draws a one-line bar on a terminal-like writer.
type progressBar struct {
	w     io.Writer
	label string
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label}
}

// set redraws the bar, at most ten times a second.
func (b *progressBar) set(done, total int, extra string) {
	if time.Since(b.last) < 100*time.Millisecond && done != total {
		return
	}
	b.last = time.Now()
	const width = 30
	bar := strings.Repeat("·", width)
	count := fmt.Sprintf("%d", done)
	if total > 0 {
		filled := min(width, done*width/total)
		bar = strings.Repeat("█", filled) + strings.Repeat("·", width-filled)
		count = fmt.Sprintf("%d/%d", done, total)
	}
	fmt.Fprintf(b.w, "\r%s %s %s  %s   ", b.label, bar, count, extra)
	b.drawn = true
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
