package cpuprobe_test

import (
	"database/sql"
	"os"
	"runtime"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/cpuprobe"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// TestSinceCountsOwnAndPostgresWork burns CPU here and in a PostgreSQL
// backend and checks that each shows up on its own side.
func TestSinceCountsOwnAndPostgresWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	db, err := sql.Open("postgres", testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
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
	spin := time.Now()
	x := 0
	for time.Since(spin) < 300*time.Millisecond {
		x++
	}
	self, _, _ := before.Since()
	if self < 200*time.Millisecond {
		t.Errorf("this process used %s spinning 300 ms, want more than 200 ms", self)
	}
	_ = x
}
