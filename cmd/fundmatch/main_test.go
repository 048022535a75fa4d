package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

// fundmatch runs the command line as a user would, with environ as the
// whole environment, and returns the exit code and both outputs.
func fundmatch(ctx context.Context, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return environ[k] }
	code = run(ctx, args, getenv, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMigrateSeedSeedLeavesEveryMunicipality(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	for _, args := range [][]string{{"migrate"}, {"seed"}, {"seed"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("fundmatch %v exited %d: %s", args, code, stderr)
		}
	}
	code, stdout, stderr := fundmatch(ctx, env, "cities", "--json")
	if code != 0 {
		t.Fatalf("cities --json exited %d: %s", code, stderr)
	}
	var cities []struct{ Slug, NISCode, Name, Province, Kind string }
	if err := json.Unmarshal([]byte(stdout), &cities); err != nil {
		t.Fatalf("cities --json is not a JSON array: %v", err)
	}
	if len(cities) != 286 {
		t.Fatalf("%d cities, want the 285 Flemish municipalities and the VGC", len(cities))
	}
	_, status, _ := fundmatch(ctx, env, "migrate", "status")
	if strings.Contains(status, "pending") || !strings.Contains(status, "00003_") {
		t.Fatalf("migrate status after migrate:\n%s", status)
	}
}

func TestFailuresAndMistakes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"UnreachableDatabaseNamesDATABASE_URL", map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/x"}, []string{"migrate"}, 1, "DATABASE_URL"},
		{"InvalidVariableNamesIt", map[string]string{"WORKER_CONCURRENCY": "lots"}, []string{"cities"}, 1, "WORKER_CONCURRENCY is invalid"},
		{"UnknownCommand", nil, []string{"crawl-everything"}, 2, `unknown command "crawl-everything"`},
		{"UnknownFlag", nil, []string{"cities", "--yaml"}, 2, "flag provided but not defined: -yaml"},
		{"NoCommand", nil, nil, 2, "Usage:"},
		{"ImportWithoutFile", nil, []string{"import", "cities"}, 2, "want: import"},
		{"DeadRedisForTheWorker", map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"}, []string{"worker"}, 1, "REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := fundmatch(ctx, tt.env, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
			if tt.wantCode == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("a runtime failure must be one line, got:\n%s", stderr)
			}
		})
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		code, stdout, _ := fundmatch(context.Background(), nil, c.name, "--help")
		if code != 0 || !strings.Contains(stdout, "Usage: fundmatch "+c.name) {
			t.Errorf("%s --help exited %d with %q", c.name, code, stdout)
		}
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://app:hunter2@db:5432/fundmatch?sslmode=disable", "REDIS_URL": "redis://:redispw@redis:6379/0"}
	code, stdout, _ := fundmatch(context.Background(), env, "config")
	if code != 0 || strings.Contains(stdout, "hunter2") || strings.Contains(stdout, "redispw") || !strings.Contains(stdout, "db:5432") {
		t.Fatalf("config exited %d:\n%s", code, stdout)
	}
}

func TestImportExamplesAndABadRowLoadsNothing(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	writeFile(t, bad, "slug,nis_code,name_nl,province,kind,population\nlier,12021,Lier,Antwerpen,municipality,36900\nmol,13025,Mol,Antwerpen,gemeente,37000\n")
	code, _, stderr := fundmatch(ctx, env, "import", "cities", bad)
	if code != 1 || !strings.Contains(stderr, "line 3, column kind") {
		t.Fatalf("bad import exited %d: %s", code, stderr)
	}
	// Lier is seeded with its official population (38,747 on 1 January
	// 2026): the good row would have set it to 36,900.
	lierPopulation := func() int {
		t.Helper()
		_, stdout, _ := fundmatch(ctx, env, "cities", "--json")
		var cities []struct {
			Slug       string
			Population int
		}
		if err := json.Unmarshal([]byte(stdout), &cities); err != nil {
			t.Fatal(err)
		}
		for _, c := range cities {
			if c.Slug == "lier" {
				return c.Population
			}
		}
		t.Fatal("lier is not seeded")
		return 0
	}
	if got := lierPopulation(); got != 38747 {
		t.Fatalf("Lier has %d inhabitants: the good row before the bad one was loaded", got)
	}
	for _, args := range [][]string{
		{"import", "cities", "../../examples/municipalities.csv"},
		{"import", "projects", "../../examples/projects.csv"},
		{"import", "profiles", "../../examples/profiles.json"},
	} {
		if code, stdout, stderr := fundmatch(ctx, env, args...); code != 0 || !strings.Contains(stdout, "added or changed") {
			t.Fatalf("%v exited %d: %s%s", args, code, stdout, stderr)
		}
	}
	_, stdout, _ := fundmatch(ctx, env, "cities", "--json")
	var cities []json.RawMessage
	json.Unmarshal([]byte(stdout), &cities)
	if len(cities) != 286 || lierPopulation() != 36900 {
		t.Fatalf("%d cities after importing the examples, want the 286 seeded ones updated", len(cities))
	}
}

func TestAllIsReadyAndStopsCleanly(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "REDIS_URL": testdb.RedisURL(t), "HTTP_ADDR": freeAddr(t),
		"SHUTDOWN_TIMEOUT": "5s", "LOG_LEVEL": "warn",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var stderr string
	go func() {
		code, _, errOut := fundmatch(ctx, env, "all")
		stderr = errOut
		done <- code
	}()
	start := time.Now()
	for {
		resp, err := http.Get("http://" + env["HTTP_ADDR"] + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 20*time.Second {
			cancel()
			t.Fatalf("/readyz not 200 within 20 s: %v\n%s", err, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("ready after %v", time.Since(start).Round(time.Millisecond))
	cancel() // what SIGTERM does in main
	stop := time.Now()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("all exited %d: %s", code, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("all did not exit within 10 s of being stopped")
	}
	t.Logf("stopped after %v", time.Since(stop).Round(time.Millisecond))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
