package ftportal

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// Source is the crawl source name of the portal.
const Source = "ftportal"

// DefaultTopicPageURL is the public topic page; the identifier is appended.
const DefaultTopicPageURL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"

// Record types and statuses of the search API.
const (
	typeTopic         = "1"
	typeCall          = "2"
	typeCascade       = "8"
	statusForthcoming = "31094501"
	statusOpen        = "31094502"
	datasourceFAQ     = "SEDIA_FAQ"
)

// ErrNotOpportunity is returned by Normalise for a record that is not a
// funding opportunity (an FAQ answer); Crawl drops such records silently.
var ErrNotOpportunity = errors.New("not an opportunity")

// summaryLength is the size of Call.Summary in bytes.
const summaryLength = 300

// Normaliser turns search records into Calls as of one day.
type Normaliser struct {
	// Today decides the derived status.
	Today time.Time
	// TopicPageURL is the public topic page base; the identifier is
	// appended. Empty means DefaultTopicPageURL.
	TopicPageURL string
}

// Normalise turns one search record into a Call. It returns ErrNotOpportunity for FAQ
// records and an error for a record without identifier and reference or
// with a malformed embedded JSON field.
func (n Normaliser) Normalise(r Record) (funding.Call, error) {
	if r.datasource() == datasourceFAQ {
		return funding.Call{}, ErrNotOpportunity
	}
	typ := r.first("type")
	id := r.first("identifier")
	ref := r.Reference
	if ref == "" {
		ref = r.first("REFERENCE")
	}
	c := funding.Call{
		Source:         Source,
		Identifier:     id,
		Reference:      ref,
		Kind:           funding.KindTopic,
		CallIdentifier: r.first("callIdentifier"),
		CallTitle:      r.first("callTitle"),
		Title:          firstNonEmpty(r.first("title"), r.Summary, r.Content),
		Language:       firstNonEmpty(r.Language, r.first("language"), "en"),
		DeadlineModel:  r.first("deadlineModel"),
		Raw:            r.raw,
	}
	switch typ {
	case typeCall:
		c.Kind = funding.KindCall
	case typeCascade:
		// Cascade calls share the parent's identifier: the reference is
		// the key, the identifier names the parent. Their title is
		// callTitle; title is the parent topic's ("EITHEALTH Business Plan
		// 2026" for every open call of EIT Health), kept as the call's.
		c.Kind = funding.KindCascade
		c.Identifier = ref
		c.CallIdentifier = firstNonEmpty(id, c.CallIdentifier)
		c.CallTitle = r.first("title")
		c.Title = ""
		for _, t := range []string{r.first("callTitle"), r.Content, r.Summary} {
			if t = strings.TrimSpace(t); t != "" && t != c.CallTitle {
				c.Title = t
				break
			}
		}
		if c.Title == "" {
			c.Title = "Cascade funding call " + ref
		}
	}
	if c.Identifier == "" {
		// Some calls for proposals (type 2) have no identifier.
		c.Identifier = ref
	}
	if c.Identifier == "" {
		return funding.Call{}, fmt.Errorf("record without identifier or reference")
	}
	c.Programme, c.ProgrammeName = programmeFor(r.Metadata["frameworkProgramme"], "", firstNonEmpty(id, c.CallIdentifier))

	var actions []action
	var budget budgetOverview
	var links []link
	var news []latestInfo
	for _, f := range []struct {
		key string
		v   any
	}{{"actions", &actions}, {"budgetOverview", &budget}, {"links", &links}, {"latestInfos", &news}} {
		if err := r.embedded(f.key, f.v); err != nil {
			return funding.Call{}, err
		}
	}

	if s := r.first("startDate"); s != "" {
		if t, err := parseDate(s); err == nil {
			c.OpeningDate = &t
		}
	}
	for _, s := range r.Metadata["deadlineDate"] {
		addDeadline(&c, s)
	}
	if c.Kind == funding.KindCascade {
		cascade(&c, r)
	} else {
		for _, t := range r.Metadata["typesOfAction"] {
			c.TypesOfAction = appendUnique(c.TypesOfAction, strings.Join(strings.Fields(t), " "))
		}
		applyActions(&c, actions)
		for _, l := range links {
			if c.OpeningDate == nil && l.StartDate != "" {
				if t, err := parseDate(string(l.StartDate)); err == nil {
					c.OpeningDate = &t
				}
			}
		}
		applyBudget(&c, id, budget)
		c.DescriptionHTML, c.DescriptionText = funding.SanitizeHTML(firstNonEmpty(r.first("descriptionByte"), r.first("description")))
		c.ConditionsHTML, c.ConditionsText = funding.SanitizeHTML(r.first("topicConditions"))
		c.EligibilityNotes = eligibility(c.ConditionsText)
	}
	c.News = newsItems(news)
	if c.Kind == funding.KindCascade {
		// The record's summary and content may be the parent topic's title.
		c.Summary = funding.Summarise(firstNonEmpty(c.DescriptionText, c.Title), summaryLength)
	} else {
		c.Summary = funding.Summarise(firstNonEmpty(c.DescriptionText, r.Summary, r.Content), summaryLength)
	}

	for _, k := range r.Metadata["keywords"] {
		c.Keywords = appendUnique(c.Keywords, splitEmbeddedList(k)...)
	}
	c.Tags = appendUnique(c.Tags, r.Metadata["tags"]...)
	c.Tags = appendUnique(c.Tags, r.Metadata["crossCuttingPriorities"]...)

	c.URL = n.publicURL(c, r)
	n.finish(&c)
	return c, nil
}

