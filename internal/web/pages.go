package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// cityFor returns the city of the {slug} in the path when u may see it (or
// change it, with change): 404 when there is no such city, 403 otherwise.
func (s *Server) cityFor(w http.ResponseWriter, r *http.Request, u store.User, change bool) (store.City, bool) {
	slug := r.PathValue("slug")
	version, cacheable := s.dataVersion(cityTables)
	c, _, err := s.cities.through(r.Context(), version, cacheable, slug, func(ctx context.Context) (store.City, error) {
		return s.cfg.Store.CityBySlug(ctx, slug)
	})
	if !s.found(w, r, err) {
		return c, false
	}
	if !u.CanSeeCity(c.ID) || (change && !u.CanChangeCity(c.ID)) {
		s.forbidden(w, r)
		return c, false
	}
	return c, true
}

// callFor returns the call of the {identifier} in the path, or answers 404.
func (s *Server) callFor(w http.ResponseWriter, r *http.Request) (store.CallRecord, bool) {
	c, err := s.cfg.Store.CallByIdentifier(r.Context(), r.PathValue("identifier"))
	if !s.found(w, r, err) {
		return c, false
	}
	return c, true
}

// found reports whether a lookup succeeded, answering 404 for what does not
// exist and 500 for any other error when it did not.
func (s *Server) found(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return false
	case err != nil:
		s.fail(w, r, err)
		return false
	}
	return true
}

// fail answers an unexpected error as a page or as JSON.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.apiError(w, r, http.StatusInternalServerError, "internal", "", err)
		return
	}
	s.serverError(w, r, err)
}

// today is the date in Brussels, where deadlines fall.
func (s *Server) today() time.Time { return funding.Date(s.now()) }

// badInput is a request field with a wrong value.
type badInput struct{ field, message string }

func (e badInput) Error() string { return e.field + ": " + e.message }

// matchFilter reads the filters and sorting of a city's matches from the
// query string.
func matchFilter(q url.Values) (store.MatchFilter, error) {
	f := store.MatchFilter{Programme: q.Get("programme"), Sort: q.Get("sort")}
	if v := q.Get("min_score"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			return f, badInput{"min_score", "want a whole number from 0 to 100"}
		}
		f.MinScore = n
	}
	var err error
	if f.Eligibility, err = filterValue(q, "eligibility", funding.ParseEligibility); err != nil {
		return f, err
	}
	if f.CallStatus, err = filterValue(q, "status", funding.ParseStatus); err != nil {
		return f, err
	}
	if f.Interest, err = filterValue(q, "interest", store.ParseInterestStatus); err != nil {
		return f, err
	}
	if _, ok := store.MatchSorts[f.Sort]; f.Sort != "" && !ok {
		return f, badInput{"sort", "want score, deadline or budget"}
	}
	return f, nil
}

// maxPage bounds ?page=, so that an offset never overflows.
const maxPage = 100_000

// paging reads ?page= (at most maxPage) and ?per_page= (defaults 1 and 50,
// at most 200).
func paging(q url.Values) (page, perPage int, err error) {
	page, perPage = 1, 50
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > maxPage {
			return 0, 0, badInput{"page", "want a whole number from 1 to 100000"}
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > 200 {
			return 0, 0, badInput{"per_page", "want a whole number from 1 to 200"}
		}
	}
	return page, perPage, nil
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	var bi badInput
	if !errors.As(err, &bi) {
		bi = badInput{"", err.Error()}
	}
	if isAPI(r) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{
			"code": "bad_request", "message": bi.Error(), "field": bi.field}})
		return
	}
	s.render(w, r, http.StatusBadRequest, "error.html", map[string]any{"Status": 400, "Message": "bad_request", "Detail": badFieldText(language(w, r), bi)})
}

// badFieldText says on a page which field to look at, in the page's
// language, by its label when the catalogue has one and by its form name;
// the reason, which the API gives as it is, is English and shown only on
// English pages.
func badFieldText(code string, bi badInput) string {
	l := lang(code)
	var text string
	switch {
	case bi.field == "" && l == i18n.EN:
		return bi.message
	case bi.field == "":
		return "" // the page already says the request is not valid
	case i18n.Has(bi.field):
		text = i18n.T(l, "bad_field", i18n.T(l, bi.field), bi.field)
	default:
		text = i18n.T(l, "bad_field_code", bi.field)
	}
	if l == i18n.EN {
		text += " " + bi.message
	} else if m := choiceReason.FindStringSubmatch(bi.message); m != nil {
		text += " " + i18n.T(l, "bad_choice", strings.ReplaceAll(m[1], " or ", i18n.T(l, "or")))
	}
	return text
}

