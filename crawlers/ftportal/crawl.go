package ftportal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/funding"
)

// Default endpoints; the integrator overrides them from FTPORTAL_SEARCH_URL
// and FTPORTAL_TOPIC_URL.
const (
	DefaultSearchURL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
	DefaultTopicURL  = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
	// DefaultPageSize is the largest page the API serves.
	DefaultPageSize = 100
)

// Options configures a Crawler. Zero fields take the defaults.
type Options struct {
	SearchURL    string // search endpoint, without query string
	TopicURL     string // topicDetails base; the lower-case identifier + ".json" is appended
	TopicPageURL string // public topic page base
	APIKey       string // public key, "SEDIA"
	PageSize     int
	// Types and Statuses select records: by default types 1, 2 and 8,
	// forthcoming and open, of every programme.
	Types    []string
	Statuses []string
	// SkipDetails leaves older-format records unenriched (no topicDetails
	// requests). Older-format topics already closed by their dates are
	// never enriched.
	SkipDetails bool
	// RunTimeout bounds the whole run; 0 leaves it to the caller's context.
	RunTimeout time.Duration
	// Now gives the day the status is derived for; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called after every page and detail request.
	Progress func(Progress)
	// Sink, when set, takes the calls page by page instead of the
	// Result's Calls (see crawlers.Result.Sink).
	Sink func([]funding.Call) error
}

// Progress reports how far a run is, for a progress bar.
type Progress struct {
	Pages      int // search pages read (or failed)
	PagesTotal int // search pages announced, 0 until the first page
	Details    int // topicDetails documents requested
	Calls      int // calls kept so far
}

// Crawler reads the Funding & Tenders Portal search API.
type Crawler struct {
	client *fetch.Client
	opts   Options
}

// New returns a Crawler that sends its requests through client.
func New(client *fetch.Client, opts Options) *Crawler {
	if opts.SearchURL == "" {
		opts.SearchURL = DefaultSearchURL
	}
	if opts.TopicURL == "" {
		opts.TopicURL = DefaultTopicURL
	}
	if opts.TopicPageURL == "" {
		opts.TopicPageURL = DefaultTopicPageURL
	}
	if opts.APIKey == "" {
		opts.APIKey = "SEDIA"
	}
	if opts.PageSize <= 0 || opts.PageSize > DefaultPageSize {
		opts.PageSize = DefaultPageSize
	}
	if len(opts.Types) == 0 {
		opts.Types = []string{typeTopic, typeCall, typeCascade}
	}
	if len(opts.Statuses) == 0 {
		opts.Statuses = []string{statusForthcoming, statusOpen}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Crawler{client: client, opts: opts}
}

// Crawl reads every page of the listing, normalises and dedupes the
// records and enriches older-format ones from topicDetails. The calls of
// each page go to the Sink, if any, before the next page is read; the
// older-format ones follow once enriched. Failed pages and records are
// collected in the Result and the run goes on; the Result is partial when
// the listing was not read whole, and then it must not close anything.
// The error is only for a run that was cancelled before reading any page.
func (c *Crawler) Crawl(ctx context.Context) (*crawlers.Result, error) {
	if c.opts.RunTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.RunTimeout)
		defer cancel()
	}
	res := &crawlers.Result{Source: Source, Started: time.Now(), Sink: c.opts.Sink}
	r := &crawlRun{
		Crawler: c,
		n:       Normaliser{Today: c.opts.Now(), TopicPageURL: c.opts.TopicPageURL},
		res:     res,
	}
	r.listing = NewListing(r.n, res)
	if r.list(ctx) {
		held := r.listing.Held()
		if !c.opts.SkipDetails {
			r.enrichAll(ctx, held)
		}
		r.handOver(held...)
	}
	r.res.Finished = time.Now()
	if r.res.Pages == 0 && ctx.Err() != nil {
		return r.res, fmt.Errorf("crawl %s: %w", Source, ctx.Err())
	}
	return r.res, nil
}

// crawlRun is the state of one Crawl.
type crawlRun struct {
	*Crawler
	n       Normaliser
	res     *crawlers.Result
	listing *Listing
	prog    Progress
}

func (r *crawlRun) report() {
	if r.opts.Progress != nil {
		r.prog.Calls = r.listing.Found()
		r.opts.Progress(r.prog)
	}
}

// handOver adds calls to the result; when they cannot be stored the run
// stops and says so, and false is returned.
func (r *crawlRun) handOver(calls ...funding.Call) bool {
	if err := r.res.Add(calls...); err != nil {
		r.res.MarkPartial(err.Error())
		return false
	}
	return true
}

