package ftportal

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/funding"
)

var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func normalise(t *testing.T, f fixture) funding.Call {
	t.Helper()
	rec, err := ParseRecord(f.raw(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Normaliser{Today: today}.Normalise(rec)
	if err != nil {
		t.Fatalf("Normalise: %v", err)
	}
	return c
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestNormaliseCurrentFormatRecord(t *testing.T) {
	c := normalise(t, currentRecord(t))
	got := map[string]any{
		"identifier": c.Identifier, "reference": c.Reference, "kind": c.Kind, "programme": c.Programme,
		"call": c.CallIdentifier, "title": c.Title, "status": c.Status, "url": c.URL,
		"opening": deref(c.OpeningDate), "deadlines": c.Deadlines, "model": c.DeadlineModel,
		"min": deref(c.BudgetMin), "max": deref(c.BudgetMax), "grants": deref(c.ExpectedGrants), "callBudget": deref(c.CallBudget),
		"keywords": c.Keywords, "tags": c.Tags, "types": c.TypesOfAction, "news": len(c.News),
	}
	want := map[string]any{
		"identifier": "HORIZON-EIC-2026-STEP", "reference": "49662814TOPICSen", "kind": funding.KindTopic, "programme": "HORIZON",
		"call": "HORIZON-EIC-2026-STEP", "title": "EIC STEP Scale Up", "status": funding.StatusOpen,
		"url":     "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/HORIZON-EIC-2026-STEP",
		"opening": day("2025-11-06"), "deadlines": []time.Time{day("2026-11-25")}, "model": "continuous",
		"min": 10e6, "max": 30e6, "grants": 10, "callBudget": 300e6,
		"keywords": []string{"HORIZON-EIC-2026-STEP"},
		"tags":     []string{"STEP", "STEP-Cleantech", "STEP-Biotech", "STEP-Digital/deep tech"},
		"types":    []string{"HORIZON EIC Equity Only"},
		"news":     1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
	if !strings.Contains(c.DescriptionText, "EUR 300 million") || strings.Contains(c.DescriptionText, "<p") {
		t.Errorf("description text = %q", c.DescriptionText)
	}
	if !strings.Contains(c.EligibilityNotes, "Annex 2(B. Eligibility)") {
		t.Errorf("eligibility notes = %q", c.EligibilityNotes)
	}
	if len(c.Raw) == 0 {
		t.Error("raw record not kept")
	}
}

func TestNormaliseRecordOf2023(t *testing.T) {
	c := normalise(t, record2023(t))
	if c.Status != funding.StatusClosed {
		t.Errorf("portal says forthcoming, deadline 2024-04-18 passed: status = %s, want closed", c.Status)
	}
	if diff := cmp.Diff([]time.Time{day("2024-04-18")}, c.Deadlines); diff != "" {
		t.Errorf("deadlines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"HORIZON Research and Innovation Actions"}, c.TypesOfAction); diff != "" {
		t.Errorf("double space not collapsed (-want +got):\n%s", diff)
	}
	wantKeywords := []string{"Energy storage", "Social Innovation", "Co-programmed European Partnerships", "repair", "circularity", "refurbishing", "batteries", "sustainability"}
	if diff := cmp.Diff(wantKeywords, c.Keywords); diff != "" {
		t.Errorf("keywords from the JSON string (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"PART-COPROGR", "SocInnov"}, c.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if c.Title == "" || c.URL != DefaultTopicPageURL+"HORIZON-CL5-2024-D2-01-03" {
		t.Errorf("title %q, url %q", c.Title, c.URL)
	}
}

func TestNormaliseStaleOpenStatusWithPastCutOffs(t *testing.T) {
	for _, f := range olderRecords(t) {
		c := normalise(t, f)
		if c.Status != funding.StatusClosed {
			t.Errorf("%s: status %s, want closed (portal says Open, deadlines in 2023)", c.Identifier, c.Status)
		}
		want := []time.Time{day("2023-01-11"), day("2023-03-22"), day("2023-06-07"), day("2023-10-04")}
		if diff := cmp.Diff(want, c.Deadlines); diff != "" {
			t.Errorf("%s: every cut-off kept (-want +got):\n%s", c.Identifier, diff)
		}
	}
}

func TestNormaliseMultiCutOffKeepsNextAndFinal(t *testing.T) {
	// ERASMUS-EDU-2022-ECHE-CERT-FP style: cut-offs from 2022 to after today.
	f := olderRecords(t)[0].clone().set("deadlineDate",
		"2026-12-02T17:00:00.000+0000", "2022-05-03T17:00:00.000+0000", "2026-03-24T17:00:00.000+0000", "2027-03-23T17:00:00.000+0000")
	c := normalise(t, f)
	next, _ := c.NextDeadline(today)
	final, _ := c.FinalDeadline()
	if c.Status != funding.StatusOpen || !next.Equal(day("2026-12-02")) || !final.Equal(day("2027-03-23")) || len(c.Deadlines) != 4 {
		t.Errorf("status %s, next %s, final %s, %d cut-offs", c.Status, next, final, len(c.Deadlines))
	}
}

func TestNormaliseSeparatesTopicBudgetFromSharedCallBudget(t *testing.T) {
	// Two topics of one call share a budgetOverview listing both.
	overview := `{"budgetYearsColumns":["2026"],"budgetTopicActionMap":{"1":[` +
		`{"action":"HORIZON-EIC-2026-STEP - HORIZON-EIC-EQU HORIZON EIC Equity Only","expectedGrants":10,"minContribution":10000000,"maxContribution":30000000,"budgetYearMap":{"2026":"300000000"}}],` +
		`"2":[{"action":"HORIZON-EIC-2026-STEP-02 - HORIZON-EIC-EQU HORIZON EIC Equity Only","expectedGrants":0,"minContribution":0,"maxContribution":0,"budgetYearMap":{"2026":"120000000","2027":"80000000"}}]}}`
	first := currentRecord(t).set("budgetOverview", overview)
	second := currentRecord(t).set("budgetOverview", overview).set("identifier", "HORIZON-EIC-2026-STEP-02")

	a, b := normalise(t, first), normalise(t, second)
	if got := []any{deref(a.CallBudget), deref(a.BudgetMin), deref(a.BudgetMax), deref(a.ExpectedGrants)}; !cmp.Equal(got, []any{300e6, 10e6, 30e6, 10}) {
		t.Errorf("first topic budget = %v", got)
	}
	if got := []any{deref(b.CallBudget), deref(b.BudgetMin), deref(b.BudgetMax), deref(b.ExpectedGrants)}; !cmp.Equal(got, []any{200e6, nil, nil, nil}) {
		t.Errorf("second topic: 0 must mean unknown, years summed: %v", got)
	}
}

func TestNormaliseSanitisesHostileHTML(t *testing.T) {
	hostile := `<p>Scope</p><script>alert('x')</script><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">click</a><a href="https://ec.europa.eu/doc.pdf" onclick="steal()">call document</a>`
	c := normalise(t, currentRecord(t).set("descriptionByte", hostile).set("topicConditions", hostile))
	for _, s := range []string{c.DescriptionHTML, c.ConditionsHTML} {
		for _, bad := range []string{"<script", "onerror", "onclick", "javascript:", "alert"} {
			if strings.Contains(s, bad) {
				t.Errorf("sanitised HTML %q still holds %q", s, bad)
			}
		}
		if !strings.Contains(s, `href="https://ec.europa.eu/doc.pdf"`) || !strings.Contains(s, `rel="nofollow noreferrer noopener"`) {
			t.Errorf("safe link lost or unmarked: %q", s)
		}
	}
	if c.DescriptionText != "Scope\nclickcall document" {
		t.Errorf("plain text = %q, want the visible text only", c.DescriptionText)
	}
}

func TestNormaliseSkipsFAQAndRejectsBrokenRecords(t *testing.T) {
	tests := []struct {
		name   string
		record fixture
		want   error
	}{
		{"FAQ answer", currentRecord(t).set("DATASOURCE", "SEDIA_FAQ"), ErrNotOpportunity},
		{"lower-case datasource key", func() fixture {
			f := currentRecord(t)
			delete(f.meta(), "DATASOURCE")
			return f.set("datasource", "SEDIA_FAQ")
		}(), ErrNotOpportunity},
		{"actions not JSON", currentRecord(t).set("actions", `[{"types":`), nil},
		{"no identifier nor reference", func() fixture {
			f := currentRecord(t)
			delete(f.meta(), "identifier")
			delete(f.meta(), "REFERENCE")
			f["reference"] = ""
			return f
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := ParseRecord(tt.record.raw(t))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Normaliser{Today: today}.Normalise(rec)
			if err == nil {
				t.Fatal("Normalise accepted the record")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if tt.want == nil && errors.Is(err, ErrNotOpportunity) {
				t.Errorf("a broken record was silently skipped: %v", err)
			}
		})
	}
}

func TestNormaliseCascadeCallKeyedByReference(t *testing.T) {
	f := currentRecord(t).set("type", "8")
	f["reference"] = "11321COMPETITIVE_CALLen"
	f["url"] = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/competitive-calls-cs/11321"
	c := normalise(t, f)
	if c.Kind != funding.KindCascade || c.Identifier != "11321COMPETITIVE_CALLen" || c.CallIdentifier != "HORIZON-EIC-2026-STEP" {
		t.Errorf("kind %s identifier %q call %q", c.Kind, c.Identifier, c.CallIdentifier)
	}
	if c.URL != f["url"] {
		t.Errorf("url = %q, want the competitive call page", c.URL)
	}
}

// cascadeRecord is a cascade call (type 8) made from the real current-format
// record: the parent topic's fields stay as they were (an EIC equity topic's
// title, types of action, actions, budget table and conditions), and the
// cascade's own fields are added as eu-sources.md §1 lists them.
func cascadeRecord(t *testing.T) fixture {
	f := currentRecord(t).set("type", "8").set("identifier", "HORIZON-EIT-2026-25-KIC-EITHEALTH").
		set("title", "EITHEALTH Business Plan 2026").
		set("callTitle", "Open call: digital health pilots with municipalities").
		set("description", "<p>Pilot digital health services for older residents, run with a city.</p>").
		set("beneficiaryAdministration", "<p>Who can apply: local authorities (municipalities, cities) in EU Member States, alone or with an SME.</p>").
		set("budget", "500000").set("caName", "EIT Health e.V.").set("projectAcronym", "EITHEALTH").
		set("deadlineDate", "2026-12-31T23:59:00.000+0000")
	f["reference"] = "11321COMPETITIVE_CALLen"
	f["url"] = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/competitive-calls-cs/11321"
	f["content"], f["summary"] = "EITHEALTH Business Plan 2026", "EITHEALTH Business Plan 2026"
	return f
}

func TestNormaliseCascadeCallIsItsOwnCall(t *testing.T) {
	c := normalise(t, cascadeRecord(t))
	got := map[string]any{
		"title": c.Title, "call": c.CallIdentifier, "callTitle": c.CallTitle, "types": c.TypesOfAction,
		"callBudget": deref(c.CallBudget), "min": deref(c.BudgetMin), "max": deref(c.BudgetMax),
		"deadlines": c.Deadlines, "description": c.DescriptionText, "notes": c.EligibilityNotes,
	}
	want := map[string]any{
		"title": "Open call: digital health pilots with municipalities", "call": "HORIZON-EIT-2026-25-KIC-EITHEALTH",
		"callTitle": "EITHEALTH Business Plan 2026", "types": []string(nil),
		"callBudget": 500000.0, "min": nil, "max": nil,
		"deadlines":   []time.Time{day("2026-12-31")},
		"description": "Pilot digital health services for older residents, run with a city.",
		"notes":       "Who can apply: local authorities (municipalities, cities) in EU Member States, alone or with an SME.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cascade call (-want +got):\n%s", diff)
	}
	if strings.Contains(c.ConditionsText, "Annex 2") {
		t.Errorf("the parent's conditions were kept: %q", c.ConditionsText)
	}

	f := cascadeRecord(t)
	delete(f.meta(), "callTitle")
	delete(f.meta(), "description")
	c = normalise(t, f)
	if c.Title != "Cascade funding call 11321COMPETITIVE_CALLen" || c.Summary != c.Title || c.DescriptionText != "" {
		t.Errorf("without a title or description of its own: title %q, summary %q, description %q; want nothing of the parent's",
			c.Title, c.Summary, c.DescriptionText)
	}
}

func TestParseDateKeepsThePortalsDayAndTime(t *testing.T) {
	// at is the time of day in Brussels, "" when the portal gives the day alone.
	tests := []struct{ in, day, at string }{
		{"2023-01-11T17:00:00.000+0000", "2023-01-11", "2023-01-11T17:00:00+01:00"},
		{"2024-04-18T19:00:00.000+0200", "2024-04-18", "2024-04-18T17:00:00+02:00"}, // the 2023 spelling of 17:00
		{"2023-12-07T01:00:00.000+0100", "2023-12-07", ""},                          // midnight UTC
		{"2026-11-25T00:00:00.000+0000", "2026-11-25", ""},
		{"2026-12-31T23:59:00.000+0000", "2026-12-31", "2026-12-31T23:59:00+01:00"}, // not 1 January
		{"1798761540000", "2026-12-31", "2026-12-31T23:59:00+01:00"},                // the same as epoch-ms
		{"2026-03-23T23:30:00.000+0000", "2026-03-23", "2026-03-23T23:30:00+01:00"},
		{"2025-11-06", "2025-11-06", ""},
		{"1790812800000", "2026-10-01", ""},
		{"19 May 2020", "2020-05-19", ""},
		{"2026-04-01T15:44:11.496", "2026-04-01", "2026-04-01T15:44:11+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parsePortalDate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			at := ""
			if !got.At.IsZero() {
				at = got.At.Format(time.RFC3339)
				if got.At.Location() != funding.Brussels {
					t.Errorf("time of day in %s, want Brussels", got.At.Location())
				}
			}
			if !got.Day.Equal(day(tt.day)) || at != tt.at {
				t.Errorf("parsePortalDate = %s at %q; want %s at %q", got.Day.Format(time.DateOnly), at, tt.day, tt.at)
			}
		})
	}
	if _, err := parseDate("next Tuesday"); err == nil {
		t.Error("parseDate accepted nonsense")
	}
}

// A deadline the portal stamps 23:59 +0000 (13 of 195 real records) stays
// on its day with its time; converting it to Brussels time made it 1 January.
func TestNormaliseLateDeadlineStaysOnThePortalsDay(t *testing.T) {
	epoch := record2023(t)
	epoch.meta()["deadlineDate"] = nil
	epoch.set("actions", `[{"status":{"id":31094502},"types":[{"typeOfAction":"HORIZON-RIA HORIZON Research and Innovation Actions"}],"deadlineDates":["1798761540000"]}]`)
	tests := []struct {
		name   string
		record fixture
	}{
		{"search API string", record2023(t).set("deadlineDate", "2026-12-31T23:59:00.000+0000")},
		{"epoch-ms in actions", epoch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := normalise(t, tt.record)
			if diff := cmp.Diff([]time.Time{day("2026-12-31")}, c.Deadlines); diff != "" {
				t.Fatalf("deadlines (-want +got):\n%s", diff)
			}
			at, ok := c.DeadlineTime(c.Deadlines[0])
			if !ok || at.Format("2006-01-02 15:04") != "2026-12-31 23:59" || at.Location() != funding.Brussels {
				t.Errorf("time of day = %v, %v; want 23:59 in Brussels on 31 December", at, ok)
			}
			if c.Status != funding.StatusOpen {
				t.Errorf("status %s, want open", c.Status)
			}
			if s := funding.DeriveStatus(c.OpeningDate, c.Deadlines, day("2026-12-31").Add(22*time.Hour)); s != funding.StatusOpen {
				t.Errorf("status on the deadline's evening = %s, want open", s)
			}
			if s := funding.DeriveStatus(c.OpeningDate, c.Deadlines, day("2027-01-01").Add(9*time.Hour)); s != funding.StatusClosed {
				t.Errorf("status on 1 January = %s, want closed", s)
			}
		})
	}
}

func TestNormaliseKeepsNoTimeForADayAlone(t *testing.T) {
	c := normalise(t, currentRecord(t)) // deadlineDate 2026-11-25T00:00:00.000+0000
	if len(c.DeadlineTimes) != 0 {
		t.Errorf("midnight UTC is a day without time, got times %v", c.DeadlineTimes)
	}
	c = normalise(t, olderRecords(t)[0]) // 17:00 +0000 cut-offs
	want := []string{"2023-01-11T17:00:00+01:00", "2023-03-22T17:00:00+01:00", "2023-06-07T17:00:00+02:00", "2023-10-04T17:00:00+02:00"}
	var got []string
	for _, at := range c.DeadlineTimes {
		got = append(got, at.Format(time.RFC3339))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("17:00 Brussels cut-offs (-want +got):\n%s", diff)
	}
}

func TestProgrammeFor(t *testing.T) {
	tests := []struct {
		name           string
		codes          []string
		abbr, id, want string
	}{
		{"facet code", []string{"43152860"}, "", "X-1", "DIGITAL"},
		{"EuropeAid code", []string{"111111"}, "", "EuropeAid/186411/DD/ACT/ET", "EUROPEAID"},
		{"unknown code falls back to a known prefix", []string{"99"}, "", "LIFE-2026-SAP-ENV", "LIFE"},
		{"unknown code and prefix are other", []string{"48000001"}, "", "EuropeAid/186411/DD/ACT/ET", OtherProgramme},
		{"no code and an unknown prefix are other", nil, "", "186411PROSPECTSEN", OtherProgramme},
		{"topicDetails abbreviation", nil, "ERASMUS2027", "ERASMUS-EDU-2026", "ERASMUS+"},
		{"identifier prefix", nil, "", "CERV-2026-CITIZENS", "CERV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, name := programmeFor(tt.codes, tt.abbr, tt.id)
			if got != tt.want {
				t.Errorf("programmeFor = %q, want %q", got, tt.want)
			}
			if tt.abbr == "" && name == "" {
				t.Errorf("programme %s has no name", got)
			}
		})
	}
}

// EuropeAid calls each became a programme named after their identifier; an
// unknown code is one "other" programme that still says the code.
func TestNormaliseNamesTheProgrammeOfEuropeAidAndUnknownCodes(t *testing.T) {
	europeAid := func(code string) fixture {
		f := currentRecord(t).set("type", "2").set("frameworkProgramme", code).set("identifier", "EuropeAid/186411/DD/ACT/ET")
		f["reference"] = "186411PROSPECTSEN"
		return f
	}
	tests := []struct {
		name, code, wantCode, wantName string
	}{
		{"EuropeAid", "111111", "EUROPEAID", "EuropeAid (EU external action)"},
		{"unknown code", "48000001", OtherProgramme, "Other programme (portal code 48000001)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := normalise(t, europeAid(tt.code))
			if c.Programme != tt.wantCode || c.ProgrammeName != tt.wantName || c.Kind != funding.KindCall {
				t.Errorf("programme %q %q kind %s; want %q %q", c.Programme, c.ProgrammeName, c.Kind, tt.wantCode, tt.wantName)
			}
		})
	}
}

func TestEnrichNamesAnOtherProgrammeFromTopicDetails(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "topicDetails-DIGITAL-2026-SKILLS-10-EDTECH.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseTopicDetails(data)
	if err != nil {
		t.Fatal(err)
	}
	rec := stub(olderRecords(t)[0], "DIGITAL-2026-SKILLS-10-EDTECH").set("frameworkProgramme", "48000001")
	rec.set("identifier", "X2026-SKILLS-10-EDTECH")
	c := normalise(t, rec)
	if c.Programme != OtherProgramme {
		t.Fatalf("programme before topicDetails = %q, want %q", c.Programme, OtherProgramme)
	}
	Normaliser{Today: today}.enrich(&c, d)
	if c.Programme != "DIGITAL" || c.ProgrammeName != "Digital Europe Programme" {
		t.Errorf("programme after topicDetails = %q %q", c.Programme, c.ProgrammeName)
	}
}

func TestEnrichFromTopicDetailsOfOtherVintages(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "topicDetails-DIGITAL-2026-SKILLS-10-EDTECH.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The H2020-era spelling of the same document: date strings and a
	// numeric budget (eu-sources.md §2).
	old := strings.NewReplacer(
		`"plannedOpeningDate":"1776729600000"`, `"plannedOpeningDate":"19 May 2020"`,
		`"deadlineDates":["1790812800000"]`, `"deadlineDates":["11 June 2020"]`,
		`"budgetYearMap":{"2026":"12500000"}`, `"budgetYearMap":{"2020":20000000}`,
	).Replace(compact(t, data))
	tests := []struct {
		name, doc  string
		opening    string
		deadline   string
		callBudget float64
	}{
		{"2026 epoch-ms strings", compact(t, data), "2026-04-21", "2026-10-01", 12.5e6},
		{"2020 date strings", old, "2020-05-19", "2020-06-11", 20e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseTopicDetails([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			rec := stub(olderRecords(t)[0], "DIGITAL-2026-SKILLS-10-EDTECH")
			delete(rec.meta(), "frameworkProgramme") // the programme comes from topicDetails
			c := normalise(t, rec)
			Normaliser{Today: today}.enrich(&c, d)
			got := []any{deref(c.OpeningDate), c.Deadlines, deref(c.CallBudget), c.Programme, c.CallTitle}
			want := []any{day(tt.opening), []time.Time{day(tt.deadline)}, tt.callBudget, "DIGITAL", "Advanced Digital Skills"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("enriched (-want +got):\n%s", diff)
			}
		})
	}
}

// compact re-encodes JSON without spaces so that edits can match it.
func compact(t *testing.T, data []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Values the calls table would refuse, and with them the whole page, are
// left unknown: dates outside 1990-2100, amounts that are no money, a
// count beyond an integer, a minimum above the maximum.
func TestNormaliseLeavesImpossibleValuesUnknown(t *testing.T) {
	overview := `{"budgetTopicActionMap":{"1":[{"action":"HORIZON-EIC-2026-STEP - x","minContribution":5000000,
		"maxContribution":1000000,"expectedGrants":1e12,"budgetYearMap":{"2026":"1e300"}}]}}`
	c := normalise(t, currentRecord(t).
		set("deadlineDate", "9223372036854775807", "0000-01-01", "2026-11-25T00:00:00.000+0000").
		set("startDate", "-62135596800000").
		set("actions", `[{"plannedOpeningDate":"9999-12-31"}]`).set("links", `[{"startDate":"1"}]`).
		set("budgetOverview", overview))
	if !cmp.Equal(c.Deadlines, []time.Time{day("2026-11-25")}) || c.OpeningDate != nil {
		t.Errorf("deadlines %v, opening %v; want only 2026-11-25 and no opening", c.Deadlines, c.OpeningDate)
	}
	if c.BudgetMin != nil || c.BudgetMax == nil || *c.BudgetMax != 1e6 || c.CallBudget != nil || c.ExpectedGrants != nil {
		t.Errorf("min %v, max %v, call %v, grants %v; want only the maximum", deref(c.BudgetMin), deref(c.BudgetMax), deref(c.CallBudget), deref(c.ExpectedGrants))
	}
}
