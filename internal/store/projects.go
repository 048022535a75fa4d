package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// Project is a past project of one or more cities: City of Things, imported
// EU history, or entered by an officer. It is the evidence of experience.
type Project struct {
	ID             int64          `db:"id" json:"-"`
	Source         string         `db:"source" json:"source"`
	SourceID       string         `db:"source_id" json:"source_id"`
	Title          string         `db:"title" json:"title"`
	Summary        string         `db:"summary" json:"summary"`
	Year           int            `db:"year" json:"year"`
	Programme      string         `db:"programme" json:"programme"`
	CallIdentifier string         `db:"call_identifier" json:"call_identifier,omitempty"`
	Domains        pq.StringArray `db:"domains" json:"domains"`
	Budget         *float64       `db:"budget" json:"budget"`
	EUContribution *float64       `db:"eu_contribution" json:"eu_contribution"`
	URL            string         `db:"url" json:"url,omitempty"`
	Lead           string         `db:"-" json:"lead,omitempty"`    // slug of the lead city, if a known city leads
	Members        []string       `db:"-" json:"members,omitempty"` // slugs of the partner cities
	Partners       []Partner      `db:"-" json:"partners,omitempty"`
}

// Partner is a project partner that is not a city known to fundmatch.
type Partner struct {
	Name    string `db:"name" json:"name"`
	Country string `db:"country" json:"country,omitempty"` // ISO 3166-1 alpha-2, "" when unknown
	Role    string `db:"role" json:"role"`
}

