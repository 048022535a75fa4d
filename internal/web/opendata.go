package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
)

// Licence is the statement that goes with every open-data export.
const Licence = "Compilation © fundmatch, licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). " +
	"Call data: European Commission, EU Funding & Tenders Portal (https://ec.europa.eu/info/funding-tenders/opportunities/portal/), " +
	"reused under the Commission's reuse policy (Decision 2011/833/EU)."

// OpenCall is a current call as open data: its listing, a short summary
// and when it last changed.
type OpenCall struct {
	funding.Listing
	Summary       string    `json:"summary"`
	LastChangedAt time.Time `json:"last_changed_at"`
}

func openCall(c store.CallRecord, today time.Time) OpenCall {
	return OpenCall{Listing: c.Listing(today), Summary: c.Summary, LastChangedAt: c.LastChangedAt}
}

// currentStatuses are the statuses of the calls open data lists.
var currentStatuses = []funding.Status{funding.StatusOpen, funding.StatusForthcoming}

// Open data is read from the database openChunk calls at a time, so that
// memory does not grow with the listing; the JSON comes in pages.
const (
	openChunk          = 500
	defaultOpenPerPage = 100
	maxOpenPerPage     = 500
)

// eachCurrentCall calls fn for every open and forthcoming call, soonest
// deadline first, reading them openChunk at a time.
func (s *Server) eachCurrentCall(ctx context.Context, fn func(OpenCall) error) error {
	today := s.today()
	for offset := 0; ; offset += openChunk {
		calls, err := s.cfg.Store.Calls(ctx, store.CallFilter{Statuses: currentStatuses, Limit: openChunk, Offset: offset})
		if err != nil {
			return err
		}
		for _, c := range calls {
			if err := fn(openCall(c, today)); err != nil {
				return err
			}
		}
		if len(calls) < openChunk {
			return nil
		}
	}
}

func (s *Server) openDataPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "open.html", map[string]any{"Licence": Licence})
}

// openCallsJSON serves one page of the current calls (?page=, ?per_page=
// up to maxOpenPerPage), with Link headers to the next and previous pages
// and an ETag; the answer is kept until the calls change.
func (s *Server) openCallsJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	q := r.URL.Query()
	page, perPage, err := paging(url.Values{"page": q["page"]})
	if err == nil && q.Get("per_page") != "" {
		if perPage, err = strconv.Atoi(q.Get("per_page")); err != nil || perPage < 1 || perPage > maxOpenPerPage {
			err = badInput{"per_page", fmt.Sprintf("want a whole number from 1 to %d", maxOpenPerPage)}
		}
	} else if err == nil {
		perPage = defaultOpenPerPage
	}
	if err != nil {
		var bi badInput
		errors.As(err, &bi)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "bad_request", "message": bi.Error(), "field": bi.field}})
		return
	}
	today := s.today()
	key := "open " + today.Format(time.DateOnly) + " " + strconv.Itoa(page) + " " + strconv.Itoa(perPage)
	load := func(ctx context.Context) (*answer, error) {
		calls, err := s.cfg.Store.Calls(ctx, store.CallFilter{Statuses: currentStatuses, Limit: perPage + 1, Offset: (page - 1) * perPage})
		if err != nil {
			return nil, err
		}
		meta := pageMeta{Page: page, PerPage: perPage, HasNext: len(calls) > perPage}
		if meta.HasNext {
			calls = calls[:perPage]
		}
		out := make([]OpenCall, 0, len(calls))
		for _, c := range calls {
			out = append(out, openCall(c, today))
		}
		var links []string
		link := func(page int, rel string) {
			links = append(links, fmt.Sprintf(`<%s?page=%d&per_page=%d>; rel="%s"`, r.URL.Path, page, perPage, rel))
		}
		if meta.HasNext {
			link(page+1, "next")
		}
		if page > 1 {
			link(page-1, "prev")
		}
		body, err := json.Marshal(map[string]any{"licence": Licence, "generated_at": s.now().UTC(), "count": len(out), "data": out, "meta": meta})
		if err != nil {
			return nil, err
		}
		return newAnswer(append(body, '\n'), strings.Join(links, ", ")), nil
	}
	version, cacheable := s.dataVersion([]string{"calls"})
	a, hit, err := s.answers.through(r.Context(), version, cacheable, key, load)
	if err != nil {
		s.apiError(w, r, http.StatusInternalServerError, "internal", "", err)
		return
	}
	a.write(w, r, cacheStatus(cacheable, hit))
}

// openCallsCSV streams every current call as CSV.
func (s *Server) openCallsCSV(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="fundmatch-calls.csv"`)
	w.Header().Set("Link", `<https://creativecommons.org/licenses/by/4.0/>; rel="license"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"identifier", "title", "programme", "status", "opening_date", "next_deadline", "deadlines", "budget_min", "budget_max", "call_budget", "url"})
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 2, 64)
	}
	err := s.eachCurrentCall(r.Context(), func(c OpenCall) error {
		cw.Write([]string{csvSafe(c.Identifier), csvSafe(c.Title), csvSafe(c.Programme), c.Status, str(c.OpeningDate),
			str(c.NextDeadline), strings.Join(c.Deadlines, " "), num(c.BudgetMin), num(c.BudgetMax), num(c.CallBudget), csvSafe(c.URL)})
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		// The answer has begun: cut it short, without the licence line that
		// says it is complete.
		s.cfg.Logger.Error("write open data CSV", "err", err)
		return
	}
	cw.Write([]string{"# " + Licence})
	cw.Flush()
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// openCallsAtom streams every current call as an Atom feed entry: the
// feed's head, then each entry as it is read, then the feed's end.
func (s *Server) openCallsAtom(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	element := func(name string, v any) error {
		return enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}})
	}
	feed := xml.StartElement{Name: xml.Name{Space: "http://www.w3.org/2005/Atom", Local: "feed"}}
	err := errors.Join(enc.EncodeToken(feed),
		element("title", "fundmatch: current EU calls"),
		element("id", s.cfg.BaseURL+"/open/calls.atom"),
		element("updated", s.now().UTC().Format(time.RFC3339)),
		element("rights", Licence),
		element("link", atomLink{Href: s.cfg.BaseURL + "/open/calls.atom", Rel: "self"}),
		element("link", atomLink{Href: "https://creativecommons.org/licenses/by/4.0/", Rel: "license"}),
		element("author", atomAuthor{Name: "fundmatch"}))
	if err == nil {
		err = s.eachCurrentCall(r.Context(), func(c OpenCall) error {
			link := c.URL
			if link == "" {
				link = s.cfg.BaseURL + "/calls/" + url.PathEscape(c.Identifier)
			}
			summary := c.Summary
			if c.NextDeadline != nil {
				summary = fmt.Sprintf("Deadline %s. %s", *c.NextDeadline, summary)
			}
			return element("entry", atomEntry{Title: c.Identifier + ": " + c.Title, ID: "urn:fundmatch:call:" + c.Source + ":" + c.Identifier,
				Updated: c.LastChangedAt.UTC().Format(time.RFC3339), Link: atomLink{Href: link}, Summary: summary})
		})
	}
	if err == nil {
		err = errors.Join(enc.EncodeToken(feed.End()), enc.Flush())
	}
	if err != nil {
		s.cfg.Logger.Error("write atom feed", "err", err)
	}
}
