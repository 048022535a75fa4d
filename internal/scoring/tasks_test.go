package scoring_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/tasks"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// TestAFullRescoreIsQueuedAsShardsThatTogetherScoreEveryCity checks the
// scale-out path: score:all queues score:shard tasks that name every city
// with a profile once, and scoring those shards stores what ScoreAll would.
func TestAFullRescoreIsQueuedAsShardsThatTogetherScoreEveryCity(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	addr, db := testdb.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	h := &scoring.Handlers{Service: scoring.New(st, quiet), Client: client, ShardCities: 5}
	if err := h.HandleScoreAll(ctx, asynq.NewTask(tasks.TypeScoreAll, nil)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM matches`); err != nil || n != 0 {
		t.Fatalf("queueing the shards stored %d matches (%v)", n, err)
	}
	in := asynq.NewInspector(opt)
	defer in.Close()
	pending, err := in.ListPendingTasks(tasks.QueueScore, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	want, err := st.ProfiledCities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 4 {
		t.Fatalf("%d tasks queued for 16 cities, want 4 shards of at most 5", len(pending))
	}
	var got []string
	// Each shard on a worker of its own: a Service that kept nothing.
	for _, ti := range pending {
		if ti.Type != tasks.TypeScoreShard {
			t.Fatalf("queued %s, want only shards", ti.Type)
		}
		var p tasks.ScoreShardPayload
		if err := json.Unmarshal(ti.Payload, &p); err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Cities...)
		worker := &scoring.Handlers{Service: scoring.New(st, quiet)}
		if err := worker.HandleScoreShard(ctx, asynq.NewTask(ti.Type, ti.Payload)); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("the shards name %v, want every city with a profile once: %v", got, want)
	}
	if err := st.DB().Get(&n, `SELECT count(*) FROM matches`); err != nil || n != kept(t, st) {
		t.Fatalf("the shards stored %d matches (%v), want the %d a full rescore keeps", n, err, kept(t, st))
	}
	bad := asynq.NewTask(tasks.TypeScoreShard, []byte(`{"cities": []}`))
	if err := h.HandleScoreShard(ctx, bad); err == nil {
		t.Fatal("a shard without cities was accepted")
	}
}
