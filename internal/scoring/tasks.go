package scoring

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/tasks"
)

// HandleScoreCalls scores the calls a crawl found new or changed.
func (s *Service) HandleScoreCalls(ctx context.Context, t *asynq.Task) error {
	var p tasks.ScoreCallsPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("score task payload: %v: %w", err, asynq.SkipRetry)
	}
	res, err := s.ScoreCalls(ctx, p.CallIDs)
	if err != nil {
		return err
	}
	s.logger.Info("calls scored", "calls", len(p.CallIDs), "cities", res.Cities, "written", res.Written)
	return nil
}

// HandleScoreCity rescores one city.
func (s *Service) HandleScoreCity(ctx context.Context, t *asynq.Task) error {
	var p tasks.ScoreCityPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("score task payload: %v: %w", err, asynq.SkipRetry)
	}
	res, err := s.ScoreCity(ctx, p.City)
	if errors.Is(err, ErrNoCity) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	s.logger.Info("city scored", "city", p.City, "calls", res.Calls, "written", res.Written)
	return nil
}

// shardCities is how many cities one shard of a full rescore scores: six
// shards for 300 municipalities, so that two workers share them evenly
// and each builds its model once.
const shardCities = 50

// Handlers runs the score tasks on a worker. Client, when set, splits a
// full rescore into shards by city (score:shard tasks) that any worker
// takes; without it the worker that takes score:all scores every city.
type Handlers struct {
	Service *Service
	Client  *asynq.Client
	// ShardCities is how many cities a shard scores (shardCities when 0).
	ShardCities int
}

// HandleScoreAll rescores every city: in shards queued for the workers
// when there is a client, else here.
func (h *Handlers) HandleScoreAll(ctx context.Context, _ *asynq.Task) error {
	s := h.Service
	if h.Client == nil {
		res, err := s.ScoreAll(ctx, nil)
		if err != nil {
			return err
		}
		s.logger.Info("full rescore done", "cities", res.Cities, "calls", res.Calls, "written", res.Written, "removed", res.Removed)
		return nil
	}
	slugs, err := s.store.ProfiledCities(ctx)
	if err != nil {
		return err
	}
	since := s.now()
	size := cmp.Or(h.ShardCities, shardCities)
	for shard := range slices.Chunk(slugs, size) {
		t, err := tasks.NewScoreShardTask(tasks.ScoreShardPayload{Cities: shard, Since: since})
		if err != nil {
			return err
		}
		if _, err := h.Client.EnqueueContext(ctx, t); err != nil {
			return fmt.Errorf("queue a shard of the full rescore: %w", err)
		}
	}
	s.logger.Info("full rescore queued", "cities", len(slugs), "shards", (len(slugs)+size-1)/size)
	return nil
}

// HandleScoreShard scores one shard of a full rescore.
func (h *Handlers) HandleScoreShard(ctx context.Context, t *asynq.Task) error {
	var p tasks.ScoreShardPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.Cities) == 0 {
		return fmt.Errorf("score shard payload: %v: %w", err, asynq.SkipRetry)
	}
	res, err := h.Service.ScoreShard(ctx, p.Cities, p.Since)
	if errors.Is(err, ErrNoCity) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	h.Service.logger.Info("shard scored", "cities", res.Cities, "calls", res.Calls, "written", res.Written, "removed", res.Removed)
	return nil
}

// Register adds the score handlers to a worker.
func (h *Handlers) Register(w *tasks.Worker) {
	w.Handle(tasks.TypeScoreCalls, asynq.HandlerFunc(h.Service.HandleScoreCalls))
	w.Handle(tasks.TypeScoreCity, asynq.HandlerFunc(h.Service.HandleScoreCity))
	w.Handle(tasks.TypeScoreAll, asynq.HandlerFunc(h.HandleScoreAll))
	w.Handle(tasks.TypeScoreShard, asynq.HandlerFunc(h.HandleScoreShard))
}
