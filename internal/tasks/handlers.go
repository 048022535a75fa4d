package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/store"
)

// Crawler runs one crawl of a configured source: fetch, store, record the
// run. There is one per source kind (ftportal, html, cordis, ...).
type Crawler interface {
	Crawl(ctx context.Context, src store.CrawlSource) error
}

// CrawlHandler runs crawl tasks with the crawler registered for the kind of
// the task's source. A task whose source another process is crawling
// succeeds without crawling.
type CrawlHandler struct {
	Store    *store.Store
	Crawlers map[string]Crawler // by source kind
	Logger   *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (h *CrawlHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p CrawlPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("crawl task payload: %v: %w", err, asynq.SkipRetry)
	}
	src, err := h.Store.CrawlSourceByName(ctx, p.Source)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("crawl %s: the source no longer exists: %w", p.Source, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if !src.Enabled {
		h.Logger.Info("crawl skipped: source disabled", "source", src.Name)
		return nil
	}
	c, ok := h.Crawlers[src.Kind]
	if !ok {
		return fmt.Errorf("crawl %s: no crawler for sources of kind %q: %w", src.Name, src.Kind, asynq.SkipRetry)
	}
	err = c.Crawl(ctx, src)
	if errors.Is(err, store.ErrSourceBusy) {
		// Another process is doing this very crawl: this task has nothing to do.
		h.Logger.Info("crawl skipped: the source is being crawled by another process", "source", src.Name)
		return nil
	}
	return err
}

// CleanupHandler is the daily maintenance: it moves calls whose dates have
// passed to their current status, and deletes expired sessions and old
// crawl runs.
type CleanupHandler struct {
	Store  *store.Store
	Logger *slog.Logger
	Now    func() time.Time
}

// ProcessTask implements asynq.Handler.
func (h *CleanupHandler) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	now := h.Now()
	refreshed, err := h.Store.RefreshStatuses(ctx, now)
	if err != nil {
		return err
	}
	n, err := h.Store.Cleanup(ctx, now)
	if err != nil {
		return err
	}
	h.Logger.Info("maintenance done", "call_statuses_refreshed", refreshed, "rows_deleted", n)
	return nil
}
