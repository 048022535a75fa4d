package htmlsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/funding"
)

// Options tunes one run. Zero fields take the defaults.
type Options struct {
	// RunTimeout bounds the whole run; 0 leaves it to the caller's context.
	RunTimeout time.Duration
	// Now gives the day the status is derived for; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called after every page.
	Progress func(Progress)
	// Sink, when set, takes the calls as they are read instead of the
	// Result's Calls (see crawlers.Result.Sink).
	Sink func([]funding.Call) error
}

// Progress reports how far a run is, for a progress bar.
type Progress struct {
	Pages  int // pages fetched, list and detail
	Calls  int // calls read so far
	Errors int
}

const (
	ctxKind    = "fundmatch-kind"
	ctxListNo  = "fundmatch-list-page"
	kindList   = "list"
	kindDetail = "detail"
	summaryLen = 300
	defaultMax = 20
)

// DryRun crawls cfg without remembering cache validators, so that it leaves
// nothing behind: an admin tests a new or edited source with it.
func DryRun(ctx context.Context, cfg Config, fetchOpts fetch.Options, opts Options) (*crawlers.Result, error) {
	fetchOpts.Validators = nil
	return Crawl(ctx, fetch.New(fetchOpts), cfg, opts)
}

// Crawl reads the source cfg describes with a new colly collector that
// respects robots.txt and sends every request through client's polite
// transport. It has no side effects beyond client's validator store.
// Failed pages and calls are collected in the Result, which is then
// partial; the error is only for an invalid configuration.
func Crawl(ctx context.Context, client *fetch.Client, cfg Config, opts Options) (*crawlers.Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.RunTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.RunTimeout)
		defer cancel()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &run{cfg: cfg, opts: opts, today: opts.Now(), seen: map[string]bool{}, notModified: map[string]bool{},
		res: &crawlers.Result{Source: cfg.Name, Started: time.Now(), Sink: opts.Sink}}
	defer func() { r.res.Finished = time.Now() }()

	var hosts []string
	for _, u := range cfg.ListURLs {
		p, _ := url.Parse(u) // validated
		hosts = append(hosts, p.Hostname())
	}
	c := colly.NewCollector(
		colly.UserAgent(client.UserAgent()),
		colly.StdlibContext(ctx),
		colly.MaxBodySize(int(client.MaxBodySize())),
		colly.AllowedDomains(hosts...),
	)
	// NewCollector lets COLLY_* environment variables override the options;
	// politeness and scope are not negotiable, so set them again.
	c.IgnoreRobotsTxt = false
	c.UserAgent = client.UserAgent()
	c.MaxBodySize = int(client.MaxBodySize())
	c.AllowedDomains = hosts
	c.CacheDir = ""
	c.MaxDepth = 0
	c.WithTransport(client.Transport())
	// The transport bounds each attempt; colly's client timeout would cut
	// the retries short, so it only guards against a hung run.
	c.SetRequestTimeout(time.Hour)
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: 1}); err != nil {
		return nil, fmt.Errorf("source %s: limit rule: %w", cfg.Name, err)
	}
	r.collector = c

	c.OnError(func(resp *colly.Response, err error) {
		if resp != nil && resp.StatusCode == 304 {
			r.mu.Lock()
			r.notModified[resp.Request.URL.String()] = true
			r.res.NotModified = append(r.res.NotModified, fetch.Redact(resp.Request.URL))
			r.mu.Unlock()
		}
	})
	c.OnResponse(func(*colly.Response) {
		r.mu.Lock()
		r.res.Pages++
		r.mu.Unlock()
		r.report()
	})
	c.OnHTML("html", func(e *colly.HTMLElement) {
		switch e.Request.Ctx.Get(ctxKind) {
		case kindList:
			r.list(e)
		case kindDetail:
			r.detail(e)
		}
	})

	for _, u := range cfg.ListURLs {
		r.visit(u, kindList, 1)
	}
	if ctx.Err() != nil {
		r.res.MarkPartial(fmt.Sprintf("run stopped: %v", ctx.Err()))
	}
	return r.res, nil
}

