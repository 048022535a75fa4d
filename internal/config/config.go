// Package config reads fundmatch's configuration from environment variables,
// once, into one typed struct with defaults that work on a developer machine.
package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is the effective configuration of a fundmatch process.
type Config struct {
	DatabaseURL string // DATABASE_URL: PostgreSQL connection URL
	// DatabaseConns (DATABASE_CONNS) is how many connections a process
	// keeps to PostgreSQL at most; 0 for database.MaxConns.
	DatabaseConns int
	RedisURL      string // REDIS_URL: Redis connection URL for asynq
	HTTPAddr      string // HTTP_ADDR: address the web server listens on
	BaseURL       string // BASE_URL: public address used in links (emails, Slack, feeds)
	LogLevel      slog.Level
	LogFormat     string // "text" or "json"

	FTPortalSearchURL string        // FTPORTAL_SEARCH_URL: the Funding & Tenders Portal search API
	FTPortalTopicURL  string        // FTPORTAL_TOPIC_URL: base of the topicDetails JSON documents
	CrawlUserAgent    string        // CRAWL_USER_AGENT: how the crawlers introduce themselves, with a contact URL
	CrawlDelay        time.Duration // CRAWL_DELAY: least time between two requests to one host
	CrawlTimeout      time.Duration // CRAWL_TIMEOUT: longest a crawl run may take
	CrawlAllowPrivate bool          // CRAWL_ALLOW_PRIVATE: let configured sources reach private addresses

	// SecretKey signs sessions and one-click links (unsubscribe, mute). It
	// is SECRET_KEY when set, else the contents of SECRET_KEY_FILE (which
	// docker compose's setup service makes once and keeps in a volume).
	// With neither a random key is made at start-up, which is fine for a
	// developer but makes links and sessions die with the process.
	SecretKey          []byte
	SecretKeyGenerated bool

	// AdminEmail and AdminPassword (ADMIN_EMAIL, ADMIN_PASSWORD) name the
	// first admin, made by 'fundmatch seed' and 'fundmatch all' on a
	// database without users.
	AdminEmail    string
	AdminPassword string

	// TrustedProxies (TRUSTED_PROXIES) are the reverse proxies whose
	// X-Forwarded-For header names the client, as networks.
	TrustedProxies []netip.Prefix

	SMTPURL           string   // SMTP_URL: the mail server for alerts, smtp:// (STARTTLS) or smtps://; may hold a password
	SMTPTLS           string   // SMTP_TLS: mandatory, opportunistic or none (smtp:// only)
	MailFrom          string   // MAIL_FROM: the sender of alerts
	SlackAllowedHosts []string // SLACK_ALLOWED_HOSTS: hosts Slack webhook URLs may point at
	MetricsToken      string   // METRICS_TOKEN: bearer token /metrics asks for; empty: /metrics is off

	WorkerConcurrency int           // WORKER_CONCURRENCY: tasks processed at once by a worker
	ShutdownTimeout   time.Duration // SHUTDOWN_TIMEOUT: how long in-flight work may take after SIGTERM
	SchedulerInterval time.Duration // SCHEDULER_INTERVAL: how often the scheduler looks for due work
}

// variable describes one environment variable: its default, how to apply it,
// and whether its value is a secret that must be masked when printed.
type variable struct {
	name   string
	def    string
	help   string
	secret bool
	apply  func(c *Config, v string) error
}

