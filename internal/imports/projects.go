package imports

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/store"
)

var projectColumns = []string{"source_id", "title", "summary", "year", "programme", "call_identifier", "domains",
	"budget", "eu_contribution", "lead", "members", "partners", "url"}

// partnerPattern reads "Fluvius (BE)" or a bare "Fluvius".
var partnerPattern = regexp.MustCompile(`^(.*?)\s*(?:\(([A-Za-z]{2})\))?$`)

// ParseProjects reads and validates a projects CSV file without touching the
// database; source is recorded on every project ("import" for user files).
func ParseProjects(file string, r io.Reader, source string) ([]store.Project, []int, error) {
	t, err := readTable(file, r, []string{"source_id", "title", "year"}, projectColumns)
	if err != nil {
		return nil, nil, err
	}
	out := make([]store.Project, 0, len(t.rows))
	seen := map[string]int{}
	for i := range t.rows {
		p := store.Project{
			Source: source, SourceID: t.get(i, "source_id"), Title: t.get(i, "title"), Summary: t.get(i, "summary"),
			Programme: strings.ToUpper(t.get(i, "programme")), CallIdentifier: t.get(i, "call_identifier"),
			Lead: t.get(i, "lead"), Members: list(t.get(i, "members")), URL: t.get(i, "url"), Domains: pq.StringArray{},
		}
		if p.SourceID == "" {
			return nil, nil, t.errorf(i, "source_id", "an identifier is required, unique within the file")
		}
		if prev, dup := seen[p.SourceID]; dup {
			return nil, nil, t.errorf(i, "source_id", "%s is already on line %d", p.SourceID, prev)
		}
		seen[p.SourceID] = t.lines[i]
		if p.Title == "" {
			return nil, nil, t.errorf(i, "title", "a title is required")
		}
		year, err := strconv.Atoi(t.get(i, "year"))
		if err != nil || year < 1990 || year > 2100 {
			return nil, nil, t.errorf(i, "year", "want a year such as 2022, got %q", t.get(i, "year"))
		}
		p.Year = year
		for _, d := range list(t.get(i, "domains")) {
			d = strings.ToLower(d)
			if !slices.Contains(store.Domains, d) {
				return nil, nil, t.errorf(i, "domains", "unknown domain %q; want %s, separated by |", d, strings.Join(store.Domains, ", "))
			}
			if !slices.Contains(p.Domains, d) {
				p.Domains = append(p.Domains, d)
			}
		}
		if p.Budget, err = amount(t.get(i, "budget")); err != nil {
			return nil, nil, t.errorf(i, "budget", "%v", err)
		}
		if p.EUContribution, err = amount(t.get(i, "eu_contribution")); err != nil {
			return nil, nil, t.errorf(i, "eu_contribution", "%v", err)
		}
		if p.Lead != "" && !slugPattern.MatchString(p.Lead) {
			return nil, nil, t.errorf(i, "lead", "want a city slug such as gent, got %q", p.Lead)
		}
		if p.Lead == "" && len(p.Members) == 0 {
			return nil, nil, t.errorf(i, "lead", "a project needs a lead city or at least one member city")
		}
		for _, m := range p.Members {
			if !slugPattern.MatchString(m) {
				return nil, nil, t.errorf(i, "members", "want city slugs separated by |, got %q", m)
			}
			if m == p.Lead {
				return nil, nil, t.errorf(i, "members", "%s is already the lead", m)
			}
		}
		for _, raw := range list(t.get(i, "partners")) {
			m := partnerPattern.FindStringSubmatch(raw)
			if m[1] == "" {
				return nil, nil, t.errorf(i, "partners", "want partners as Name (CC) separated by |, got %q", raw)
			}
			p.Partners = append(p.Partners, store.Partner{Name: m[1], Country: strings.ToUpper(m[2]), Role: "partner"})
		}
		out = append(out, p)
	}
	return out, t.lines, nil
}

// Projects loads a projects CSV file; projects are identified by source and
// source_id, so loading the same file again changes nothing.
func Projects(ctx context.Context, st *store.Store, file string, r io.Reader, source string) (Result, error) {
	projects, lines, err := ParseProjects(file, r, source)
	if err != nil {
		return Result{}, err
	}
	res := Result{Rows: len(projects)}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		return saveProjects(ctx, tx, file, projects, lines, &res)
	})
	return res, err
}

func saveProjects(ctx context.Context, tx *store.Tx, file string, projects []store.Project, lines []int, res *Result) error {
	var slugs []string
	for _, p := range projects {
		if p.Lead != "" {
			slugs = append(slugs, p.Lead)
		}
		slugs = append(slugs, p.Members...)
	}
	ids, err := tx.CityIDs(ctx, slugs)
	if err != nil {
		return err
	}
	for i, p := range projects {
		if _, ok := ids[p.Lead]; p.Lead != "" && !ok {
			return &RowError{File: file, Line: lines[i], Column: "lead", Reason: fmt.Sprintf("unknown city %q; import it first (fundmatch import cities)", p.Lead)}
		}
		for _, m := range p.Members {
			if _, ok := ids[m]; !ok {
				return &RowError{File: file, Line: lines[i], Column: "members", Reason: fmt.Sprintf("unknown city %q; import it first (fundmatch import cities)", m)}
			}
		}
		changed, err := tx.SaveProject(ctx, p, ids)
		if err != nil {
			return &RowError{File: file, Line: lines[i], Reason: err.Error()}
		}
		if changed {
			res.Changed++
		}
	}
	return nil
}
