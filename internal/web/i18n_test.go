package web

import (
	"io/fs"
	"regexp"
	"testing"
)

func TestEveryTemplateTextIsTranslated(t *testing.T) {
	key := regexp.MustCompile(`call \$?\.T "([a-z_]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range []string{"nl", "en"} {
				if _, ok := messages[lang][m[1]]; !ok {
					t.Errorf("%s: %q has no %s text", f, m[1], lang)
				}
			}
		}
	}
	for _, lang := range []string{"nl", "en"} {
		for _, k := range []string{"interested", "not_relevant", "applying", "submitted", "won", "lost",
			"eligible", "ineligible", "unknown", "open", "forthcoming", "closed", "proposed", "accepted", "rejected",
			"pending", "confirmed", "declined", "lead", "partner", "officer", "coordinator", "government", "admin"} {
			if _, ok := messages[lang][k]; !ok {
				t.Errorf("the status %q has no %s text", k, lang)
			}
		}
	}
}
