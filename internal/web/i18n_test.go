package web

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/fundmatch/fundmatch/i18n"
)

func TestEveryTemplateTextIsTranslated(t *testing.T) {
	key := regexp.MustCompile(`call \$?\.T "([a-z_]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if !i18n.Has(m[1]) {
				t.Errorf("%s: %q is not in the catalogue", f, m[1])
			}
			found++
		}
	}
	if found < 100 {
		t.Errorf("found only %d texts in the templates; the scan is broken", found)
	}
	for _, k := range []string{"interested", "not_relevant", "applying", "submitted", "won", "lost",
		"eligible", "ineligible", "unknown", "open", "forthcoming", "closed", "proposed", "accepted", "rejected",
		"pending", "confirmed", "declined", "lead", "partner", "officer", "coordinator", "government", "admin",
		"run_running", "run_ok", "run_partial", "run_failed"} {
		if !i18n.Has(k) {
			t.Errorf("the status %q is not in the catalogue", k)
		}
	}
}
