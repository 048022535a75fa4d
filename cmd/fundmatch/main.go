// Command fundmatch is the EU funding matcher and consortium builder for
// Flemish cities: one binary whose subcommands migrate and seed the
// database, import data, and run the web server, the worker and the
// scheduler. Run `fundmatch help` for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	_ "time/tzdata" // deadlines are Brussels dates, also in a minimal container

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/config"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/tasks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of fundmatch.
type command struct {
	name    string
	usage   string // arguments after the name, for the usage line
	summary string
	// needsConfig is false for commands that must work with a broken
	// environment (help, version).
	needsConfig bool
	run         func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{name: "migrate", usage: "[status]", summary: "apply the database migrations, or list them", needsConfig: true, run: runMigrate},
		{name: "seed", summary: "load the centre cities, their starting profiles and City of Things projects (idempotent)", needsConfig: true, run: runSeed},
		{name: "cities", usage: "[--json]", summary: "list the cities and municipalities", needsConfig: true, run: runCities},
		{name: "import", usage: "cities|projects|profiles|cordis|kohesio|keep FILE", summary: "load municipalities, past projects, profiles, or EU history (CORDIS, Kohesio, keep.eu)", needsConfig: true, run: runImport},
		{name: "review", usage: "list|confirm|reject", summary: "review uncertain participants of the EU history imports", needsConfig: true, run: runReview},
		{name: "crawl", usage: "SOURCE [--dry-run] | --list", summary: "crawl a source now with a progress bar, or list the sources and their last runs", needsConfig: true, run: runCrawl},
		{name: "sources", usage: "list|add|test|enable|disable ...", summary: "manage crawl sources: add an HTML source from a JSON configuration, test it, enable or disable it", needsConfig: true, run: runSources},
		{name: "calls", usage: "[--status S] [--programme P] [--json]", summary: "list the stored calls", needsConfig: true, run: runCalls},
		{name: "score", usage: "[--city SLUG]", summary: "rescore every call for every city now (or one city)", needsConfig: true, run: runScore},
		{name: "matches", usage: "--city SLUG [--limit N] [--include-ineligible] [--json]", summary: "a city's matched calls, best first, with the reasons", needsConfig: true, run: runMatches},
		{name: "explain", usage: "--city SLUG --call IDENTIFIER", summary: "explain the score of a call for a city, in Dutch or English", needsConfig: true, run: runExplain},
		{name: "subscriptions", usage: "add|list|remove ...", summary: "manage alert subscriptions (email or Slack)", needsConfig: true, run: runSubscriptions},
		{name: "mute", usage: "--user EMAIL --call IDENTIFIER", summary: "stop alerts about one call for a user", needsConfig: true, run: runMute},
		{name: "plan", usage: planUsage, summary: "propose joint bids for a call or a portfolio of calls: who bids together, who leads, what each brings", needsConfig: true, run: runPlan},
		{name: "plans", usage: "list|show|accept|reject|adjust|respond|worklist ...", summary: "work with stored consortium proposals: accept, adjust, reject, members' answers, the worklist", needsConfig: true, run: runPlans},
		{name: "users", usage: usersUsage, summary: "add, list, disable or enable users, revoke their sessions and tokens, rotate iCal URLs", needsConfig: true, run: runUsers},
		{name: "tokens", usage: "create --email E [--name N]", summary: "create an API token for a user (printed once)", needsConfig: true, run: runTokens},
		{name: "serve", summary: "run the web server and JSON API", needsConfig: true, run: runServe},
		{name: "worker", summary: "run the background worker (queues crawl, score, notify, default)", needsConfig: true, run: runWorker},
		{name: "scheduler", summary: "enqueue periodic work (crawls, maintenance, alert sweeps and digests)", needsConfig: true, run: runScheduler},
		{name: "all", summary: "run serve, worker and scheduler in one process", needsConfig: true, run: runAll},
		{name: "config", summary: "print the effective configuration, secrets masked", needsConfig: true, run: runConfig},
		{name: "version", summary: "print the version and build information", run: runVersion},
	}
}

// env is what every command gets: the configuration, the logger and the
// standard streams.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cfg    config.Config
	logger *slog.Logger
	usage  func(w io.Writer) // the usage of the running command, set by flags
}

// usageError is a mistake in how fundmatch was called: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		printUsage(stdout)
		return 0
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "fundmatch: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	if cmd.needsConfig && !wantsHelp(args[1:]) {
		cfg, err := config.Load(getenv)
		if err != nil {
			fmt.Fprintf(stderr, "fundmatch: %s\n", oneLine(err))
			return 1
		}
		e.cfg = cfg
		e.logger = newLogger(stderr, cfg)
	} else {
		e.logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	tasks.QuietRedisLogs(e.logger)
	err := cmd.run(ctx, e, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fundmatch %s: %s\n", name, ue.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "fundmatch %s: %s\n", name, oneLine(err))
		return 1
	}
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

// oneLine keeps a runtime failure to one sentence on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "fundmatch: EU funding opportunities and joint bids for Flemish cities and municipalities.\n\nUsage:\n  fundmatch COMMAND [flags] [arguments]\n\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.usage, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nRun 'fundmatch COMMAND --help' for a command's flags. Configuration comes from environment\nvariables; 'fundmatch config' shows them.\n")
}

// flags returns a flag set for a command; parse prints its usage.
func (e *env) flags(name, usage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parse prints the usage, to stdout or stderr as fits
	e.usage = func(w io.Writer) {
		fmt.Fprintf(w, "Usage: fundmatch %s %s\n\n%s\n", name, usage, summary)
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// flagSet reports whether the command line set the named flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// choice is a flag whose value is one of a typed set (a status, a role, a
// frequency), read with the set's Parse function: flag refuses anything else
// with the allowed values, e.g. `invalid value "boss" for flag -role: want
// officer, coordinator, government or admin`.
type choice[T ~string] struct {
	v     *T
	parse func(string) (T, error)
}

func (c choice[T]) String() string {
	if c.v == nil { // flag's zero Value, for PrintDefaults
		return ""
	}
	return string(*c.v)
}

func (c choice[T]) Set(s string) error {
	v, err := c.parse(s)
	if ve := (*funding.ValueError)(nil); errors.As(err, &ve) {
		return errors.New(ve.Want())
	}
	if err != nil {
		return err
	}
	*c.v = v
	return nil
}

// choiceFlag defines a flag of a typed set with its default value.
func choiceFlag[T ~string](fs *flag.FlagSet, name string, value T, usage string, parse func(string) (T, error)) *T {
	p := &value
	fs.Var(choice[T]{p, parse}, name, usage)
	return p
}

// parse parses args with fs: --help prints the usage to stdout and returns
// flag.ErrHelp; a mistake prints it to stderr and becomes a usage error.
func (e *env) parse(fs *flag.FlagSet, args []string) error {
	err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		e.usage(e.stdout)
		return flag.ErrHelp
	case err != nil:
		e.usage(e.stderr)
		fmt.Fprintln(e.stderr)
		return usageError{msg: err.Error()}
	}
	return nil
}

// parseInterspersed lets flags follow positional arguments, as in
// `fundmatch crawl ftportal --dry-run`; everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore connects to PostgreSQL; the error names DATABASE_URL so the
// user knows what to fix.
func (e *env) openStore(ctx context.Context) (*store.Store, *database.DB, error) {
	db, err := database.Open(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; check DATABASE_URL", err)
	}
	database.Resize(db, e.cfg.DatabaseConns)
	return store.New(db), db, nil
}
