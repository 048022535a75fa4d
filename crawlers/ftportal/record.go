package ftportal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fundmatch/fundmatch/funding"
)

// Page is one decoded page of the search API.
type Page struct {
	TotalResults int
	PageNumber   int
	PageSize     int
	// Records are the results that decoded, in page order; each keeps its
	// own bytes of the page as its raw record.
	Records []Record
	// Failed are the results that did not decode: one bad record does not
	// lose the page.
	Failed []FailedRecord
}

// FailedRecord is a search result that could not be decoded.
type FailedRecord struct {
	Raw json.RawMessage
	Err error
}

// Len is the number of results on the page, decoded or not.
func (p *Page) Len() int { return len(p.Records) + len(p.Failed) }

// ParsePage decodes a search API response, every result in the same pass
// as the page (each record is read once). A result that does not fit a
// Record is kept in Failed; a page that is not valid JSON is an error.
func ParsePage(data []byte) (Page, error) {
	var p Page
	if err := p.decode(data); err != nil {
		return Page{}, fmt.Errorf("decode search page: %w", err)
	}
	return p, nil
}

// decode walks the page object with a streaming decoder so that each result
// is decoded straight into a Record while its bytes are sliced from data.
// Keys match case-insensitively, as with json.Unmarshal.
func (p *Page) decode(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case nil: // null: an empty page, as json.Unmarshal has it
	case json.Delim('{'):
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			switch {
			case strings.EqualFold(key, "results"):
				err = p.decodeResults(dec, data)
			case strings.EqualFold(key, "totalResults"):
				err = dec.Decode(&p.TotalResults)
			case strings.EqualFold(key, "pageNumber"):
				err = dec.Decode(&p.PageNumber)
			case strings.EqualFold(key, "pageSize"):
				err = dec.Decode(&p.PageSize)
			default:
				var skip json.RawMessage
				err = dec.Decode(&skip)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("a page is a JSON object, not %v", tok)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the page")
	}
	return nil
}

// decodeResults reads the results array. A result that is valid JSON but
// does not fit a Record is kept in Failed; invalid JSON ends the page.
func (p *Page) decodeResults(dec *json.Decoder, data []byte) error {
	p.Records, p.Failed = nil, nil
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("results are a JSON array, not %v", tok)
	}
	for dec.More() {
		start := dec.InputOffset()
		// A map made to size is not grown and rehashed field by field.
		r := Record{Metadata: make(map[string][]string, metadataFields)}
		err := dec.Decode(&r)
		end := dec.InputOffset()
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
			return err
		}
		// The offset before a value stands after the previous token: skip
		// the separator. The full slice expression keeps appends off the page.
		raw := json.RawMessage(bytes.TrimLeft(data[start:end:end], ", \t\r\n"))
		if err != nil {
			p.Failed = append(p.Failed, FailedRecord{Raw: raw, Err: fmt.Errorf("decode record: %w", err)})
			continue
		}
		r.raw = raw
		p.Records = append(p.Records, r)
	}
	_, err = dec.Token()
	return err
}

// metadataFields is about the most metadata fields a record has (45 in
// the current format, 29 to 37 in older ones).
const metadataFields = 48

// Record is one search result. Every metadata value is a list of strings,
// some of which are JSON documents in a string.
type Record struct {
	Reference string              `json:"reference"`
	URL       string              `json:"url"`
	Language  string              `json:"language"`
	Summary   string              `json:"summary"`
	Content   string              `json:"content"`
	Metadata  map[string][]string `json:"metadata"`
	raw       json.RawMessage
}

// ParseRecord decodes one result of a search page.
func ParseRecord(raw json.RawMessage) (Record, error) {
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return Record{}, fmt.Errorf("decode record: %w", err)
	}
	r.raw = raw
	return r, nil
}

