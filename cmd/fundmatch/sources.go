package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/fundmatch/fundmatch/crawlers/htmlsource"
	"github.com/fundmatch/fundmatch/internal/crawl"
	"github.com/fundmatch/fundmatch/internal/store"
)

const sourcesUsage = "list | add NAME --config FILE.json [--every 24h] [--disabled] | test (NAME | --config FILE.json) | enable NAME | disable NAME"

func runSources(ctx context.Context, e *env, args []string) error {
	fs := e.flags("sources", sourcesUsage, "Manage the crawl sources without code. HTML sources (ERDF, Interreg, ...) are driven by a JSON\nconfiguration of selectors and date formats (see README, 'HTML sources'): add one, test it with a\ndry run that stores nothing, then enable or disable it.")
	configPath := fs.String("config", "", "the source's JSON configuration (add, test)")
	every := fs.Duration("every", 24*time.Hour, "how often the source is crawled (add)")
	disabled := fs.Bool("disabled", false, "add the source disabled (add)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{msg: "want: sources " + sourcesUsage}
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	switch verb {
	case "list":
		if len(rest) > 0 {
			return usageError{msg: "sources list takes no arguments"}
		}
		return listSources(ctx, e, false)
	case "add":
		if len(rest) != 1 || *configPath == "" {
			return usageError{msg: "want: sources add NAME --config FILE.json [--every 24h] [--disabled]"}
		}
		if *every < time.Minute {
			return usageError{msg: "--every must be at least 1m"}
		}
		cfg, raw, err := readSourceConfig(*configPath)
		if err != nil {
			return err
		}
		st, db, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		src := store.CrawlSource{Name: rest[0], Kind: "html", Title: cfg.ProgrammeName, Config: raw, Enabled: !*disabled, Schedule: *every}
		if !slugPattern(src.Name) {
			return usageError{msg: fmt.Sprintf("source name %q: want lower-case letters, digits and dashes", src.Name)}
		}
		if err := st.SaveCrawlSource(ctx, src); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "source %s saved (html, every %s, enabled %v); try it with 'fundmatch sources test %s'\n", src.Name, src.Schedule, src.Enabled, src.Name)
		return nil
	case "test":
		var src store.CrawlSource
		st, db, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		switch {
		case *configPath != "" && len(rest) == 0:
			_, raw, err := readSourceConfig(*configPath)
			if err != nil {
				return err
			}
			src = store.CrawlSource{Name: "test", Kind: "html", Config: raw}
		case *configPath == "" && len(rest) == 1:
			if src, err = st.CrawlSourceByName(ctx, rest[0]); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no crawl source %q; 'fundmatch sources list' shows them", rest[0])
			} else if err != nil {
				return err
			}
		default:
			return usageError{msg: "want: sources test NAME, or sources test --config FILE.json"}
		}
		bar := newProgressBar(e.stderr, "pages")
		sum, err := crawl.NewRunner(st, e.crawlConfig(), nil, e.logger).Run(ctx, src, crawl.Options{DryRun: true,
			Progress: func(p crawl.Progress) { bar.set(p.Pages, p.PagesTotal, fmt.Sprintf("calls %d", p.Calls)) }})
		bar.done()
		if err != nil {
			return err
		}
		if err := writeCallsJSON(e.stdout, sum.Result.Calls, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "test of %s: %s, %d pages, %d calls, %d errors; nothing stored\n", src.Name, sum.Status, sum.Result.Pages, len(sum.Result.Calls), len(sum.Result.Errors))
		for _, ce := range sum.Result.Errors {
			fmt.Fprintf(e.stderr, "  error: %v\n", ce)
		}
		return nil
	case "enable", "disable":
		if len(rest) != 1 {
			return usageError{msg: "want: sources " + verb + " NAME"}
		}
		st, db, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := st.SetSourceEnabled(ctx, rest[0], verb == "enable"); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no crawl source %q; 'fundmatch sources list' shows them", rest[0])
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "source %s %sd\n", rest[0], verb)
		return nil
	}
	return usageError{msg: fmt.Sprintf("unknown sources command %q; want list, add, test, enable or disable", verb)}
}

// readSourceConfig reads and validates an HTML source configuration.
func readSourceConfig(path string) (htmlsource.Config, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return htmlsource.Config{}, nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	cfg, err := htmlsource.ParseConfig(raw)
	if err != nil {
		return htmlsource.Config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, raw, nil
}

func slugPattern(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
