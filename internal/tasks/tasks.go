// Package tasks wires fundmatch's background work to asynq on Redis: the task
// types and their payloads, the worker that runs them, and the scheduler that
// enqueues periodic work exactly once per time slot however many schedulers
// run.
package tasks

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/fundmatch/fundmatch/internal/store"
)

// The queues, and their priorities: a worker takes tasks from a queue in
// proportion to its priority.
const (
	QueueCrawl   = "crawl"
	QueueScore   = "score"
	QueueNotify  = "notify"
	QueueDefault = "default"
)

// Queues maps every queue to its priority.
func Queues() map[string]int {
	return map[string]int{QueueNotify: 4, QueueScore: 3, QueueCrawl: 2, QueueDefault: 1}
}

// Task types.
const (
	TypeCrawlSource = "crawl:source"        // crawl one source now
	TypeCleanup     = "maintenance:cleanup" // refresh call statuses, delete expired sessions and old runs
	TypeScoreCalls  = "score:calls"         // score some calls against every city
	TypeScoreCity   = "score:city"          // score every call for one city
	TypeScoreAll    = "score:all"           // rebuild the model and rescore everything, in shards
	TypeScoreShard  = "score:shard"         // one shard of a full rescore: score every call for some cities

	TypeNotifySweep   = "notify:sweep"   // record new events (matches, changes, reminders, invitations) as notifications
	TypeNotifyDeliver = "notify:deliver" // send the notifications that are due
	TypeNotifyDigest  = "notify:digest"  // group the events of daily and weekly subscribers into their digests
)

// NewScoreAllTask returns the task that rebuilds the model and rescores
// every city, after imports that change many cities' history. Equal tasks
// queued within a minute are one.
func NewScoreAllTask() *asynq.Task {
	return asynq.NewTask(TypeScoreAll, nil, asynq.Queue(QueueScore), asynq.MaxRetry(3), asynq.Unique(time.Minute), asynq.Timeout(30*time.Minute))
}

// ScoreShardPayload names the cities of one shard of a full rescore, and
// when that rescore began: a worker whose model is older builds it anew.
type ScoreShardPayload struct {
	Cities []string  `json:"cities"`
	Since  time.Time `json:"since"`
}

// NewScoreShardTask returns one shard of a full rescore. Shards go to
// whichever worker is free, so more workers (on more machines) finish a
// full rescore sooner.
func NewScoreShardTask(p ScoreShardPayload) (*asynq.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeScoreShard, b, asynq.Queue(QueueScore), asynq.MaxRetry(5), asynq.Timeout(30*time.Minute)), nil
}

// ScoreCityPayload names the city to rescore.
type ScoreCityPayload struct {
	City string `json:"city"`
}

// NewScoreCityTask returns the task that rescores a city after its profile or
// history changed. Equal tasks queued within a minute are one.
func NewScoreCityTask(slug string) (*asynq.Task, error) {
	b, err := json.Marshal(ScoreCityPayload{City: slug})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeScoreCity, b, asynq.Queue(QueueScore), asynq.MaxRetry(5), asynq.Unique(time.Minute), asynq.Timeout(10*time.Minute)), nil
}

// ScoreCallsPayload names the calls to score.
type ScoreCallsPayload struct {
	CallIDs []int64 `json:"call_ids"`
}

// NewScoreCallsTask returns the task that scores calls against every city;
// crawls enqueue it for the calls they found new or changed. opts are added
// to its own.
func NewScoreCallsTask(ids []int64, opts ...asynq.Option) (*asynq.Task, error) {
	b, err := json.Marshal(ScoreCallsPayload{CallIDs: ids})
	if err != nil {
		return nil, err
	}
	opts = append([]asynq.Option{asynq.Queue(QueueScore), asynq.MaxRetry(5), asynq.Timeout(10 * time.Minute)}, opts...)
	return asynq.NewTask(TypeScoreCalls, b, opts...), nil
}

