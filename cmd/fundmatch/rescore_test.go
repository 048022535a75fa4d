package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestSavingAProfileQueuesTheRescoreOfThatCity(t *testing.T) {
	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	r := webRescorer{client}
	ctx := context.Background()
	for range 2 { // a second save within a minute is the same task
		if err := r.RescoreCity(ctx, "gent"); err != nil {
			t.Fatal(err)
		}
	}
	in := asynq.NewInspector(opt)
	defer in.Close()
	pending, err := in.ListPendingTasks(tasks.QueueScore)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Type != tasks.TypeScoreCity {
		t.Fatalf("score queue holds %d tasks, want one score:city", len(pending))
	}
	var p tasks.ScoreCityPayload
	if err := json.Unmarshal(pending[0].Payload, &p); err != nil || p.City != "gent" {
		t.Fatalf("payload = %s, %v", pending[0].Payload, err)
	}
}
