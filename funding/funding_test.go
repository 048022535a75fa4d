package funding

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func TestDeriveStatus(t *testing.T) {
	today := day("2026-11-23")
	tests := []struct {
		name      string
		opening   *time.Time
		deadlines []time.Time
		want      Status
	}{
		{"stale open with every deadline in 2023 is closed", ptr(day("2022-12-08")), []time.Time{day("2023-01-11"), day("2023-10-04")}, StatusClosed},
		{"deadline today is still open", ptr(day("2026-01-01")), []time.Time{today}, StatusOpen},
		{"deadline yesterday is closed", nil, []time.Time{day("2026-11-22")}, StatusClosed},
		{"opening tomorrow is forthcoming", ptr(day("2026-11-24")), []time.Time{day("2027-02-01")}, StatusForthcoming},
		{"opening today is open", ptr(today), []time.Time{day("2027-02-01")}, StatusOpen},
		{"multi cut-off with one left is open", nil, []time.Time{day("2022-05-03"), day("2026-03-24"), day("2026-12-01")}, StatusOpen},
		{"unsorted cut-offs use the latest", nil, []time.Time{day("2026-12-01"), day("2022-05-03")}, StatusOpen},
		{"continuous call without deadline is open", ptr(day("2025-11-06")), nil, StatusOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DeriveStatus(tt.opening, tt.deadlines, today.Add(15*time.Hour)); got != tt.want {
				t.Errorf("DeriveStatus = %s, want %s", got, tt.want)
			}
		})
	}
}

func sampleCall() Call {
	return Call{
		Source: "ftportal", Identifier: "HORIZON-EIC-2026-STEP", Kind: KindTopic, Programme: "HORIZON",
		Title: "EIC STEP Scale Up", DescriptionHTML: "<p>Expected Outcome</p>", Status: StatusOpen,
		OpeningDate: ptr(day("2025-11-06")), Deadlines: []time.Time{day("2026-11-25")},
		BudgetMin: ptr(10e6), BudgetMax: ptr(30e6), CallBudget: ptr(300e6),
		Raw: json.RawMessage(`{"latestInfos":"one"}`),
	}
}

func TestContentHashIgnoresRawAndPlainText(t *testing.T) {
	a, b := sampleCall(), sampleCall()
	b.Raw = json.RawMessage(`{"latestInfos":"two","responseTime":61}`)
	b.DescriptionText = "Expected Outcome"
	if a.ContentHash() != b.ContentHash() {
		t.Error("hash changed with Raw or the derived plain text only")
	}
	b.Deadlines = []time.Time{day("2026-12-02")}
	if a.ContentHash() == b.ContentHash() {
		t.Error("hash did not change when the deadline moved")
	}
}

func TestContentHashTellsFieldBoundaries(t *testing.T) {
	a, b := sampleCall(), sampleCall()
	a.Title, a.Summary = "ab", "c"
	b.Title, b.Summary = "a", "bc"
	if a.ContentHash() == b.ContentHash() {
		t.Error("moving text between fields kept the same hash")
	}
}