// first returns the first value of a metadata field, trimmed.
func (r *Record) first(key string) string {
	if v := r.Metadata[key]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// datasource returns the record family: SEDIA, SEDIA_PRD_CENTRICITY or
// SEDIA_FAQ (the key is spelt both ways).
func (r *Record) datasource() string {
	if d := r.first("DATASOURCE"); d != "" {
		return d
	}
	return r.first("datasource")
}

// embedded decodes a metadata field holding a JSON document in a string
// into v. A missing or empty field leaves v alone.
func (r *Record) embedded(key string, v any) error {
	s := r.first(key)
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

// action is one entry of the actions field (search API and topicDetails).
type action struct {
	Status struct {
		ID           int    `json:"id"`
		Abbreviation string `json:"abbreviation"`
	} `json:"status"`
	Types []struct {
		TypeOfAction string `json:"typeOfAction"`
	} `json:"types"`
	PlannedOpeningDate flexString   `json:"plannedOpeningDate"`
	DeadlineModel      string       `json:"deadlineModel"`
	DeadlineDates      []flexString `json:"deadlineDates"`
}

// budgetOverview is the call's budget table, listing every topic of the call.
type budgetOverview struct {
	BudgetTopicActionMap map[string][]budgetEntry `json:"budgetTopicActionMap"`
	BudgetYearsColumns   []string                 `json:"budgetYearsColumns"`
}

type budgetEntry struct {
	Action             string                `json:"action"`
	ExpectedGrants     flexNumber            `json:"expectedGrants"`
	MinContribution    flexNumber            `json:"minContribution"`
	MaxContribution    flexNumber            `json:"maxContribution"`
	BudgetYearMap      map[string]flexNumber `json:"budgetYearMap"`
	PlannedOpeningDate flexString            `json:"plannedOpeningDate"`
	DeadlineModel      string                `json:"deadlineModel"`
	DeadlineDates      []flexString          `json:"deadlineDates"`
}

// link is a submission link; its dates are epoch-ms strings.
type link struct {
	URL       string     `json:"url"`
	StartDate flexString `json:"startDate"`
	EndDate   flexString `json:"endDate"`
}

// latestInfo is one news item about the call.
type latestInfo struct {
	LastChangeDate flexString `json:"lastChangeDate"`
	Content        string     `json:"content"`
}

// flexString accepts a JSON string or number (dates come as epoch-ms
// strings in one vintage and numbers in another).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	*f = flexString(b)
	return nil
}

// flexNumber accepts a JSON number or a string holding one ("300000000").
type flexNumber float64

func (f *flexNumber) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %q", s)
	}
	*f = flexNumber(v)
	return nil
}

// dateLayouts are the date spellings of the portal's vintages.
var dateLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	time.DateOnly,
	"2 January 2006",
	"02 January 2006",
	"2 Jan 2006",
}

// portalDate is a date as the portal means it: the calendar day, and the
// time of day in Brussels when the portal gives one.
type portalDate struct {
	Day time.Time // 00:00 UTC
	At  time.Time // zero when the portal gives the day alone
}

// parsePortalDate reads a portal date of any vintage (epoch milliseconds,
// ISO with or without offset, YYYY-MM-DD, "19 May 2020").
//
// The portal keeps Brussels wall-clock times as if they were UTC: a 17:00
// Brussels deadline is written 2023-01-11T17:00:00.000+0000 (or, in 2023's
// spelling, 2024-04-18T19:00:00.000+0200, the same instant), and 23:59 on
// 31 December is 2026-12-31T23:59:00.000+0000 or its epoch milliseconds. So
// the day and the time are read in UTC; converting to Brussels time moved
// such deadlines a day later. Midnight UTC is how the portal writes a day
// without a time (2026 topics, epoch-ms dates), not a time of day.
func parsePortalDate(s string) (portalDate, error) {
	t, err := parseInstant(s)
	if err != nil {
		return portalDate{}, err
	}
	t = t.UTC()
	d := portalDate{Day: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
	if h, m, sec := t.Clock(); h != 0 || m != 0 || sec != 0 {
		d.At = time.Date(t.Year(), t.Month(), t.Day(), h, m, sec, 0, funding.Brussels)
	}
	return d, nil
}

// parseDate returns the calendar day of a portal date (see parsePortalDate).
func parseDate(s string) (time.Time, error) {
	d, err := parsePortalDate(s)
	return d.Day, err
}

// parseInstant reads the spellings of the portal's vintages; a spelling
// without an offset is read as UTC.
func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	t, err := readDate(s)
	if err != nil {
		return time.Time{}, err
	}
	if !funding.SaneDate(t) {
		// Year 0 or 10000 would make PostgreSQL refuse the whole page.
		return time.Time{}, fmt.Errorf("date %q is not from %d to %d", s, funding.MinYear, funding.MaxYear)
	}
	return t, nil
}

// readDate reads s in the first of the portal's spellings that fits.
func readDate(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) >= 10 {
		return time.UnixMilli(ms), nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown date format %q", s)
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
