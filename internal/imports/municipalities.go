package imports

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/euhistory/resolve"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
)

// municipalityColumns is the shape of the official municipalities file
// (internal/seed/municipalities.csv, described in internal/seed/README.md).
// Every column is required, so that a file of another shape is refused by
// the column it lacks rather than half understood.
var municipalityColumns = []string{"nis_code", "name_nl", "name_fr", "province", "arrondissement", "nuts3", "postcodes", "population", "population_year", "year"}

// MergersYear is the year of the last municipal mergers fundmatch knows
// (resolve.Mergers2025): an official list from before it still holds the
// former municipalities and is refused.
const MergersYear = 2025

// flemishProvince is the province of a Flemish NIS code, by its first digit
// (Vlaams-Brabant's codes start with 23 and 24).
func flemishProvince(nis string) string {
	switch {
	case strings.HasPrefix(nis, "1"):
		return "Antwerpen"
	case strings.HasPrefix(nis, "23"), strings.HasPrefix(nis, "24"):
		return "Vlaams-Brabant"
	case strings.HasPrefix(nis, "3"):
		return "West-Vlaanderen"
	case strings.HasPrefix(nis, "4"):
		return "Oost-Vlaanderen"
	case strings.HasPrefix(nis, "7"):
		return "Limburg"
	}
	return ""
}

// ParseMunicipalities reads and validates an official municipalities file
// without touching the database. It returns the year the file describes.
func ParseMunicipalities(file string, r io.Reader) ([]store.Municipality, []int, int, error) {
	t, err := readTable(file, r, municipalityColumns, municipalityColumns)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(t.rows) == 0 {
		return nil, nil, 0, &RowError{File: file, Line: 2, Reason: "the file has no municipalities"}
	}
	ms := make([]store.Municipality, 0, len(t.rows))
	seenNIS, seenSlug := map[string]int{}, map[string]int{}
	year := 0
	for i := range t.rows {
		m := store.Municipality{
			NISCode: t.get(i, "nis_code"), NameNL: t.get(i, "name_nl"), NameFR: t.get(i, "name_fr"),
			Province: t.get(i, "province"), Arrondissement: t.get(i, "arrondissement"),
			NUTS3: strings.ToUpper(t.get(i, "nuts3")), Postcodes: []string{},
		}
		m.Slug = slugOf(m.NameNL)
		y, err := strconv.Atoi(t.get(i, "year"))
		switch {
		case err != nil:
			return nil, nil, 0, t.errorf(i, "year", "want the year of the official lists, such as 2025, got %q", t.get(i, "year"))
		case y < MergersYear:
			return nil, nil, 0, t.errorf(i, "year", "a list of %d predates the municipal mergers of 1 January %d; want the list of %d or later", y, MergersYear, MergersYear)
		case year != 0 && y != year:
			return nil, nil, 0, t.errorf(i, "year", "the file mixes %d and %d; one file is one year's lists", year, y)
		case !nisPattern.MatchString(m.NISCode):
			return nil, nil, 0, t.errorf(i, "nis_code", "want the five-digit NIS code, got %q", m.NISCode)
		case flemishProvince(m.NISCode) == "":
			return nil, nil, 0, t.errorf(i, "nis_code", "%s is not the code of a Flemish municipality", m.NISCode)
		case m.NameNL == "" || !slugPattern.MatchString(m.Slug):
			return nil, nil, 0, t.errorf(i, "name_nl", "want the municipality's Dutch name, got %q", m.NameNL)
		case m.Province != flemishProvince(m.NISCode):
			return nil, nil, 0, t.errorf(i, "province", "NIS code %s is in %s, got %q", m.NISCode, flemishProvince(m.NISCode), m.Province)
		case m.Arrondissement == "":
			return nil, nil, 0, t.errorf(i, "arrondissement", "the arrondissement is required")
		case m.NUTS3 != "" && !nutsPattern.MatchString(m.NUTS3):
			return nil, nil, 0, t.errorf(i, "nuts3", "want a Belgian NUTS-3 code such as BE234, got %q", m.NUTS3)
		}
		year = y
		if mg, merged := resolve.MergedInto(m.NISCode); merged {
			return nil, nil, 0, t.errorf(i, "nis_code", "%s (%s) merged into %s %s on 1 January %d; the list predates the mergers",
				m.NISCode, mg.OldNames[0], mg.NewNIS, mg.NewName, MergersYear)
		}
		if prev, dup := seenNIS[m.NISCode]; dup {
			return nil, nil, 0, t.errorf(i, "nis_code", "%s is already on line %d", m.NISCode, prev)
		}
		if prev, dup := seenSlug[m.Slug]; dup {
			return nil, nil, 0, t.errorf(i, "name_nl", "%s is already on line %d", m.NameNL, prev)
		}
		seenNIS[m.NISCode], seenSlug[m.Slug] = t.lines[i], t.lines[i]
		for _, pc := range strings.FieldsFunc(t.get(i, "postcodes"), func(r rune) bool { return r == '|' || r == ' ' }) {
			if !postcodePattern.MatchString(pc) {
				return nil, nil, 0, t.errorf(i, "postcodes", "want four-digit postcodes separated by |, got %q", pc)
			}
			m.Postcodes = append(m.Postcodes, pc)
		}
		if p := t.get(i, "population"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 {
				return nil, nil, 0, t.errorf(i, "population", "want the number of inhabitants on 1 January, got %q", p)
			}
			m.Population = &n
			// The population may come from an earlier count than the lists
			// (the municipalities of a merger are then added up); the file
			// says which, and a population without its year is refused.
			py, err := strconv.Atoi(t.get(i, "population_year"))
			if err != nil || py < 1990 || py > y {
				return nil, nil, 0, t.errorf(i, "population_year", "want the year (1 January) of the population count, from 1990 to %d, got %q", y, t.get(i, "population_year"))
			}
		}
		ms = append(ms, m)
	}
	return ms, t.lines, year, nil
}