// list reads every search page and compares the count with totalResults.
// It returns false when the calls could not be stored and the run stops.
func (r *crawlRun) list(ctx context.Context) bool {
	res := r.res
	read, pages := 0, 1
	for page := 1; page <= pages; page++ {
		if err := ctx.Err(); err != nil {
			res.MarkPartial(fmt.Sprintf("run stopped at page %d: %v", page, err))
			break
		}
		pageURL := r.pageURL(page)
		data, err := r.searchPage(ctx, pageURL)
		pageURL = fetch.RedactString(pageURL) // for errors from here on
		r.prog.Pages++
		var p Page
		if err == nil {
			p, err = ParsePage(data)
		}
		if err != nil {
			res.Errors = append(res.Errors, crawlers.Error{URL: pageURL, Err: err})
			res.MarkPartial(fmt.Sprintf("page %d failed", page))
			r.report()
			if page == 1 {
				break // without the first page the size of the listing is unknown
			}
			continue
		}
		res.Pages++
		if page == 1 {
			res.Expected = p.TotalResults
			pages = (p.TotalResults + r.opts.PageSize - 1) / r.opts.PageSize
			r.prog.PagesTotal = pages
		} else if p.TotalResults != res.Expected {
			res.MarkPartial(fmt.Sprintf("totalResults changed from %d to %d during the run", res.Expected, p.TotalResults))
		}
		read += p.Len()
		if err := r.listing.Add(p, pageURL); err != nil {
			res.MarkPartial(err.Error())
			return false
		}
		r.report()
		if p.Len() == 0 {
			break
		}
	}
	switch {
	case res.Partial:
	case read != res.Expected:
		res.MarkPartial(fmt.Sprintf("read %d records of %d announced", read, res.Expected))
	case read == 0:
		// The portal always lists open calls; an empty listing is an
		// outage, not every call closing at once.
		res.MarkPartial("the listing was empty")
	}
	return true
}

// enrichAll fills older-format topics from their topicDetails documents;
// a failure is an error for that topic, which stays as listed.
func (r *crawlRun) enrichAll(ctx context.Context, calls []funding.Call) {
	for i := range calls {
		call := &calls[i]
		if !needsDetails(call) || ctx.Err() != nil {
			continue
		}
		detailURL := TopicDetailsURL(r.opts.TopicURL, call.Identifier)
		r.prog.Details++
		if err := r.enrich(ctx, call, detailURL); err != nil {
			r.res.Errors = append(r.res.Errors, crawlers.Error{URL: detailURL, Reference: call.Identifier, Err: err})
		} else {
			r.res.Pages++
		}
		r.report()
	}
}

func (r *crawlRun) enrich(ctx context.Context, call *funding.Call, detailURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, detailURL, nil)
	if err != nil {
		return fmt.Errorf("build topicDetails request: %w", err)
	}
	// The document is needed whole even if unchanged: never conditional.
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := r.client.Do(ctx, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &fetch.StatusError{URL: detailURL, Code: resp.StatusCode}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read topicDetails: %w", err)
	}
	d, err := parseTopicDetails(body)
	if err != nil {
		return err
	}
	r.n.enrich(call, d)
	return nil
}

// pageURL is the search address of one page; the key is public.
func (c *Crawler) pageURL(page int) string {
	q := url.Values{}
	q.Set("apiKey", c.opts.APIKey)
	q.Set("text", "***")
	q.Set("pageSize", strconv.Itoa(c.opts.PageSize))
	q.Set("pageNumber", strconv.Itoa(page))
	return c.opts.SearchURL + "?" + q.Encode()
}

// searchPage posts the query and returns one page's body.
func (c *Crawler) searchPage(ctx context.Context, pageURL string) ([]byte, error) {
	body, contentType, err := c.searchBody()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pageURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build search request: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &fetch.StatusError{URL: fetch.Redact(req.URL), Code: resp.StatusCode}
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read search page: %w", err)
	}
	return data, nil
}