var variables = []variable{
	{name: "DATABASE_URL", def: "postgres://postgres@127.0.0.1:5432/fundmatch?sslmode=disable", help: "PostgreSQL connection URL", secret: true,
		apply: func(c *Config, v string) error {
			if err := checkURL(v, "postgres", "postgresql"); err != nil {
				return err
			}
			c.DatabaseURL = v
			return nil
		}},
	{name: "DATABASE_CONNS", def: "", help: "most connections a process keeps to PostgreSQL (empty: twice the CPUs, at least 4; PostgreSQL does best with about two busy connections a core)",
		apply: func(c *Config, v string) error {
			if v == "" {
				c.DatabaseConns = 0
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return fmt.Errorf("want a number of connections from 1 to 1000, got %q", v)
			}
			c.DatabaseConns = n
			return nil
		}},
	{name: "REDIS_URL", def: "redis://127.0.0.1:6379/0", help: "Redis connection URL (queues)", secret: true,
		apply: func(c *Config, v string) error {
			if err := checkURL(v, "redis", "rediss"); err != nil {
				return err
			}
			c.RedisURL = v
			return nil
		}},
	{name: "HTTP_ADDR", def: ":8080", help: "address the web server listens on",
		apply: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("want host:port such as :8080 (%v)", err)
			}
			c.HTTPAddr = v
			return nil
		}},
	{name: "BASE_URL", def: "http://localhost:8080", help: "public address used in links in emails, Slack and feeds",
		apply: func(c *Config, v string) error {
			if err := checkURL(v, "http", "https"); err != nil {
				return err
			}
			c.BaseURL = strings.TrimRight(v, "/")
			return nil
		}},
	{name: "TRUSTED_PROXIES", def: "", help: "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (none by default)",
		apply: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for item := range strings.SplitSeq(v, ",") {
				if item = strings.TrimSpace(item); item == "" {
					continue
				}
				p, err := netip.ParsePrefix(item)
				if err != nil {
					a, aerr := netip.ParseAddr(item)
					if aerr != nil {
						return fmt.Errorf("%q is neither an address nor a CIDR such as 10.0.0.0/8", item)
					}
					p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		}},
	{name: "LOG_LEVEL", def: "info", help: "debug, info, warn or error",
		apply: func(c *Config, v string) error {
			return c.LogLevel.UnmarshalText([]byte(v))
		}},
	{name: "LOG_FORMAT", def: "text", help: "text or json",
		apply: func(c *Config, v string) error {
			if v != "text" && v != "json" {
				return errors.New(`want "text" or "json"`)
			}
			c.LogFormat = v
			return nil
		}},
	{name: "FTPORTAL_SEARCH_URL", def: "https://api.tech.ec.europa.eu/search-api/prod/rest/search", help: "Funding & Tenders Portal search API",
		apply: func(c *Config, v string) error {
			c.FTPortalSearchURL = v
			return checkURL(v, "https", "http")
		}},
	{name: "FTPORTAL_TOPIC_URL", def: "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/", help: "base URL of the topicDetails JSON documents",
		apply: func(c *Config, v string) error {
			c.FTPortalTopicURL = v
			return checkURL(v, "https", "http")
		}},
	{name: "CRAWL_USER_AGENT", def: "fundmatch-crawler/1.0 (+https://github.com/fundmatch/fundmatch)", help: "User-Agent of the crawlers, with a contact URL",
		apply: func(c *Config, v string) error {
			if !strings.Contains(v, "http") {
				return errors.New("include a contact URL, e.g. name/1.0 (+https://example.org/contact)")
			}
			c.CrawlUserAgent = v
			return nil
		}},
	{name: "CRAWL_DELAY", def: "1s", help: "least time between two requests to one host",
		apply: func(c *Config, v string) error {
			d, err := parsePositiveDuration(v)
			c.CrawlDelay = d
			return err
		}},
	{name: "CRAWL_TIMEOUT", def: "30m", help: "longest a crawl run may take",
		apply: func(c *Config, v string) error {
			d, err := parsePositiveDuration(v)
			c.CrawlTimeout = d
			return err
		}},
	{name: "CRAWL_ALLOW_PRIVATE", def: "false", help: "let crawl sources reach private and loopback addresses (tests, intranets)",
		apply: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("want true or false")
			}
			c.CrawlAllowPrivate = b
			return nil
		}},
	{name: "SECRET_KEY", def: "", help: "at least 32 characters; signs sessions and unsubscribe links (else SECRET_KEY_FILE; random per process when both are empty)", secret: true,
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil // SECRET_KEY_FILE or a random key, below
			}
			if len(v) < 32 {
				return errors.New("use at least 32 characters, e.g. the output of 'openssl rand -hex 32'")
			}
			c.SecretKey = []byte(v)
			return nil
		}},
	// After SECRET_KEY, which wins when set.
	{name: "SECRET_KEY_FILE", def: "", help: "file holding the secret key, used when SECRET_KEY is empty (a missing file means a random key per process)",
		apply: func(c *Config, v string) error {
			if c.SecretKey == nil && v != "" {
				b, err := os.ReadFile(v)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					// Not made yet: a random key, as with neither variable.
				case err != nil:
					return fmt.Errorf("cannot read the file: %v", errors.Unwrap(err))
				case len(strings.TrimSpace(string(b))) < 32:
					return errors.New("the file holds fewer than 32 characters")
				default:
					c.SecretKey = []byte(strings.TrimSpace(string(b)))
				}
			}
			if c.SecretKey == nil {
				c.SecretKey = make([]byte, 32)
				rand.Read(c.SecretKey)
				c.SecretKeyGenerated = true
			}
			return nil
		}},
	{name: "ADMIN_EMAIL", def: "", help: "email of the first admin, made on a database without users (with ADMIN_PASSWORD)",
		apply: func(c *Config, v string) error {
			if v != "" {
				if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
					return errors.New("want a plain address such as admin@example.org")
				}
			}
			c.AdminEmail = v
			return nil
		}},
	{name: "ADMIN_PASSWORD", def: "", help: "password of the first admin (with ADMIN_EMAIL)", secret: true,
		apply: func(c *Config, v string) error {
			if (v == "") != (c.AdminEmail == "") {
				return errors.New("set ADMIN_EMAIL and ADMIN_PASSWORD together, or neither")
			}
			c.AdminPassword = v
			return nil
		}},
	{name: "SMTP_URL", def: "smtp://localhost:1025", help: "mail server for alerts: smtp://[user:pass@]host:port (STARTTLS) or smtps://", secret: true,
		apply: func(c *Config, v string) error {
			if err := checkURL(v, "smtp", "smtps"); err != nil {
				return err
			}
			c.SMTPURL = v
			return nil
		}},
	{name: "SMTP_TLS", def: "mandatory", help: "TLS for smtp:// URLs: mandatory, opportunistic or none",
		apply: func(c *Config, v string) error {
			switch v {
			case "mandatory", "opportunistic", "none":
				c.SMTPTLS = v
				return nil
			}
			return errors.New("want mandatory, opportunistic or none")
		}},
	{name: "MAIL_FROM", def: "fundmatch <noreply@fundmatch.localhost>", help: "sender of alert emails",
		apply: func(c *Config, v string) error {
			if _, err := mail.ParseAddress(v); err != nil {
				return errors.New(`want an address such as "fundmatch <alerts@example.org>"`)
			}
			c.MailFrom = v
			return nil
		}},
	{name: "SLACK_ALLOWED_HOSTS", def: "hooks.slack.com", help: "comma-separated hosts Slack webhook URLs may point at",
		apply: func(c *Config, v string) error {
			c.SlackAllowedHosts = nil
			for h := range strings.SplitSeq(v, ",") {
				// As the webhook check compares them: "Hooks.Slack.com." is hooks.slack.com.
				if h = strings.TrimRight(strings.ToLower(strings.TrimSpace(h)), "."); h != "" {
					c.SlackAllowedHosts = append(c.SlackAllowedHosts, h)
				}
			}
			if len(c.SlackAllowedHosts) == 0 {
				return errors.New("name at least one host")
			}
			return nil
		}},
	{name: "METRICS_TOKEN", def: "", help: "bearer token a Prometheus scraper sends for /metrics (at least 16 characters); empty: /metrics is not served", secret: true,
		apply: func(c *Config, v string) error {
			if v != "" && len(v) < 16 {
				return errors.New("use at least 16 characters, e.g. the output of 'openssl rand -hex 16'")
			}
			c.MetricsToken = v
			return nil
		}},
	{name: "WORKER_CONCURRENCY", def: "4", help: "tasks a worker processes at once",
		apply: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 256 {
				return errors.New("want a whole number from 1 to 256")
			}
			c.WorkerConcurrency = n
			return nil
		}},
	{name: "SHUTDOWN_TIMEOUT", def: "8s", help: "time in-flight requests and tasks get after SIGTERM",
		apply: func(c *Config, v string) error {
			d, err := parsePositiveDuration(v)
			c.ShutdownTimeout = d
			return err
		}},
	{name: "SCHEDULER_INTERVAL", def: "30s", help: "how often the scheduler looks for due work",
		apply: func(c *Config, v string) error {
			d, err := parsePositiveDuration(v)
			c.SchedulerInterval = d
			return err
		}},
}

