package imports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/store"
)

// ProfileFile is one entry of a profiles JSON file (an array of these).
type ProfileFile struct {
	City               string             `json:"city"`
	DomainWeights      map[string]float64 `json:"domain_weights"`
	KeywordsNL         []string           `json:"keywords_nl"`
	KeywordsEN         []string           `json:"keywords_en"`
	ExcludedProgrammes []string           `json:"excluded_programmes"`
	PreparationDays    *int               `json:"preparation_days"`
	MaxConcurrentBids  *int               `json:"max_concurrent_bids"`
	CoFundingCapacity  *float64           `json:"cofunding_capacity"`
}

// ProfileOptions say how profiles are written.
type ProfileOptions struct {
	// OnlyIfMissing leaves existing profiles alone (used by the seed, which
	// must never overwrite an officer's edits).
	OnlyIfMissing bool
	// StartingPoint marks the profiles as a starting point for the officer to edit.
	StartingPoint bool
	// Programmes, when not nil, are the programme codes a profile may
	// exclude; any other code is refused as a typing mistake.
	Programmes []string
}

var programmePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9+-]*$`)

// ProgrammeCode reports whether code has the form of a programme code
// (capitals, digits, + and -), as a profile may name one.
func ProgrammeCode(code string) bool { return programmePattern.MatchString(code) }

// ParseProfiles reads and validates a profiles JSON file without touching the
// database. Each profile is returned with the line on which its entry starts.
func ParseProfiles(file string, r io.Reader, opts ProfileOptions) ([]store.Profile, []int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, &RowError{File: file, Reason: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func(offset int64) int { return 1 + bytes.Count(data[:offset], []byte("\n")) }
	jsonErr := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return &RowError{File: file, Line: lineAt(se.Offset), Reason: "invalid JSON: " + se.Error()}
		}
		return &RowError{File: file, Line: lineAt(dec.InputOffset()), Reason: "invalid JSON: " + err.Error()}
	}
	if tok, err := dec.Token(); err != nil {
		return nil, nil, jsonErr(err)
	} else if tok != json.Delim('[') {
		return nil, nil, &RowError{File: file, Line: 1, Reason: "want a JSON array of profiles"}
	}
	var profiles []store.Profile
	var lines []int
	seen := map[string]int{}
	for dec.More() {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, jsonErr(err)
		}
		// InputOffset sits before the separating comma and white space.
		skip := bytes.IndexFunc(data[start:], func(r rune) bool { return r != ',' && r != ' ' && r != '\n' && r != '\r' && r != '\t' })
		line := lineAt(start + int64(max(skip, 0)))
		var pf ProfileFile
		ed := json.NewDecoder(bytes.NewReader(raw))
		ed.DisallowUnknownFields()
		if err := ed.Decode(&pf); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return nil, nil, &RowError{File: file, Line: line, Column: te.Field, Reason: fmt.Sprintf("want %s, got %s", te.Type, te.Value)}
			}
			return nil, nil, &RowError{File: file, Line: line, Reason: strings.TrimPrefix(err.Error(), "json: ")}
		}
		p, col, reason := ValidateProfile(pf, opts)
		if reason != "" {
			return nil, nil, &RowError{File: file, Line: line, Column: col, Reason: reason}
		}
		if prev, dup := seen[p.City]; dup {
			return nil, nil, &RowError{File: file, Line: line, Column: "city", Reason: fmt.Sprintf("%s already has a profile on line %d", p.City, prev)}
		}
		seen[p.City] = line
		profiles = append(profiles, p)
		lines = append(lines, line)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, jsonErr(err)
	}
	return profiles, lines, nil
}

// ValidateProfile checks one profile entry and turns it into a store
// Profile (CityID still to be set). On a mistake it returns the field and
// the reason as its second and third results; the web API's profile PUT
// uses it too, so both ways of changing a profile accept the same values.
func ValidateProfile(pf ProfileFile, opts ProfileOptions) (store.Profile, string, string) {
	p := store.Profile{
		City: pf.City, PreparationDays: pf.PreparationDays, StartingPoint: opts.StartingPoint,
		KeywordsNL: clean(pf.KeywordsNL), KeywordsEN: clean(pf.KeywordsEN), ExcludedProgrammes: pq.StringArray{},
		MaxConcurrentBids: 2,
	}
	if !slugPattern.MatchString(p.City) {
		return p, "city", fmt.Sprintf("want a city slug such as gent, got %q", p.City)
	}
	for field, words := range map[string]pq.StringArray{"keywords_nl": p.KeywordsNL, "keywords_en": p.KeywordsEN} {
		for _, w := range words {
			if reason := badText(w); reason != "" {
				return p, field, fmt.Sprintf("%s: %q", reason, w)
			}
		}
	}
	for _, d := range store.Domains {
		p.DomainWeights.Set(d, 0.5)
	}
	for d, w := range pf.DomainWeights {
		if w < 0 || w > 1 {
			return p, "domain_weights." + d, fmt.Sprintf("want a weight from 0 to 1, got %g", w)
		}
		if !p.DomainWeights.Set(d, w) {
			return p, "domain_weights." + d, fmt.Sprintf("unknown domain; want %s", strings.Join(store.Domains, ", "))
		}
	}
	for _, prog := range pf.ExcludedProgrammes {
		prog = strings.ToUpper(strings.TrimSpace(prog))
		if !ProgrammeCode(prog) {
			return p, "excluded_programmes", fmt.Sprintf("want programme codes such as HORIZON or LIFE, got %q", prog)
		}
		if opts.Programmes != nil && !slices.Contains(opts.Programmes, prog) {
			return p, "excluded_programmes", fmt.Sprintf("unknown programme code %q; want one of %s", prog, strings.Join(opts.Programmes, ", "))
		}
		p.ExcludedProgrammes = append(p.ExcludedProgrammes, prog)
	}
	if d := pf.PreparationDays; d != nil && (*d < 0 || *d > 365) {
		return p, "preparation_days", fmt.Sprintf("want 0 to 365 days, got %d", *d)
	}
	if n := pf.MaxConcurrentBids; n != nil {
		if *n < 0 || *n > 100 {
			return p, "max_concurrent_bids", fmt.Sprintf("want 0 to 100, got %d", *n)
		}
		p.MaxConcurrentBids = *n
	}
	if c := pf.CoFundingCapacity; c != nil {
		if *c < 0 || *c > maxAmount {
			return p, "cofunding_capacity", fmt.Sprintf("want an amount in euro from 0 to %.2f, got %g", maxAmount, *c)
		}
		p.CoFundingCapacity = *c
	}
	return p, "", ""
}

// clean trims keywords and drops empty and repeated ones.
func clean(words []string) pq.StringArray {
	out := pq.StringArray{}
	seen := map[string]bool{}
	for _, w := range words {
		w = strings.TrimSpace(w)
		if w == "" || seen[strings.ToLower(w)] {
			continue
		}
		seen[strings.ToLower(w)] = true
		out = append(out, w)
	}
	return out
}

// Profiles loads a profiles JSON file in one transaction.
func Profiles(ctx context.Context, st *store.Store, file string, r io.Reader, opts ProfileOptions) (Result, error) {
	profiles, lines, err := ParseProfiles(file, r, opts)
	if err != nil {
		return Result{}, err
	}
	res := Result{Rows: len(profiles)}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		return saveProfiles(ctx, tx, file, profiles, lines, opts, &res)
	})
	return res, err
}

func saveProfiles(ctx context.Context, tx *store.Tx, file string, profiles []store.Profile, lines []int, opts ProfileOptions, res *Result) error {
	slugs := make([]string, len(profiles))
	for i, p := range profiles {
		slugs[i] = p.City
	}
	ids, err := tx.CityIDs(ctx, slugs)
	if err != nil {
		return err
	}
	for i, p := range profiles {
		id, ok := ids[p.City]
		if !ok {
			return &RowError{File: file, Line: lines[i], Column: "city", Reason: fmt.Sprintf("unknown city %q; import it first (fundmatch import cities)", p.City)}
		}
		p.CityID = id
		changed, err := tx.SaveProfile(ctx, p, opts.OnlyIfMissing)
		if err != nil {
			return &RowError{File: file, Line: lines[i], Reason: err.Error()}
		}
		if changed {
			res.Changed++
		}
	}
	return nil
}