// cascade fills a cascade call (financial support to third parties) from
// its own fields. The parent topic's types of action, actions, budget table,
// description and conditions describe the parent's grant and its consortium, not the
// third parties who apply here, so they are left out: the call is judged
// on who its own text lets apply (beneficiaryAdministration).
func cascade(c *funding.Call, r Record) {
	c.DescriptionHTML, c.DescriptionText = funding.SanitizeHTML(firstNonEmpty(r.first("description"), r.first("furtherInformation")))
	c.ConditionsHTML, c.ConditionsText = funding.SanitizeHTML(r.first("beneficiaryAdministration"))
	c.EligibilityNotes = c.ConditionsText
	if v := r.first("budget"); v != "" {
		var f flexNumber
		if err := f.UnmarshalJSON([]byte(v)); err == nil && f > 0 && funding.SaneAmount(float64(f)) {
			c.CallBudget = ptr(float64(f))
		}
	}
}

// finish sorts the cut-offs and derives the status from the dates.
func (n Normaliser) finish(c *funding.Call) {
	c.Deadlines = funding.SortDeadlines(c.Deadlines)
	c.DeadlineTimes = funding.SortDeadlines(c.DeadlineTimes)
	c.Status = funding.DeriveStatus(c.OpeningDate, c.Deadlines, n.Today)
}

// publicURL is the topic page built from the identifier for topics, and the
// record's own page for calls and cascade calls.
func (n Normaliser) publicURL(c funding.Call, r Record) string {
	base := n.TopicPageURL
	if base == "" {
		base = DefaultTopicPageURL
	}
	if c.Kind == funding.KindTopic {
		return base + c.Identifier
	}
	for _, u := range []string{r.URL, r.first("url"), r.first("esST_URL")} {
		if strings.HasPrefix(u, "http") && !strings.HasSuffix(u, ".json") {
			return u
		}
	}
	return base + firstNonEmpty(c.CallIdentifier, c.Identifier)
}

// applyActions fills the opening date, cut-offs and types of action the
// search fields lacked (the actions' types carry a code prefix, so the
// search field's spelling wins).
func applyActions(c *funding.Call, actions []action) {
	var cutOffs funding.Call // the actions' cut-offs, kept apart until known to be needed
	haveTypes := len(c.TypesOfAction) > 0
	for _, a := range actions {
		if c.OpeningDate == nil && a.PlannedOpeningDate != "" {
			if t, err := parseDate(string(a.PlannedOpeningDate)); err == nil {
				c.OpeningDate = &t
			}
		}
		for _, d := range a.DeadlineDates {
			addDeadline(&cutOffs, string(d))
		}
		for _, t := range a.Types {
			if haveTypes {
				break
			}
			c.TypesOfAction = appendUnique(c.TypesOfAction, strings.Join(strings.Fields(t.TypeOfAction), " "))
		}
		if c.DeadlineModel == "" {
			c.DeadlineModel = a.DeadlineModel
		}
	}
	if len(c.Deadlines) == 0 {
		c.Deadlines, c.DeadlineTimes = cutOffs.Deadlines, cutOffs.DeadlineTimes
	}
}

