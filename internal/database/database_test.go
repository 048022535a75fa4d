package database_test

import (
	"context"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestMigrationsAreUpToDateAndConcurrentMigrateIsSafe(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t) // migrated from the template
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			n, err := database.Migrate(ctx, db, nil)
			if err == nil && n != 0 {
				t.Errorf("a migrated database got %d more migrations", n)
			}
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, err := database.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if !m.Applied {
			t.Fatalf("migration %s is pending", m.Name)
		}
	}
	if len(st) < 3 {
		t.Fatalf("%d migrations, want at least 3", len(st))
	}
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	db := testdb.New(t)
	q := `INSERT INTO crawl_sources (name, kind) VALUES ('ftportal', 'ftportal')`
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(q)
	if c, ok := database.IsUniqueViolation(err); !ok || c != "crawl_sources_pkey" {
		t.Fatalf("IsUniqueViolation(%v) = %q, %v", err, c, ok)
	}
}
