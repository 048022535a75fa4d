package imports_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/imports"
)

// TestImportRefusesOverLongColumns: a 5 MB city name or a NUL in a column
// is refused with its line, and nothing of the file is stored.
func TestImportRefusesOverLongColumns(t *testing.T) {
	for name, row := range map[string]string{
		"5 MB city name": "ieper,33011," + strings.Repeat("Ieper", 1_000_000) + ",West-Vlaanderen,Ieper,35000,municipality,8900\n",
		"NUL in a name":  "ieper,33011,Ie\x00per,West-Vlaanderen,Ieper,35000,municipality,8900\n",
	} {
		t.Run(name, func(t *testing.T) {
			st := seeded(t)
			_, err := imports.Cities(context.Background(), st, "more.csv", strings.NewReader(goodCities+row))
			var re *imports.RowError
			if !errors.As(err, &re) || re.Line != 4 || !strings.Contains(re.Column+" "+re.Reason, "name_nl") {
				t.Fatalf("err = %v, want a RowError on line 4 about name_nl", err)
			}
			if len(re.Error()) > 1000 {
				t.Errorf("the error repeats the value: %d bytes", len(re.Error()))
			}
			if n := count(t, st, "cities"); n != 286 {
				t.Fatalf("%d cities after a refused import, want the 286 seeded ones", n)
			}
		})
	}
}
