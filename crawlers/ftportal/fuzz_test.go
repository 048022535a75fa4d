package ftportal

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/funding/calltest"
)

// recordFiles are the real single search results in testdata.
var recordFiles = []string{
	"search-api-result-current-format-HORIZON-EIC-2026-STEP.json",
	"search-api-result-2023-HORIZON-CL5-2024-D2-01-03.json",
}

func readFixture(f *testing.F, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzParsePage checks a search page: a page read is JSON, each record
// keeps its own bytes, which decode to the same record on their own, every
// result is either a record or a failure, and every record normalises to a
// call that keeps the invariants (or is refused with an error).
func FuzzParsePage(f *testing.F) {
	f.Add(readFixture(f, "search-api-response-horizon-eic-trimmed.json"))
	for _, name := range recordFiles {
		rec := readFixture(f, name)
		f.Add(rec)
		f.Add([]byte(`{"totalResults":2,"pageNumber":1,"pageSize":50,"results":[` + string(rec) + `,{"metadata":{"identifier":7}}]}`))
	}
	for _, s := range []string{`null`, `{}`, `{"results":null}`, `{"RESULTS":[{}],"results":[]}`, `{"results":[1,"x",null]}`, `[]`, `{"results":[{"metadata":{"title":["\u0000"]}}]}`, `{} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePage(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("read a page that is not JSON: %q", data)
		}
		var whole struct{ Results []json.RawMessage }
		if err := json.Unmarshal(data, &whole); err != nil {
			t.Fatalf("json.Unmarshal refuses the page ParsePage read: %v", err)
		}
		if p.Len() != len(whole.Results) {
			t.Fatalf("page has %d results, ParsePage saw %d", len(whole.Results), p.Len())
		}
		n := Normaliser{Today: today}
		for _, r := range p.Records {
			alone, err := ParseRecord(r.raw)
			if err != nil {
				t.Fatalf("record %q does not decode alone: %v", r.raw, err)
			}
			if diff := cmp.Diff(r, alone, cmp.AllowUnexported(Record{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("record decoded alone differs (-page +alone):\n%s", diff)
			}
			checkNormalise(t, n, r, data)
		}
		for _, fr := range p.Failed {
			if !json.Valid(fr.Raw) {
				t.Fatalf("failed record %q is not its JSON", fr.Raw)
			}
			if _, err := ParseRecord(fr.Raw); err == nil {
				t.Fatalf("failed record %q decodes alone", fr.Raw)
			}
		}
	})
}

// fuzzedFields are the metadata fields FuzzNormalise sets, embedded JSON
// documents and dates first.
var fuzzedFields = []string{"budgetOverview", "actions", "links", "latestInfos", "deadlineDate", "startDate",
	"budget", "keywords", "title", "type", "identifier", "descriptionByte", "topicConditions", "frameworkProgramme"}

// FuzzNormalise checks the normaliser on a real record with one metadata
// field replaced, so that the embedded JSON documents (budget, actions,
// links, news) and the dates are fuzzed directly: either an error or a call
// that keeps every invariant.
func FuzzNormalise(f *testing.F) {
	for _, name := range recordFiles {
		rec := readFixture(f, name)
		var r Record
		if err := json.Unmarshal(rec, &r); err != nil {
			f.Fatal(err)
		}
		for i, field := range fuzzedFields {
			if v := r.first(field); v != "" {
				f.Add(rec, uint8(i), v)
			}
		}
		f.Add(rec, uint8(0), `{"budgetTopicActionMap":{"1":[{"action":"HORIZON-EIC-2026-STEP","minContribution":"5e6","maxContribution":1e6,"expectedGrants":1e300,"budgetYearMap":{"2026":"NaN","2027":"Inf"}}]}}`)
		f.Add(rec, uint8(4), "99999999999999")
		f.Add(rec, uint8(4), "-62135596800000")
		f.Add(rec, uint8(6), "1e400")
	}
	f.Fuzz(func(t *testing.T, rec []byte, field uint8, value string) {
		r, err := ParseRecord(rec)
		if err != nil {
			return
		}
		if r.Metadata == nil {
			r.Metadata = map[string][]string{}
		}
		r.Metadata[fuzzedFields[int(field)%len(fuzzedFields)]] = []string{value}
		checkNormalise(t, Normaliser{Today: today}, r, append(rec, value...))
	})
}

// checkNormalise normalises r and fails unless the result is an error or a
// call that keeps every invariant.
func checkNormalise(t *testing.T, n Normaliser, r Record, input []byte) {
	t.Helper()
	c, err := n.Normalise(r)
	if errors.Is(err, ErrNotOpportunity) || err != nil {
		return
	}
	if err := calltest.Check(c, input, today); err != nil {
		t.Fatalf("record %.300q: %v", r.raw, err)
	}
	if c.Source != Source {
		t.Fatalf("source %q", c.Source)
	}
}

// FuzzTopicDetails checks that a topicDetails document either is refused
// or enriches an older-format topic into a call that keeps the invariants.
func FuzzTopicDetails(f *testing.F) {
	f.Add(readFixture(f, "topicDetails-DIGITAL-2026-SKILLS-10-EDTECH.json"))
	f.Add([]byte(`{"TopicDetails":{"identifier":"X","actions":[{"deadlineDates":["0","1e3","9999999999999999"],"plannedOpeningDate":"-1"}],"budgetOverviewJSONItem":{"budgetTopicActionMap":{"a":[{"action":"DIGITAL-2026-SKILLS-10-EDTECH","maxContribution":"Infinity"}]}}}}`))
	f.Add([]byte(`{"TopicDetails":{"identifier":"X","title":"\u0000","latestInfos":[{"lastChangeDate":"x","content":"<p>a</p>"}]}}`))
	var page struct{ Results []json.RawMessage }
	if err := json.Unmarshal(readFixture(f, "search-api-response-horizon-eic-trimmed.json"), &page); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseTopicDetails(data)
		if err != nil {
			return
		}
		n := Normaliser{Today: today}
		for _, raw := range page.Results {
			r, err := ParseRecord(raw)
			if err != nil {
				t.Fatal(err)
			}
			c, err := n.Normalise(r)
			if err != nil {
				continue
			}
			// A stub of the listed topic, as an older-format record
			// leaves it, so that the document fills every field.
			stubbed := funding.Call{Source: c.Source, Identifier: c.Identifier, Reference: c.Reference, Kind: c.Kind,
				Title: c.Title, URL: c.URL, Language: c.Language, Raw: c.Raw}
			for _, call := range []funding.Call{c, stubbed} {
				n.enrich(&call, d)
				if err := calltest.Check(call, append(bytes.Clone(raw), data...), today); err != nil {
					t.Fatalf("enriched %s: %v", call.Identifier, err)
				}
			}
		}
	})
}

// FuzzParseDate checks a portal date of any vintage: a date read is a
// calendar date in the sane years that reads back the same in the portal's
// other spellings.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-25T00:00:00.000+0000", "2025-11-06", "1733356800000", "2024-02-07T17:00:00+01:00",
		"19 May 2020", "2 Jan 2006", "2026-03-24T23:00:00.000+0000", "0", "-62135596800000", "9223372036854775807",
		"0000-01-01", "9999-12-31T23:59:59.999999999", "  2026-01-01  ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDate(s)
		if err != nil {
			return
		}
		if !funding.SaneDate(d) || d != funding.Date(d) {
			t.Fatalf("parseDate(%q) = %v", s, d)
		}
		for _, spelt := range []string{d.Format(time.DateOnly), d.Format("2 January 2006"), d.Format("2006-01-02T15:04:05.000-0700"),
			// noon, so that the Brussels date is the same day
			d.Add(12 * time.Hour).Format(time.RFC3339)} {
			if got, err := parseDate(spelt); err != nil || !got.Equal(d) {
				t.Fatalf("parseDate(%q) = %v, %v, want %v", spelt, got, err, d)
			}
		}
	})
}