// run is the state of one crawl.
type run struct {
	cfg       Config
	opts      Options
	today     time.Time
	collector *colly.Collector

	mu          sync.Mutex
	res         *crawlers.Result
	seen        map[string]bool // call identifiers
	notModified map[string]bool // URLs answered 304
	stopped     bool            // the calls could not be stored: request nothing more
}

// visit requests one page; colly runs its callbacks before returning.
func (r *run) visit(rawURL, kind string, listPage int) {
	r.mu.Lock()
	stopped := r.stopped
	r.mu.Unlock()
	if stopped {
		return
	}
	ctx := colly.NewContext()
	ctx.Put(ctxKind, kind)
	ctx.Put(ctxListNo, listPage)
	err := r.collector.Request("GET", rawURL, nil, ctx, nil)
	var visited *colly.AlreadyVisitedError
	if err == nil || errors.As(err, &visited) {
		return
	}
	r.mu.Lock()
	nm := r.notModified[rawURL]
	r.mu.Unlock()
	if nm {
		return
	}
	r.fail(rawURL, "", err)
}

// fail records an error; a page or call missing from the run makes it
// partial, so that nothing is closed for it.
func (r *run) fail(rawURL, ref string, err error) {
	r.mu.Lock()
	r.res.Errors = append(r.res.Errors, crawlers.Error{URL: fetch.RedactString(rawURL), Reference: ref, Err: err})
	r.res.MarkPartial("a page or call could not be read")
	r.mu.Unlock()
	r.report()
}

func (r *run) report() {
	if r.opts.Progress == nil {
		return
	}
	r.mu.Lock()
	p := Progress{Pages: r.res.Pages, Calls: r.res.Found(), Errors: len(r.res.Errors)}
	r.mu.Unlock()
	r.opts.Progress(p)
}

func (r *run) list(e *colly.HTMLElement) {
	pageURL := e.Request.URL.String()
	items := e.DOM.Find(r.cfg.Item)
	if items.Length() == 0 {
		r.fail(pageURL, "", fmt.Errorf("no call matched item selector %q: did the page change?", r.cfg.Item))
	}
	items.Each(func(_ int, item *goquery.Selection) {
		if r.cfg.Link == "" {
			r.add(item, e.DOM, pageURL, false)
			return
		}
		href := value(item, r.cfg.Link+"@href")
		if href == "" {
			href = item.AttrOr("href", "")
		}
		if href == "" {
			r.fail(pageURL, text(item), fmt.Errorf("no link matched %q in an item", r.cfg.Link))
			return
		}
		r.visit(e.Request.AbsoluteURL(href), kindDetail, 0)
	})
	if r.cfg.NextPage == "" {
		return
	}
	n, _ := e.Request.Ctx.GetAny(ctxListNo).(int)
	maxPages := r.cfg.MaxPages
	if maxPages == 0 {
		maxPages = defaultMax
	}
	if next := value(e.DOM, r.cfg.NextPage+"@href"); next != "" && n < maxPages {
		r.visit(e.Request.AbsoluteURL(next), kindList, n+1)
	}
}

func (r *run) detail(e *colly.HTMLElement) {
	part := e.DOM
	if r.cfg.Detail != "" {
		part = e.DOM.Find(r.cfg.Detail).First()
		if part.Length() == 0 {
			r.fail(e.Request.URL.String(), "", fmt.Errorf("detail selector %q matched nothing: did the page change?", r.cfg.Detail))
			return
		}
	}
	r.add(part, e.DOM, e.Request.URL.String(), true)
}

