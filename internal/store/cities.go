package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// City kinds.
const (
	KindCentreCity   = "centre_city"
	KindMunicipality = "municipality"
	KindVGC          = "vgc"
)

// Provinces of Flanders, and Brussels for the VGC.
var Provinces = []string{"Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen", "Brussel"}

// City is a Flemish city or municipality, or the VGC.
type City struct {
	ID             int64          `db:"id" json:"-"`
	Slug           string         `db:"slug" json:"slug"`
	NISCode        string         `db:"nis_code" json:"nis_code"`
	NameNL         string         `db:"name_nl" json:"name"`
	NameEN         string         `db:"name_en" json:"name_en,omitempty"`
	NameFR         string         `db:"name_fr" json:"name_fr,omitempty"`
	Province       string         `db:"province" json:"province"`
	Arrondissement string         `db:"arrondissement" json:"arrondissement,omitempty"`
	NUTS3          string         `db:"nuts3" json:"nuts3,omitempty"`
	Postcodes      pq.StringArray `db:"postcodes" json:"postcodes"`
	Population     int            `db:"population" json:"population"`
	Kind           string         `db:"kind" json:"kind"`
}

const cityColumns = `id, slug, nis_code, name_nl, name_en, name_fr, province, arrondissement, nuts3, postcodes, population, kind`

// Cities returns every known city and municipality, centre cities first, then
// by name.
func (s *Store) Cities(ctx context.Context) ([]City, error) {
	var cities []City
	err := s.db.SelectContext(ctx, &cities, `SELECT `+cityColumns+` FROM cities
		ORDER BY kind = 'municipality', name_nl`)
	if err != nil {
		return nil, fmt.Errorf("list cities: %w", err)
	}
	return cities, nil
}

// CityBySlug returns the city with that slug, or ErrNotFound.
func (s *Store) CityBySlug(ctx context.Context, slug string) (City, error) {
	var c City
	err := s.stmts.get(ctx, &c, `SELECT `+cityColumns+` FROM cities WHERE slug = $1`, slug)
	if err != nil {
		return City{}, notFound(err, "city "+slug)
	}
	return c, nil
}

// CitiesBySlug returns the cities with the slugs given, by slug, in one
// query; a slug that names no city is absent.
func (s *Store) CitiesBySlug(ctx context.Context, slugs []string) (map[string]City, error) {
	var cities []City
	err := s.db.SelectContext(ctx, &cities, `SELECT `+cityColumns+` FROM cities WHERE slug = ANY($1)`, pq.StringArray(slugs))
	if err != nil {
		return nil, fmt.Errorf("look up %d cities: %w", len(slugs), err)
	}
	out := make(map[string]City, len(cities))
	for _, c := range cities {
		out[c.Slug] = c
	}
	return out, nil
}

// CityIDs maps slugs to ids for the slugs given, in t; unknown slugs are
// absent.
func (t *Tx) CityIDs(ctx context.Context, slugs []string) (map[string]int64, error) {
	return cityIDs(ctx, t.tx, slugs)
}

// cityIDs maps slugs to ids for the slugs given; unknown slugs are absent.
func cityIDs(ctx context.Context, q sqlx.QueryerContext, slugs []string) (map[string]int64, error) {
	rows, err := q.QueryxContext(ctx, `SELECT slug, id FROM cities WHERE slug = ANY($1)`, pq.StringArray(slugs))
	if err != nil {
		return nil, fmt.Errorf("look up cities: %w", err)
	}
	defer rows.Close()
	ids := make(map[string]int64, len(slugs))
	for rows.Next() {
		var slug string
		var id int64
		if err := rows.Scan(&slug, &id); err != nil {
			return nil, fmt.Errorf("look up cities: %w", err)
		}
		ids[slug] = id
	}
	return ids, rows.Err()
}

// cityIDList returns the ids of cities by slug, in the order given; an
// unknown slug is an error that names it.
func cityIDList(ctx context.Context, q sqlx.QueryerContext, slugs []string) (pq.Int64Array, error) {
	byslug, err := cityIDs(ctx, q, slugs)
	if err != nil {
		return nil, err
	}
	ids := make(pq.Int64Array, 0, len(slugs))
	for _, slug := range slugs {
		id, ok := byslug[slug]
		if !ok {
			return nil, fmt.Errorf("unknown city %q", slug)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// UpsertCity inserts c, or updates the city with the same slug. A row whose
// values are all unchanged is not rewritten. It reports whether anything
// changed.
func (t *Tx) UpsertCity(ctx context.Context, c City) (changed bool, err error) {
	if err := firstError(checkText("slug", c.Slug, MaxSlugLen), checkText("nis_code", c.NISCode, MaxCodeLen),
		checkText("name_nl", c.NameNL, MaxNameLen), checkText("name_en", c.NameEN, MaxNameLen), checkText("name_fr", c.NameFR, MaxNameLen),
		checkText("province", c.Province, MaxNameLen), checkText("arrondissement", c.Arrondissement, MaxNameLen),
		checkText("nuts3", c.NUTS3, MaxCodeLen), checkList("postcodes", c.Postcodes, MaxCodeLen, maxPostcodes),
		checkText("kind", c.Kind, MaxCodeLen)); err != nil {
		return false, fmt.Errorf("save city %.100q: %w", c.Slug, err)
	}
	if c.Postcodes == nil {
		c.Postcodes = pq.StringArray{}
	}
	res, err := t.tx.NamedExecContext(ctx, `
		INSERT INTO cities (slug, nis_code, name_nl, name_en, name_fr, province, arrondissement, nuts3, postcodes, population, kind)
		VALUES (:slug, :nis_code, :name_nl, :name_en, :name_fr, :province, :arrondissement, :nuts3, :postcodes, :population, :kind)
		ON CONFLICT (slug) DO UPDATE SET
			nis_code = EXCLUDED.nis_code, name_nl = EXCLUDED.name_nl, name_en = EXCLUDED.name_en,
			name_fr = EXCLUDED.name_fr, province = EXCLUDED.province, arrondissement = EXCLUDED.arrondissement,
			nuts3 = EXCLUDED.nuts3, postcodes = EXCLUDED.postcodes, population = EXCLUDED.population,
			kind = EXCLUDED.kind, updated_at = now()
		WHERE (cities.nis_code, cities.name_nl, cities.name_en, cities.name_fr, cities.province, cities.arrondissement,
		       cities.nuts3, cities.postcodes, cities.population, cities.kind)
		      IS DISTINCT FROM
		      (EXCLUDED.nis_code, EXCLUDED.name_nl, EXCLUDED.name_en, EXCLUDED.name_fr, EXCLUDED.province,
		       EXCLUDED.arrondissement, EXCLUDED.nuts3, EXCLUDED.postcodes, EXCLUDED.population, EXCLUDED.kind)`, c)
	if err != nil {
		return false, fmt.Errorf("save city %s: %w", c.Slug, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