func TestDiffNamesWhatChanged(t *testing.T) {
	old := sampleCall()
	tests := []struct {
		name   string
		change func(*Call)
		want   []Change
	}{
		{"identical calls", func(*Call) {}, nil},
		{"deadline moved", func(c *Call) { c.Deadlines = []time.Time{day("2026-12-02")} },
			[]Change{{Field: "deadlines", Old: "2026-11-25", New: "2026-12-02"}}},
		{"status and budget", func(c *Call) { c.Status = StatusClosed; c.CallBudget = nil },
			[]Change{{Field: "status", Old: "open", New: "closed"}, {Field: "call_budget", Old: "300000000", New: ""}}},
		{"description and title", func(c *Call) { c.DescriptionHTML = "<p>new</p>"; c.Title = "EIC STEP" },
			[]Change{{Field: "title", Old: "EIC STEP Scale Up", New: "EIC STEP"}, {Field: "description", Old: "<p>Expected Outcome</p>", New: "<p>new</p>"}}},
		{"news only", func(c *Call) { c.Raw = json.RawMessage(`{}`) }, nil},
		{"time of day given", func(c *Call) { c.DeadlineTimes = []time.Time{time.Date(2026, 11, 25, 17, 0, 0, 0, Brussels)} },
			[]Change{{Field: "deadline_times", Old: "", New: "2026-11-25T16:00:00Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleCall()
			tt.change(&c)
			got := Diff(old, c)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
			if (len(got) == 0) != (old.ContentHash() == c.ContentHash()) {
				t.Error("Diff and ContentHash disagree")
			}
		})
	}
}

func TestDiffComparesDeadlineTimesAsInstants(t *testing.T) {
	a, b := sampleCall(), sampleCall()
	a.DeadlineTimes = []time.Time{time.Date(2026, 11, 25, 17, 0, 0, 0, Brussels)}
	b.DeadlineTimes = []time.Time{time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)} // read back in UTC
	if d := Diff(a, b); len(d) != 0 || a.ContentHash() != b.ContentHash() {
		t.Errorf("the same cut-off in another zone counts as a change: %v", d)
	}
}

func TestDeadlineTimeIsTheTimeOnTheCutOffsDay(t *testing.T) {
	c := sampleCall()
	c.Deadlines = []time.Time{day("2026-11-25"), day("2026-12-31")}
	c.DeadlineTimes = []time.Time{time.Date(2026, 12, 31, 23, 59, 0, 0, Brussels)}
	if at, ok := c.DeadlineTime(day("2026-12-31")); !ok || !at.Equal(c.DeadlineTimes[0]) {
		t.Errorf("DeadlineTime(31 December) = %v, %v", at, ok)
	}
	if at, ok := c.DeadlineTime(day("2026-11-25")); ok {
		t.Errorf("a cut-off given as a day has a time: %v", at)
	}
}

func TestChangeString(t *testing.T) {
	got := Change{Field: "deadlines", Old: "2026-03-24", New: "2026-04-14"}.String()
	if got != "deadlines: 2026-03-24 -> 2026-04-14" {
		t.Errorf("String = %q", got)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Smart Economy,\n    Smart People</p><p>Second &amp; last</p>", "Smart Economy, Smart People\nSecond & last"},
		{"<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
		{"<p>a<script>alert(1)</script>b</p>", "ab"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSummarise(t *testing.T) {
	if got := Summarise("one two three four", 9); got != "one two…" {
		t.Errorf("Summarise = %q", got)
	}
	if got := Summarise("short", 9); got != "short" {
		t.Errorf("Summarise = %q", got)
	}
}

func TestTidyLinesIsFieldsAndJoinLineByLine(t *testing.T) {
	slow := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	for _, s := range []string{
		"", "\n\n", "one", "  one  two\t three ", "\n a \n\n  b c\n", "a\u00a0b\u2003c\u0085d", "x \xff\xfe y\n\xc3", "\v\f\r\n z",
		"Eligible countries\n  described in   Annex 2 \u00a0\n\n3. Other",
	} {
		if got, want := tidyLines(s), slow(s); got != want {
			t.Errorf("tidyLines(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestListingShowsTheTimesOfDayTheSourceGave(t *testing.T) {
	c := sampleCall()
	c.Deadlines = []time.Time{day("2026-11-25"), day("2026-12-31")}
	c.DeadlineTimes = []time.Time{time.Date(2026, 12, 31, 23, 59, 0, 0, Brussels)}
	l := c.Listing(day("2026-11-23"))
	if diff := cmp.Diff([]string{"2026-11-25", "2026-12-31"}, l.Deadlines); diff != "" {
		t.Errorf("deadlines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2026-12-31T23:59:00+01:00"}, l.DeadlineTimes); diff != "" {
		t.Errorf("deadline times (-want +got):\n%s", diff)
	}
	plain := sampleCall()
	b, err := json.Marshal(plain.Listing(day("2026-11-23")))
	if err != nil || !strings.Contains(string(b), `"deadline_times":[]`) {
		t.Errorf("a call without times lists %s, %v; want an empty array", b, err)
	}
}
