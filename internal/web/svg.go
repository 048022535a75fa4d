package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// timeline is what a call's timeline shows; the template draws it with
// timelineSVG in the page's language.
type timeline struct {
	Opening   *time.Time
	Deadlines []time.Time
	Today     time.Time
}

// Sizes of the timeline drawing, in its viewBox units.
const (
	tlWidth     = 640.0
	tlLeft      = 50.0  // the line runs from tlLeft to tlRight, leaving room
	tlRight     = 590.0 // for a centred date label at either end
	tlRowH      = 16.0  // one row of labels
	tlLabelW    = 72.0  // a date label at font-size 12, with a gap
	tlMarkerGap = 12.0  // between the line and the first row of labels
)

// timelineSVG draws a call's opening date and deadlines on a line, with
// today marked, as inline SVG drawn on the server. The markers are shapes
// (no font glyphs, which a browser without an emoji font shows as boxes);
// labels too close to fit side by side are stacked in rows; a legend says
// what each shape means. Only dates and the catalogue's words go into it.
func timelineSVG(tl timeline, t func(any) string) template.HTML {
	type point struct {
		at    time.Time
		class string // opening, deadline or deadline past
	}
	var points []point
	if tl.Opening != nil {
		points = append(points, point{*tl.Opening, "opening"})
	}
	for _, d := range tl.Deadlines {
		class := "deadline"
		if d.Before(tl.Today) {
			class = "deadline past"
		}
		points = append(points, point{d, class})
	}
	if len(points) == 0 {
		return ""
	}
	first, last := tl.Today, tl.Today
	for _, p := range points {
		if p.at.Before(first) {
			first = p.at
		}
		if p.at.After(last) {
			last = p.at
		}
	}
	span := last.Sub(first).Hours()
	if span == 0 {
		span = 24
	}
	x := func(at time.Time) float64 { return tlLeft + (tlRight-tlLeft)*at.Sub(first).Hours()/span }
	// A label is centred on its marker but kept inside the drawing.
	labelX := func(cx float64) float64 {
		return min(max(cx, tlLabelW/2), tlWidth-tlLabelW/2)
	}

	// Each label goes in the lowest row where it clears the label before
	// it; the points are in date order (opening first, cut-offs ascending).
	rowOf := make([]int, len(points))
	var rowEnds []float64 // the right edge of the last label in each row
	for i, p := range points {
		lx := labelX(x(p.at))
		row := 0
		for row < len(rowEnds) && lx-tlLabelW/2 < rowEnds[row] {
			row++
		}
		if row == len(rowEnds) {
			rowEnds = append(rowEnds, 0)
		}
		rowEnds[row] = lx + tlLabelW/2
		rowOf[i] = row
	}
	lineY := 8 + tlRowH*float64(len(rowEnds)) + tlMarkerGap
	todayY := lineY + 26 // today's label, alone below the line
	legendY := todayY + 24
	height := legendY + 8

	var desc []string // the drawing in words, for screen readers
	var b strings.Builder
	label := html.EscapeString
	b.WriteString(`<g font-size="12" fill="#1d1d1b">`)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#555" stroke-width="2"/>`, tlLeft, lineY, tlRight, lineY)
	labelY := func(i int) float64 { return lineY - tlMarkerGap - tlRowH*float64(rowOf[i]) }
	// Leaders from stacked labels down to their markers go first, so that
	// the labels' white halo covers them where they pass a lower label.
	for i, p := range points {
		if rowOf[i] > 0 {
			fmt.Fprintf(&b, `<line class="leader" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999" stroke-width="1"/>`,
				x(p.at), labelY(i)+3, x(p.at), lineY-7)
		}
	}
	for _, p := range points {
		b.WriteString(timelineMarker(p.class, x(p.at), lineY))
	}
	for i, p := range points {
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle" stroke="#fff" stroke-width="4" paint-order="stroke">%s</text>`,
			labelX(x(p.at)), labelY(i), p.at.Format("02/01/2006"))
		word := "deadline"
		switch p.class {
		case "opening":
			word = "opening"
		case "deadline past":
			word = "deadline_passed"
		}
		desc = append(desc, t(word)+" "+p.at.Format("02/01/2006"))
	}
	tx := x(tl.Today)
	fmt.Fprintf(&b, `<line class="today" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#0b5394" stroke-width="2" stroke-dasharray="3 2"/>`,
		tx, lineY-10, tx, todayY-12)
	fmt.Fprintf(&b, `<text class="today" x="%.1f" y="%.1f" text-anchor="middle" fill="#0b5394">%s %s</text>`,
		min(max(tx, 75), tlWidth-75), todayY, label(t("due_today")), tl.Today.Format("02/01/2006"))
	desc = append(desc, t("due_today")+" "+tl.Today.Format("02/01/2006"))

	// The legend: each shape and what it means, in a row.
	lx := tlLeft
	for _, item := range []struct{ class, word string }{
		{"opening", "opening"}, {"deadline", "deadline"}, {"deadline past", "deadline_passed"}, {"today", "due_today"},
	} {
		if item.class == "today" {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#0b5394" stroke-width="2" stroke-dasharray="3 2"/>`, lx, legendY-11, lx, legendY+1)
		} else {
			b.WriteString(timelineMarker(item.class, lx, legendY-5))
		}
		word := t(item.word)
		fmt.Fprintf(&b, `<text class="legend" x="%.1f" y="%.1f">%s</text>`, lx+10, legendY, label(word))
		lx += 10 + 7*float64(len([]rune(word))) + 24
	}
	b.WriteString(`</g></svg>`)
	head := fmt.Sprintf(`<svg class="timeline" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s: %s" xmlns="http://www.w3.org/2000/svg">`,
		tlWidth, height, label(t("timeline")), label(strings.Join(desc, ", ")))
	return template.HTML(head + b.String())
}

