// Package testdb gives tests real services: a fresh, migrated PostgreSQL
// database per call, dropped when the test ends, and a clean Redis database.
//
// The server is found through TEST_DATABASE_URL (default: the local trust-auth
// server) and TEST_REDIS_ADDR (default 127.0.0.1:6379). When a service is
// missing, tests are skipped with a message that says so, except under
// CI=true, where the test fails: CI never skips silently.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/migrations"
)

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// New returns a connection to a new database, migrated to the latest schema,
// that is dropped when tb ends.
func New(tb testing.TB) *database.DB {
	tb.Helper()
	db, err := database.Open(context.Background(), URL(tb))
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// URL creates a new migrated database and returns its connection URL; the
// database is dropped when tb ends (after its own cleanups, which close
// connections opened to it).
func URL(tb testing.TB) string {
	tb.Helper()
	admin := adminURL()
	tmpl, err := template(admin)
	if err != nil {
		unavailable(tb, "PostgreSQL", err)
	}
	return create(tb, admin, tmpl)
}

// EmptyURL creates a new database without any table, for tests of the
// migrations themselves, and returns its connection URL.
func EmptyURL(tb testing.TB) string {
	tb.Helper()
	return create(tb, adminURL(), "template0")
}

func create(tb testing.TB, admin, tmpl string) string {
	tb.Helper()
	name := "fundmatch_t_" + randomHex(6)
	adminDB, err := database.Open(context.Background(), admin)
	if err != nil {
		unavailable(tb, "PostgreSQL", err)
	}
	defer adminDB.Close()
	var createErr error
	for range 20 { // CREATE DATABASE fails while another session is connected to the template
		if _, createErr = adminDB.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); createErr == nil {
			break
		}
		if !strings.Contains(createErr.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if createErr != nil {
		tb.Fatalf("create test database: %v", createErr)
	}
	tb.Cleanup(func() {
		db, err := database.Open(context.Background(), admin)
		if err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultAdminURL
}

var templates sync.Map // admin URL -> template name, once per test process

// template returns the name of a database migrated to the current schema,
// creating it once. Its name carries a hash of the migration files, so a
// changed schema gets a new template; an advisory lock keeps concurrent test
// processes (one per package) from building it twice.
func template(admin string) (string, error) {
	if name, ok := templates.Load(admin); ok {
		return name.(string), nil
	}
	name := "fundmatch_tmpl_" + migrationsHash()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := database.Open(ctx, admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(724011)`); err != nil {
		return "", fmt.Errorf("lock template: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(724011)`)

	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			return "", err
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
			return "", fmt.Errorf("create template: %w", err)
		}
		tdb, err := database.Open(ctx, withDatabase(admin, name))
		if err != nil {
			return "", err
		}
		_, err = database.Migrate(ctx, tdb, nil)
		tdb.Close()
		if err != nil {
			return "", err
		}
		if _, err := conn.ExecContext(ctx, `UPDATE pg_database SET datistemplate = true WHERE datname = $1`, name); err != nil {
			return "", fmt.Errorf("mark template: %w", err)
		}
	}
	templates.Store(admin, name)
	return name, nil
}

func migrationsHash() string {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		panic(err) // the embedded files are always readable
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// unavailable skips the test when a service is missing, or fails it under CI.
func unavailable(tb testing.TB, service string, err error) {
	tb.Helper()
	msg := fmt.Sprintf("%s is not available for tests: %v (start it as described in README.md, or set TEST_DATABASE_URL / TEST_REDIS_ADDR)", service, err)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// Redis returns the address and number of a Redis database that no other
// test process is using, emptied, and released when tb ends.
func Redis(tb testing.TB) (addr string, db int) {
	tb.Helper()
	addr = os.Getenv("TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	ctx := context.Background()
	ctl := redis.NewClient(&redis.Options{Addr: addr, DB: 0})
	defer ctl.Close()
	if err := ctl.Ping(ctx).Err(); err != nil {
		unavailable(tb, "Redis", err)
	}
	owner := randomHex(8)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		for n := 1; n < 16; n++ {
			key := fmt.Sprintf("fundmatch:test:redis-db:%d", n)
			ok, err := ctl.SetNX(ctx, key, owner, 10*time.Minute).Result()
			if err != nil {
				tb.Fatalf("reserve a Redis database: %v", err)
			}
			if !ok {
				continue
			}
			c := redis.NewClient(&redis.Options{Addr: addr, DB: n})
			err = c.FlushDB(ctx).Err()
			c.Close()
			if err != nil {
				tb.Fatalf("empty Redis database %d: %v", n, err)
			}
			tb.Cleanup(func() {
				ctl := redis.NewClient(&redis.Options{Addr: addr, DB: 0})
				defer ctl.Close()
				if ctl.Get(ctx, key).Val() == owner {
					ctl.Del(ctx, key)
				}
			})
			return addr, n
		}
		if time.Now().After(deadline) {
			tb.Fatal("no free Redis database for tests within 2 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// RedisURL is Redis as a redis:// URL.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	addr, n := Redis(tb)
	return fmt.Sprintf("redis://%s/%d", addr, n)
}

// Eventually polls cond until it holds, failing tb after 10 s. It is for
// what happens asynchronously, such as PostgreSQL's notifications; the bound
// is generous and never a measured timing.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("after 10 s still not: %s", what)
		}
	}
}
