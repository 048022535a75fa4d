package database_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/testdb"
	"github.com/jmoiron/sqlx"
)

// watch returns a new database and a Changes listening to it.
func watch(t *testing.T) (*sqlx.DB, *database.Changes) {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t)
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ch := database.WatchChanges(ctx, url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { ch.Close() })
	testdb.Eventually(t, "listening", func() bool { _, ok := ch.Version(); return ok })
	return db, ch
}

func TestChangesFollowTablesAndCities(t *testing.T) {
	db, ch := watch(t)
	version := func(tables ...string) uint64 {
		v, ok := ch.Version(tables...)
		if !ok {
			t.Fatal("not listening")
		}
		return v
	}
	// Versions start from the listener's epoch, not from 0: wait for a
	// change against them.
	calls0, cities0 := version("calls"), version("cities")

	_, err := db.Exec(`
INSERT INTO crawl_sources (name, kind) VALUES ('ftportal', 'ftportal');
INSERT INTO cities (slug, nis_code, name_nl, province, kind) VALUES ('a', '90001', 'A', 'Antwerpen', 'municipality'), ('b', '90002', 'B', 'Antwerpen', 'municipality');
INSERT INTO calls (source, identifier, kind, title, status, content_hash) VALUES ('ftportal', 'C1', 'topic', 'T', 'open', 'h');`)
	if err != nil {
		t.Fatal(err)
	}
	var a, b, call int64
	db.Get(&a, `SELECT id FROM cities WHERE slug = 'a'`)
	db.Get(&b, `SELECT id FROM cities WHERE slug = 'b'`)
	db.Get(&call, `SELECT id FROM calls`)
	testdb.Eventually(t, "calls and cities noticed", func() bool { return version("calls") != calls0 && version("cities") != cities0 })

	// A mark in city a changes a's version only: not b's, not the table's.
	calls, interests, bBefore, aBefore := version("calls"), version("call_interests"), ch.CityVersion(b), ch.CityVersion(a)
	if _, err := db.Exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($1, $2, 'interested', now())`, a, call); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "city a's mark noticed", func() bool { return ch.CityVersion(a) != aBefore })
	if ch.CityVersion(b) != bBefore || version("call_interests") != interests || version("calls") != calls {
		t.Fatal("a mark in city a changed more than city a")
	}
	// Marks of both cities in one statement change both; matches (written
	// in batches by scoring) change the table's version.
	bBefore, aBefore = ch.CityVersion(b), ch.CityVersion(a)
	if _, err := db.Exec(`INSERT INTO call_interests (city_id, call_id, status, updated_at) VALUES ($2, $1, 'applying', now()), ($3, $1, 'applying', now())
		ON CONFLICT (city_id, call_id) DO UPDATE SET status = EXCLUDED.status`, call, a, b); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "both cities' marks noticed", func() bool { return ch.CityVersion(a) != aBefore && ch.CityVersion(b) != bBefore })
	matches := version("matches")
	if _, err := db.Exec(`INSERT INTO matches (call_id, city_id, score, eligibility, model_version, input_hash, deadlines) VALUES ($1, $2, 50, 'unknown', 't', 'x', '{}'), ($1, $3, 60, 'unknown', 't', 'x', '{}')`, call, a, b); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "matches noticed", func() bool { return version("matches") != matches })
	// Clearing a table changes the table's version.
	matches = version("matches")
	if _, err := db.Exec(`TRUNCATE matches`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "truncate noticed", func() bool { return version("matches") != matches })
	// A rolled-back change notifies nobody. Notifications arrive in commit
	// order, so once a later commit's is in, one of the rollback would be too.
	calls, cities := version("calls"), version("cities")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE calls SET title = 'rolled back'`); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if _, err := db.Exec(`UPDATE cities SET name_nl = name_nl`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "the later commit noticed", func() bool { return version("cities") != cities })
	if version("calls") != calls {
		t.Fatal("a rolled-back change of calls was notified")
	}
	if _, err := db.Exec(`UPDATE calls SET title = 'U'`); err != nil {
		t.Fatal(err)
	}
	testdb.Eventually(t, "update noticed", func() bool { return version("calls") == calls+1 })
	if _, ok := ch.Version("no_such_table"); ok {
		t.Fatal("an unwatched table may be cached")
	}
}

// TestChangesAfterALostConnection kills the listener's connection: what
// was read before must not count as current once it listens again, since
// notifications sent meanwhile are lost.
func TestChangesAfterALostConnection(t *testing.T) {
	db, ch := watch(t)
	before, _ := ch.Version("calls")
	var killed bool
	err := db.Get(&killed, `SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)
	if err != nil || !killed {
		t.Fatalf("kill the listener: %v (killed %v)", err, killed)
	}
	testdb.Eventually(t, "listening again with a new version", func() bool {
		v, ok := ch.Version("calls")
		return ok && v != before
	})
	if err := ch.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := ch.Version("calls"); ok {
		t.Fatal("a closed listener still allows caching")
	}
}