// searchBody builds the multipart body: every part typed application/json,
// as the gateway answers 500 to plain form fields.
func (c *Crawler) searchBody() ([]byte, string, error) {
	query := map[string]any{"bool": map[string]any{"must": []any{
		map[string]any{"terms": map[string]any{"type": c.opts.Types}},
		map[string]any{"terms": map[string]any{"status": c.opts.Statuses}},
	}}}
	parts := []struct {
		name  string
		value any
	}{
		{"query", query},
		{"languages", []string{"en"}},
		{"sort", map[string]string{"field": "identifier", "order": "ASC"}},
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="blob"`, p.name))
		h.Set("Content-Type", "application/json")
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, "", fmt.Errorf("build search body: %w", err)
		}
		if err := json.NewEncoder(pw).Encode(p.value); err != nil {
			return nil, "", fmt.Errorf("build search body: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("build search body: %w", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// Listing reads the search pages of one crawl into a crawlers.Result: it
// normalises the records, keeps the richest version of each call (the
// current format beats the older one) and holds older-format topics back
// for their topicDetails, handing every other call over page by page.
type Listing struct {
	n    Normaliser
	res  *crawlers.Result
	kept map[string]int // identifier -> richness of the version kept
	held []funding.Call
	at   map[string]int // identifier -> index in held
}

// NewListing returns a Listing that normalises with n and adds to res.
func NewListing(n Normaliser, res *crawlers.Result) *Listing {
	return &Listing{n: n, res: res, kept: map[string]int{}, at: map[string]int{}}
}

// Add reads the records of one search page: records that cannot be read
// are errors of the result, which is then partial; the page's calls are
// added to the result before Add returns. The error is from the result's
// Sink (it wraps crawlers.ErrNotStored).
func (l *Listing) Add(p Page, pageURL string) error {
	res := l.res
	for _, f := range p.Failed {
		res.Errors = append(res.Errors, crawlers.Error{URL: pageURL, Reference: referenceOf(f.Raw), Err: f.Err})
		res.MarkPartial("a record could not be read")
	}
	calls := make([]funding.Call, 0, len(p.Records))
	for _, rec := range p.Records {
		call, err := l.n.Normalise(rec)
		if errors.Is(err, ErrNotOpportunity) {
			continue
		}
		if err != nil {
			res.Errors = append(res.Errors, crawlers.Error{URL: pageURL, Reference: firstNonEmpty(rec.Reference, rec.first("identifier")), Err: err})
			res.MarkPartial("a record could not be read")
			continue
		}
		// Cascade calls are keyed by reference, which never looks like a
		// topic identifier, so one map serves both.
		score := richness(&call)
		if kept, ok := l.kept[call.Identifier]; ok && score <= kept {
			continue
		}
		l.kept[call.Identifier] = score
		i, isHeld := l.at[call.Identifier]
		switch {
		case needsDetails(&call):
			// Held until the listing is read: the raw record is copied,
			// not to hold on to the whole page it is a slice of.
			call.Raw = bytes.Clone(call.Raw)
			if isHeld {
				l.held[i] = call
			} else {
				l.at[call.Identifier] = len(l.held)
				l.held = append(l.held, call)
			}
		default:
			if isHeld {
				l.held[i].Identifier = "" // superseded by a richer version
			}
			calls = append(calls, call)
		}
	}
	return res.Add(calls...)
}

// Found is the number of distinct calls read so far, held back or not.
func (l *Listing) Found() int { return len(l.kept) }

// Held returns the older-format topics held back for their topicDetails,
// to be enriched and then added to the result.
func (l *Listing) Held() []funding.Call {
	held := make([]funding.Call, 0, len(l.held))
	for _, c := range l.held {
		if c.Identifier != "" {
			held = append(held, c)
		}
	}
	l.held, l.at = nil, map[string]int{}
	return held
}

// richness scores how much a version of a record says; the current format
// (description, conditions, budget) beats the older one.
func richness(c *funding.Call) int {
	score := 0
	add := func(has bool, weight int) {
		if has {
			score += weight
		}
	}
	add(c.DescriptionHTML != "", 3)
	add(c.ConditionsHTML != "", 2)
	add(c.CallBudget != nil, 1)
	add(c.BudgetMax != nil, 1)
	add(c.OpeningDate != nil, 1)
	add(len(c.Deadlines) > 0, 1)
	add(len(c.TypesOfAction) > 0, 1)
	add(len(c.Keywords) > 0, 1)
	add(len(c.Tags) > 0, 1)
	add(c.CallTitle != "", 1)
	return score
}

// referenceOf digs the reference out of a record that failed to decode,
// for the error report.
func referenceOf(raw json.RawMessage) string {
	var r struct {
		Reference string `json:"reference"`
	}
	if json.Unmarshal(raw, &r) == nil {
		return r.Reference
	}
	return ""
}
