package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestImportMunicipalitiesFromTheCommandLine(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "REDIS_URL": "redis://127.0.0.1:1/0"}
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	bad := filepath.Join(t.TempDir(), "refnis.csv")
	writeFile(t, bad, "nis_code,name_nl,name_fr,province,arrondissement,nuts3,postcodes,population,population_year\n11001,Aartselaar,Aartselaar,Antwerpen,Antwerpen,BE211,2630,14999,2024\n")
	if code, _, stderr := fundmatch(ctx, env, "import", "municipalities", bad); code != 1 || !strings.Contains(stderr, "line 1, column year: required column is missing") {
		t.Fatalf("a file without the year exited %d: %s", code, stderr)
	}
	code, stdout, stderr := fundmatch(ctx, env, "import", "municipalities", "../../internal/seed/municipalities.csv")
	if code != 0 || !strings.Contains(stdout, "285 rows read, 0 added or changed") {
		t.Fatalf("importing the seeded list again exited %d: %s%s", code, stdout, stderr)
	}
}
