package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTimelineLabelsNeverOverlapAndTodayIsDrawnWhole: whatever the dates,
// the timeline uses shapes rather than font glyphs, no two date labels
// overlap, today's marker and label stay inside the drawing, and the
// legend names each shape.
func TestTimelineLabelsNeverOverlapAndTodayIsDrawnWhole(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	ptr := func(d time.Time) *time.Time { return &d }
	words := map[string]string{"opening": "opening", "deadline": "deadline", "deadline_passed": "deadline voorbij",
		"due_today": "vandaag", "timeline": "Tijdlijn"}
	tr := func(k any) string {
		if w, ok := words[k.(string)]; ok {
			return w
		}
		t.Errorf("the timeline asks for the unknown text %q", k)
		return k.(string)
	}
	tests := []struct {
		name      string
		tl        timeline
		wantRows  int // rows of date labels
		wantPast  int
		wantLabel int
	}{
		{"CutOffsDaysApart", timeline{ptr(day("2027-01-10")), []time.Time{day("2027-04-01"), day("2027-04-03"), day("2027-04-05")}, day("2027-02-01")}, 3, 0, 4},
		{"FarApart", timeline{ptr(day("2027-01-10")), []time.Time{day("2027-09-01")}, day("2027-05-01")}, 1, 0, 2},
		{"TodayAfterEverything", timeline{nil, []time.Time{day("2026-01-10"), day("2026-01-11")}, day("2026-12-04")}, 2, 2, 2},
		{"TodayBeforeEverything", timeline{nil, []time.Time{day("2027-12-31")}, day("2026-12-04")}, 1, 0, 1},
		{"EverythingOnOneDay", timeline{ptr(day("2027-03-01")), []time.Time{day("2027-03-01")}, day("2027-03-01")}, 2, 0, 2},
	}
	num := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := string(timelineSVG(tt.tl, tr))
			for _, r := range svg {
				if r > 0x7e {
					t.Fatalf("the drawing holds the character %q, which needs a font glyph", r)
				}
			}
			vb := regexp.MustCompile(`viewBox="0 0 ([0-9.]+) ([0-9.]+)"`).FindStringSubmatch(svg)
			width, height := num(vb[1]), num(vb[2])
			type box struct{ x, y float64 }
			var labels []box
			rows := map[float64]bool{}
			for _, m := range regexp.MustCompile(`<text class="label" x="([0-9.]+)" y="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
				b := box{num(m[1]), num(m[2])}
				labels = append(labels, b)
				rows[b.y] = true
				if b.x-tlLabelW/2 < 0 || b.x+tlLabelW/2 > width || b.y < 12 || b.y > height {
					t.Errorf("label at %v is cut off by the %vx%v drawing", b, width, height)
				}
			}
			if len(labels) != tt.wantLabel || len(rows) != tt.wantRows {
				t.Fatalf("%d labels in %d rows, want %d in %d:\n%s", len(labels), len(rows), tt.wantLabel, tt.wantRows, svg)
			}
			for i := range labels {
				for j := range i {
					a, b := labels[i], labels[j]
					if a.y == b.y && (a.x-b.x < tlLabelW && b.x-a.x < tlLabelW) {
						t.Errorf("labels at %v and %v overlap", a, b)
					}
				}
			}
			today := regexp.MustCompile(`<text class="today" x="([0-9.]+)" y="([0-9.]+)"[^>]*>([^<]*)</text>`).FindStringSubmatch(svg)
			if today == nil || !strings.HasPrefix(today[3], "vandaag ") {
				t.Fatalf("no today label:\n%s", svg)
			}
			// At most 7.5 units a character at font-size 12.
			half := 7.5 * float64(len(today[3])) / 2
			if x, y := num(today[1]), num(today[2]); x-half < 0 || x+half > width || y > height {
				t.Errorf("today's label (%q at %v,%v) is cut off by the %vx%v drawing", today[3], x, y, width, height)
			}
			if n := strings.Count(svg, `class="deadline past"`); n != tt.wantPast+1 { // +1: the legend's
				t.Errorf("%d passed cut-offs drawn, want %d", n-1, tt.wantPast)
			}
			for _, w := range []string{">opening<", ">deadline<", ">deadline voorbij<", ">vandaag<"} {
				if !strings.Contains(svg, `class="legend"`) || !strings.Contains(svg, w) {
					t.Errorf("the legend lacks %s", w)
				}
			}
		})
	}
	if timelineSVG(timeline{Today: day("2027-01-01")}, tr) != "" {
		t.Error("a call without dates has a timeline")
	}
}