// add extracts a call and keeps it, or hands it to the sink, unless one
// with its identifier exists.
func (r *run) add(part, doc *goquery.Selection, pageURL string, detail bool) {
	call, err := r.cfg.extract(part, doc, pageURL, detail, r.today)
	if err != nil {
		r.fail(pageURL, "", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[call.Identifier] {
		return
	}
	r.seen[call.Identifier] = true
	if err := r.res.Add(call); err != nil {
		r.res.MarkPartial(err.Error())
		r.stopped = true
	}
}

// extract reads one call's fields from part (an item or a detail page);
// doc is the whole page, for <html lang>.
func (c Config) extract(part, doc *goquery.Selection, pageURL string, detail bool, today time.Time) (funding.Call, error) {
	f := c.Fields
	raw := map[string]any{}
	get := func(name, sel string) string {
		v := value(part, sel)
		if v != "" {
			raw[name] = v
		}
		return v
	}
	title := get("title", f.Title)
	if title == "" {
		return funding.Call{}, fmt.Errorf("no title matched %q", f.Title)
	}
	call := funding.Call{
		Source:        c.Name,
		Kind:          funding.KindCall,
		Title:         title,
		Programme:     c.Programme,
		ProgrammeName: c.ProgrammeName,
		DeadlineModel: c.DeadlineModel,
		URL:           pageURL,
		FundingRate:   c.FundingRate,
	}
	call.Identifier = get("identifier", f.Identifier)
	if call.Identifier == "" {
		if detail {
			call.Identifier = slug(lastSegment(pageURL))
		} else {
			call.Identifier = slug(title)
		}
	}
	if !detail {
		call.URL = pageURL + "#" + call.Identifier
	}
	var texts []string
	for _, sel := range f.Deadlines {
		for _, s := range values(part, sel) {
			texts = append(texts, s)
			call.Deadlines = append(call.Deadlines, ParseDates(s)...)
		}
	}
	if len(texts) > 0 {
		raw["deadlines"] = texts
	}
	call.Deadlines = funding.SortDeadlines(call.Deadlines)
	if call.DeadlineModel == "" && len(call.Deadlines) == 1 {
		call.DeadlineModel = "single-stage"
	}
	if d := ParseDates(get("opening", f.Opening)); len(d) > 0 {
		call.OpeningDate = &d[0]
	}
	if v, ok := ParseAmount(get("budget", f.Budget)); ok {
		call.CallBudget = &v
	}
	if v, ok := ParseAmount(get("max_grant", f.MaxGrant)); ok {
		call.BudgetMax = &v
	}
	if v, ok := ParsePercent(get("funding_rate", f.FundingRate)); ok {
		call.FundingRate = &v
	}
	if f.Description != "" {
		call.DescriptionHTML, call.DescriptionText = funding.SanitizeHTML(outerHTML(part, f.Description))
	}
	call.Summary = funding.Summarise(call.DescriptionText, summaryLen)
	call.EligibilityNotes = get("eligibility", f.Eligibility)
	if p := get("programme", f.Programme); p != "" {
		call.Programme = p
	}
	call.Language = strings.ToLower(get("language", f.Language))
	if call.Language == "" {
		call.Language = strings.ToLower(doc.Find("html").AddBack().Filter("html").AttrOr("lang", ""))
	}
	if call.Language == "" {
		call.Language = c.Language
	}
	call.Language, _, _ = strings.Cut(call.Language, "-")
	call.Status = funding.DeriveStatus(call.OpeningDate, call.Deadlines, today)
	call.Raw, _ = json.Marshal(raw)
	return call, nil
}

// values returns the trimmed text (or attribute) of every match of sel in
// s; an empty sel matches nothing.
func values(s *goquery.Selection, sel string) []string {
	if sel == "" {
		return nil
	}
	css, attr := splitSelector(sel)
	target := s
	if css != "" {
		target = s.Find(css)
	}
	var out []string
	target.Each(func(_ int, m *goquery.Selection) {
		v := text(m)
		if attr != "" {
			v = strings.TrimSpace(m.AttrOr(attr, ""))
		}
		if v != "" {
			out = append(out, v)
		}
	})
	return out
}

// value is the first of values.
func value(s *goquery.Selection, sel string) string {
	if v := values(s, sel); len(v) > 0 {
		return v[0]
	}
	return ""
}

// outerHTML returns the HTML of every match of sel in s.
func outerHTML(s *goquery.Selection, sel string) string {
	css, _ := splitSelector(sel)
	var b strings.Builder
	s.Find(css).Each(func(_ int, m *goquery.Selection) {
		if h, err := goquery.OuterHtml(m); err == nil {
			b.WriteString(h)
		}
	})
	return b.String()
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func lastSegment(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return path.Base(strings.TrimSuffix(u.Path, "/"))
}

// slug makes an identifier of s: lower-case letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
