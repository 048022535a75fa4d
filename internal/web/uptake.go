package web

import (
	"cmp"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fundmatch/fundmatch/i18n"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/matching"
)

// The definitions the uptake page states in words (uptake_front_def and
// uptake_help_def say the same).
const (
	// frontRunnerCount is how many front-runners the page names.
	frontRunnerCount = 10
	// needHelpYears: a municipality needs help when, in this many years
	// up to now, it had no bid and no EU project while calls fit it well.
	needHelpYears = 3
	// needHelpShown is how many municipalities the page names as needing
	// help; the rest are counted.
	needHelpShown = 10
	// chartBars is how many cities a chart draws; the table has them all.
	chartBars = 15
)

// uptakeReport is the government's view of funding uptake within a filter.
type uptakeReport struct {
	Filter       store.UptakeFilter
	Rows         []store.UptakeRow
	Activity     []store.CityActivity
	FrontRunners []frontRunner        // most EU money won per inhabitant, then most bids
	NeedHelp     []store.CityActivity // strong matches, no bid or project in needHelpYears
	Totals       store.UptakeRow      // the sums of Rows
}

// frontRunner is a city among the front-runners.
type frontRunner struct {
	store.CityActivity
	PerInhabitant float64 `json:"eu_granted_per_inhabitant"`
}

// uptakeFilter reads the uptake's filters from the query string: year,
// programme, province and kind (centre_city, municipality or vgc).
func uptakeFilter(q url.Values) (store.UptakeFilter, error) {
	f := store.UptakeFilter{Programme: strings.ToUpper(strings.TrimSpace(q.Get("programme"))), Province: q.Get("province"), Kind: q.Get("kind")}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1990 || y > 2100 {
			return f, badInput{"year", "want a year from 1990 to 2100"}
		}
		f.Year = y
	}
	if f.Kind != "" && !slices.Contains([]string{store.KindCentreCity, store.KindMunicipality, store.KindVGC}, f.Kind) {
		return f, badInput{"kind", "want centre_city, municipality or vgc"}
	}
	return f, nil
}

func (s *Server) uptake(r *http.Request) (uptakeReport, error) {
	f, err := uptakeFilter(r.URL.Query())
	if err != nil {
		return uptakeReport{}, err
	}
	return s.uptakeOf(r, f)
}

// uptakeOf is the uptake report of the filter f.
func (s *Server) uptakeOf(r *http.Request, f store.UptakeFilter) (uptakeReport, error) {
	rows, err := s.cfg.Store.Uptake(r.Context(), f)
	if err != nil {
		return uptakeReport{}, err
	}
	act, err := s.cfg.Store.Activity(r.Context(), store.ActivityQuery{UptakeFilter: f,
		MatchedScore: matching.BandPartial, StrongScore: matching.BandStrong, Since: s.today().Year() - needHelpYears + 1})
	if err != nil {
		return uptakeReport{}, err
	}
	rep := uptakeReport{Filter: f, Rows: rows, Activity: act}
	for _, row := range rows {
		rep.Totals.Planned += row.Planned
		rep.Totals.Submitted += row.Submitted
		rep.Totals.Won += row.Won
		rep.Totals.Lost += row.Lost
		rep.Totals.Requested += row.Requested
		rep.Totals.Granted += row.Granted
	}
	for _, a := range act {
		if a.Submitted > 0 {
			fr := frontRunner{CityActivity: a}
			if a.Population > 0 {
				fr.PerInhabitant = a.Granted / float64(a.Population)
			}
			rep.FrontRunners = append(rep.FrontRunners, fr)
		}
		if a.Strong > 0 && a.Recent == 0 {
			rep.NeedHelp = append(rep.NeedHelp, a)
		}
	}
	slices.SortStableFunc(rep.FrontRunners, func(a, b frontRunner) int {
		return cmp.Or(cmp.Compare(b.PerInhabitant, a.PerInhabitant), cmp.Compare(b.Submitted, a.Submitted), cmp.Compare(a.CityName, b.CityName))
	})
	rep.FrontRunners = rep.FrontRunners[:min(len(rep.FrontRunners), frontRunnerCount)]
	slices.SortStableFunc(rep.NeedHelp, func(a, b store.CityActivity) int {
		return cmp.Or(cmp.Compare(b.Strong, a.Strong), cmp.Compare(b.Matched, a.Matched), cmp.Compare(a.CityName, b.CityName))
	})
	return rep, nil
}

