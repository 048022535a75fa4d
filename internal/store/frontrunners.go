package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// FrontRunnerRow is a front-runner of a call as scoring stores it: the city's
// past project most like the call, its similarity (0..1, which the table
// keeps as a real) and the concepts both name.
type FrontRunnerRow struct {
	CallID, CityID, ProjectID int64
	Similarity                float64
	Themes                    []Theme
}

// SaveFrontRunners makes rows the stored front-runners of the calls callIDs
// (nil: of every call), in one transaction: front-runners of those calls not
// in rows are removed, and only rows that are new or whose project,
// similarity or themes changed are written, so that scoring again with
// nothing changed writes nothing. It reports how many rows it wrote or
// removed.
func (s *Store) SaveFrontRunners(ctx context.Context, callIDs []int64, rows []FrontRunnerRow, now time.Time) (int, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("save front-runners: %w", err)
	}
	defer tx.Rollback()
	type key struct{ call, city int64 }
	stored := map[key]FrontRunnerRow{}
	cur, err := tx.QueryContext(ctx, `SELECT call_id, city_id, project_id, similarity, themes FROM front_runners
		WHERE $1::bigint[] IS NULL OR call_id = ANY($1)`, nullableInt64s(callIDs))
	if err != nil {
		return 0, fmt.Errorf("save front-runners: %w", err)
	}
	defer cur.Close()
	for cur.Next() {
		var r FrontRunnerRow
		var themes jsonArray[Theme]
		if err := cur.Scan(&r.CallID, &r.CityID, &r.ProjectID, &r.Similarity, &themes); err != nil {
			return 0, fmt.Errorf("save front-runners: %w", err)
		}
		r.Themes = themes
		stored[key{r.CallID, r.CityID}] = r
	}
	if err := cur.Err(); err != nil {
		return 0, fmt.Errorf("save front-runners: %w", err)
	}
	var calls, cities, projects pq.Int64Array
	var sims pq.Float64Array
	var themes pq.StringArray
	for _, r := range rows {
		k := key{r.CallID, r.CityID}
		old, had := stored[k]
		delete(stored, k)
		if had && old.ProjectID == r.ProjectID && float32(old.Similarity) == float32(r.Similarity) && slices.Equal(old.Themes, r.Themes) {
			continue
		}
		if r.Themes == nil {
			r.Themes = []Theme{} // [] rather than null
		}
		t, err := json.Marshal(r.Themes)
		if err != nil {
			return 0, fmt.Errorf("save front-runners: %w", err)
		}
		calls, cities, projects = append(calls, r.CallID), append(cities, r.CityID), append(projects, r.ProjectID)
		sims, themes = append(sims, r.Similarity), append(themes, string(t))
	}
	written := len(calls)
	if written > 0 {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO front_runners (call_id, city_id, project_id, similarity, themes, updated_at)
			SELECT n.call_id, n.city_id, n.project_id, n.similarity, n.themes::jsonb, $6
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::real[], $5::text[]) AS n(call_id, city_id, project_id, similarity, themes)
			ON CONFLICT (call_id, city_id) DO UPDATE SET project_id = EXCLUDED.project_id, similarity = EXCLUDED.similarity,
				themes = EXCLUDED.themes, updated_at = EXCLUDED.updated_at`,
			calls, cities, projects, sims, themes, now); err != nil {
			return 0, fmt.Errorf("save front-runners: %w", err)
		}
	}
	if len(stored) > 0 {
		calls, cities = calls[:0], cities[:0]
		for k := range stored {
			calls, cities = append(calls, k.call), append(cities, k.city)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM front_runners f USING unnest($1::bigint[], $2::bigint[]) AS k(call_id, city_id)
			WHERE f.call_id = k.call_id AND f.city_id = k.city_id`, calls, cities); err != nil {
			return 0, fmt.Errorf("save front-runners: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("save front-runners: %w", err)
	}
	return written + len(stored), nil
}

// FrontRunnerCalls returns the calls the cities are stored front-runners of.
func (s *Store) FrontRunnerCalls(ctx context.Context, cityIDs []int64) ([]int64, error) {
	var out []int64
	if err := s.db.SelectContext(ctx, &out, `SELECT DISTINCT call_id FROM front_runners WHERE city_id = ANY($1) ORDER BY call_id`,
		pq.Int64Array(cityIDs)); err != nil {
		return nil, fmt.Errorf("calls of front-runners: %w", err)
	}
	return out, nil
}

// Theme is a vocabulary concept a past project and a call share, with its
// Dutch and English labels.
type Theme struct {
	Concept string `json:"concept"`
	LabelNL string `json:"label_nl"`
	LabelEN string `json:"label_en"`
}

// FrontRunner is a municipality that did a project like a call, as pages,
// alerts and the planner read it.
type FrontRunner struct {
	CallID     int64
	CityID     int64
	City       string // slug
	CityName   string
	Title      string // the project's
	Year       int
	Source     string // the project's source: seed, import, officer, cordis, kohesio or keep
	Programme  string
	Similarity float64
	Themes     []Theme
}

