package consortium_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/matching/consortium"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// The JSON of a call plan is what the CLI's --json prints and the web API
// serves; the golden file pins its field names and content.
func TestPlanCallJSONMatchesGolden(t *testing.T) {
	call, cands, history := mobilityCall()
	plan := consortium.PlanCall(call, cands, history, 3)
	got, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "plan_call.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("plan JSON (-want +got):\n%s", diff)
	}
}
