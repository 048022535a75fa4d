package web

import (
	"encoding/csv"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/store"
)

// uptakeReport is the government's view of funding uptake.
type uptakeReport struct {
	Rows         []store.UptakeRow
	Activity     []store.CityActivity
	FrontRunners []store.CityActivity // most EU money won
	NeedHelp     []store.CityActivity // many matched calls, little acted on
}

// matchedScore is the score from which a match counts as a real chance.
const matchedScore = 60

func (s *Server) uptake(r *http.Request) (uptakeReport, error) {
	rows, err := s.cfg.Store.Uptake(r.Context())
	if err != nil {
		return uptakeReport{}, err
	}
	act, err := s.cfg.Store.Activity(r.Context(), matchedScore)
	if err != nil {
		return uptakeReport{}, err
	}
	rep := uptakeReport{Rows: rows, Activity: act}
	for _, a := range act {
		if a.Won > 0 {
			rep.FrontRunners = append(rep.FrontRunners, a)
		}
		// A city that acts on fewer than one in five of its good matches
		// leaves money on the table.
		if a.Matched >= 3 && a.ActedOn*5 < a.Matched {
			rep.NeedHelp = append(rep.NeedHelp, a)
		}
	}
	sort.SliceStable(rep.FrontRunners, func(i, j int) bool { return rep.FrontRunners[i].Granted > rep.FrontRunners[j].Granted })
	if len(rep.FrontRunners) > 10 {
		rep.FrontRunners = rep.FrontRunners[:10]
	}
	sort.SliceStable(rep.NeedHelp, func(i, j int) bool {
		return rep.NeedHelp[i].Matched-rep.NeedHelp[i].ActedOn > rep.NeedHelp[j].Matched-rep.NeedHelp[j].ActedOn
	})
	return rep, nil
}

// uptakePage shows funding uptake per city, programme and year, with
// charts drawn on the server.
func (s *Server) uptakePage(w http.ResponseWriter, r *http.Request, _ store.User) {
	rep, err := s.uptake(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	perCity := map[string]*Bar{}
	var order []string
	for _, row := range rep.Rows {
		b, ok := perCity[row.CityName]
		if !ok {
			b = &Bar{Label: row.CityName}
			perCity[row.CityName] = b
			order = append(order, row.CityName)
		}
		b.Value += row.Granted
		b.Also += row.Requested
	}
	bars := make([]Bar, 0, len(order))
	for _, name := range order {
		bars = append(bars, *perCity[name])
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].Also > bars[j].Also })
	var activity []Bar
	for _, a := range rep.Activity {
		if a.Matched > 0 || a.ActedOn > 0 {
			activity = append(activity, Bar{Label: a.CityName, Value: float64(a.ActedOn), Also: float64(a.Matched)})
		}
	}
	l := lang(language(w, r))
	euro := func(v float64) string { return i18n.Money(l, v) }
	count := func(v float64) string { return strconv.Itoa(int(v)) }
	s.render(w, r, http.StatusOK, "uptake.html", map[string]any{
		"Report":        rep,
		"MoneyChart":    barChartSVG("EU", bars, euro),
		"ActivityChart": barChartSVG("calls", activity, count),
	})
}

// uptakeCSV exports the uptake rows. By default the file is what Excel set
// to Dutch (Belgium) opens without an import wizard: a UTF-8 byte order
// mark (or accents come out garbled), ";" between cells and a decimal
// comma. ?format=comma gives the plain RFC 4180 form (",", decimal point,
// no mark) that scripts expect.
func (s *Server) uptakeCSV(w http.ResponseWriter, r *http.Request, _ store.User) {
	excel := true
	switch r.URL.Query().Get("format") {
	case "", "excel":
	case "comma":
		excel = false
	default:
		s.badRequest(w, r, badInput{"format", "want excel or comma"})
		return
	}
	rep, err := s.uptake(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="fundmatch-uptake.csv"`)
	money := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	cw := csv.NewWriter(w)
	if excel {
		io.WriteString(w, "\uFEFF")
		cw.Comma = ';'
		money = func(v float64) string { return strings.Replace(strconv.FormatFloat(v, 'f', 2, 64), ".", ",", 1) }
	}
	cw.Write([]string{"city", "city_name", "programme", "year", "planned", "submitted", "won", "lost", "eu_requested", "eu_granted"})
	for _, u := range rep.Rows {
		cw.Write([]string{u.City, csvSafe(u.CityName), csvSafe(u.Programme), strconv.Itoa(u.Year), strconv.Itoa(u.Planned),
			strconv.Itoa(u.Submitted), strconv.Itoa(u.Won), strconv.Itoa(u.Lost),
			money(u.Requested), money(u.Granted)})
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
// Spreadsheets skip leading blanks before they look, so " =1+1" counts too.
func csvSafe(v string) string {
	if t := strings.TrimLeft(v, " "); t != "" && strings.ContainsRune("=+-@\t\r\n", rune(t[0])) {
		return "'" + v
	}
	return v
}