// choiceReason is a reason that lists the values a field takes, "want
// excel or comma": a Dutch page lists them too, the codes being the same.
var choiceReason = regexp.MustCompile(`^want (?:one of )?([a-z_]+(?:, [a-z_]+)*(?: or [a-z_]+)?)$`)

// cityPage lists a city's matched calls with filters and sorting.
func (s *Server) cityPage(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, false)
	if !ok {
		return
	}
	f, err := matchFilter(r.URL.Query())
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	page, perPage, err := paging(r.URL.Query())
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	// The list shows a summary and the themes of the reasons.
	f.Limit, f.Offset, f.Detail = perPage, (page-1)*perPage, store.DetailReasons
	matches, total, err := s.cityMatches(r.Context(), city.ID, f, s.today())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	programmes, err := s.cfg.Store.CityMatchProgrammes(r.Context(), city.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// A programme asked for by a link but matched by nothing stays
	// selected, so the empty list says why.
	if i := slices.IndexFunc(programmes, func(p string) bool { return strings.EqualFold(p, f.Programme) }); i >= 0 {
		f.Programme = programmes[i] // the filter ignores case; the list does not
	} else if f.Programme != "" {
		programmes = append(programmes, f.Programme)
	}
	s.render(w, r, http.StatusOK, "city.html", map[string]any{
		"City": city, "Matches": matchRows(matches, s.today()), "Programmes": programmes, "Total": total, "Filter": f, "Page": page,
		"HasNext": page*perPage < total, "CanChange": u.CanChangeCity(city.ID),
		"ICal": s.icalURL(u), "Interests": store.InterestStatuses,
	})
}

// frontRunnersShown is how many municipalities that did a similar project
// the call page names; the rest are counted.
const frontRunnersShown = 10

// callPage shows a call: its sanitised description, a deadline timeline,
// its budget, the cities it matches, the municipalities that did a similar
// project, and the forms to mark it.
func (s *Server) callPage(w http.ResponseWriter, r *http.Request, u store.User) {
	call, ok := s.callFor(w, r)
	if !ok {
		return
	}
	matches, err := s.cfg.Store.CallMatches(r.Context(), call.ID, s.today())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Every signed-in user sees which cities a call matches (to find
	// partners); the score and why only for cities they may see. A city
	// matches when it is not ruled out and scores at least a weak fit.
	type cityMatch struct {
		matchRow
		Visible bool
	}
	var cities []cityMatch
	for _, m := range matchRows(matches, s.today()) {
		if m.Eligibility == funding.Ineligible || m.Score < matching.BandWeak {
			continue
		}
		cities = append(cities, cityMatch{m, u.CanSeeCity(m.CityID)})
	}
	// Who did this before: the municipalities whose past project is like
	// the call, as scoring stored them. Past projects come from public
	// sources (City of Things, CORDIS, Kohesio, keep.eu) or were recorded
	// to be shared, so every signed-in user sees them, like the matching
	// cities; the link to the city's page only those who may see it.
	shown, total, err := s.cfg.Store.CallFrontRunners(r.Context(), call.ID, frontRunnersShown)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type frontRunner struct {
		store.FrontRunner
		Visible bool
	}
	frontRunners := make([]frontRunner, len(shown))
	for i, f := range shown {
		frontRunners[i] = frontRunner{f, u.CanSeeCity(f.CityID)}
	}
	type markForm struct {
		City     store.City
		Interest store.Interest
	}
	var forms []markForm
	mine, err := s.cfg.Store.CitiesBySlug(r.Context(), u.Cities)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var markable []int64
	for _, slug := range u.Cities {
		c, ok := mine[slug]
		if !ok {
			s.serverError(w, r, fmt.Errorf("city %s: %w", slug, store.ErrNotFound))
			return
		}
		if u.CanChangeCity(c.ID) {
			markable = append(markable, c.ID)
			forms = append(forms, markForm{City: c})
		}
	}
	marks, err := s.cfg.Store.InterestsOf(r.Context(), call.ID, markable)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for i := range forms {
		forms[i].Interest = marks[forms[i].City.ID] // the zero Interest: no mark yet
	}
	// The description was sanitised with bluemonday when it was crawled
	// (funding.SanitizeHTML); that is why it may be trusted as HTML here,
	// once callHTML passed it through the same policy again.
	s.render(w, r, http.StatusOK, "call.html", map[string]any{
		"Call":        call,
		"Description": callHTML(call.DescriptionHTML),
		"Conditions":  callHTML(call.ConditionsHTML),
		"Timeline":    timeline{call.OpeningDate, call.Deadlines, s.today()},
		"Cities":      cities, "Forms": forms, "Interests": store.InterestStatuses,
		"FrontRunners": frontRunners, "MoreFrontRunners": total - len(shown),
		"CanPlan": u.Role == store.RoleCoordinator || u.Role == store.RoleAdmin,
	})
}

// markCall records a city's mark on a call, with a note and amounts.
func (s *Server) markCall(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, true)
	if !ok {
		return
	}
	call, ok := s.callFor(w, r)
	if !ok {
		return
	}
	in, err := interestFrom(r.PostFormValue, language(w, r))
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	if err := s.cfg.Store.SetInterest(r.Context(), city.ID, call.ID, u.ID, in, s.now()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/calls/"+url.PathEscape(call.Identifier)+"#mark-"+city.Slug, http.StatusSeeOther)
}

func interestFrom(get func(string) string, lang string) (store.Interest, error) {
	in := store.Interest{Note: strings.TrimSpace(get("note"))}
	var err error
	if in.Status, err = fieldValue("status", get("status"), store.ParseInterestStatus); err != nil {
		return in, err
	}
	if len(in.Note) > 4000 {
		return in, badInput{"note", "at most 4000 characters"}
	}
	if in.AmountRequested, err = amount(get("amount_requested"), "amount_requested", lang); err != nil {
		return in, err
	}
	if in.AmountGranted, err = amount(get("amount_granted"), "amount_granted", lang); err != nil {
		return in, err
	}
	return in, nil
}

// amount parses an optional amount in euro as typed on a page in lang
// (parseNumber: 12.500,50 or 12500.50 in Dutch).
func amount(v, field, lang string) (*float64, error) {
	if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "€")) == "" {
		return nil, nil
	}
	f, ok := parseNumber(v, lang)
	if !ok || f < 0 || f > store.MaxAmount {
		return nil, badInput{field, "want an amount in euro, such as 250000"}
	}
	return &f, nil
}

