package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fundmatch/fundmatch/crawlers/ftportal"
	"github.com/fundmatch/fundmatch/internal/imports"
	"github.com/fundmatch/fundmatch/internal/store"
)

// profileForm is a city's profile form as the user filled it in, kept as
// text so that a mistake shows beside its field with every other edit as
// it was typed.
type profileForm struct {
	Groups     []profileGroup
	Programmes []programmeChoice // to pick the excluded ones from
	// ProgrammesError is the message key of a mistake in the excluded
	// programmes; Unknown the codes that are no programme, for it.
	ProgrammesError, Unknown string
}

// profileGroup is one fieldset of the form.
type profileGroup struct {
	Legend string // message key
	Help   string // message key of a hint under the legend, or ""
	Fields []profileField
}

// profileField is one labelled input of the form.
type profileField struct {
	ID, Name, Label string // Label is a message key
	Mode            string // the inputmode: decimal, numeric or "" for text
	Area            bool   // a textarea (a list of keywords)
	Value           string // as typed, or as stored in the page's language
	Error           string // message key of its mistake
}

// programmeChoice is a programme a profile may exclude.
type programmeChoice struct {
	Code, Name string
	Excluded   bool
}

// HasErrors reports whether any field holds a mistake.
func (f profileForm) HasErrors() bool {
	for _, g := range f.Groups {
		for _, field := range g.Fields {
			if field.Error != "" {
				return true
			}
		}
	}
	return f.ProgrammesError != ""
}

// setError puts the mistake of the field named name (as store, imports or
// the form name it) beside that field.
func (f *profileForm) setError(name string) {
	name, _ = strings.CutPrefix(name, "domain_weights.")
	if slices.Contains(store.Domains, name) {
		name = "weight_" + name
	}
	key := "err_profile_" + name
	if strings.HasPrefix(name, "weight_") {
		key = "err_profile_weight"
	}
	for gi := range f.Groups {
		for fi := range f.Groups[gi].Fields {
			if field := &f.Groups[gi].Fields[fi]; field.Name == name {
				field.Error = key
				return
			}
		}
	}
	// excluded_programmes, or a field the form does not show: the
	// programmes are the one list left that can be wrong.
	f.ProgrammesError = "err_profile_excluded_programmes"
}

// newProfileForm lays out the form's fields with the values value gives
// them by name.
func newProfileForm(value func(name string) string) profileForm {
	weights := profileGroup{Legend: "domain_weights"}
	for _, d := range store.Domains {
		weights.Fields = append(weights.Fields, profileField{ID: "w-" + d, Name: "weight_" + d, Label: "domain_" + d, Mode: "decimal"})
	}
	f := profileForm{Groups: []profileGroup{weights,
		{Legend: "keywords", Help: "keywords_help", Fields: []profileField{
			{ID: "kw-nl", Name: "keywords_nl", Label: "keywords_nl", Area: true},
			{ID: "kw-en", Name: "keywords_en", Label: "keywords_en", Area: true}}},
		{Legend: "capacity", Fields: []profileField{
			{ID: "prep", Name: "preparation_days", Label: "preparation_days", Mode: "numeric"},
			{ID: "maxb", Name: "max_concurrent_bids", Label: "max_concurrent_bids", Mode: "numeric"},
			{ID: "cof", Name: "cofunding_capacity", Label: "cofunding_capacity", Mode: "decimal"}}},
	}}
	for gi := range f.Groups {
		for fi := range f.Groups[gi].Fields {
			field := &f.Groups[gi].Fields[fi]
			field.Value = value(field.Name)
		}
	}
	return f
}

// storedProfileForm is the form showing p, its numbers written in lang.
func storedProfileForm(p store.Profile, lang string) profileForm {
	values := map[string]string{
		"keywords_nl": strings.Join(p.KeywordsNL, ", "), "keywords_en": strings.Join(p.KeywordsEN, ", "),
		"max_concurrent_bids": strconv.Itoa(p.MaxConcurrentBids), "cofunding_capacity": formatNumber(p.CoFundingCapacity, lang),
	}
	if p.PreparationDays != nil {
		values["preparation_days"] = strconv.Itoa(*p.PreparationDays)
	}
	for _, d := range store.Domains {
		w, _ := p.DomainWeights.Get(d)
		values["weight_"+d] = formatNumber(w, lang)
	}
	return newProfileForm(func(name string) string { return values[name] })
}

