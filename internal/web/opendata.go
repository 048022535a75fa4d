package web

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/crawlers"
	"github.com/fundmatch/fundmatch/internal/store"
)

// Licence is the statement that goes with every open-data export.
const Licence = "Compilation © fundmatch, licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). " +
	"Call data: European Commission, EU Funding & Tenders Portal (https://ec.europa.eu/info/funding-tenders/opportunities/portal/), " +
	"reused under the Commission's reuse policy (Decision 2011/833/EU)."

// OpenCall is a current call as open data: its listing, a short summary
// and when it last changed.
type OpenCall struct {
	crawlers.Listing
	Summary       string    `json:"summary"`
	LastChangedAt time.Time `json:"last_changed_at"`
}

func openCall(c store.CallRecord, today time.Time) OpenCall {
	return OpenCall{Listing: c.Listing(today), Summary: c.Summary, LastChangedAt: c.LastChangedAt}
}

// currentCalls are the open and forthcoming calls.
func (s *Server) currentCalls(r *http.Request) ([]OpenCall, error) {
	var out []OpenCall
	for _, status := range []string{"open", "forthcoming"} {
		calls, err := s.cfg.Store.Calls(r.Context(), store.CallFilter{Status: status})
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			out = append(out, openCall(c, s.today()))
		}
	}
	if out == nil {
		out = []OpenCall{}
	}
	return out, nil
}

func (s *Server) openDataPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "open.html", map[string]any{"Licence": Licence})
}

func (s *Server) openCallsJSON(w http.ResponseWriter, r *http.Request) {
	calls, err := s.currentCalls(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, map[string]any{"licence": Licence, "generated_at": s.now().UTC(), "count": len(calls), "data": calls})
}

func (s *Server) openCallsCSV(w http.ResponseWriter, r *http.Request) {
	calls, err := s.currentCalls(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
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
	for _, c := range calls {
		cw.Write([]string{csvSafe(c.Identifier), csvSafe(c.Title), csvSafe(c.Programme), c.Status, str(c.OpeningDate),
			str(c.NextDeadline), strings.Join(c.Deadlines, " "), num(c.BudgetMin), num(c.BudgetMax), num(c.CallBudget), csvSafe(c.URL)})
	}
	cw.Write([]string{"# " + Licence})
	cw.Flush()
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Rights  string      `xml:"rights"`
	Link    []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
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

func (s *Server) openCallsAtom(w http.ResponseWriter, r *http.Request) {
	calls, err := s.currentCalls(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	feed := atomFeed{Title: "fundmatch: current EU calls", ID: s.cfg.BaseURL + "/open/calls.atom",
		Updated: s.now().UTC().Format(time.RFC3339), Rights: Licence, Author: atomAuthor{Name: "fundmatch"},
		Link: []atomLink{{Href: s.cfg.BaseURL + "/open/calls.atom", Rel: "self"}, {Href: "https://creativecommons.org/licenses/by/4.0/", Rel: "license"}}}
	for _, c := range calls {
		link := c.URL
		if link == "" {
			link = s.cfg.BaseURL + "/calls/" + url.PathEscape(c.Identifier)
		}
		summary := c.Summary
		if c.NextDeadline != nil {
			summary = fmt.Sprintf("Deadline %s. %s", *c.NextDeadline, summary)
		}
		feed.Entries = append(feed.Entries, atomEntry{Title: c.Identifier + ": " + c.Title, ID: "urn:fundmatch:call:" + c.Source + ":" + c.Identifier,
			Updated: c.LastChangedAt.UTC().Format(time.RFC3339), Link: atomLink{Href: link}, Summary: summary})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		s.cfg.Logger.Error("write atom feed", "err", err)
	}
}
