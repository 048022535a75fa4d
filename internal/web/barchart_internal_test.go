package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/i18n"
)

// TestBarChartLabelsFitAndAxesAndTotalsAreDrawn: a long name goes on two
// lines instead of being cut at the left edge; one too long for two lines
// is cut with "…" and keeps its whole name as a tooltip; the axis has
// round ticks (whole ones for counts) and the total counts every bar, also
// those beyond the ones drawn.
func TestBarChartLabelsFitAndAxesAndTotalsAreDrawn(t *testing.T) {
	words := map[string]string{"total": "Totaal"}
	tr := func(k string) string {
		if w, ok := words[k]; ok {
			return w
		}
		t.Errorf("the chart asks for the unknown text %q", k)
		return k
	}
	bars := []Bar{
		{Label: "Vlaamse Gemeenschapscommissie", Value: 3, Also: 7},
		{Label: "Gent", Value: 1, Also: 2},
		{Label: "Een gemeente met een naam die zelfs op twee regels niet past", Value: 0, Also: 1},
	}
	for i := range 20 {
		bars = append(bars, Bar{Label: "Stad " + string(rune('A'+i)), Value: 0, Also: 1})
	}
	svg := string(barChartSVG(barChart{Title: "Opgevolgd tegenover gematcht", Value: "opgevolgd", Also: "gematcht",
		Bars: bars, Format: func(v float64) string { return i18n.Number(i18n.NL, v) }, Whole: true}, tr))

	lines := regexp.MustCompile(`<tspan[^>]*>([^<]*)</tspan>`).FindAllStringSubmatch(svg, -1)
	width := bcLabelW - 8
	fit := int(width / bcCharW)
	var shown []string
	for _, l := range lines {
		if n := len([]rune(l[1])); n > fit {
			t.Errorf("the label line %q has %d characters, more than the %d that fit", l[1], n, fit)
		}
		shown = append(shown, l[1])
	}
	if !strings.Contains(strings.Join(shown, "|"), "Vlaamse|Gemeenschapscommissie") {
		t.Errorf("the VGC's name is not on two whole lines: %q", shown)
	}
	if !strings.Contains(svg, "<title>Een gemeente met een naam die zelfs op twee regels niet past</title>") || !strings.Contains(svg, "…</tspan>") {
		t.Error("a name too long for two lines is not cut with … and a tooltip")
	}
	if strings.Contains(svg, "<title>Vlaamse Gemeenschapscommissie</title>") {
		t.Error("a name that fits on two lines is marked as cut")
	}
	if n := strings.Count(svg, `class="value"`); n != chartBars {
		t.Errorf("the chart draws %d bars, want the first %d", n, chartBars)
	}
	ticks := regexp.MustCompile(`class="tick"[^>]*>([^<]*)<`).FindAllStringSubmatch(svg, -1)
	var got []string
	for _, tk := range ticks {
		got = append(got, tk[1])
	}
	if strings.Join(got, " ") != "0 2 4 6 8" {
		t.Errorf("the axis ticks are %q, want 0 2 4 6 8", got)
	}
	if !strings.Contains(svg, `>Totaal: 4 / 30</text>`) || !strings.Contains(svg, `class="axis"`) {
		t.Error("the chart lacks its axis or the total over every bar (4 / 30)")
	}
	if !strings.Contains(svg, ">opgevolgd</text>") || !strings.Contains(svg, ">gematcht</text>") {
		t.Error("the chart lacks its legend")
	}
}

// TestAxisTicksAreRound: the axis ends at a round step at or above the
// largest value, in at most five steps.
func TestAxisTicksAreRound(t *testing.T) {
	tests := []struct {
		top       float64
		whole     bool
		end       float64
		wantTicks int
	}{
		{750000, false, 800000, 5},
		{1200000, false, 1500000, 4},
		{3, true, 3, 4},
		{0, true, 1, 2},
		{2, true, 2, 3},
	}
	for _, tt := range tests {
		end, ticks := axisTicks(tt.top, tt.whole)
		if end != tt.end || len(ticks) != tt.wantTicks || ticks[0] != 0 || ticks[len(ticks)-1] != end {
			t.Errorf("axisTicks(%v) = %v %v, want end %v in %d ticks", tt.top, end, ticks, tt.end, tt.wantTicks)
		}
	}
}
