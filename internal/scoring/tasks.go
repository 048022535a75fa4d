package scoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// HandleScoreAll rebuilds the model and rescores every city.
func (s *Service) HandleScoreAll(ctx context.Context, _ *asynq.Task) error {
	res, err := s.ScoreAll(ctx, nil)
	if err != nil {
		return err
	}
	s.logger.Info("full rescore done", "cities", res.Cities, "calls", res.Calls, "written", res.Written)
	return nil
}

// Register adds the score handlers to a worker.
func (s *Service) Register(w *tasks.Worker) {
	w.Handle(tasks.TypeScoreCalls, asynq.HandlerFunc(s.HandleScoreCalls))
	w.Handle(tasks.TypeScoreCity, asynq.HandlerFunc(s.HandleScoreCity))
	w.Handle(tasks.TypeScoreAll, asynq.HandlerFunc(s.HandleScoreAll))
}
