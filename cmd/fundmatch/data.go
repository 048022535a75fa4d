package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"github.com/hibiken/asynq"

	"github.com/fundmatch/fundmatch/internal/config"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/imports"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/tasks"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := e.flags("migrate", "[status]", "Apply every pending migration (several replicas may run this at once: an\nadvisory lock makes them take turns), or with 'status' list the migrations.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != "status") {
		return usageError{msg: "want 'migrate' or 'migrate status'"}
	}
	_, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.Arg(0) == "status" {
		st, err := database.Status(ctx, db)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tFILE\tAPPLIED")
		for _, m := range st {
			applied := "pending"
			if m.Applied {
				applied = m.AppliedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, applied)
		}
		return tw.Flush()
	}
	n, err := database.Migrate(ctx, db, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d migration(s) applied; the database is up to date\n", n)
	return nil
}

func runSeed(ctx context.Context, e *env, args []string) error {
	fs := e.flags("seed", "", "Load every Flemish municipality (285 since the 2025 mergers, from official lists),\nthe 13 centre cities and the VGC with a starting profile each, the City of Things\nprojects the published sources document, and a derived starter profile for every\nother municipality. Running it again changes nothing, and never overwrites a\nprofile an officer has edited. A newer official list loads with\n'fundmatch import municipalities FILE'.\n\nWhile no admin can sign in, it also makes the first one: from ADMIN_EMAIL and\nADMIN_PASSWORD, or admin@localhost with a one-time sign-in link it prints.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "seed takes no arguments"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := seed.Run(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded: %d cities (%d changed), %d municipalities (%d changed), %d profiles (%d new), %d projects (%d changed), %d derived profiles written\n",
		res.Cities.Rows, res.Cities.Changed, res.Municipalities.Rows, res.Municipalities.Changed, res.Profiles.Rows, res.Profiles.Changed,
		res.Projects.Rows, res.Projects.Changed, res.Derived)
	return e.ensureFirstAdmin(ctx, st)
}

func runCities(ctx context.Context, e *env, args []string) error {
	fs := e.flags("cities", "[--json]", "List the cities and municipalities fundmatch knows.")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "cities takes no arguments"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	cities, err := st.Cities(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cities)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNIS\tNAME\tPROVINCE\tKIND")
	for _, c := range cities {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Slug, c.NISCode, c.NameNL, c.Province, c.Kind)
	}
	return tw.Flush()
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := e.flags("import", "cities|municipalities|projects|profiles|cordis|kohesio|keep FILE", "Load more municipalities (CSV), a newer official list of the Flemish municipalities\n(CSV, the shape of internal/seed/municipalities.csv; municipalities without a\nprofile get a derived one), past projects (CSV) or city profiles (JSON). A file\nloads in one transaction: a bad row rejects the whole file, naming its line, column\nand reason. The formats are in README.md; examples/ has a file of each.\n\nOr import EU history: a CORDIS project dump (zip or directory), a Kohesio CSV export,\nor a keep.eu XLSX export or project JSON. Progress goes to stderr; uncertain\nparticipants go to the review list ('fundmatch review list').")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{msg: "want: import cities|municipalities|projects|profiles|cordis|kohesio|keep FILE"}
	}
	kind, path := fs.Arg(0), fs.Arg(1)
	if kind == "cordis" || kind == "kohesio" || kind == "keep" {
		return runHistoryImport(ctx, e, kind, path)
	}
	if kind != "cities" && kind != "municipalities" && kind != "projects" && kind != "profiles" {
		return usageError{msg: fmt.Sprintf("cannot import %q; want cities, municipalities, projects, profiles, cordis, kohesio or keep", kind)}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var res imports.Result
	switch kind {
	case "cities":
		res, err = imports.Cities(ctx, st, path, f)
	case "municipalities":
		res, err = imports.Municipalities(ctx, st, path, f)
		if err == nil {
			var n int
			n, err = seed.DeriveProfiles(ctx, st)
			res.Changed += n
		}
	case "projects":
		res, err = imports.Projects(ctx, st, path, f, "import")
	case "profiles":
		res, err = imports.Profiles(ctx, st, path, f, imports.ProfileOptions{})
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s: %d rows read, %d added or changed\n", path, res.Rows, res.Changed)
	if res.Changed > 0 && kind != "cities" {
		e.queueRescore(ctx)
	}
	return nil
}

// queueRescore asks the worker to rescore every city after their profiles
// or history changed; without Redis it tells the user how to do it by hand.
func (e *env) queueRescore(ctx context.Context) {
	opt, err := tasks.RedisOpt(e.cfg.RedisURL)
	if err == nil {
		err = tasks.PingRedis(ctx, opt)
	}
	if err == nil {
		client := asynq.NewClient(opt)
		defer client.Close()
		_, err = client.EnqueueContext(ctx, tasks.NewScoreAllTask())
		if errors.Is(err, asynq.ErrDuplicateTask) {
			err = nil
		}
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "note: the matches could not be queued for rescoring (is Redis running?); run 'fundmatch score'")
		return
	}
	fmt.Fprintln(e.stdout, "the matches will be rescored by the worker")
}

func runConfig(_ context.Context, e *env, args []string) error {
	fs := e.flags("config", "", "Print the effective configuration: every environment variable fundmatch reads, its\nvalue (secrets masked) and whether it was set or defaulted.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return config.Print(e.stdout, e.getenv)
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := e.flags("version", "", "Print the version and build information.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "fundmatch %s\n", version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(e.stdout, "go: %s\n", bi.GoVersion)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision", "vcs.time", "vcs.modified", "GOOS", "GOARCH", "CGO_ENABLED":
				fmt.Fprintf(e.stdout, "%s: %s\n", s.Key, s.Value)
			}
		}
	}
	return nil
}
