package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"
)

// timelineSVG draws a call's opening date and deadlines on a line, with
// today marked, as inline SVG drawn on the server. Only dates and fixed
// words go into it.
func timelineSVG(opening *time.Time, deadlines []time.Time, today time.Time) template.HTML {
	var points []time.Time
	if opening != nil {
		points = append(points, *opening)
	}
	points = append(points, deadlines...)
	if len(points) == 0 {
		return ""
	}
	first, last := today, today
	for _, p := range points {
		if p.Before(first) {
			first = p
		}
		if p.After(last) {
			last = p
		}
	}
	span := last.Sub(first).Hours()
	if span == 0 {
		span = 24
	}
	const width, left, right = 640.0, 40.0, 600.0
	x := func(t time.Time) float64 { return left + (right-left)*t.Sub(first).Hours()/span }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %.0f 90" role="img" aria-label="timeline" xmlns="http://www.w3.org/2000/svg">`, width)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="45" x2="%.1f" y2="45" stroke="#555" stroke-width="2"/>`, left, right)
	mark := func(t time.Time, cls, label string, up bool) {
		y := 75.0
		if up {
			y = 25
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="45" r="6"/><text x="%.1f" y="%.0f" text-anchor="middle" font-size="12">%s %s</text>`,
			cls, x(t), x(t), y, html.EscapeString(label), t.Format("02/01/2006"))
	}
	if opening != nil {
		mark(*opening, "opening", "▶", true)
	}
	for _, d := range deadlines {
		cls := "deadline"
		if d.Before(today) {
			cls = "deadline past"
		}
		mark(d, cls, "⏱", true)
	}
	mark(today, "today", "●", false)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
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
