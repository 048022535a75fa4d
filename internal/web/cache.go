package web

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sync/singleflight"
)

// Changes tells the server when the data behind what it caches changed:
// Version differs after every change of the tables named (for interest
// marks: of many cities at once), and reports false while changes could go
// unnoticed (then nothing is cached).
// database.Changes implements it.
type Changes interface {
	Version(tables ...string) (uint64, bool)
	// CityVersion differs after every change of one city's interest marks.
	CityVersion(cityID int64) uint64
}

// The tables each cache reads from.
var (
	answerTables = []string{"calls", "matches", "call_interests", "cities"}
	grantTables  = []string{"users", "user_cities", "api_tokens", "sessions", "cities"}
	cityTables   = []string{"cities"}
)

// versionedCache keeps values read from the database, each with the
// version of the data it was read from; a value is used only while that
// version is current. Its size is bounded by cost.
type versionedCache[V any] struct {
	mu      sync.Mutex
	entries map[string]versioned[V]
	size    int
	max     int
	cost    func(key string, v V) int
	loading singleflight.Group // keys being loaded
}

type versioned[V any] struct {
	version uint64
	v       V
}

func newVersionedCache[V any](max int, cost func(string, V) int) *versionedCache[V] {
	return &versionedCache[V]{entries: map[string]versioned[V]{}, max: max, cost: cost}
}

// get returns the value of key cached at version.
func (c *versionedCache[V]) get(version uint64, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.version != version {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put caches v for key at version, the version read before v was read. It
// never replaces a value of a newer version.
func (c *versionedCache[V]) put(version uint64, key string, v V) {
	n := c.cost(key, v)
	if n > c.max/16 {
		return // one value may not crowd out the rest
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		if old.version > version {
			return
		}
		c.size -= c.cost(key, old.v)
		delete(c.entries, key)
	}
	// Over budget: drop arbitrary entries (map order) until v fits; stale
	// ones go this way too.
	for k, old := range c.entries {
		if c.size+n <= c.max {
			break
		}
		delete(c.entries, k)
		c.size -= c.cost(k, old.v)
	}
	c.entries[key] = versioned[V]{version, v}
	c.size += n
}

// through returns the value of key kept at version, or loads it, once for
// all the requests that miss it at the same time, and keeps it. The load
// runs to its end even if the request that started it goes away: others
// may be waiting for it. Without a version (cacheable false) it just loads.
func (c *versionedCache[V]) through(ctx context.Context, version uint64, cacheable bool, key string,
	load func(context.Context) (V, error)) (v V, hit bool, err error) {
	if !cacheable {
		v, err = load(ctx)
		return v, false, err
	}
	if v, ok := c.get(version, key); ok {
		return v, true, nil
	}
	shared, err, _ := c.loading.Do(key+"\x00"+strconv.FormatUint(version, 10), func() (any, error) {
		v, err := load(context.WithoutCancel(ctx))
		if err == nil {
			c.put(version, key, v)
		}
		return v, err
	})
	if err != nil {
		return v, false, err
	}
	return shared.(V), false, nil
}

// answer is a JSON answer as it goes out: body and the headers that vary.
type answer struct {
	body []byte
	link string
	etag string
}

func answerCost(key string, a *answer) int { return len(key) + len(a.body) + len(a.link) + len(a.etag) }

// newAnswer makes an answer of a JSON body, with a strong ETag of it: its
// xxHash and length. A validator needs no cryptographic hash (a client
// only ever sends back what it was sent), and SHA-256 of a page of
// matches was 6 % of the API benchmark process's CPU (server and clients).
func newAnswer(body []byte, link string) *answer {
	var sum [16]byte
	binary.LittleEndian.PutUint64(sum[:8], xxhash.Sum64(body))
	binary.LittleEndian.PutUint64(sum[8:], uint64(len(body)))
	return &answer{body: body, link: link, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`}
}

// cacheStatus names how an answer was had, for its X-Cache header: bypass
// when the data cannot be versioned, hit when kept, miss when loaded.
func cacheStatus(cacheable, hit bool) string {
	switch {
	case !cacheable:
		return "bypass"
	case hit:
		return "hit"
	}
	return "miss"
}

// write sends a, or 304 Not Modified when the client holds it already.
// The answer depends on who may see it, so it is private to the client and
// revalidated on every use.
func (a *answer) write(w http.ResponseWriter, r *http.Request, status string) {
	h := w.Header()
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", a.etag)
	if status != "" {
		h.Set("X-Cache", status)
	}
	if a.link != "" {
		h.Set("Link", a.link)
	}
	if etagMatches(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	// With its length known the body goes out in one piece, not in chunks.
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	w.Write(a.body)
}

// etagMatches reports whether an If-None-Match header lists etag (or *).
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