// saveAndRescore saves a profile and enqueues the rescoring of its city.
func (s *Server) saveAndRescore(r *http.Request, p store.Profile) error {
	changed, err := s.cfg.Store.SaveProfile(r.Context(), p)
	if err != nil || !changed {
		return err
	}
	if s.cfg.Rescorer == nil {
		s.cfg.Logger.Warn("profile saved but no rescorer is wired; matches stay as they are until the next scoring run", "city", p.City)
		return nil
	}
	if err := s.cfg.Rescorer.RescoreCity(r.Context(), p.City); err != nil {
		return fmt.Errorf("enqueue rescore of %s: %w", p.City, err)
	}
	return nil
}

// splitList splits a comma- or newline-separated list, dropping blanks.
func splitList(v string) []string {
	out := []string{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// callsPage lists the current calls with the cities they match among the
// user's cities (every city for government and admins).
func (s *Server) callsPage(w http.ResponseWriter, r *http.Request, u store.User) {
	page, perPage, err := paging(r.URL.Query())
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	status, err := filterValue(r.URL.Query(), "status", funding.ParseStatus)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	if status == "" {
		status = funding.StatusOpen
	}
	calls, err := s.cfg.Store.Calls(r.Context(), store.CallFilter{Status: status, Programme: r.URL.Query().Get("programme"),
		Limit: perPage + 1, Offset: (page - 1) * perPage})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	hasNext := len(calls) > perPage
	if hasNext {
		calls = calls[:perPage]
	}
	type row struct {
		Call   store.CallRecord
		Next   *time.Time
		Cities []store.CityMatch
	}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = c.ID
	}
	matches, err := s.cfg.Store.MatchesOfCalls(r.Context(), ids, s.today())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows := make([]row, 0, len(calls))
	for _, c := range calls {
		var visible []store.CityMatch
		for _, m := range matches[c.ID] {
			if u.Role == store.RoleGovernment || u.Role == store.RoleAdmin || slices.Contains(u.Cities, m.City) {
				visible = append(visible, m)
			}
		}
		rows = append(rows, row{c, nextDeadline(&c.Call, s.today()), visible})
	}
	s.render(w, r, http.StatusOK, "calls.html", map[string]any{"Rows": rows, "Page": page, "HasNext": hasNext,
		"Status": status, "Programme": r.URL.Query().Get("programme")})
}

// nextDeadline is the call's next cut-off on or after day, nil when none is left.
func nextDeadline(c *funding.Call, day time.Time) *time.Time {
	if d, ok := c.NextDeadline(day); ok {
		return &d
	}
	return nil
}
