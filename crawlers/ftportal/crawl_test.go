package ftportal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/crawlers/fetch"
	"github.com/fundmatch/fundmatch/funding"
)

// portal is an httptest server replaying search pages and topicDetails
// documents, checking that every search request is built as the gateway
// wants it.
type portal struct {
	t        *testing.T
	pages    map[int][]byte    // page number -> body
	failures map[int][]int     // page number -> statuses to answer first
	details  map[string][]byte // lower-case identifier -> topicDetails body
	robots   string
	mu       sync.Mutex
	hits     map[string]int
}

func newPortal(t *testing.T) *portal {
	return &portal{t: t, pages: map[int][]byte{}, failures: map[int][]int{}, details: map[string][]byte{}, hits: map[string]int{}}
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	p.mu.Unlock()
	switch {
	case r.URL.Path == "/robots.txt":
		if p.robots == "" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, p.robots)
	case r.URL.Path == "/search":
		p.search(w, r)
	case strings.HasPrefix(r.URL.Path, "/topicDetails/"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/topicDetails/"), ".json")
		body, ok := p.details[id]
		if !ok {
			http.NotFound(w, r) // like the portal for an upper-case identifier
			return
		}
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

func (p *portal) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method != http.MethodPost || q.Get("apiKey") != "SEDIA" || q.Get("text") != "***" {
		p.t.Errorf("search request %s %s", r.Method, r.URL)
	}
	p.checkParts(r)
	n, _ := strconv.Atoi(q.Get("pageNumber"))
	p.mu.Lock()
	if f := p.failures[n]; len(f) > 0 {
		p.failures[n] = f[1:]
		p.mu.Unlock()
		w.WriteHeader(f[0])
		return
	}
	p.mu.Unlock()
	body, ok := p.pages[n]
	if !ok {
		body = []byte(`{"totalResults":0,"results":[]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (p *portal) checkParts(r *http.Request) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		p.t.Errorf("content type: %v", err)
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	parts := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.t.Errorf("multipart: %v", err)
			return
		}
		if ct := part.Header.Get("Content-Type"); ct != "application/json" {
			p.t.Errorf("part %s typed %q, want application/json", part.FormName(), ct)
		}
		data, _ := io.ReadAll(part)
		parts[part.FormName()] = string(data)
	}
	var query struct {
		Bool struct {
			Must []struct {
				Terms map[string][]string `json:"terms"`
			} `json:"must"`
		} `json:"bool"`
	}
	if err := json.Unmarshal([]byte(parts["query"]), &query); err != nil {
		p.t.Errorf("query part %q: %v", parts["query"], err)
	}
	terms := map[string][]string{}
	for _, m := range query.Bool.Must {
		for k, v := range m.Terms {
			terms[k] = v
		}
	}
	want := map[string][]string{"type": {"1", "2", "8"}, "status": {"31094501", "31094502"}}
	if diff := cmp.Diff(want, terms); diff != "" {
		p.t.Errorf("query terms (-want +got), every programme expected:\n%s", diff)
	}
	if strings.TrimSpace(parts["sort"]) != `{"field":"identifier","order":"ASC"}` || strings.TrimSpace(parts["languages"]) != `["en"]` {
		p.t.Errorf("sort %q languages %q", parts["sort"], parts["languages"])
	}
}

func (p *portal) crawler(srv *httptest.Server, pageSize int) *Crawler {
	client := fetch.New(fetch.Options{AllowPrivateNetworks: true, Delay: time.Millisecond, Backoff: time.Millisecond,
		RequestTimeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	return New(client, Options{
		SearchURL: srv.URL + "/search",
		TopicURL:  srv.URL + "/topicDetails/",
		PageSize:  pageSize,
		Now:       func() time.Time { return today.Add(10 * time.Hour) },
	})
}

func identifiers(calls []funding.Call) []string {
	var ids []string
	for _, c := range calls {
		ids = append(ids, c.Identifier)
	}
	slices.Sort(ids)
	return ids
}

func findCall(t *testing.T, calls []funding.Call, id string) funding.Call {
	t.Helper()
	for _, c := range calls {
		if c.Identifier == id {
			return c
		}
	}
	t.Fatalf("no call %s in %v", id, identifiers(calls))
	return funding.Call{}
}

// threePages derives a listing of 9 records on three pages of 3 from the
// real samples: duplicates across pages (the same topic in the older and
// the current family), an FAQ record, a stub to enrich from topicDetails,
// and two cascade calls sharing their parent's identifier.
func threePages(t *testing.T) map[int][]byte {
	older := olderRecords(t)
	current := currentRecord(t)
	olderStep := older[0].clone().withIdentifier("HORIZON-EIC-2026-STEP")
	olderStep["reference"] = "45602361HORIZONEICSTEP1670457600000"
	faq := current.clone().set("DATASOURCE", "SEDIA_FAQ").set("identifier", "FAQ-12345")
	edtech := stub(older[1], "DIGITAL-2026-SKILLS-10-EDTECH").set("frameworkProgramme", "43152860")
	cascade := func(ref string) fixture {
		f := current.clone().set("type", "8").set("identifier", "DIGITAL-2023-SKILLS-04-BOOSTINGDIGIT")
		f["reference"] = ref
		f["url"] = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/competitive-calls-cs/" + strings.TrimSuffix(ref, "COMPETITIVE_CALLen")
		return f
	}
	return map[int][]byte{
		1: page(t, 9, 1, 3, older[0], older[1], olderStep),
		2: page(t, 9, 2, 3, current, faq, stub(older[2], "LIFE-2027-NOT-ON-SERVER")), // current STEP supersedes the older one
		3: page(t, 9, 3, 3, edtech, cascade("11321COMPETITIVE_CALLen"), cascade("11322COMPETITIVE_CALLen")),
	}
}

func edtechDetails(t *testing.T) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "topicDetails-DIGITAL-2026-SKILLS-10-EDTECH.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCrawlThreePagesDedupesDropsFAQAndEnriches(t *testing.T) {
	p := newPortal(t)
	p.pages = threePages(t)
	p.details["digital-2026-skills-10-edtech"] = edtechDetails(t)
	srv := httptest.NewServer(p)
	defer srv.Close()

	var progress []Progress
	c := p.crawler(srv, 3)
	c.opts.Progress = func(pr Progress) { progress = append(progress, pr) }
	res, err := c.Crawl(context.Background())
	if err != nil {
		t.Fatalf("Crawl: %v", err)
	}
	if res.Partial || res.Expected != 9 || !res.CanClose() {
		t.Fatalf("partial=%v (%s) expected=%d", res.Partial, res.PartialReason, res.Expected)
	}
	// The LIFE stub has no topicDetails on this server: its 404 is an
	// error naming URL and topic, and the call is kept as listed. The
	// older EIC topics are closed by their dates and not looked up.
	if len(res.Errors) != 1 || res.Errors[0].Reference != "LIFE-2027-NOT-ON-SERVER" ||
		!strings.HasSuffix(res.Errors[0].URL, "/topicDetails/life-2027-not-on-server.json") {
		t.Errorf("enrichment errors %v, want the LIFE stub's 404", res.Errors)
	}
	if p.hits["/topicDetails/horizon-eic-2023-acceleratorchallenges-01.json"] != 0 {
		t.Error("a topic closed by its dates was looked up")
	}
	want := []string{"11321COMPETITIVE_CALLen", "11322COMPETITIVE_CALLen", "DIGITAL-2026-SKILLS-10-EDTECH",
		"HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2026-STEP", "LIFE-2027-NOT-ON-SERVER"}
	if diff := cmp.Diff(want, identifiers(res.Calls)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	step := findCall(t, res.Calls, "HORIZON-EIC-2026-STEP")
	if step.Reference != "49662814TOPICSen" || step.DescriptionHTML == "" {
		t.Errorf("the richer current record did not win: reference %q", step.Reference)
	}

	edtech := findCall(t, res.Calls, "DIGITAL-2026-SKILLS-10-EDTECH")
	got := []any{edtech.Programme, edtech.CallIdentifier, edtech.CallTitle, deref(edtech.OpeningDate), edtech.Deadlines,
		deref(edtech.CallBudget), deref(edtech.ExpectedGrants), edtech.BudgetMax, edtech.Status, edtech.DeadlineModel}
	wantEd := []any{"DIGITAL", "DIGITAL-2026-SKILLS-10", "Advanced Digital Skills", day("2026-04-21"), []time.Time{day("2026-10-01")},
		12.5e6, 1, (*float64)(nil), funding.StatusClosed, "single-stage"}
	if diff := cmp.Diff(wantEd, got); diff != "" {
		t.Errorf("enriched EdTech (-want +got):\n%s", diff)
	}
	if !strings.Contains(edtech.DescriptionText, "EdTech") || !strings.Contains(edtech.EligibilityNotes, "call document") && edtech.EligibilityNotes == "" {
		t.Errorf("EdTech description %q / eligibility %q", funding.Summarise(edtech.DescriptionText, 80), edtech.EligibilityNotes)
	}
	if len(edtech.News) != 2 || !strings.Contains(edtech.News[1].Text, "2,700,000.00") {
		t.Errorf("EdTech news = %+v", edtech.News)
	}
	if p.hits["/topicDetails/digital-2026-skills-10-edtech.json"] != 1 {
		t.Errorf("topicDetails hits %v: want one, lower-case", p.hits)
	}
	last := progress[len(progress)-1]
	if last.PagesTotal != 3 || last.Pages != 3 || last.Calls != len(res.Calls) {
		t.Errorf("last progress %+v", last)
	}
}

func TestCrawlFailuresKeepWhatWasRead(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(p *portal)
		runTimeout  time.Duration
		wantPartial bool
		wantCalls   []string
		wantErrURL  string // substring of the one error's URL, "" for none
	}{
		{
			name: "malformed JSON on page 2 keeps pages 1 and 3",
			setup: func(p *portal) {
				p.pages[2] = p.pages[2][:len(p.pages[2])/2]
			},
			wantPartial: true,
			wantCalls: []string{"11321COMPETITIVE_CALLen", "11322COMPETITIVE_CALLen", "DIGITAL-2026-SKILLS-10-EDTECH",
				"HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2026-STEP"},
			wantErrURL: "pageNumber=2",
		},
		{
			name:  "500 then success is retried and complete",
			setup: func(p *portal) { p.failures[2] = []int{http.StatusInternalServerError, http.StatusBadGateway} },
			wantCalls: []string{"11321COMPETITIVE_CALLen", "11322COMPETITIVE_CALLen", "DIGITAL-2026-SKILLS-10-EDTECH",
				"HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2026-STEP", "LIFE-2027-NOT-ON-SERVER"},
		},
		{
			name:        "page still failing after retries",
			setup:       func(p *portal) { p.failures[3] = []int{500, 500, 500, 500} },
			wantPartial: true,
			wantCalls:   []string{"HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2026-STEP", "LIFE-2027-NOT-ON-SERVER"},
			wantErrURL:  "pageNumber=3",
		},
		{
			name: "short listing against totalResults",
			setup: func(p *portal) {
				delete(p.pages, 3)
			},
			wantPartial: true,
			wantCalls:   []string{"HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2026-STEP", "LIFE-2027-NOT-ON-SERVER"},
		},
		{
			name: "record that fails to parse is reported with its reference",
			setup: func(p *portal) {
				bad := currentRecord(t).set("identifier", "HORIZON-EIC-2026-BROKEN").set("budgetOverview", `{"budgetTopicActionMap":`)
				bad["reference"] = "99999999TOPICSen"
				p.pages[3] = page(t, 9, 3, 3, bad, stub(olderRecords(t)[1], "DIGITAL-2026-SKILLS-10-EDTECH"), olderRecords(t)[2])
			},
			wantPartial: true,
			wantCalls: []string{"DIGITAL-2026-SKILLS-10-EDTECH", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-01",
				"HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-03", "HORIZON-EIC-2026-STEP", "LIFE-2027-NOT-ON-SERVER"},
			wantErrURL: "pageNumber=3",
		},
		{
			name:        "robots.txt disallows the search API",
			setup:       func(p *portal) { p.robots = "User-agent: *\nDisallow: /search\n" },
			wantPartial: true,
			wantErrURL:  "pageNumber=1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPortal(t)
			p.pages = threePages(t)
			p.details["digital-2026-skills-10-edtech"] = edtechDetails(t)
			tt.setup(p)
			srv := httptest.NewServer(p)
			defer srv.Close()
			c := p.crawler(srv, 3)
			c.opts.SkipDetails = true

			res, err := c.Crawl(context.Background())
			if err != nil {
				t.Fatalf("Crawl: %v", err)
			}
			if res.Partial != tt.wantPartial || res.CanClose() == tt.wantPartial {
				t.Errorf("partial = %v (%s), want %v", res.Partial, res.PartialReason, tt.wantPartial)
			}
			if diff := cmp.Diff(tt.wantCalls, identifiers(res.Calls)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErrURL == "" && len(res.Errors) > 0:
				t.Errorf("unexpected errors %v", res.Errors)
			case tt.wantErrURL != "" && (len(res.Errors) != 1 || !strings.Contains(res.Errors[0].URL, tt.wantErrURL)):
				t.Errorf("errors %v, want one at %s", res.Errors, tt.wantErrURL)
			}
			if strings.Contains(tt.name, "reference") && res.Errors[0].Reference != "99999999TOPICSen" {
				t.Errorf("error reference %q", res.Errors[0].Reference)
			}
			for _, e := range res.Errors {
				if strings.Contains(e.URL, "SEDIA") {
					t.Errorf("error URL shows the API key: %s", e.URL)
				}
			}
		})
	}
}

func TestCrawlRunTimeoutStopsAndMarksPartial(t *testing.T) {
	p := newPortal(t)
	p.pages = threePages(t)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageNumber") == "2" {
			// Hang until the run gives up. The server notices a closed
			// connection only once the body was read.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		p.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(slow)
	defer srv.Close()
	c := p.crawler(srv, 3)
	c.opts.SkipDetails = true
	c.opts.RunTimeout = 300 * time.Millisecond

	res, err := c.Crawl(context.Background())
	if err != nil {
		t.Fatalf("Crawl: %v", err)
	}
	if !res.Partial || len(res.Calls) != 3 {
		t.Errorf("partial=%v calls=%v: want partial with page 1 kept", res.Partial, identifiers(res.Calls))
	}
}

func TestTopicDetailsURLIsLowerCase(t *testing.T) {
	got := TopicDetailsURL("https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails", "EDF-2026-RA-SENS-MSDT")
	if got != "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/edf-2026-ra-sens-msdt.json" {
		t.Errorf("TopicDetailsURL = %s", got)
	}
}

func TestCrawlEmptyListingClosesNothing(t *testing.T) {
	p := newPortal(t)
	p.pages[1] = page(t, 0, 1, 3)
	srv := httptest.NewServer(p)
	defer srv.Close()
	res, err := p.crawler(srv, 3).Crawl(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.CanClose() {
		t.Error("an empty listing may close every stored call")
	}
}

// hashes maps identifier to content hash.
func hashes(calls []funding.Call) map[string]string {
	m := map[string]string{}
	for i := range calls {
		m[calls[i].Identifier] = calls[i].ContentHash()
	}
	return m
}

func TestCrawlTwiceChangesNothingButRealChanges(t *testing.T) {
	p := newPortal(t)
	p.pages = threePages(t)
	p.details["digital-2026-skills-10-edtech"] = edtechDetails(t)
	srv := httptest.NewServer(p)
	defer srv.Close()
	run := func() *crawlers.Result {
		res, err := p.crawler(srv, 3).Crawl(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := run()

	// News and response time change all the time; they are not a change.
	news := currentRecord(t).set("latestInfos", `[{"approvalDate":"","lastChangeDate":"2026-11-20T10:00:00.000","content":"New FAQ published"}]`)
	pageTwo := page(t, 9, 2, 3, news, currentRecord(t).set("DATASOURCE", "SEDIA_FAQ").set("identifier", "FAQ-12345"), stub(olderRecords(t)[2], "LIFE-2027-NOT-ON-SERVER"))
	p.pages[2] = []byte(strings.Replace(string(pageTwo), `"responseTime":61`, `"responseTime":987`, 1))
	second := run()
	if diff := cmp.Diff(hashes(first.Calls), hashes(second.Calls)); diff != "" {
		t.Errorf("news and response time changed hashes (-first +second):\n%s", diff)
	}

	// A moved deadline is a change, named as such.
	moved := currentRecord(t).set("deadlineDate", "2026-12-09T00:00:00.000+0000")
	p.pages[2] = page(t, 9, 2, 3, moved, currentRecord(t).set("DATASOURCE", "SEDIA_FAQ").set("identifier", "FAQ-12345"), stub(olderRecords(t)[2], "LIFE-2027-NOT-ON-SERVER"))
	third := run()
	before, after := findCall(t, first.Calls, "HORIZON-EIC-2026-STEP"), findCall(t, third.Calls, "HORIZON-EIC-2026-STEP")
	want := []funding.Change{{Field: "deadlines", Old: "2026-11-25", New: "2026-12-09"}}
	if diff := cmp.Diff(want, funding.Diff(before, after)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
}

func TestCrawlWithASinkHandsOverPageByPageWhatItWouldKeep(t *testing.T) {
	p := newPortal(t)
	p.pages = threePages(t)
	p.details["digital-2026-skills-10-edtech"] = edtechDetails(t)
	srv := httptest.NewServer(p)
	defer srv.Close()
	kept, err := p.crawler(srv, 3).Crawl(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	var batches [][]string
	last := map[string]funding.Call{}
	c := p.crawler(srv, 3)
	c.opts.Sink = func(calls []funding.Call) error {
		var ids []string
		for _, call := range calls {
			ids = append(ids, call.Identifier)
			last[call.Identifier] = call
		}
		batches = append(batches, ids)
		return nil
	}
	res, err := c.Crawl(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Calls) != 0 || res.Sent != len(kept.Calls) || res.Found() != len(kept.Calls) {
		t.Errorf("with a sink: %d calls kept, %d sent; want none kept and %d sent", len(res.Calls), res.Sent, len(kept.Calls))
	}
	// Page 1's two older EIC topics and the older STEP, page 2's richer
	// STEP, page 3's cascade calls, then the topics enriched (or not) from
	// topicDetails.
	want := [][]string{
		{"HORIZON-EIC-2023-ACCELERATORCHALLENGES-01", "HORIZON-EIC-2023-ACCELERATORCHALLENGES-02", "HORIZON-EIC-2026-STEP"},
		{"HORIZON-EIC-2026-STEP"},
		{"11321COMPETITIVE_CALLen", "11322COMPETITIVE_CALLen"},
		{"LIFE-2027-NOT-ON-SERVER", "DIGITAL-2026-SKILLS-10-EDTECH"},
	}
	if diff := cmp.Diff(want, batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	var sent []funding.Call
	for _, call := range last {
		sent = append(sent, call)
	}
	if diff := cmp.Diff(hashes(kept.Calls), hashes(sent)); diff != "" {
		t.Errorf("the last versions sent differ from the calls kept without a sink (-kept +sent):\n%s", diff)
	}
	if res.Partial || len(res.Errors) != len(kept.Errors) {
		t.Errorf("partial %v (%s), errors %v", res.Partial, res.PartialReason, res.Errors)
	}
}

func TestCrawlStopsWhenItsCallsCannotBeStored(t *testing.T) {
	p := newPortal(t)
	p.pages = threePages(t)
	srv := httptest.NewServer(p)
	defer srv.Close()
	c := p.crawler(srv, 3)
	calls := 0
	c.opts.Sink = func(batch []funding.Call) error {
		calls++
		return errors.New("connection reset")
	}
	res, err := c.Crawl(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || p.hits["/search"] != 1 {
		t.Errorf("sink called %d times, %d search requests: want the run to stop after the first page", calls, p.hits["/search"])
	}
	if !res.Partial || res.CanClose() || !strings.Contains(res.PartialReason, "connection reset") {
		t.Errorf("partial %v (%s): want a partial run naming the failure", res.Partial, res.PartialReason)
	}
	if err := res.Add(funding.Call{Identifier: "X"}); !errors.Is(err, crawlers.ErrNotStored) {
		t.Errorf("Add after the sink failed = %v, want ErrNotStored", err)
	}
}
