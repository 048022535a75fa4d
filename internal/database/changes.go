package database

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// ChangesChannel is the channel the triggers of migration 00070 notify,
// once per transaction and table, with the table's name as payload.
const ChangesChannel = "fundmatch_data_changed"

// WatchedTables are the tables whose changes are notified.
var WatchedTables = []string{"calls", "matches", "call_interests", "cities", "users", "user_cities", "api_tokens", "sessions"}

// Changes follows the notifications PostgreSQL sends when data a web server
// may have cached changes. It is the invalidation signal of those caches:
// Version changes with every change of the tables asked for, and reports
// false whenever a change could go unnoticed (not yet listening, or the
// connection was lost).
type Changes struct {
	epoch    atomic.Uint64 // (re)connections, and notifications of unknown tables
	tables   map[string]*atomic.Uint64
	cities   sync.Map // city ID -> *atomic.Uint64: changes of one city's interest marks
	live     atomic.Bool
	listener *pq.Listener
	logger   *slog.Logger
	done     chan struct{}
}

// WatchChanges listens for data changes on a connection of its own until
// ctx ends or Close is called, reconnecting after a loss.
func WatchChanges(ctx context.Context, rawURL string, logger *slog.Logger) *Changes {
	c := &Changes{logger: logger, done: make(chan struct{}), tables: map[string]*atomic.Uint64{}}
	for _, t := range WatchedTables {
		c.tables[t] = new(atomic.Uint64)
	}
	c.listener = pq.NewListener(rawURL, 100*time.Millisecond, 10*time.Second, c.event)
	go c.run(ctx)
	return c
}

// Version returns a number that differs after every change of tables, and
// false when nothing read from them may be cached: until the listener
// listens, from the loss of its connection until it listens again, and for
// a table that is not watched.
func (c *Changes) Version(tables ...string) (uint64, bool) {
	if !c.live.Load() {
		return 0, false
	}
	// Every count only grows, so the sum changes with any of them.
	v := c.epoch.Load()
	for _, t := range tables {
		n, ok := c.tables[t]
		if !ok {
			return 0, false
		}
		v += n.Load()
	}
	return v, true
}

// Close stops listening.
func (c *Changes) Close() error {
	c.live.Store(false)
	err := c.listener.Close()
	<-c.done
	return err
}

// CityVersion returns a number that differs after every change of one
// city's interest marks. Marks of more than 500 cities at once count in
// Version("call_interests") instead.
func (c *Changes) CityVersion(cityID int64) uint64 {
	if n, ok := c.cities.Load(cityID); ok {
		return n.(*atomic.Uint64).Load()
	}
	return 0
}

// notified counts a notification: "table" or "table 12,31" (city IDs).
func (c *Changes) notified(payload string) {
	table, ids, _ := strings.Cut(payload, " ")
	n, ok := c.tables[table]
	if !ok {
		c.epoch.Add(1)
		return
	}
	if ids == "" {
		n.Add(1)
		return
	}
	for s := range strings.SplitSeq(ids, ",") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			c.epoch.Add(1) // not ours: safest is to forget everything
			return
		}
		v, _ := c.cities.LoadOrStore(id, new(atomic.Uint64))
		v.(*atomic.Uint64).Add(1)
	}
}

func (c *Changes) event(ev pq.ListenerEventType, err error) {
	switch ev {
	case pq.ListenerEventDisconnected:
		// Notifications sent from now on are lost: stop caching until the
		// listener is back, then start from a new version.
		c.live.Store(false)
		c.epoch.Add(1)
		c.logger.Warn("change listener lost its connection; caching paused", "err", Explain(err))
	case pq.ListenerEventConnectionAttemptFailed:
		c.logger.Warn("change listener cannot reconnect", "err", Explain(err))
	}
}

func (c *Changes) run(ctx context.Context) {
	defer close(c.done)
	listening := make(chan error, 1)
	go func() { listening <- c.listener.Listen(ChangesChannel) }()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			c.live.Store(false)
			c.listener.Close()
			return
		case err := <-listening:
			if err != nil {
				c.logger.Error("change listener cannot listen; caching stays off", "err", Explain(err))
				continue
			}
			c.epoch.Add(1)
			c.live.Store(true)
		case n, ok := <-c.listener.Notify:
			switch {
			case !ok:
				return // closed
			case n == nil:
				// Sent after a reconnection, once the channel is listened
				// to again: whatever changed meanwhile is covered by the
				// new epoch.
				c.epoch.Add(1)
				c.live.Store(true)
			default:
				c.notified(n.Extra)
			}
		case <-ping.C:
			// A dead connection is noticed on the next use: use it now
			// and then, so an idle listener notices too.
			go c.listener.Ping()
		}
	}
}
