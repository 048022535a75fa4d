package cpuprobe_test

import (
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/cpuprobe"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// TestSinceCountsOwnAndPostgresWork burns CPU here and in a PostgreSQL
// backend and checks that each shows up on its own side.
func TestSinceCountsOwnAndPostgresWork(t *testing.T) {
	db := testdb.New(t)
	before := cpuprobe.Take()
	if !before.Postgres() {
		t.Skip("PostgreSQL's processes are not visible here (another machine or container)")
	}
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM generate_series(1, 1000000) g WHERE md5(g::text) LIKE 'a%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	_, pg, ok := before.Since()
	if !ok {
		t.Fatal("PostgreSQL's CPU time could not be read")
	}
	if pg < 100*time.Millisecond {
		t.Errorf("PostgreSQL used %s for a million md5s, want more than 100 ms", pg)
	}
	before = cpuprobe.Take()
	for spin := time.Now(); time.Since(spin) < 300*time.Millisecond; {
	}
	self, _, _ := before.Since()
	if self < 200*time.Millisecond {
		t.Errorf("this process used %s spinning 300 ms, want more than 200 ms", self)
	}
}
