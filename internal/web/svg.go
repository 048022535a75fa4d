package web

import (
	"fmt"
	"html"
	"html/template"
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

// barChartSVG draws horizontal bars (Value solid, Also lighter behind it)
// as inline SVG; labels are escaped.
func barChartSVG(title string, bars []Bar, format func(float64) string) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	max := 0.0
	for _, b := range bars {
		max = maxf(max, maxf(b.Value, b.Also))
	}
	if max == 0 {
		max = 1
	}
	const labelW, barW, rowH = 170.0, 360.0, 24.0
	h := rowH*float64(len(bars)) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 680 %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, h, html.EscapeString(title))
	for i, bar := range bars {
		y := float64(i)*rowH + 5
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="12">%s</text>`, labelW-6, y+15, html.EscapeString(bar.Label))
		fmt.Fprintf(&b, `<rect class="also" x="%.0f" y="%.1f" width="%.1f" height="18" fill="#b9d3ee"/>`, labelW, y+2, barW*bar.Also/max)
		fmt.Fprintf(&b, `<rect class="value" x="%.0f" y="%.1f" width="%.1f" height="18" fill="#1f4e79"/>`, labelW, y+2, barW*bar.Value/max)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12">%s / %s</text>`, labelW+barW+8, y+15,
			html.EscapeString(format(bar.Value)), html.EscapeString(format(bar.Also)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}