// uptakeFailed answers a failed uptake: 400 for a wrong filter.
func (s *Server) uptakeFailed(w http.ResponseWriter, r *http.Request, err error) {
	if bi := (badInput{}); errors.As(err, &bi) {
		s.badRequest(w, r, bi)
		return
	}
	s.fail(w, r, err)
}

// uptakePage shows funding uptake per city, programme and year within the
// filters, with charts drawn on the server.
func (s *Server) uptakePage(w http.ResponseWriter, r *http.Request, _ store.User) {
	rep, err := s.uptake(r)
	if err != nil {
		s.uptakeFailed(w, r, err)
		return
	}
	options, err := s.cfg.Store.UptakeChoices(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// A programme asked for by a link but in no bid stays selected, so
	// the empty page says why.
	if p := rep.Filter.Programme; p != "" && !slices.Contains(options.Programmes, p) {
		options.Programmes = append(options.Programmes, p)
	}
	perCity := map[string]int{} // index in money
	var money []Bar
	for _, row := range rep.Rows {
		i, ok := perCity[row.City]
		if !ok {
			i = len(money)
			perCity[row.City] = i
			money = append(money, Bar{Label: row.CityName})
		}
		money[i].Value += row.Granted
		money[i].Also += row.Requested
	}
	slices.SortStableFunc(money, func(a, b Bar) int { return cmp.Compare(b.Also, a.Also) })
	var activity []Bar
	for _, a := range rep.Activity {
		if a.Matched > 0 || a.ActedOn > 0 {
			activity = append(activity, Bar{Label: a.CityName, Value: float64(a.ActedOn), Also: float64(a.Matched)})
		}
	}
	slices.SortStableFunc(activity, func(a, b Bar) int { return cmp.Compare(b.Also, a.Also) })
	tr := translator(language(w, r))
	t := func(key string) string { return tr(key) }
	l := lang(language(w, r))
	euro := func(v float64) string { return i18n.Money(l, v) }
	count := func(v float64) string { return i18n.Number(l, v) }
	// The CSV holds what the page shows: the same filters.
	csvQuery := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "lang" {
			csvQuery[k] = v
		}
	}
	csvLink := "/uptake.csv"
	if q := csvQuery.Encode(); q != "" {
		csvLink += "?" + q
	}
	s.render(w, r, http.StatusOK, "uptake.html", map[string]any{
		"Report": rep, "Options": options, "Kinds": []string{store.KindCentreCity, store.KindMunicipality, store.KindVGC},
		"CSV": csvLink,
		"MoneyChart": barChartSVG(barChart{Title: t("eu_granted_vs_requested"), Value: t("eu_granted"), Also: t("eu_requested"),
			Bars: money, Format: euro}, t),
		"MoneyCities": len(money),
		"ActivityChart": barChartSVG(barChart{Title: t("acted_vs_matched"), Value: t("calls_acted_on"), Also: t("matched_calls"),
			Bars: activity, Format: count, Whole: true}, t),
		"ActivityCities": len(activity),
		"ChartBars":      chartBars, "NeedHelpShown": needHelpShown, "NeedHelpMore": max(0, len(rep.NeedHelp)-needHelpShown), "NeedHelpYears": needHelpYears,
		"FrontRunnerCount": frontRunnerCount,
	})
}

// uptakeCSV exports the uptake rows within the filters. By default the
// file is what Excel set to Dutch (Belgium) opens without an import
// wizard: a UTF-8 byte order mark (or accents come out garbled), ";"
// between cells and a decimal comma. ?format=comma gives the plain RFC 4180
// form (",", decimal point, no mark) that scripts expect.
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
		s.uptakeFailed(w, r, err)
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