// timelineMarker is the shape of a point on the timeline: a triangle for
// the opening, a diamond for a cut-off (grey once passed).
func timelineMarker(class string, cx, cy float64) string {
	switch class {
	case "opening":
		return fmt.Sprintf(`<polygon class="opening" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#38761d"/>`,
			cx-5, cy-6, cx+6, cy, cx-5, cy+6)
	case "deadline past":
		return fmt.Sprintf(`<polygon class="deadline past" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#767676"/>`,
			cx, cy-7, cx+7, cy, cx, cy+7, cx-7, cy)
	}
	return fmt.Sprintf(`<polygon class="deadline" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#990000"/>`,
		cx, cy-7, cx+7, cy, cx, cy+7, cx-7, cy)
}

// Bar is one labelled pair of values in a bar chart.
type Bar struct {
	Label       string
	Value, Also float64 // drawn as two bars: e.g. EU granted and EU asked
}

// barChart is a chart of bars, Value solid in front of Also, lighter.
type barChart struct {
	Title       string // what the chart shows, for screen readers
	Value, Also string // what each bar is, for the legend
	Bars        []Bar  // the first chartBars are drawn; the totals count all
	Format      func(float64) string
	Whole       bool // the values are counts: the axis ticks are whole numbers
}

// Sizes of a bar chart, in its viewBox units.
const (
	bcWidth  = 760.0
	bcLabelW = 200.0 // the city names, right-aligned against the bars
	bcBarW   = 340.0
	bcRowH   = 30.0 // room for a name on two lines
	bcCharW  = 7.2  // the width of an average character at font-size 12 (DejaVu Sans, the widest common one)
	bcTop    = 28.0 // the legend
)

