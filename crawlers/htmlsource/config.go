package htmlsource

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/andybalholm/cascadia"
)

// Config describes one HTML source. The integrator stores it as JSON; an
// admin adds, tests (DryRun), enables and disables a source without code.
type Config struct {
	// Name is the crawl source name, e.g. "vlaio-efro"; it becomes
	// Call.Source.
	Name          string `json:"name"`
	Programme     string `json:"programme"`      // short code, e.g. "ERDF-VL"
	ProgrammeName string `json:"programme_name"` // full name
	// Language is the pages' language ("nl", "en") when neither the field
	// selector nor <html lang> says.
	Language string `json:"language"`
	// ListURLs are the pages listing the calls.
	ListURLs []string `json:"list_urls"`
	// Item selects one call on a list page.
	Item string `json:"item"`
	// Link selects, inside an item, the <a> to the call's detail page. When
	// empty, the fields are read from the item itself.
	Link string `json:"link,omitempty"`
	// NextPage selects the link to the next list page, if the list is paged.
	NextPage string `json:"next_page,omitempty"`
	// MaxPages bounds how many list pages are followed per list URL
	// (default 20).
	MaxPages int `json:"max_pages,omitempty"`
	// Detail selects the part of a detail page the fields are read from
	// (default: the whole page).
	Detail string `json:"detail,omitempty"`
	Fields Fields `json:"fields"`
	// DeadlineModel describes the deadlines, e.g. "two-stage" for a
	// pre-registration followed by a full submission.
	DeadlineModel string `json:"deadline_model,omitempty"`
	// FundingRate is the programme's co-funding rate in percent, used when
	// the page does not state one.
	FundingRate *float64 `json:"funding_rate,omitempty"`
}

// Fields are CSS selectors, relative to the item or the detail part, of
// each field. A selector may end in "@attr" to read an attribute instead of
// the text (e.g. "time.deadline@datetime"). Only Title is required.
type Fields struct {
	// Identifier defaults to the last path segment of the detail URL, or
	// the title made into a slug for in-list items.
	Identifier string `json:"identifier,omitempty"`
	Title      string `json:"title"`
	// Deadlines are read in order; every date in every match is a
	// cut-off (e.g. pre-registration and full submission).
	Deadlines   []string `json:"deadlines,omitempty"`
	Opening     string   `json:"opening,omitempty"`
	Budget      string   `json:"budget,omitempty"`    // the call's budget
	MaxGrant    string   `json:"max_grant,omitempty"` // the most one project may receive
	FundingRate string   `json:"funding_rate,omitempty"`
	Description string   `json:"description,omitempty"` // HTML, sanitised
	Eligibility string   `json:"eligibility,omitempty"` // who may apply, as text
	Programme   string   `json:"programme,omitempty"`   // overrides Config.Programme
	Language    string   `json:"language,omitempty"`
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Name == "" || strings.ContainsAny(c.Name, " /") {
		bad("name %q: want a short name without spaces or slashes, e.g. vlaio-efro", c.Name)
	}
	if c.Programme == "" {
		bad("programme: missing short code, e.g. ERDF-VL")
	}
	if len(c.ListURLs) == 0 {
		bad("list_urls: at least one list page is needed")
	}
	for _, u := range c.ListURLs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad("list_urls: %q is not an http(s) URL", u)
		}
	}
	if c.Item == "" {
		bad("item: missing selector of one call on a list page")
	}
	if c.Fields.Title == "" {
		bad("fields.title: missing selector")
	}
	if c.MaxPages < 0 {
		bad("max_pages: %d is negative", c.MaxPages)
	}
	if c.FundingRate != nil && (*c.FundingRate <= 0 || *c.FundingRate > 100) {
		bad("funding_rate: %v is not a percentage", *c.FundingRate)
	}
	check := func(name, sel string) {
		if sel == "" {
			return
		}
		css, attr := splitSelector(sel)
		if strings.Contains(attr, " ") {
			bad("%s: attribute %q has a space", name, attr)
		}
		if css == "" {
			return // the attribute of the item or detail part itself
		}
		if _, err := cascadia.ParseGroup(css); err != nil {
			bad("%s: selector %q: %v", name, css, err)
		}
	}
	check("item", c.Item)
	check("link", c.Link)
	check("next_page", c.NextPage)
	check("detail", c.Detail)
	f := c.Fields
	for name, sel := range map[string]string{
		"fields.identifier": f.Identifier, "fields.title": f.Title, "fields.opening": f.Opening,
		"fields.budget": f.Budget, "fields.max_grant": f.MaxGrant, "fields.funding_rate": f.FundingRate,
		"fields.description": f.Description, "fields.eligibility": f.Eligibility,
		"fields.programme": f.Programme, "fields.language": f.Language,
	} {
		check(name, sel)
	}
	for i, sel := range f.Deadlines {
		check(fmt.Sprintf("fields.deadlines[%d]", i), sel)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("source %q: %w", c.Name, err)
	}
	return nil
}

// splitSelector splits "css@attr" into its parts; "@attr" alone reads the
// attribute of the context element.
func splitSelector(s string) (css, attr string) {
	i := strings.LastIndexByte(s, '@')
	if i < 0 || strings.ContainsAny(s[i:], "]=") {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
}

// ParseConfig decodes and validates a configuration stored as JSON.
// Unknown fields are an error, so that a typo does not go unnoticed.
func ParseConfig(data []byte) (Config, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("decode source config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

//go:embed sources/*.json
var sourceFiles embed.FS

// Sources returns the configurations shipped with fundmatch, a fresh copy
// per call: VLAIO EFRO Vlaanderen, European Urban Initiative, Interreg
// Vlaanderen-Nederland and Interreg North-West Europe.
func Sources() ([]Config, error) {
	names, err := sourceFiles.ReadDir("sources")
	if err != nil {
		return nil, fmt.Errorf("read shipped sources: %w", err)
	}
	var out []Config
	for _, n := range names {
		data, err := sourceFiles.ReadFile(path.Join("sources", n.Name()))
		if err != nil {
			return nil, fmt.Errorf("read shipped source %s: %w", n.Name(), err)
		}
		c, err := ParseConfig(data)
		if err != nil {
			return nil, fmt.Errorf("shipped source %s: %w", n.Name(), err)
		}
		out = append(out, c)
	}
	return out, nil
}