// programmeChoices are the programmes a city's profile may exclude: the
// framework programmes of the EU portal, those of the stored calls (from
// other sources too) and those the profile excludes already, by code.
func (s *Server) programmeChoices(ctx context.Context, excluded []string) ([]programmeChoice, error) {
	names := map[string]string{}
	for _, p := range ftportal.Programmes() {
		names[p.Code] = p.Name
	}
	stored, err := s.cfg.Store.CallProgrammes(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range stored {
		if _, ok := names[p.Code]; !ok && imports.ProgrammeCode(p.Code) {
			names[p.Code] = p.Name
		}
	}
	for _, code := range excluded {
		if _, ok := names[code]; !ok {
			names[code] = ""
		}
	}
	out := make([]programmeChoice, 0, len(names))
	for code, name := range names {
		out = append(out, programmeChoice{Code: code, Name: name, Excluded: slices.Contains(excluded, code)})
	}
	slices.SortFunc(out, func(a, b programmeChoice) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// programmeCodes are the codes of choices, which a profile may exclude.
func programmeCodes(choices []programmeChoice) []string {
	codes := make([]string, len(choices))
	for i, c := range choices {
		codes[i] = c.Code
	}
	return codes
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
	form := storedProfileForm(p, language(w, r))
	if form.Programmes, err = s.programmeChoices(r.Context(), p.ExcludedProgrammes); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderProfile(w, r, u, city, p, http.StatusOK, form)
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, u store.User, city store.City, p store.Profile, status int, form profileForm) {
	s.render(w, r, status, "profile.html", map[string]any{"City": city, "Profile": p, "Form": form,
		"CanChange": u.CanChangeCity(city.ID), "Saved": r.URL.Query().Get("saved") != ""})
}

// saveProfile stores the edited profile and asks for a rescore. A mistake
// shows the form again as it was filled in, with the mistake beside its
// field, and stores nothing.
func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request, u store.User) {
	city, ok := s.cityFor(w, r, u, true)
	if !ok {
		return
	}
	current, err := s.cfg.Store.ProfileBySlug(r.Context(), city.Slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	choices, err := s.programmeChoices(r.Context(), current.ExcludedProgrammes)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, form := profileFromForm(r, language(w, r), city.Slug, choices)
	if !form.HasErrors() {
		p.CityID = city.ID
		err = s.saveAndRescore(r, p)
		if bad, ok := badValue(err); ok {
			form.setError(bad.field)
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if form.HasErrors() {
		s.renderProfile(w, r, u, city, current, http.StatusBadRequest, form)
		return
	}
	http.Redirect(w, r, "/cities/"+city.Slug+"/profile?saved=1", http.StatusSeeOther)
}

// profileFromForm reads the profile form of city as typed on a page in
// lang, with the programmes of choices to exclude. The form turns text
// into numbers and lists; imports.ValidateProfile checks the values, as
// it does for the API and the profiles file, so all three accept the
// same. Mistakes are in the returned form, beside their fields.
func profileFromForm(r *http.Request, lang, city string, choices []programmeChoice) (store.Profile, profileForm) {
	form := newProfileForm(r.PostFormValue)
	pf := imports.ProfileFile{City: city, DomainWeights: map[string]float64{},
		KeywordsNL: splitList(r.PostFormValue("keywords_nl")), KeywordsEN: splitList(r.PostFormValue("keywords_en"))}
	for _, d := range store.Domains {
		if f, ok := parseNumber(r.PostFormValue("weight_"+d), lang); ok && f >= 0 && f <= 1 {
			pf.DomainWeights[d] = f
		} else {
			form.setError("weight_" + d)
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("preparation_days")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 365 {
			pf.PreparationDays = &n
		} else {
			form.setError("preparation_days")
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("max_concurrent_bids"))); err == nil && n >= 0 && n <= 100 {
		pf.MaxConcurrentBids = &n
	} else {
		form.setError("max_concurrent_bids")
	}
	var err error
	if pf.CoFundingCapacity, err = amount(r.PostFormValue("cofunding_capacity"), "cofunding_capacity", lang); err != nil {
		form.setError("cofunding_capacity")
	}
	// Every field is checked here, so that all mistakes show at once;
	// ValidateProfile below stops at the first.
	// The programmes come ticked from the list; a code typed by other
	// means (a list in one field, as the profiles file has it) must be
	// one of them too.
	known := programmeCodes(choices)
	var unknown []string
	for _, v := range r.PostForm["excluded_programmes"] {
		for _, code := range splitList(v) {
			code = strings.ToUpper(code)
			if !slices.Contains(known, code) {
				unknown = append(unknown, code)
			} else if !slices.Contains(pf.ExcludedProgrammes, code) {
				pf.ExcludedProgrammes = append(pf.ExcludedProgrammes, code)
			}
		}
	}
	form.Programmes = slices.Clone(choices)
	for i := range form.Programmes {
		form.Programmes[i].Excluded = slices.Contains(pf.ExcludedProgrammes, form.Programmes[i].Code)
	}
	if len(unknown) > 0 {
		form.ProgrammesError, form.Unknown = "err_profile_programme_unknown", strings.Join(unknown, ", ")
	}
	if form.HasErrors() {
		return store.Profile{}, form
	}
	p, field, reason := imports.ValidateProfile(pf, imports.ProfileOptions{Programmes: known})
	if reason != "" {
		form.setError(field)
	}
	return p, form
}
