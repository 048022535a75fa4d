package matching

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestExplanationGolden pins the full explanation (JSON and both texts) of
// each test call for Gent, so wording changes are reviewed as diffs.
func TestExplanationGolden(t *testing.T) {
	m := newTestModel(t)
	q := m.Query(gentApplicant())
	for _, c := range testCalls() {
		t.Run(c.Identifier, func(t *testing.T) {
			e, err := m.Explain(c.Identifier, q, testNow)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(e, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "explain", c.Identifier+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("explanation differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}