// barChartSVG draws horizontal bars as inline SVG with a legend, an axis
// with ticks, and the totals over every bar, also those not drawn. A name
// too long for its column goes on two lines; one too long for two is cut
// with "…" and keeps its whole name as a tooltip. t gives the words.
func barChartSVG(c barChart, t func(string) string) template.HTML {
	if len(c.Bars) == 0 {
		return ""
	}
	var total Bar
	top := 0.0
	for _, b := range c.Bars {
		total.Value += b.Value
		total.Also += b.Also
		top = max(top, b.Value, b.Also)
	}
	bars := c.Bars[:min(len(c.Bars), chartBars)]
	scale, ticks := axisTicks(top, c.Whole)
	esc := html.EscapeString
	axisY := bcTop + bcRowH*float64(len(bars)) + 4
	h := axisY + 52
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><g font-size="12" fill="#1d1d1b">`,
		bcWidth, h, esc(fmt.Sprintf("%s. %s: %s / %s", c.Title, t("total"), c.Format(total.Value), c.Format(total.Also))))
	// The legend.
	fmt.Fprintf(&b, `<rect x="%.0f" y="6" width="14" height="14" fill="#1f4e79"/><text x="%.0f" y="17">%s</text>`, bcLabelW, bcLabelW+20, esc(c.Value))
	lx := bcLabelW + 20 + bcCharW*float64(len([]rune(c.Value))) + 24
	fmt.Fprintf(&b, `<rect x="%.0f" y="6" width="14" height="14" fill="#b9d3ee"/><text x="%.0f" y="17">%s</text>`, lx, lx+20, esc(c.Also))
	// Grid lines and ticks behind the bars.
	for _, v := range ticks {
		x := bcLabelW + bcBarW*v/scale
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#e3e3e0"/>`, x, bcTop, x, axisY)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#555"/>`, x, axisY, x, axisY+4)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.0f" text-anchor="middle" font-size="11">%s</text>`, x, axisY+16, esc(c.Format(v)))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#555"/>`, bcLabelW, axisY, bcLabelW+bcBarW, axisY)
	for i, bar := range bars {
		y := bcTop + float64(i)*bcRowH
		b.WriteString(barLabel(bar.Label, bcLabelW-8, y+bcRowH/2))
		fmt.Fprintf(&b, `<rect class="also" x="%.0f" y="%.1f" width="%.1f" height="20" fill="#b9d3ee"/>`, bcLabelW, y+5, bcBarW*bar.Also/scale)
		fmt.Fprintf(&b, `<rect class="value" x="%.0f" y="%.1f" width="%.1f" height="20" fill="#1f4e79"/>`, bcLabelW, y+5, bcBarW*bar.Value/scale)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s / %s</text>`, bcLabelW+bcBarW+8, y+19, esc(c.Format(bar.Value)), esc(c.Format(bar.Also)))
	}
	fmt.Fprintf(&b, `<text class="total" x="%.0f" y="%.0f" font-weight="600">%s: %s / %s</text>`,
		bcLabelW, axisY+40, esc(t("total")), esc(c.Format(total.Value)), esc(c.Format(total.Also)))
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// barLabel writes a bar's name right-aligned at x, centred on y: on one
// line when it fits in width, else on two, else cut with its whole name as
// a tooltip.
func barLabel(name string, width, y float64) string {
	fit := int(width / bcCharW)
	lines, cut := wrapLabel(name, fit)
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<text class="label" x="%.0f" y="%.1f" text-anchor="end">`, width, y+4-7*float64(len(lines)-1))
	if cut {
		fmt.Fprintf(&b, `<title>%s</title>`, esc(name))
	}
	for i, line := range lines {
		dy := 0.0
		if i > 0 {
			dy = 14
		}
		fmt.Fprintf(&b, `<tspan x="%.0f" dy="%.0f">%s</tspan>`, width, dy, esc(line))
	}
	b.WriteString(`</text>`)
	return b.String()
}

// wrapLabel splits name into at most two lines of at most fit characters,
// breaking at a blank or after a hyphen; what does not fit is cut with "…",
// and cut says so.
func wrapLabel(name string, fit int) (lines []string, cut bool) {
	runes := []rune(name)
	if len(runes) <= fit {
		return []string{name}, false
	}
	// The last break that leaves a first line that fits.
	first, rest := -1, -1
	for i, r := range runes {
		switch {
		case r == ' ' && i <= fit:
			first, rest = i, i+1
		case r == '-' && i < fit:
			first, rest = i+1, i+1
		}
	}
	if first <= 0 {
		return []string{string(runes[:fit-1]) + "…"}, true
	}
	second := runes[rest:]
	if len(second) > fit {
		return []string{string(runes[:first]), string(second[:fit-1]) + "…"}, true
	}
	return []string{string(runes[:first]), string(second)}, false
}

// axisTicks picks the step of a bar chart's axis, a round number (1, 2 or
// 5 times a power of ten; at least 1 for whole counts) that gives at most
// four steps to reach top, and returns the end of the axis, a step at or
// above top, and the ticks from 0 to it.
func axisTicks(top float64, whole bool) (end float64, ticks []float64) {
	if top <= 0 {
		top = 1
	}
	raw := top / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * pow
	for _, m := range []float64{1, 2, 5} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	if whole {
		step = max(math.Ceil(step), 1)
	}
	end = math.Ceil(top/step) * step
	for i := 0.0; i*step <= end+step/2; i++ {
		ticks = append(ticks, i*step)
	}
	return end, ticks
}
