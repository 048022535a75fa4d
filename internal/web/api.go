package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/imports"
	"github.com/fundmatch/fundmatch/internal/planning"
	"github.com/fundmatch/fundmatch/internal/store"
)

func (s *Server) apiRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/openapi.json", s.openAPI)
	s.handle(mux, "GET /api/v1/calls", s.require(s.apiCalls))
	s.handle(mux, "GET /api/v1/calls/{identifier}", s.require(s.apiCall))
	s.handle(mux, "GET /api/v1/cities", s.require(s.apiCities))
	s.handle(mux, "GET /api/v1/cities/{slug}/matches", s.require(s.apiMatches))
	s.handle(mux, "GET /api/v1/cities/{slug}/matches/{identifier}", s.require(s.apiMatch))
	s.handle(mux, "GET /api/v1/cities/{slug}/profile", s.require(s.apiProfile))
	s.handle(mux, "PUT /api/v1/cities/{slug}/profile", s.require(s.apiPutProfile, store.RoleOfficer, store.RoleAdmin))
	s.handle(mux, "GET /api/v1/plans", s.require(s.apiPlans))
	s.handle(mux, "POST /api/v1/plans", s.require(s.apiRunPlanner, store.RoleCoordinator, store.RoleAdmin))
	s.handle(mux, "GET /api/v1/bids", s.require(s.apiBids))
	s.handle(mux, "POST /api/v1/bids", s.require(s.apiCreateBid, store.RoleOfficer, store.RoleAdmin))
	s.handle(mux, "GET /api/v1/uptake", s.require(s.apiUptake, store.RoleGovernment, store.RoleAdmin))
}

// pageMeta is the "meta" object of a paginated list.
type pageMeta struct {
	Page    int  `json:"page"`
	PerPage int  `json:"per_page"`
	Total   *int `json:"total,omitempty"`
	HasNext bool `json:"has_next"`
}

// writePage writes {"data": ..., "meta": ...} with a Link header to the
// next and previous pages, and an ETag.
func writePage(w http.ResponseWriter, r *http.Request, data any, meta pageMeta) {
	pageAnswer(r, data, meta).write(w, r, "")
}

// pageAnswer is the answer writePage writes.
func pageAnswer(r *http.Request, data any, meta pageMeta) *answer {
	body, err := json.Marshal(map[string]any{"data": data, "meta": meta})
	if err != nil {
		panic(err) // only our own types go in, and they all encode
	}
	return newAnswer(append(body, '\n'), pageLinks(r, meta))
}

// matchesAnswer is pageAnswer's answer for a page of matches, with the
// matches encoded by hand (store.CityMatch.AppendJSON) into one buffer.
func matchesAnswer(r *http.Request, matches []store.CityMatch, meta pageMeta) (*answer, error) {
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	// The page is encoded in a buffer kept for the next one, and the answer
	// gets a copy of its size: allocating room for the largest matches
	// would double what a request allocates.
	buf := pageBuffers.Get().(*[]byte)
	defer pageBuffers.Put(buf)
	b := append((*buf)[:0], `{"data":[`...)
	for i := range matches {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = matches[i].AppendJSON(b); err != nil {
			return nil, fmt.Errorf("encode match of %s: %w", matches[i].CallIdentifier, err)
		}
	}
	b = append(b, `],"meta":`...)
	b = append(append(b, metaJSON...), "}\n"...)
	*buf = b
	return newAnswer(bytes.Clone(b), pageLinks(r, meta)), nil
}

// pageBuffers are matchesAnswer's buffers.
var pageBuffers = sync.Pool{New: func() any { return new([]byte) }}

// pageLinks is the Link header of a page: the next and previous pages.
func pageLinks(r *http.Request, meta pageMeta) string {
	var links []string
	link := func(page int, rel string) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(meta.PerPage))
		links = append(links, fmt.Sprintf(`<%s?%s>; rel="%s"`, r.URL.Path, q.Encode(), rel))
	}
	if meta.HasNext {
		link(meta.Page+1, "next")
	}
	if meta.Page > 1 {
		link(meta.Page-1, "prev")
	}
	return strings.Join(links, ", ")
}

