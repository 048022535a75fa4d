package ftportal

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestParsePageDecodesEachRecordOnceAndKeepsItsBytes(t *testing.T) {
	current, older := currentRecord(t), olderRecords(t)[0]
	data := page(t, 31, 2, 3, current, older)
	// The envelope's keys come in any order and spacing; results first here.
	data = []byte(strings.Replace(string(data), `"results":`, "\n  \"results\" :\n ", 1))
	p, err := ParsePage(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalResults != 31 || p.PageNumber != 2 || p.PageSize != 3 || p.Len() != 2 || len(p.Failed) != 0 {
		t.Fatalf("page = total %d number %d size %d, %d records, failed %v", p.TotalResults, p.PageNumber, p.PageSize, len(p.Records), p.Failed)
	}
	for i, f := range []fixture{current, older} {
		rec := p.Records[i]
		want, err := ParseRecord(f.raw(t))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Reference != want.Reference || rec.first("identifier") != want.first("identifier") || len(rec.Metadata) != len(want.Metadata) {
			t.Errorf("record %d = %s %s, want %s %s", i, rec.Reference, rec.first("identifier"), want.Reference, want.first("identifier"))
		}
		// The raw record is exactly the result's bytes in the page.
		var compact bytes.Buffer
		if err := json.Compact(&compact, rec.raw); err != nil {
			t.Fatalf("raw record %d is not JSON: %v", i, err)
		}
		if !bytes.Equal(compact.Bytes(), f.raw(t)) {
			t.Errorf("raw record %d differs from the result it came from", i)
		}
	}
}

func TestParsePageKeepsTheRecordsBesideOneThatDoesNotFit(t *testing.T) {
	bad := currentRecord(t).clone()
	bad["reference"] = "77777777TOPICSen"
	bad.meta()["identifier"] = []any{42} // a number where the portal sends strings
	p, err := ParsePage(page(t, 3, 1, 3, olderRecords(t)[0], bad, olderRecords(t)[1]))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 2 || len(p.Failed) != 1 || p.Len() != 3 {
		t.Fatalf("%d records, %d failed; want 2 and 1", len(p.Records), len(p.Failed))
	}
	if got := referenceOf(p.Failed[0].Raw); got != "77777777TOPICSen" {
		t.Errorf("failed record's reference = %q", got)
	}
	if !strings.Contains(p.Failed[0].Err.Error(), "decode record") {
		t.Errorf("failed record's error = %v", p.Failed[0].Err)
	}
}

func TestParsePageRejectsWhatJSONUnmarshalRejects(t *testing.T) {
	whole := page(t, 1, 1, 1, currentRecord(t))
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"cut short", string(whole[:len(whole)/2]), false},
		{"data after the page", string(whole) + ` {}`, false},
		{"not an object", `[{"totalResults":1}]`, false},
		{"results not an array", `{"totalResults":1,"results":{"a":1}}`, false},
		{"totalResults not a number", `{"totalResults":"1","results":[]}`, false},
		{"null", `null`, true},
		{"no results", `{"totalResults":0}`, true},
		{"keys in another case", `{"TotalResults":4,"Results":[]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want struct {
				TotalResults int               `json:"totalResults"`
				Results      []json.RawMessage `json:"results"`
			}
			wantErr := json.Unmarshal([]byte(tt.data), &want)
			if (wantErr == nil) != tt.ok {
				t.Fatalf("json.Unmarshal err = %v; the case is wrong", wantErr)
			}
			p, err := ParsePage([]byte(tt.data))
			if (err == nil) != tt.ok {
				t.Fatalf("ParsePage err = %v, want ok=%v", err, tt.ok)
			}
			if err == nil && (p.TotalResults != want.TotalResults || p.Len() != len(want.Results)) {
				t.Errorf("page total %d len %d, json.Unmarshal says %d and %d", p.TotalResults, p.Len(), want.TotalResults, len(want.Results))
			}
		})
	}
}