// Origin names where the project is known from: "City of Things" for a
// City of Things project (seeded or imported), "CORDIS", "Kohesio" or
// "keep.eu" for the EU history sources, and "" for a project an officer
// entered or imported otherwise.
func (f FrontRunner) Origin() string {
	if f.Programme == "COT" {
		return "City of Things"
	}
	switch f.Source {
	case "cordis":
		return "CORDIS"
	case "kohesio":
		return "Kohesio"
	case "keep":
		return "keep.eu"
	}
	return ""
}

// frontRunnerColumns are the columns scanFrontRunners reads, from
// front_runners f joined with cities c and projects p.
const frontRunnerColumns = `f.call_id, f.city_id, c.slug, c.name_nl, p.title, p.year, p.source, p.programme, f.similarity, f.themes`

// scanFrontRunner reads one row of frontRunnerColumns, after the columns
// scanned into before.
func scanFrontRunner(rows *sql.Rows, before ...any) (FrontRunner, error) {
	var f FrontRunner
	var themes jsonArray[Theme]
	err := rows.Scan(append(before, &f.CallID, &f.CityID, &f.City, &f.CityName, &f.Title, &f.Year, &f.Source, &f.Programme,
		&f.Similarity, &themes)...)
	f.Themes = themes
	return f, err
}

// CallFrontRunners returns the front-runners of a call, most similar first,
// at most limit of them, and how many there are in all.
func (s *Store) CallFrontRunners(ctx context.Context, callID int64, limit int) ([]FrontRunner, int, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT `+frontRunnerColumns+`
		FROM front_runners f JOIN cities c ON c.id = f.city_id JOIN projects p ON p.id = f.project_id
		WHERE f.call_id = $1
		ORDER BY f.similarity DESC, c.name_nl
		LIMIT $2`, callID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("front-runners of a call: %w", err)
	}
	defer rows.Close()
	var frs []FrontRunner
	for rows.Next() {
		f, err := scanFrontRunner(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("front-runners of a call: %w", err)
		}
		frs = append(frs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("front-runners of a call: %w", err)
	}
	total := len(frs)
	if total == limit {
		if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM front_runners WHERE call_id = $1`, callID); err != nil {
			return nil, 0, fmt.Errorf("front-runners of a call: %w", err)
		}
	}
	return frs, total, nil
}

// FrontRunnersFor returns, for each (call, city) pair whose city did no
// project like the call, up to limit front-runners of the call (most
// similar first): what an alert to a newcomer names. A pair whose city is a
// front-runner itself gets none.
func (s *Store) FrontRunnersFor(ctx context.Context, keys []MatchKey, limit int) (map[MatchKey][]FrontRunner, error) {
	calls := make(pq.Int64Array, len(keys))
	cities := make(pq.Int64Array, len(keys))
	for i, k := range keys {
		calls[i], cities[i] = k.CallID, k.CityID
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT k.city_id, `+frontRunnerColumns+`
		FROM (SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[]) AS k(call_id, city_id)) k
		CROSS JOIN LATERAL (
			SELECT * FROM front_runners f WHERE f.call_id = k.call_id AND f.city_id <> k.city_id
			ORDER BY f.similarity DESC, f.city_id LIMIT $3) f
		JOIN cities c ON c.id = f.city_id JOIN projects p ON p.id = f.project_id
		WHERE NOT EXISTS (SELECT 1 FROM front_runners e WHERE e.call_id = k.call_id AND e.city_id = k.city_id)
		ORDER BY k.call_id, k.city_id, f.similarity DESC, f.city_id`, calls, cities, limit)
	if err != nil {
		return nil, fmt.Errorf("front-runners for alerts: %w", err)
	}
	defer rows.Close()
	out := map[MatchKey][]FrontRunner{}
	for rows.Next() {
		var to int64
		f, err := scanFrontRunner(rows, &to)
		if err != nil {
			return nil, fmt.Errorf("front-runners for alerts: %w", err)
		}
		k := MatchKey{CallID: f.CallID, CityID: to}
		out[k] = append(out[k], f)
	}
	return out, rows.Err()
}

// FrontRunnerCities returns, by call, the slugs of the cities that did a
// project like it: the planner's front-runners of each call.
func (s *Store) FrontRunnerCities(ctx context.Context, callIDs []int64) (map[int64][]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT f.call_id, c.slug FROM front_runners f JOIN cities c ON c.id = f.city_id
		WHERE f.call_id = ANY($1) ORDER BY f.call_id, c.slug`, pq.Int64Array(callIDs))
	if err != nil {
		return nil, fmt.Errorf("front-runners to plan: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var call int64
		var slug string
		if err := rows.Scan(&call, &slug); err != nil {
			return nil, fmt.Errorf("front-runners to plan: %w", err)
		}
		out[call] = append(out[call], slug)
	}
	return out, rows.Err()
}