// Load reads the configuration through getenv (os.Getenv in production). An
// empty variable takes its default. An invalid value is an error that names
// the variable and says why, without repeating a secret value.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var errs []string
	for _, v := range variables {
		val := strings.TrimSpace(getenv(v.name))
		if val == "" {
			val = v.def
		}
		if err := v.apply(&c, val); err != nil {
			errs = append(errs, fmt.Sprintf("%s is invalid: %v", v.name, err))
		}
	}
	if len(errs) > 0 {
		return c, errors.New(strings.Join(errs, "; "))
	}
	return c, nil
}

// Print writes the effective configuration, one variable a line, with
// secrets masked (passwords in URLs, tokens).
func Print(w io.Writer, getenv func(string) string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tVALUE\tSOURCE\tMEANING")
	for _, v := range variables {
		val, source := strings.TrimSpace(getenv(v.name)), "env"
		if val == "" {
			val, source = v.def, "default"
		}
		if v.secret {
			val = Mask(val)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.name, val, source, v.help)
	}
	return tw.Flush()
}

// Mask hides the secret parts of a connection URL: the password and any
// query parameter that looks like a credential. A value that is not a URL is
// masked whole.
func Mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "****"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	for k := range q {
		switch strings.ToLower(k) {
		case "password", "token", "secret", "key", "apikey", "sslpassword":
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

func checkURL(v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("not a URL")
	}
	for _, s := range schemes {
		if u.Scheme == s {
			if u.Host == "" {
				return errors.New("the URL has no host")
			}
			return nil
		}
	}
	return fmt.Errorf("want a %s:// URL", schemes[0])
}

func parsePositiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration such as 8s or 1m")
	}
	return d, nil
}
