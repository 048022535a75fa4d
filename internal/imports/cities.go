package imports

import (
	"context"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
)

var (
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	nisPattern      = regexp.MustCompile(`^[0-9]{5}$`)
	nutsPattern     = regexp.MustCompile(`^BE[0-9]{3}$`)
	postcodePattern = regexp.MustCompile(`^[0-9]{4}$`)
)

var cityColumns = []string{"slug", "nis_code", "name_nl", "name_en", "name_fr", "province", "arrondissement", "nuts3", "postcodes", "population", "kind"}

// ParseCities reads and validates a cities CSV file without touching the
// database. Lines are returned beside the cities for error reporting.
func ParseCities(file string, r io.Reader) ([]store.City, []int, error) {
	t, err := readTable(file, r, []string{"slug", "nis_code", "name_nl", "province", "kind"}, cityColumns)
	if err != nil {
		return nil, nil, err
	}
	cities := make([]store.City, 0, len(t.rows))
	seenSlug, seenNIS := map[string]int{}, map[string]int{}
	for i := range t.rows {
		c := store.City{
			Slug: t.get(i, "slug"), NISCode: t.get(i, "nis_code"), NameNL: t.get(i, "name_nl"),
			NameEN: t.get(i, "name_en"), NameFR: t.get(i, "name_fr"), Province: t.get(i, "province"),
			Arrondissement: t.get(i, "arrondissement"), NUTS3: strings.ToUpper(t.get(i, "nuts3")),
			Kind: t.get(i, "kind"), Postcodes: pq.StringArray{},
		}
		switch {
		case !slugPattern.MatchString(c.Slug):
			return nil, nil, t.errorf(i, "slug", "want lower-case letters, digits and dashes such as sint-niklaas, got %q", c.Slug)
		case !nisPattern.MatchString(c.NISCode):
			return nil, nil, t.errorf(i, "nis_code", "want the five-digit NIS code, got %q", c.NISCode)
		case c.NameNL == "":
			return nil, nil, t.errorf(i, "name_nl", "the Dutch name is required")
		case !slices.Contains(store.Provinces, c.Province):
			return nil, nil, t.errorf(i, "province", "want one of %s, got %q", strings.Join(store.Provinces, ", "), c.Province)
		case c.NUTS3 != "" && !nutsPattern.MatchString(c.NUTS3):
			return nil, nil, t.errorf(i, "nuts3", "want a Belgian NUTS-3 code such as BE234, got %q", c.NUTS3)
		case c.Kind != store.KindCentreCity && c.Kind != store.KindMunicipality && c.Kind != store.KindVGC:
			return nil, nil, t.errorf(i, "kind", "want centre_city, municipality or vgc, got %q", c.Kind)
		}
		if prev, dup := seenSlug[c.Slug]; dup {
			return nil, nil, t.errorf(i, "slug", "%s is already on line %d", c.Slug, prev)
		}
		if prev, dup := seenNIS[c.NISCode]; dup {
			return nil, nil, t.errorf(i, "nis_code", "%s is already on line %d", c.NISCode, prev)
		}
		seenSlug[c.Slug], seenNIS[c.NISCode] = t.lines[i], t.lines[i]
		for _, pc := range strings.FieldsFunc(t.get(i, "postcodes"), func(r rune) bool { return r == '|' || r == ' ' }) {
			if !postcodePattern.MatchString(pc) {
				return nil, nil, t.errorf(i, "postcodes", "want four-digit postcodes separated by |, got %q", pc)
			}
			c.Postcodes = append(c.Postcodes, pc)
		}
		if p := t.get(i, "population"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > math.MaxInt32 {
				return nil, nil, t.errorf(i, "population", "want a whole number of inhabitants, got %q", p)
			}
			c.Population = n
		}
		cities = append(cities, c)
	}
	return cities, t.lines, nil
}

// Cities loads a cities CSV file: new cities are added, known ones (by slug)
// updated. The whole file loads in one transaction or not at all.
func Cities(ctx context.Context, st *store.Store, file string, r io.Reader) (Result, error) {
	cities, lines, err := ParseCities(file, r)
	if err != nil {
		return Result{}, err
	}
	res := Result{Rows: len(cities)}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		return saveCities(ctx, tx, file, cities, lines, &res)
	})
	return res, err
}

func saveCities(ctx context.Context, tx *store.Tx, file string, cities []store.City, lines []int, res *Result) error {
	for i, c := range cities {
		changed, err := tx.UpsertCity(ctx, c)
		if err != nil {
			if constraint, ok := database.IsUniqueViolation(err); ok && strings.Contains(constraint, "nis_code") {
				return &RowError{File: file, Line: lines[i], Column: "nis_code", Reason: fmt.Sprintf("NIS code %s already belongs to another city", c.NISCode)}
			}
			return &RowError{File: file, Line: lines[i], Reason: err.Error()}
		}
		if changed {
			res.Changed++
		}
	}
	return nil
}
