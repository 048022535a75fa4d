package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/internal/store"
)

// The official files the scheduled sources download unless their config
// names another (eu-sources.md §3-4). keep.eu publishes no bulk file: a keep
// source must name the export or project JSON it downloads.
const (
	DefaultCORDISURL  = "https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip"
	DefaultKohesioURL = "https://kohesio.ec.europa.eu/api/data/object?id=data/projects-2021-2027/latest/BE-pp21-27-latest.csv"
)

// Limits of one download: the CORDIS zips and the Kohesio bulk files run to
// hundreds of megabytes, streamed to a temporary file.
const (
	maxDownload     = 4 << 30
	downloadTimeout = 25 * time.Minute
)

// SourceConfig is the JSON config of a cordis, kohesio or keep crawl
// source.
type SourceConfig struct {
	// URL is the file to download; empty means the source's default.
	URL string `json:"url"`
	// Format is the keep.eu file's format, "xlsx" or "json"; empty means
	// the URL's extension decides.
	Format string `json:"format"`
}

// Crawler is the tasks.Crawler of one history source: it downloads the
// configured file with a conditional GET, streams it to a temporary file,
// imports it and records the crawl run. The validators of a download are
// stored only once its import succeeded, so a failed import is tried again
// on the next run instead of being answered 304.
type Crawler struct {
	Importer *Importer
	Source   euhistory.Source
	// Fetch is the polite client's options; Validators is set by Crawl.
	Fetch  fetch.Options
	TmpDir string // "" is os.TempDir()
	Logger *slog.Logger
}

// Crawl implements tasks.Crawler. The run holds the source's lock
// (store.LockSource); when another process is crawling the source, Crawl
// returns an error wrapping store.ErrSourceBusy and does nothing.
func (c *Crawler) Crawl(ctx context.Context, src store.CrawlSource) error {
	st := c.Importer.Store
	lock, err := st.LockSource(ctx, src.Name, c.Importer.now())
	if err != nil {
		return err
	}
	defer lock.Unlock()
	runID, err := st.StartRun(ctx, src.Name, c.Importer.now())
	if err != nil {
		return err
	}
	stats, imported, err := c.crawl(ctx, src)
	if err != nil {
		err = fmt.Errorf("crawl %s: %w", src.Name, err)
		if ferr := st.FailRun(context.WithoutCancel(ctx), runID, err, c.Importer.now()); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	}
	pages := 0
	if imported {
		pages = 1
	}
	if err := st.FinishImportRun(ctx, runID, pages, c.Importer.now()); err != nil {
		return err
	}
	c.logger().Info("history crawl done", "source", src.Name, "downloaded", imported, "rows", stats.Rows,
		"matched", stats.Matched, "uncertain", stats.Uncertain, "projects", stats.Projects, "changed", stats.Changed)
	return nil
}

func (c *Crawler) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// crawl downloads and imports; imported is false when the server said the
// file had not changed.
func (c *Crawler) crawl(ctx context.Context, src store.CrawlSource) (stats Stats, imported bool, err error) {
	var cfg SourceConfig
	if len(src.Config) > 0 {
		if err := json.Unmarshal(src.Config, &cfg); err != nil {
			return stats, false, fmt.Errorf("config: %w", err)
		}
	}
	rawURL, ext, err := c.target(cfg)
	if err != nil {
		return stats, false, err
	}
	validators := &pendingValidators{stored: c.Importer.Store.Validators()}
	opts := c.Fetch
	opts.Validators = validators
	if opts.MaxBodySize == 0 {
		opts.MaxBodySize = maxDownload
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = downloadTimeout
	}
	if opts.Logger == nil {
		opts.Logger = c.logger()
	}
	client := fetch.New(opts)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return stats, false, fmt.Errorf("build request: %w", err)
	}
	resp, err := client.Do(ctx, req)
	if err != nil {
		return stats, false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return stats, false, nil
	case http.StatusOK:
	default:
		return stats, false, &fetch.StatusError{URL: fetch.Redact(req.URL), Code: resp.StatusCode}
	}
	f, err := os.CreateTemp(c.TmpDir, "fundmatch-"+src.Name+"-*"+ext)
	if err != nil {
		return stats, false, fmt.Errorf("create download file: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stats, false, fmt.Errorf("download %s: %w", fetch.Redact(req.URL), err)
	}
	if stats, err = c.Importer.Import(ctx, c.Source, f.Name()); err != nil {
		return stats, false, err
	}
	return stats, true, validators.flush(ctx)
}

// target returns the URL to download and the extension the downloaded file
// needs for its importer.
func (c *Crawler) target(cfg SourceConfig) (rawURL, ext string, err error) {
	rawURL = cfg.URL
	switch c.Source {
	case euhistory.SourceCORDIS:
		if rawURL == "" {
			rawURL = DefaultCORDISURL
		}
		ext = ".zip"
	case euhistory.SourceKohesio:
		if rawURL == "" {
			rawURL = DefaultKohesioURL
		}
		ext = ".csv"
	case euhistory.SourceKeep:
		if rawURL == "" {
			return "", "", errors.New(`a keep source needs "url" in its config: keep.eu has no bulk file`)
		}
		ext = "." + strings.ToLower(cfg.Format)
		if cfg.Format == "" {
			u, err := url.Parse(rawURL)
			if err != nil {
				return "", "", fmt.Errorf("config url: %w", err)
			}
			ext = strings.ToLower(path.Ext(u.Path))
		}
		if ext != ".xlsx" && ext != ".json" {
			return "", "", errors.New(`a keep source's file must be xlsx or json: set "format" in its config`)
		}
	default:
		return "", "", fmt.Errorf("no crawler for history source %q", c.Source)
	}
	return rawURL, ext, nil
}

// pendingValidators loads validators from the database but holds new ones
// until flush, which the crawler calls once the download was imported.
type pendingValidators struct {
	stored fetch.ValidatorStore

	mu      sync.Mutex
	pending map[string]fetch.Validators
}

// Load implements fetch.ValidatorStore.
func (v *pendingValidators) Load(ctx context.Context, url string) (fetch.Validators, error) {
	return v.stored.Load(ctx, url)
}

// Save implements fetch.ValidatorStore.
func (v *pendingValidators) Save(_ context.Context, url string, val fetch.Validators) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.pending == nil {
		v.pending = map[string]fetch.Validators{}
	}
	v.pending[url] = val
	return nil
}

func (v *pendingValidators) flush(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for url, val := range v.pending {
		if err := v.stored.Save(ctx, url, val); err != nil {
			return err
		}
	}
	v.pending = nil
	return nil
}
