package htmlsource_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"time"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/crawlers/htmlsource"
)

// A dry run of the shipped Interreg Vlaanderen-Nederland source against a
// copy of its pages, as `fundmatch crawl interreg-vlnl --dry-run` would do.
func ExampleDryRun() {
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("testdata", "sites", "interreg-vlnl"))))
	defer srv.Close()

	sources, err := htmlsource.Sources()
	if err != nil {
		panic(err)
	}
	var cfg htmlsource.Config
	for _, s := range sources {
		if s.Name == "interreg-vlnl" {
			cfg = s
		}
	}
	cfg.ListURLs = []string{srv.URL + "/oproepen"} // the integrator's override

	res, err := htmlsource.DryRun(context.Background(), cfg,
		fetch.Options{AllowPrivateNetworks: true, Delay: time.Millisecond, Logger: slog.New(slog.DiscardHandler)},
		htmlsource.Options{Now: func() time.Time { return time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		panic(err)
	}
	for _, c := range res.Calls {
		fmt.Printf("%s: %s, closes %s, € %.1f M at %.0f%%\n",
			c.Identifier, c.Status, c.Deadlines[0].Format(time.DateOnly), *c.CallBudget/1e6, *c.FundingRate)
	}
	fmt.Println("partial:", res.Partial)
	// Output:
	// tweede-oproep-2022: open, closes 2023-02-09, € 49.5 M at 50%
	// eerste-oproep-2022: closed, closes 2022-03-31, € 69.0 M at 50%
	// partial: false
}
