package database_test

import (
	"context"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestThreeReplicasMigratingAtOnceApplyEachMigrationOnce(t *testing.T) {
	ctx := context.Background()
	url := testdb.EmptyURL(t)
	type result struct {
		n   int
		err error
	}
	results := make(chan result, 3)
	for range 3 { // three replicas, three connection pools
		go func() {
			db, err := database.Open(ctx, url)
			if err != nil {
				results <- result{err: err}
				return
			}
			defer db.Close()
			n, err := database.Migrate(ctx, db, nil)
			results <- result{n, err}
		}()
	}
	total := 0
	for range 3 {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		total += r.n
	}
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := database.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if !m.Applied {
			t.Fatalf("migration %s is pending", m.Name)
		}
	}
	if total != len(st) {
		t.Fatalf("the replicas applied %d migrations in all, want each of the %d once", total, len(st))
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
