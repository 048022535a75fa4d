package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/scoring"
	"github.com/fundmatch/fundmatch/internal/store"
)

func runScore(ctx context.Context, e *env, args []string) error {
	fs := e.flags("score", "[--city SLUG]", "Rescore now: every call for every city with a profile, or for one city. Pairs whose inputs\ndid not change are not rewritten.")
	city := fs.String("city", "", "rescore only this city")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{msg: "score takes no arguments"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var slugs []string
	if *city != "" {
		slugs = []string{*city}
	}
	start := time.Now()
	// One bar while cities are scored, another while the best matches'
	// calls are explained.
	labels := map[scoring.Step]string{scoring.StepScore: "cities", scoring.StepExplain: "calls explained"}
	var bar *progressBar
	var step scoring.Step
	res, err := scoring.New(st, e.logger).ScoreAll(ctx, func(s scoring.Step, done, total int) {
		if bar == nil || s != step {
			if bar != nil {
				bar.done()
			}
			bar, step = newProgressBar(e.stderr, labels[s]), s
		}
		bar.set(done, total, "")
	}, slugs...)
	if bar != nil {
		bar.done()
	}
	if errors.Is(err, scoring.ErrNoCity) {
		return fmt.Errorf("no city %q with a profile; 'fundmatch cities' lists them", *city)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "scored %d calls for %d cities (%d pairs) in %s; %d matches written, the rest unchanged; %d front-runners written or removed",
		res.Calls, res.Cities, res.Pairs, time.Since(start).Round(time.Millisecond), res.Written, res.FrontRunners)
	if res.Unchanged > 0 {
		fmt.Fprintf(e.stdout, "; %d cities passed over: nothing they are scored from changed since their last full scoring", res.Unchanged)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// matchLine is a match as `fundmatch matches` prints it.
type matchLine struct {
	Identifier   string              `json:"identifier"`
	Title        string              `json:"title"`
	Programme    string              `json:"programme"`
	Score        int                 `json:"score"`
	Eligibility  funding.Eligibility `json:"eligibility"`
	Summary      string              `json:"summary,omitempty"`
	Reasons      []string            `json:"reasons"`
	NextDeadline *string             `json:"next_deadline"`
	Components   map[string]float64  `json:"components"`
	Explanation  string              `json:"explanation,omitempty"`
}

// ruledOut are the calls a city cannot apply for, scored now (they are not
// stored), best first, with the reasons in lang.
func ruledOut(ctx context.Context, st *store.Store, e *env, city, lang string) ([]matchLine, error) {
	ms, err := scoring.New(st, e.logger).RuledOut(ctx, city)
	if err != nil {
		return nil, err
	}
	records, err := st.Calls(ctx, store.CallFilter{})
	if err != nil {
		return nil, err
	}
	calls := make(map[string]*store.CallRecord, len(records))
	for i := range records {
		calls[records[i].Identifier] = &records[i]
	}
	today := funding.Date(time.Now())
	out := make([]matchLine, 0, len(ms))
	for _, m := range ms {
		c := calls[m.Call]
		if c == nil {
			continue
		}
		r := matchLine{Identifier: m.Call, Title: c.Title, Programme: c.Programme, Score: m.Score,
			Eligibility: m.Eligibility, Reasons: []string{},
			Components: map[string]float64{"relevance": m.Components.Relevance, "experience": m.Components.Experience,
				"feasibility": m.Components.Feasibility}}
		for _, reason := range m.Reasons {
			r.Reasons = append(r.Reasons, map[string]string{"nl": reason.NL, "en": reason.EN}[lang])
		}
		for _, d := range c.Deadlines {
			if !d.Before(today) {
				next := d.Format(time.DateOnly)
				r.NextDeadline = &next
				break
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func runMatches(ctx context.Context, e *env, args []string) error {
	fs := e.flags("matches", "--city SLUG [--limit N] [--include-ineligible] [--json]", "A city's matched calls, best first: eligible and unknown before ineligible, then by score.")
	city := fs.String("city", "", "the city (required)")
	limit := fs.Int("limit", 20, "at most this many matches (0: all)")
	inel := fs.Bool("include-ineligible", false, "also list the calls the city cannot apply for, closed ones too, with the reasons (scored now: they are not stored)")
	minScore := fs.Int("min-score", 0, "only matches with at least this score")
	lang := fs.String("lang", "nl", "language of the reasons: nl or en")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *city == "" || fs.NArg() > 0 {
		return usageError{msg: "want: matches --city SLUG"}
	}
	if *lang != "nl" && *lang != "en" {
		return usageError{msg: "--lang: want nl or en"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := st.CityBySlug(ctx, *city)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no city %q; 'fundmatch cities' lists them", *city)
	}
	if err != nil {
		return err
	}
	ms, _, err := st.CityMatches(ctx, c.ID, store.MatchFilter{ExcludeIneligible: !*inel, ExcludeClosed: !*inel,
		MinScore: *minScore, Limit: *limit, SkipCount: true}, time.Now())
	if err != nil {
		return err
	}
	rows := make([]matchLine, 0, len(ms))
	for _, m := range ms {
		r := matchLine{Identifier: m.CallIdentifier, Title: m.Title, Programme: m.Programme, Score: m.Score, Eligibility: m.Eligibility,
			Reasons:     []string{},
			Components:  map[string]float64{"relevance": m.Relevance, "experience": m.Experience, "feasibility": m.Feasibility},
			Explanation: m.Explanation.NL, Summary: m.Explanation.SummaryNL}
		if *lang == "en" {
			r.Explanation, r.Summary = m.Explanation.EN, m.Explanation.SummaryEN
		}
		for _, reason := range m.Reasons.List() {
			if *lang == "en" {
				r.Reasons = append(r.Reasons, reason.EN)
			} else {
				r.Reasons = append(r.Reasons, reason.NL)
			}
		}
		if m.NextDeadline != nil {
			d := m.NextDeadline.Format(time.DateOnly)
			r.NextDeadline = &d
		}
		rows = append(rows, r)
	}
	if *inel && (*limit == 0 || len(rows) < *limit) {
		// Ruled-out calls are not stored: they are scored now.
		ruled, err := ruledOut(ctx, st, e, *city, *lang)
		if err != nil {
			return err
		}
		rows = append(rows, ruled...)
		if *limit > 0 && len(rows) > *limit {
			rows = rows[:*limit]
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tELIGIBILITY\tNEXT DEADLINE\tIDENTIFIER\tTITLE")
	for _, r := range rows {
		next := "-"
		if r.NextDeadline != nil {
			next = *r.NextDeadline
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.Score, r.Eligibility, next, r.Identifier, truncate(r.Title, 60))
		if r.Summary != "" {
			fmt.Fprintf(tw, "\t\t\t\t  · %s\n", r.Summary)
			continue
		}
		for _, reason := range r.Reasons {
			fmt.Fprintf(tw, "\t\t\t\t  · %s\n", reason)
		}
	}
	return tw.Flush()
}

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := e.flags("explain", "--city SLUG --call IDENTIFIER [--lang nl|en] [--json]", "Explain the score of a call for a city: the concepts matched with the words found on each side,\nthe past project it resembles, eligibility, and what is missing.")
	city := fs.String("city", "", "the city (required)")
	call := fs.String("call", "", "the call's identifier (required)")
	lang := fs.String("lang", "nl", "nl or en")
	asJSON := fs.Bool("json", false, "print the explanation as JSON (both languages)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *city == "" || *call == "" || fs.NArg() > 0 {
		return usageError{msg: "want: explain --city SLUG --call IDENTIFIER"}
	}
	if *lang != "nl" && *lang != "en" {
		return usageError{msg: "--lang: want nl or en"}
	}
	st, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ex, err := scoring.New(st, e.logger).Explain(ctx, *city, *call)
	if errors.Is(err, scoring.ErrNoCity) {
		return fmt.Errorf("no city %q with a profile; 'fundmatch cities' lists them", *city)
	}
	if err != nil {
		if strings.Contains(err.Error(), "not in the model") {
			return fmt.Errorf("no call %q; 'fundmatch calls' lists them", *call)
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	text := ex.NL
	if *lang == "en" {
		text = ex.EN
	}
	fmt.Fprintln(e.stdout, strings.TrimSpace(text))
	return nil
}