// RelayScoring queues the scoring work that crawls left in PostgreSQL's
// outbox (store.RelayScoring) and returns how many entries it queued. Each
// task's ID is made of its entry's, and kept a day after it ran, so an
// entry relayed twice (a commit lost after the enqueue) is scored once.
// Crawls relay as they end; the scheduler at every tick and the worker
// as it starts, for what waited while Redis was away.
func RelayScoring(ctx context.Context, st *store.Store, client *asynq.Client) (int, error) {
	return st.RelayScoring(ctx, func(w store.ScoringWork) error {
		t, err := NewScoreCallsTask(w.CallIDs,
			asynq.TaskID(fmt.Sprintf("score:outbox:%d:%d", w.ID, w.CreatedAt.UnixNano())),
			asynq.Retention(24*time.Hour))
		if err != nil {
			return err
		}
		_, err = client.EnqueueContext(ctx, t)
		if errors.Is(err, asynq.ErrTaskIDConflict) {
			return nil // queued by an earlier relay
		}
		return err
	})
}

// sweepSlot is the granularity of the sweeps that follow scoring.
const sweepSlot = 10 * time.Second

// NewNotifySweepTask returns the alert sweep that follows a scoring task
// ending at now: due at the end of now's 10-second slot, with an ID per
// slot, so the scoring tasks that end within one slot make one sweep, which
// starts after all of them, and one that ends while a sweep runs makes the
// next.
func NewNotifySweepTask(now time.Time) *asynq.Task {
	slot := now.Truncate(sweepSlot).Add(sweepSlot)
	return asynq.NewTask(TypeNotifySweep, nil,
		asynq.Queue(QueueNotify),
		asynq.TaskID(fmt.Sprintf("%s:%d", TypeNotifySweep, slot.Unix())),
		asynq.ProcessAt(slot),
		asynq.MaxRetry(3),
		asynq.Timeout(5*time.Minute),
	)
}

// CrawlPayload names the source to crawl and the schedule slot the run is for.
type CrawlPayload struct {
	Source string    `json:"source"`
	Slot   time.Time `json:"slot"`
}

// NewCrawlTask returns the task that crawls source for one schedule slot. Its
// ID is unique per source and slot, and it is retained after it completes,
// so enqueueing the same slot twice (two schedulers) is refused by Redis.
func NewCrawlTask(source string, slot time.Time) (*asynq.Task, error) {
	b, err := json.Marshal(CrawlPayload{Source: source, Slot: slot.UTC()})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeCrawlSource, b,
		asynq.Queue(QueueCrawl),
		asynq.TaskID(fmt.Sprintf("crawl:%s:%d", source, slot.Unix())),
		asynq.Retention(24*time.Hour),
		asynq.MaxRetry(3),
		asynq.Timeout(30*time.Minute),
	), nil
}

// RedisOpt turns a redis:// or rediss:// URL into asynq's connection options.
func RedisOpt(rawURL string) (asynq.RedisClientOpt, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return asynq.RedisClientOpt{}, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	opt := asynq.RedisClientOpt{Addr: u.Host}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return asynq.RedisClientOpt{}, fmt.Errorf("REDIS_URL: the database must be a number, got %q", p)
		}
		opt.DB = n
	}
	if u.Scheme == "rediss" {
		opt.TLSConfig = tlsConfig(u.Hostname())
	}
	return opt, nil
}

// QuietRedisLogs sends the Redis client's own log lines (connection retries,
// printed straight to stderr by default) to logger at debug level, so that a
// dead Redis shows as one clear error instead of a burst of pool messages.
func QuietRedisLogs(logger *slog.Logger) {
	redis.SetLogger(redisLogger{logger})
}

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "redis")
}

// PingRedis checks that Redis answers.
func PingRedis(ctx context.Context, opt asynq.RedisClientOpt) error {
	c := opt.MakeRedisClient().(redis.UniversalClient)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("cannot reach Redis at %s: %w", opt.Addr, err)
	}
	return nil
}

func tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}
