package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/imports"
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
	f := store.MatchFilter{Programme: q.Get("programme"), Eligibility: q.Get("eligibility"),
		CallStatus: q.Get("status"), Interest: q.Get("interest"), Sort: q.Get("sort")}
	if v := q.Get("min_score"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			return f, badInput{"min_score", "want a whole number from 0 to 100"}
		}
		f.MinScore = n
	}
	if f.Eligibility != "" && !slices.Contains([]string{"eligible", "ineligible", "unknown"}, f.Eligibility) {
		return f, badInput{"eligibility", "want eligible, ineligible or unknown"}
	}
	if f.CallStatus != "" && !slices.Contains([]string{"forthcoming", "open", "closed"}, f.CallStatus) {
		return f, badInput{"status", "want forthcoming, open or closed"}
	}
	if f.Interest != "" && !slices.Contains(store.InterestStatuses, f.Interest) {
		return f, badInput{"interest", "want one of " + strings.Join(store.InterestStatuses, ", ")}
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
	f.Limit, f.Offset = perPage, (page-1)*perPage
	matches, total, err := s.cfg.Store.CityMatches(r.Context(), city.ID, f, s.today())
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

// callPage shows a call: its sanitised description, a deadline timeline,
// its budget, the cities it matches and the forms to mark it.
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
		if m.Eligibility == "ineligible" || m.Score < matching.BandWeak {
			continue
		}
		cities = append(cities, cityMatch{m, u.CanSeeCity(m.CityID)})
	}
	type markForm struct {
		City     store.City
		Interest store.Interest
	}
	var forms []markForm
	for _, slug := range u.Cities {
		c, err := s.cfg.Store.CityBySlug(r.Context(), slug)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !u.CanChangeCity(c.ID) {
			continue
		}
		in, err := s.cfg.Store.InterestOf(r.Context(), c.ID, call.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		forms = append(forms, markForm{c, in})
	}
	// The description was sanitised with bluemonday when it was crawled
	// (funding.SanitizeHTML); that is why it may be trusted as HTML here.
	// It passes the same policy again so that a row written by other means
	// cannot carry a script onto the page.
	description, _ := funding.SanitizeHTML(call.DescriptionHTML)
	conditions, _ := funding.SanitizeHTML(call.ConditionsHTML)
	s.render(w, r, http.StatusOK, "call.html", map[string]any{
		"Call":        call,
		"Description": template.HTML(description),
		"Conditions":  template.HTML(conditions),
		"Timeline":    timeline{call.OpeningDate, call.Deadlines, s.today()},
		"Cities":      cities, "Forms": forms, "Interests": store.InterestStatuses,
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
	in, err := interestFrom(r.PostFormValue)
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

func interestFrom(get func(string) string) (store.Interest, error) {
	in := store.Interest{Status: get("status"), Note: strings.TrimSpace(get("note"))}
	if !slices.Contains(store.InterestStatuses, in.Status) {
		return in, badInput{"status", "want one of " + strings.Join(store.InterestStatuses, ", ")}
	}
	if len(in.Note) > 4000 {
		return in, badInput{"note", "at most 4000 characters"}
	}
	var err error
	if in.AmountRequested, err = amount(get("amount_requested"), "amount_requested"); err != nil {
		return in, err
	}
	if in.AmountGranted, err = amount(get("amount_granted"), "amount_granted"); err != nil {
		return in, err
	}
	return in, nil
}

var thousandsDots = regexp.MustCompile(`^\d{1,3}(\.\d{3})+$`)

// amount parses an amount in euro, accepting 12.500,50 and 12500.50.
func amount(v, field string) (*float64, error) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "€"))
	if v == "" {
		return nil, nil
	}
	switch {
	case strings.Contains(v, ","):
		v = strings.ReplaceAll(strings.ReplaceAll(v, ".", ""), ",", ".")
	case thousandsDots.MatchString(v): // 250.000 is Belgian for 250000
		v = strings.ReplaceAll(v, ".", "")
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v, " ", ""), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > store.MaxAmount {
		return nil, badInput{field, "want an amount in euro, such as 250000"}
	}
	return &f, nil
}

// profilePage shows the city profile form.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, false)
	if !ok {
		return
	}
	p, err := s.cfg.Store.ProfileBySlug(r.Context(), city.Slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	p.CityID, p.City = city.ID, city.Slug
	s.render(w, r, http.StatusOK, "profile.html", map[string]any{"City": city, "Profile": p,
		"CanChange": u.CanChangeCity(city.ID), "Saved": r.URL.Query().Get("saved") != "", "Domains": store.Domains})
}

// saveProfile stores the edited profile and asks for a rescore.
func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, true)
	if !ok {
		return
	}
	p, err := profileFromForm(r, city.Slug)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	p.CityID = city.ID
	if err := s.saveAndRescore(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cities/"+city.Slug+"/profile?saved=1", http.StatusSeeOther)
}

// saveAndRescore saves a profile and enqueues the rescoring of its city.
func (s *Server) saveAndRescore(r *http.Request, p store.Profile) error {
	changed := false
	err := s.cfg.Store.Tx(r.Context(), func(tx *sqlx.Tx) error {
		var err error
		changed, err = store.SaveProfile(r.Context(), tx, p, false)
		return err
	})
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

// profileFromForm reads the profile form of city. The form only turns text
// into numbers and lists: imports.ValidateProfile checks the values, as it
// does for the API and the profiles file, so all three accept the same.
func profileFromForm(r *http.Request, city string) (store.Profile, error) {
	pf := imports.ProfileFile{City: city, DomainWeights: map[string]float64{},
		KeywordsNL: splitList(r.PostFormValue("keywords_nl")), KeywordsEN: splitList(r.PostFormValue("keywords_en")),
		ExcludedProgrammes: splitList(r.PostFormValue("excluded_programmes"))}
	for _, d := range store.Domains {
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("weight_"+d)), ",", "."), 64)
		if err != nil || math.IsNaN(f) {
			return store.Profile{}, badInput{"weight_" + d, "want a number from 0 to 1"}
		}
		pf.DomainWeights[d] = f
	}
	if v := strings.TrimSpace(r.PostFormValue("preparation_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return store.Profile{}, badInput{"preparation_days", "want a whole number of days from 0 to 365, or nothing"}
		}
		pf.PreparationDays = &n
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("max_concurrent_bids")))
	if err != nil {
		return store.Profile{}, badInput{"max_concurrent_bids", "want a whole number from 0 to 100"}
	}
	pf.MaxConcurrentBids = &n
	if pf.CoFundingCapacity, err = amount(r.PostFormValue("cofunding_capacity"), "cofunding_capacity"); err != nil {
		return store.Profile{}, err
	}
	p, field, reason := imports.ValidateProfile(pf, imports.ProfileOptions{})
	if reason != "" {
		// The form names a domain's weight weight_DOMAIN.
		if d, ok := strings.CutPrefix(field, "domain_weights."); ok {
			field = "weight_" + d
		}
		return store.Profile{}, badInput{field, reason}
	}
	return p, nil
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
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "open"
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
	rows := make([]row, 0, len(calls))
	for _, c := range calls {
		ms, err := s.cfg.Store.CallMatches(r.Context(), c.ID, s.today())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		var visible []store.CityMatch
		for _, m := range ms {
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
