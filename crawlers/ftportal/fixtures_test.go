package ftportal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures are the real payloads in testdata/ (copied from
// shared/reference/samples/sedia). Derived cases are made here by editing
// decoded copies of them, never by writing a new shape.

// fixture is a search record as a generic JSON object, to be edited.
type fixture map[string]any

func readJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

// currentRecord is the real current-format HORIZON-EIC-2026-STEP result.
func currentRecord(tb testing.TB) fixture {
	var f fixture
	readJSON(tb, "search-api-result-current-format-HORIZON-EIC-2026-STEP.json", &f)
	return f
}

// record2023 is the real 2023 HORIZON-CL5-2024-D2-01-03 result.
func record2023(tb testing.TB) fixture {
	var f fixture
	readJSON(tb, "search-api-result-2023-HORIZON-CL5-2024-D2-01-03.json", &f)
	return f
}

// eicResponse is the real trimmed EIC search response (3 older-format
// results, totalResults 31).
func eicResponse(tb testing.TB) map[string]any {
	var r map[string]any
	readJSON(tb, "search-api-response-horizon-eic-trimmed.json", &r)
	return r
}

// olderRecords are the three real older-format EIC results.
func olderRecords(tb testing.TB) []fixture {
	var out []fixture
	for _, r := range eicResponse(tb)["results"].([]any) {
		out = append(out, fixture(r.(map[string]any)))
	}
	return out
}

func (f fixture) clone() fixture {
	data, _ := json.Marshal(f)
	var c fixture
	json.Unmarshal(data, &c)
	return c
}

func (f fixture) meta() map[string]any { return f["metadata"].(map[string]any) }

// set replaces a metadata field with one value.
func (f fixture) set(key string, values ...string) fixture {
	list := make([]any, len(values))
	for i, v := range values {
		list[i] = v
	}
	f.meta()[key] = list
	return f
}

// withIdentifier renames a record, keeping everything else.
func (f fixture) withIdentifier(id string) fixture {
	f.set("identifier", id)
	f["url"] = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/" + id + ".json"
	return f
}

// stub keeps only what a minimal older-format record has: identifier,
// title, type, status and datasource.
func stub(f fixture, id string) fixture {
	s := f.clone()
	keep := map[string]bool{"type": true, "status": true, "DATASOURCE": true, "title": true, "frameworkProgramme": true}
	for k := range s.meta() {
		if !keep[k] {
			delete(s.meta(), k)
		}
	}
	s["reference"] = "stub-" + id
	return s.withIdentifier(id)
}

func (f fixture) raw(tb testing.TB) json.RawMessage {
	data, err := json.Marshal(f)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// page builds a search response around records, from the real envelope.
func page(tb testing.TB, total, number, size int, records ...fixture) []byte {
	env := eicResponse(tb)
	env["totalResults"] = total
	env["pageNumber"] = number
	env["pageSize"] = size
	list := make([]any, len(records))
	for i, r := range records {
		list[i] = r
	}
	env["results"] = list
	data, err := json.Marshal(env)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
