package seed

import (
	"encoding/json"
	"time"

	"github.com/fundmatch/fundmatch/internal/history"
	"github.com/fundmatch/fundmatch/internal/store"
)

// historySources are the scheduled downloads of EU history, checked monthly
// with a conditional GET (an unchanged file is not downloaded again): the
// CORDIS dumps of Horizon Europe, Horizon 2020 and FP7, and Kohesio's
// Belgian exports of both periods. keep.eu publishes no bulk file, so its
// source is seeded disabled, for an admin to point at an export and enable.
var historySources = []struct {
	name, kind, title, url string
	enabled                bool
}{
	{"cordis-horizon", "cordis", "CORDIS Horizon Europe projects", history.DefaultCORDISURL, true},
	{"cordis-h2020", "cordis", "CORDIS Horizon 2020 projects", "https://cordis.europa.eu/data/cordis-h2020projects-csv.zip", true},
	{"cordis-fp7", "cordis", "CORDIS FP7 projects", "https://cordis.europa.eu/data/cordis-fp7projects-csv.zip", true},
	{"kohesio-be-2021-2027", "kohesio", "Kohesio Belgium 2021-2027", history.DefaultKohesioURL, true},
	{"kohesio-be-2014-2020", "kohesio", "Kohesio Belgium 2014-2020",
		"https://kohesio.ec.europa.eu/api/data/object?id=data/projects-2014-2020/latest/BE-pp14-20-latest.csv", true},
	{"keep", "keep", "keep.eu Interreg projects (set config url to an export)", "", false},
}

// historySchedule is how often the history sources are checked.
const historySchedule = 30 * 24 * time.Hour

// historyCrawlSources are historySources as crawl sources.
func historyCrawlSources() ([]store.CrawlSource, error) {
	out := make([]store.CrawlSource, 0, len(historySources))
	for _, s := range historySources {
		cfg := json.RawMessage(`{}`)
		if s.url != "" {
			b, err := json.Marshal(history.SourceConfig{URL: s.url})
			if err != nil {
				return nil, err
			}
			cfg = b
		}
		out = append(out, store.CrawlSource{Name: s.name, Kind: s.kind, Title: s.title, Config: cfg,
			Enabled: s.enabled, Schedule: historySchedule})
	}
	return out, nil
}