// addDeadline adds a cut-off the portal wrote as s to c: its day, and its
// time when the portal gives one. A date that does not parse is left out.
func addDeadline(c *funding.Call, s string) {
	d, err := parsePortalDate(s)
	if err != nil {
		return
	}
	c.Deadlines = append(c.Deadlines, d.Day)
	if !d.At.IsZero() {
		c.DeadlineTimes = append(c.DeadlineTimes, d.At)
	}
}

// applyBudget separates the topic budget (contributions per grant, expected
// grants; 0 means not stated) from the call budget: the budgetYearMap sums
// of this topic's entries, which portals often repeat across the call's
// topics. Entries of other topics are ignored.
func applyBudget(c *funding.Call, identifier string, b budgetOverview) {
	prefix := identifier + " - "
	var callBudget, minC, maxC float64
	grants := 0
	found := false
	keys := make([]string, 0, len(b.BudgetTopicActionMap))
	for k := range b.BudgetTopicActionMap {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, e := range b.BudgetTopicActionMap[k] {
			if !strings.HasPrefix(e.Action, prefix) && strings.TrimSpace(e.Action) != identifier {
				continue
			}
			found = true
			for _, v := range e.BudgetYearMap {
				callBudget += float64(v)
			}
			if v := float64(e.MinContribution); v > 0 && (minC == 0 || v < minC) {
				minC = v
			}
			if v := float64(e.MaxContribution); v > maxC { // false for NaN, which max would keep
				maxC = v
			}
			if g := float64(e.ExpectedGrants); g > 0 && g <= math.MaxInt32 {
				grants += int(g)
			}
			if c.DeadlineModel == "" {
				c.DeadlineModel = e.DeadlineModel
			}
			if c.OpeningDate == nil && e.PlannedOpeningDate != "" {
				if t, err := parseDate(string(e.PlannedOpeningDate)); err == nil {
					c.OpeningDate = &t
				}
			}
		}
	}
	if !found {
		return
	}
	// Amounts no call has (NaN, infinite, beyond any EU budget) and
	// counts beyond the column are unknown rather than a refused page; a
	// minimum above the maximum contradicts it and is dropped.
	if callBudget > 0 && funding.SaneAmount(callBudget) {
		c.CallBudget = ptr(callBudget)
	}
	if minC > 0 && funding.SaneAmount(minC) && !(maxC > 0 && minC > maxC) {
		c.BudgetMin = ptr(minC)
	}
	if maxC > 0 && funding.SaneAmount(maxC) {
		c.BudgetMax = ptr(maxC)
	}
	if grants > 0 && grants <= math.MaxInt32 {
		c.ExpectedGrants = ptr(grants)
	}
}

// newsItems turns latestInfos into dated plain-text news, newest first.
func newsItems(infos []latestInfo) []funding.News {
	var news []funding.News
	for _, i := range infos {
		text := funding.PlainText(i.Content)
		if text == "" {
			continue
		}
		d, _ := parseDate(string(i.LastChangeDate))
		news = append(news, funding.News{Date: d, Text: text})
	}
	slices.SortStableFunc(news, func(a, b funding.News) int { return b.Date.Compare(a.Date) })
	return news
}

// eligibility returns the "Eligible countries" section of the conditions
// text, which usually points at the call document.
func eligibility(conditions string) string {
	lines := strings.Split(conditions, "\n")
	for i, l := range lines {
		if !strings.Contains(strings.ToLower(l), "eligible countries") {
			continue
		}
		var out []string
		for _, next := range lines[i+1:] {
			if len(next) > 1 && next[0] >= '0' && next[0] <= '9' && strings.Contains(next[:min(4, len(next))], ".") {
				break
			}
			out = append(out, next)
		}
		return strings.Join(out, "\n")
	}
	return ""
}

// splitEmbeddedList reads a keywords value: a JSON array in a string
// (2023) or a plain keyword (2026).
func splitEmbeddedList(s string) []string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		var list []string
		if err := jsonUnmarshalString(s, &list); err == nil {
			return list
		}
	}
	return []string{s}
}

// appendUnique appends the non-empty values of vs not yet in list.
func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