// SaveProject inserts p or updates the project with the same source and
// source id, with its members and partners, in t. Nothing is rewritten when
// nothing changed. cityIDs maps the slugs of p's cities to ids. It reports
// whether anything changed.
func (t *Tx) SaveProject(ctx context.Context, p Project, cityIDs map[string]int64) (changed bool, err error) {
	if err := firstError(checkText("source", p.Source, MaxCodeLen), checkText("source_id", p.SourceID, MaxSlugLen*2),
		checkText("title", p.Title, MaxTitleLen), checkText("summary", p.Summary, MaxSummaryLen), checkText("programme", p.Programme, MaxNameLen),
		checkText("call_identifier", p.CallIdentifier, MaxIdentifierLen), checkList("domains", p.Domains, MaxCodeLen, 20),
		checkText("url", p.URL, MaxURLLen), checkAmount("budget", p.Budget), checkAmount("eu_contribution", p.EUContribution)); err != nil {
		return false, fmt.Errorf("project %.100q: %w", p.SourceID, err)
	}
	for _, partner := range p.Partners {
		if err := checkText("partners", partner.Name, MaxTitleLen); err != nil {
			return false, fmt.Errorf("project %.100q: %w", p.SourceID, err)
		}
	}
	if p.Domains == nil {
		p.Domains = pq.StringArray{}
	}
	var id int64
	var inserted bool
	err = t.tx.GetContext(ctx, &id, `SELECT id FROM projects WHERE source = $1 AND source_id = $2`, p.Source, p.SourceID)
	switch {
	case err == nil:
		res, err := t.tx.ExecContext(ctx, `
			UPDATE projects SET title = $2, summary = $3, year = $4, programme = $5, call_identifier = $6,
				domains = $7, budget = $8, eu_contribution = $9, url = $10, updated_at = now()
			WHERE id = $1 AND (title, summary, year, programme, call_identifier, domains, budget, eu_contribution, url)
			      IS DISTINCT FROM ($2, $3, $4, $5, $6, $7::text[], $8::numeric, $9::numeric, $10)`,
			id, p.Title, p.Summary, p.Year, p.Programme, p.CallIdentifier, p.Domains, p.Budget, p.EUContribution, p.URL)
		if err != nil {
			return false, fmt.Errorf("update project %s/%s: %w", p.Source, p.SourceID, err)
		}
		n, _ := res.RowsAffected()
		changed = n > 0
	case errors.Is(err, sql.ErrNoRows):
		err = t.tx.GetContext(ctx, &id, `
			INSERT INTO projects (source, source_id, title, summary, year, programme, call_identifier, domains, budget, eu_contribution, url)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			p.Source, p.SourceID, p.Title, p.Summary, p.Year, p.Programme, p.CallIdentifier, p.Domains, p.Budget, p.EUContribution, p.URL)
		if err != nil {
			return false, fmt.Errorf("insert project %s/%s: %w", p.Source, p.SourceID, err)
		}
		inserted, changed = true, true
	default:
		return false, fmt.Errorf("look up project %s/%s: %w", p.Source, p.SourceID, err)
	}

	members := map[int64]string{}
	if p.Lead != "" {
		members[cityIDs[p.Lead]] = "lead"
	}
	for _, m := range p.Members {
		if _, ok := members[cityIDs[m]]; !ok {
			members[cityIDs[m]] = "partner"
		}
	}
	var ids []int64
	var roles []string
	for cid, role := range members {
		if cid == 0 {
			return false, fmt.Errorf("project %s/%s names an unknown city", p.Source, p.SourceID)
		}
		ids = append(ids, cid)
		roles = append(roles, role)
	}
	if !inserted {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM project_members WHERE project_id = $1 AND NOT (city_id = ANY($2))`, id, pq.Int64Array(ids))
		if err != nil {
			return false, fmt.Errorf("save members of project %s/%s: %w", p.Source, p.SourceID, err)
		}
		n, _ := res.RowsAffected()
		changed = changed || n > 0
	}
	// The lead goes in last, so a lead that became a partner (or the
	// reverse) never leaves two leads for an instant.
	res, err := t.tx.ExecContext(ctx, `
		INSERT INTO project_members (project_id, city_id, role)
		SELECT $1, m.city_id, m.role FROM unnest($2::bigint[], $3::text[]) AS m(city_id, role)
		ORDER BY m.role = 'lead'
		ON CONFLICT (project_id, city_id) DO UPDATE SET role = EXCLUDED.role
		WHERE project_members.role IS DISTINCT FROM EXCLUDED.role`, id, pq.Int64Array(ids), pq.StringArray(roles))
	if err != nil {
		return false, fmt.Errorf("save members of project %s/%s: %w", p.Source, p.SourceID, err)
	}
	n, _ := res.RowsAffected()
	changed = changed || n > 0

	names, countries, proles := []string{}, []string{}, []string{}
	for _, pt := range p.Partners {
		role := pt.Role
		if role == "" {
			role = "partner"
		}
		names, countries, proles = append(names, pt.Name), append(countries, pt.Country), append(proles, role)
	}
	if !inserted {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM project_partners WHERE project_id = $1 AND NOT (name = ANY($2))`, id, pq.StringArray(names))
		if err != nil {
			return false, fmt.Errorf("save partners of project %s/%s: %w", p.Source, p.SourceID, err)
		}
		n, _ := res.RowsAffected()
		changed = changed || n > 0
	}
	res, err = t.tx.ExecContext(ctx, `
		INSERT INTO project_partners (project_id, name, country, role)
		SELECT $1, p.name, p.country, p.role FROM unnest($2::text[], $3::text[], $4::text[]) AS p(name, country, role)
		ON CONFLICT (project_id, name) DO UPDATE SET country = EXCLUDED.country, role = EXCLUDED.role
		WHERE (project_partners.country, project_partners.role) IS DISTINCT FROM (EXCLUDED.country, EXCLUDED.role)`,
		id, pq.StringArray(names), pq.StringArray(countries), pq.StringArray(proles))
	if err != nil {
		return false, fmt.Errorf("save partners of project %s/%s: %w", p.Source, p.SourceID, err)
	}
	n, _ = res.RowsAffected()
	return changed || n > 0, nil
}

// ProjectsOfCity returns the past projects a city took part in, newest first,
// with its role in Lead or Members.
func (s *Store) ProjectsOfCity(ctx context.Context, slug string) ([]Project, error) {
	rows, err := s.db.QueryxContext(ctx, `
		SELECT p.id, p.source, p.source_id, p.title, p.summary, p.year, p.programme, p.call_identifier, p.domains,
		       p.budget, p.eu_contribution, p.url, m.role
		FROM projects p
		JOIN project_members m ON m.project_id = p.id
		JOIN cities c ON c.id = m.city_id
		WHERE c.slug = $1
		ORDER BY p.year DESC, p.title`, slug)
	if err != nil {
		return nil, fmt.Errorf("projects of %s: %w", slug, err)
	}
	defer rows.Close()
	var out []Project
	for rows.Next() {
		var p Project
		var role string
		if err := rows.Scan(&p.ID, &p.Source, &p.SourceID, &p.Title, &p.Summary, &p.Year, &p.Programme,
			&p.CallIdentifier, &p.Domains, &p.Budget, &p.EUContribution, &p.URL, &role); err != nil {
			return nil, fmt.Errorf("projects of %s: %w", slug, err)
		}
		if role == "lead" {
			p.Lead = slug
		} else {
			p.Members = []string{slug}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CityProject is a past project seen from one of its cities.
type CityProject struct {
	Project
	Lead bool // the city led the project
}

// ProjectsByCity returns, by city id, every past project the city took part
// in, newest first: the matcher's experience evidence.
func (s *Store) ProjectsByCity(ctx context.Context) (map[int64][]CityProject, error) {
	rows, err := s.db.QueryxContext(ctx, `
		SELECT m.city_id, m.role, p.id, p.source, p.source_id, p.title, p.summary, p.year, p.programme,
		       p.call_identifier, p.domains, p.budget, p.eu_contribution, p.url
		FROM projects p JOIN project_members m ON m.project_id = p.id
		ORDER BY m.city_id, p.year DESC, p.id`)
	if err != nil {
		return nil, fmt.Errorf("projects by city: %w", err)
	}
	defer rows.Close()
	out := map[int64][]CityProject{}
	for rows.Next() {
		var cityID int64
		var role string
		var p CityProject
		if err := rows.Scan(&cityID, &role, &p.ID, &p.Source, &p.SourceID, &p.Title, &p.Summary, &p.Year, &p.Programme,
			&p.CallIdentifier, &p.Domains, &p.Budget, &p.EUContribution, &p.URL); err != nil {
			return nil, fmt.Errorf("projects by city: %w", err)
		}
		p.Lead = role == "lead"
		out[cityID] = append(out[cityID], p)
	}
	return out, rows.Err()
}