func (s *Server) apiCalls(w http.ResponseWriter, r *http.Request, _ store.User) {
	q := r.URL.Query()
	page, perPage, err := paging(q)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	status, err := filterValue(q, "status", funding.ParseStatus)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	calls, err := s.cfg.Store.Calls(r.Context(), store.CallFilter{Status: status, Programme: q.Get("programme"),
		Limit: perPage + 1, Offset: (page - 1) * perPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	meta := pageMeta{Page: page, PerPage: perPage, HasNext: len(calls) > perPage}
	if meta.HasNext {
		calls = calls[:perPage]
	}
	out := make([]OpenCall, 0, len(calls))
	for _, c := range calls {
		out = append(out, openCall(c, s.today()))
	}
	writePage(w, r, out, meta)
}

// CallDetail is a call in the API, with its sanitised description.
type CallDetail struct {
	OpenCall
	Reference        string   `json:"reference"`
	Kind             string   `json:"kind"`
	ProgrammeName    string   `json:"programme_name"`
	CallIdentifier   string   `json:"call_identifier"`
	CallTitle        string   `json:"call_title"`
	DescriptionHTML  string   `json:"description_html"`
	ConditionsHTML   string   `json:"conditions_html"`
	ExpectedGrants   *int     `json:"expected_grants"`
	FundingRate      *float64 `json:"funding_rate"`
	TypesOfAction    []string `json:"types_of_action"`
	Keywords         []string `json:"keywords"`
	EligibilityNotes string   `json:"eligibility_notes"`
	MatchedCities    []string `json:"matched_cities"`
}

func (s *Server) apiCall(w http.ResponseWriter, r *http.Request, _ store.User) {
	c, ok := s.callFor(w, r)
	if !ok {
		return
	}
	matches, err := s.cfg.Store.CallMatches(r.Context(), c.ID, s.today())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := CallDetail{OpenCall: openCall(c, s.today()), Reference: c.Reference, Kind: string(c.Kind), ProgrammeName: c.ProgrammeName,
		CallIdentifier: c.CallIdentifier, CallTitle: c.CallTitle, ExpectedGrants: c.ExpectedGrants, FundingRate: c.FundingRate,
		TypesOfAction: c.TypesOfAction, Keywords: c.Keywords, EligibilityNotes: c.EligibilityNotes, MatchedCities: []string{}}
	d.DescriptionHTML, _ = funding.SanitizeHTML(c.DescriptionHTML)
	d.ConditionsHTML, _ = funding.SanitizeHTML(c.ConditionsHTML)
	for _, m := range matches {
		d.MatchedCities = append(d.MatchedCities, m.City)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": d})
}

func (s *Server) apiCities(w http.ResponseWriter, r *http.Request, _ store.User) {
	cities, err := s.cfg.Store.Cities(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": cities, "count": len(cities)})
}

// apiMatchQuery reads the query of the matches API: the filter, with one
// more match than the page holds (to tell whether a next page exists), and
// the page. The total is counted only on request (?count=true): the list
// is the busiest endpoint, and the count costs as much as the page.
func apiMatchQuery(q url.Values) (f store.MatchFilter, page, perPage int, err error) {
	if f, err = matchFilter(q); err != nil {
		return f, 0, 0, err
	}
	if page, perPage, err = paging(q); err != nil {
		return f, 0, 0, err
	}
	// A match's summary stands in for its reasons and texts (4–5 kB for a
	// city's best) unless the whole explanation is asked for.
	switch q.Get("explanation") {
	case "", "summary":
		f.Detail = store.DetailSummary
	case "full":
		f.Detail = store.DetailFull
	default:
		return f, 0, 0, badInput{"explanation", "want summary or full"}
	}
	f.Limit, f.Offset, f.SkipCount = perPage+1, (page-1)*perPage, q.Get("count") != "true"
	return f, page, perPage, nil
}

func (s *Server) apiMatches(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, false)
	if !ok {
		return
	}
	f, page, perPage, err := apiMatchQuery(r.URL.Query())
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	count := !f.SkipCount
	// The answer depends on the city, the query and the day (the next
	// deadline), not on who asks: cityFor checked that they may see it.
	today := s.today()
	key := strconv.FormatInt(city.ID, 10) + " " + today.Format(time.DateOnly) + " " + r.URL.Query().Encode()
	load := func(ctx context.Context) (*answer, error) {
		select {
		case s.matchReads <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The slot is held through the encoding too: it is CPU work like
		// the read, and left to the scheduler it made the slowest
		// requests slower (p99 45–60 ms against 43–46 ms in the
		// benchmark).
		defer func() { <-s.matchReads }()
		matches, total, err := s.cityMatches(ctx, city.ID, f, today)
		if err != nil {
			return nil, err
		}
		meta := pageMeta{Page: page, PerPage: perPage, HasNext: len(matches) > perPage}
		if meta.HasNext {
			matches = matches[:perPage]
		}
		if f.Detail == store.DetailSummary {
			for i := range matches {
				e := &matches[i].Explanation
				e.SummaryNL, e.SummaryEN = summaryOf(*e)
				e.NL, e.EN = "", ""
			}
		}
		if count {
			meta.Total = &total
		}
		return matchesAnswer(r, matches, meta)
	}
	version, cacheable := s.dataVersion(answerTables)
	if cacheable {
		version += s.cfg.Changes.CityVersion(city.ID) // the city's own marks
	}
	a, hit, err := s.answers.through(r.Context(), version, cacheable, key, load)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a.write(w, r, cacheStatus(cacheable, hit))
}

// apiMatch answers one of a city's matches with its whole explanation:
// the list gives only the summary of an explained match.
func (s *Server) apiMatch(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, false)
	if !ok {
		return
	}
	m, err := s.cfg.Store.CityMatchOfCall(r.Context(), city.ID, r.PathValue("identifier"), s.today())
	if errors.Is(err, store.ErrNotFound) {
		s.apiError(w, r, http.StatusNotFound, "not_found", "this call is not among the city's matches", nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": &m})
}

func (s *Server) apiProfile(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, false)
	if !ok {
		return
	}
	p, err := s.cfg.Store.ProfileBySlug(r.Context(), city.Slug)
	if errors.Is(err, store.ErrNotFound) {
		s.apiError(w, r, http.StatusNotFound, "not_found", "this city has no profile yet", nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": p})
}

func (s *Server) apiPutProfile(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, true)
	if !ok {
		return
	}
	var in imports.ProfileFile
	if err := decodeJSON(w, r, &in); err != nil {
		s.badRequest(w, r, err)
		return
	}
	in.City = city.Slug // the URL names the city
	current, err := s.cfg.Store.ProfileBySlug(r.Context(), city.Slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	choices, err := s.programmeChoices(r.Context(), current.ExcludedProgrammes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, field, reason := imports.ValidateProfile(in, imports.ProfileOptions{Programmes: programmeCodes(choices)})
	if reason != "" {
		s.badRequest(w, r, badInput{field, reason})
		return
	}
	p.CityID = city.ID
	if err := s.saveAndRescore(r, p); err != nil {
		s.fail(w, r, err)
		return
	}
	s.apiProfile(w, r, u)
}

// decodeJSON reads a JSON body of at most 1 MB with no unknown fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			return badInput{typeErr.Field, "wrong type: want " + typeErr.Type.String()}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badInput{strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field"}
		case errors.Is(err, io.EOF):
			return badInput{"body", "a JSON body is required"}
		}
		return badInput{"body", "not valid JSON"}
	}
	return stringsOK(v)
}

func (s *Server) apiPlans(w http.ResponseWriter, r *http.Request, u store.User) {
	q := r.URL.Query()
	page, perPage, err := paging(q)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	f := store.PlanFilter{CityIDs: visibleCities(u), Limit: perPage, Offset: (page - 1) * perPage}
	if f.Statuses, err = planStatuses(q); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if v := q.Get("run"); v != "" {
		run, err := strconv.ParseInt(v, 10, 64)
		if err != nil || run <= 0 {
			s.badRequest(w, r, badInput{"run", "want the number of a planner run"})
			return
		}
		f.RunID = run
	}
	if id := q.Get("call"); id != "" {
		call, err := s.cfg.Store.CallByIdentifier(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			s.badRequest(w, r, badInput{"call", "unknown call"})
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.CallID = call.ID
	}
	plans, total, err := s.plans(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, visiblePlans(u, plans), pageMeta{Page: page, PerPage: perPage, Total: &total, HasNext: page*perPage < total})
}

// apiRunPlanner runs the planner for calls and cities.
func (s *Server) apiRunPlanner(w http.ResponseWriter, r *http.Request, u store.User) {
	var req PlanRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if len(req.CallIdentifiers) == 0 || len(req.CallIdentifiers) > 100 {
		s.badRequest(w, r, badInput{"calls", "name 1 to 100 calls"})
		return
	}
	if len(req.Cities) > 400 {
		s.badRequest(w, r, badInput{"cities", "name at most 400 cities"})
		return
	}
	known, err := s.cfg.Store.KnownCalls(r.Context(), req.CallIdentifiers)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, id := range req.CallIdentifiers {
		if !known[id] {
			s.badRequest(w, r, badInput{"calls", "unknown call " + id})
			return
		}
	}
	if len(req.Cities) == 0 {
		req.Cities = u.Cities
	}
	cities, err := s.cfg.Store.CitiesBySlug(r.Context(), req.Cities)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, slug := range req.Cities {
		c, ok := cities[slug]
		if !ok {
			s.badRequest(w, r, badInput{"cities", "unknown city " + slug})
			return
		}
		if u.Role != store.RoleAdmin && !u.HasCity(c.ID) {
			s.apiError(w, r, http.StatusForbidden, "forbidden", "you do not coordinate "+slug, nil)
			return
		}
	}
	if req.Alternatives < 0 || req.Alternatives > 10 {
		s.badRequest(w, r, badInput{"alternatives", "want 0 to 10"})
		return
	}
	req.RequestedBy = u.ID
	res, err := s.cfg.Planner.Plan(r.Context(), planning.Request{Calls: req.CallIdentifiers, Cities: req.Cities,
		Alternatives: req.Alternatives, RequestedBy: req.RequestedBy})
	if errors.Is(err, planning.ErrNoCalls) || errors.Is(err, planning.ErrNoMembers) {
		s.badRequest(w, r, badInput{"calls", err.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	runID := res.RunID
	w.Header().Set("Location", "/api/v1/plans?run="+strconv.FormatInt(runID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"plan_run_id": runID}})
}

func (s *Server) apiBids(w http.ResponseWriter, r *http.Request, u store.User) {
	q := r.URL.Query()
	page, perPage, err := paging(q)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	f := store.BidFilter{CityIDs: visibleCities(u), Programme: q.Get("programme"), Limit: perPage, Offset: (page - 1) * perPage}
	if f.Status, err = filterValue(q, "status", store.ParseBidStatus); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if v := q.Get("year"); v != "" {
		if f.Year, err = strconv.Atoi(v); err != nil || f.Year < 1990 || f.Year > 2100 {
			s.badRequest(w, r, badInput{"year", "want a year from 1990 to 2100"})
			return
		}
	}
	bids, total, err := s.cfg.Store.Bids(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePage(w, r, bids, pageMeta{Page: page, PerPage: perPage, Total: &total, HasNext: page*perPage < total})
}

// bidInput is the body of POST /api/v1/bids.
type bidInput struct {
	Call            string   `json:"call"`
	Programme       string   `json:"programme"`
	Title           string   `json:"title"`
	Year            int      `json:"year"`
	Status          string   `json:"status"` // parsed by store.ParseBidStatus
	AmountRequested *float64 `json:"amount_requested"`
	AmountGranted   *float64 `json:"amount_granted"`
	Lead            string   `json:"lead"`
	Partners        []string `json:"partners"`
}

func (s *Server) apiCreateBid(w http.ResponseWriter, r *http.Request, u store.User) {
	var in bidInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.badRequest(w, r, err)
		return
	}
	nb := store.NewBid{Programme: in.Programme, Title: strings.TrimSpace(in.Title), Year: in.Year,
		AmountRequested: in.AmountRequested, AmountGranted: in.AmountGranted}
	var err error
	if nb.Status, err = fieldValue("status", in.Status, store.ParseBidStatus); err != nil {
		s.badRequest(w, r, err)
		return
	}
	switch {
	case in.Year < 1990 || in.Year > 2100:
		s.badRequest(w, r, badInput{"year", "want a year from 1990 to 2100"})
		return
	case len(in.Partners) > 50:
		s.badRequest(w, r, badInput{"partners", "at most 50 partner cities"})
		return
	case in.AmountRequested != nil && *in.AmountRequested < 0:
		s.badRequest(w, r, badInput{"amount_requested", "want an amount of at least 0"})
		return
	case in.AmountGranted != nil && (*in.AmountGranted < 0 || nb.Status != store.BidWon):
		s.badRequest(w, r, badInput{"amount_granted", "only a won bid has a granted amount, of at least 0"})
		return
	}
	if in.Call != "" {
		call, err := s.cfg.Store.CallByIdentifier(r.Context(), in.Call)
		if errors.Is(err, store.ErrNotFound) {
			s.badRequest(w, r, badInput{"call", "unknown call"})
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		nb.CallID = &call.ID
		if nb.Programme == "" {
			nb.Programme = call.Programme
		}
		if nb.Title == "" {
			nb.Title = call.Title
		}
	}
	if nb.Title == "" {
		s.badRequest(w, r, badInput{"title", "a title or a call is required"})
		return
	}
	lead, err := s.cfg.Store.CityBySlug(r.Context(), in.Lead)
	if errors.Is(err, store.ErrNotFound) {
		s.badRequest(w, r, badInput{"lead", "unknown city"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !u.CanChangeCity(lead.ID) {
		s.apiError(w, r, http.StatusForbidden, "forbidden", "you cannot record bids for "+lead.Slug, nil)
		return
	}
	nb.LeadCityID = lead.ID
	partners, err := s.cfg.Store.CitiesBySlug(r.Context(), in.Partners)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, slug := range in.Partners {
		c, ok := partners[slug]
		if !ok {
			s.badRequest(w, r, badInput{"partners", "unknown city " + slug})
			return
		}
		if c.ID != lead.ID {
			nb.PartnerCityIDs = append(nb.PartnerCityIDs, c.ID)
		}
	}
	id, err := s.cfg.Store.CreateBid(r.Context(), nb)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/bids?year="+strconv.Itoa(in.Year))
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"id": id}})
}

func (s *Server) apiUptake(w http.ResponseWriter, r *http.Request, _ store.User) {
	rep, err := s.uptake(r)
	if err != nil {
		s.uptakeFailed(w, r, err)
		return
	}
	if rep.Rows == nil {
		rep.Rows = []store.UptakeRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": rep.Rows, "activity": rep.Activity,
		"front_runners": rep.FrontRunners, "need_help": rep.NeedHelp, "generated_at": s.now().UTC().Format(time.RFC3339)})
}