// Municipalities loads an official municipalities file in one transaction:
// known municipalities (by NIS code, or by the former code of a merged one)
// get its facts, unknown ones are added. A fact the file leaves empty keeps
// the value fundmatch has.
func Municipalities(ctx context.Context, st *store.Store, file string, r io.Reader) (Result, error) {
	ms, _, _, err := ParseMunicipalities(file, r)
	if err != nil {
		return Result{}, err
	}
	inFile := make(map[string]bool, len(ms))
	for _, m := range ms {
		inFile[m.NISCode] = true
	}
	var renumbered []store.Renumbering
	for _, mg := range resolve.Mergers2025 {
		if inFile[mg.NewNIS] {
			renumbered = append(renumbered, store.Renumbering{Old: mg.OldNIS, New: mg.NewNIS})
		}
	}
	res := Result{Rows: len(ms)}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.UpsertMunicipalities(ctx, ms, renumbered)
		if constraint, ok := database.IsUniqueViolation(err); ok && strings.Contains(constraint, "slug") {
			var pqErr *pq.Error
			detail := ""
			if errors.As(err, &pqErr) {
				detail = ": " + pqErr.Detail
			}
			return &RowError{File: file, Column: "name_nl", Reason: "a new municipality's name is the slug of another city" + detail}
		}
		res.Changed = n
		return err
	})
	return res, err
}

// slugOf turns a Dutch municipality name into a slug: "Sint-Genesius-Rode"
// is sint-genesius-rode, "De Haan" de-haan.
func slugOf(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case slices.Contains([]rune("éèêë"), r):
			b.WriteRune('e')
		case slices.Contains([]rune("ïî"), r):
			b.WriteRune('i')
		case slices.Contains([]rune("àâä"), r):
			b.WriteRune('a')
		case slices.Contains([]rune("ôö"), r):
			b.WriteRune('o')
		case slices.Contains([]rune("ûü"), r):
			b.WriteRune('u')
		case r == '\'':
		default:
			b.WriteRune('-')
		}
	}
	parts := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '-' })
	return strings.Join(parts, "-")
}
