package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"
)

// Municipality is what an official list says of one Flemish municipality.
// Empty fields (and a nil Population) are facts the list does not give:
// loading it keeps what fundmatch already knows for them.
type Municipality struct {
	NISCode        string   `json:"nis_code"`
	Slug           string   `json:"slug"` // for a municipality not yet known
	NameNL         string   `json:"name_nl"`
	NameFR         string   `json:"name_fr"`
	Province       string   `json:"province"`
	Arrondissement string   `json:"arrondissement"`
	NUTS3          string   `json:"nuts3"`
	Postcodes      []string `json:"postcodes"`
	Population     *int     `json:"population"`
}

// Renumbering is a municipality whose NIS code changed when it merged.
type Renumbering struct{ Old, New string }

// UpsertMunicipalities loads an official list of municipalities by NIS code,
// in three statements whatever the list's length: a city stored under a
// former code in renumbered takes its new code (when it is the only one
// merging into it, so that its slug, profile and history stay), a known
// municipality gets the list's facts, and an unknown one is added as a
// municipality with its Slug. A city whose facts are unchanged is not
// rewritten; changed counts the cities renumbered, updated or added.
func (t *Tx) UpsertMunicipalities(ctx context.Context, ms []Municipality, renumbered []Renumbering) (changed int, err error) {
	olds, news := make(pq.StringArray, len(renumbered)), make(pq.StringArray, len(renumbered))
	for i, r := range renumbered {
		olds[i], news[i] = r.Old, r.New
	}
	res, err := t.tx.ExecContext(ctx, `
		WITH m AS (SELECT * FROM unnest($1::text[], $2::text[]) AS m(old, new)),
		     stored AS (SELECT m.old, m.new, count(*) OVER (PARTITION BY m.new) AS n
		                FROM m JOIN cities c ON c.nis_code = m.old)
		UPDATE cities c SET nis_code = s.new, updated_at = now()
		FROM stored s
		WHERE c.nis_code = s.old AND s.n = 1
		  AND NOT EXISTS (SELECT 1 FROM cities x WHERE x.nis_code = s.new)`, olds, news)
	if err != nil {
		return 0, fmt.Errorf("renumber merged municipalities: %w", err)
	}
	n, _ := res.RowsAffected()
	changed += int(n)

	for i := range ms {
		if ms[i].Postcodes == nil {
			ms[i].Postcodes = []string{}
		}
	}
	input, err := json.Marshal(ms)
	if err != nil {
		return changed, err
	}
	const rows = `jsonb_to_recordset($1::jsonb) AS i(nis_code text, slug text, name_nl text, name_fr text,
		province text, arrondissement text, nuts3 text, postcodes text[], population integer)`
	res, err = t.tx.ExecContext(ctx, `
		WITH next AS (
			SELECT c.id, c.name_nl, c.name_fr, c.province, c.arrondissement, c.nuts3, c.postcodes, c.population,
			       i.name_nl AS new_name_nl, coalesce(nullif(i.name_fr, ''), c.name_fr) AS new_name_fr,
			       i.province AS new_province, coalesce(nullif(i.arrondissement, ''), c.arrondissement) AS new_arrondissement,
			       coalesce(nullif(i.nuts3, ''), c.nuts3) AS new_nuts3,
			       CASE WHEN cardinality(i.postcodes) > 0 THEN i.postcodes ELSE c.postcodes END AS new_postcodes,
			       coalesce(i.population, c.population) AS new_population
			FROM `+rows+` JOIN cities c ON c.nis_code = i.nis_code)
		UPDATE cities c SET name_nl = n.new_name_nl, name_fr = n.new_name_fr, province = n.new_province,
			arrondissement = n.new_arrondissement, nuts3 = n.new_nuts3, postcodes = n.new_postcodes,
			population = n.new_population, updated_at = now()
		FROM next n
		WHERE c.id = n.id
		  AND (n.name_nl, n.name_fr, n.province, n.arrondissement, n.nuts3, n.postcodes, n.population)
		      IS DISTINCT FROM
		      (n.new_name_nl, n.new_name_fr, n.new_province, n.new_arrondissement, n.new_nuts3, n.new_postcodes, n.new_population)`,
		string(input))
	if err != nil {
		return changed, fmt.Errorf("update municipalities: %w", err)
	}
	n, _ = res.RowsAffected()
	changed += int(n)

	res, err = t.tx.ExecContext(ctx, `
		INSERT INTO cities (slug, nis_code, name_nl, name_fr, province, arrondissement, nuts3, postcodes, population, kind)
		SELECT i.slug, i.nis_code, i.name_nl, coalesce(i.name_fr, ''), i.province, coalesce(i.arrondissement, ''),
		       coalesce(i.nuts3, ''), i.postcodes, coalesce(i.population, 0), 'municipality'
		FROM `+rows+`
		WHERE NOT EXISTS (SELECT 1 FROM cities c WHERE c.nis_code = i.nis_code)
		ORDER BY i.nis_code`, string(input))
	if err != nil {
		return changed, fmt.Errorf("add municipalities: %w", err)
	}
	n, _ = res.RowsAffected()
	return changed + int(n), nil
}
