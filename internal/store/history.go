package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// EntityDecision is an admin's verdict on a participant name of the EU
// history sources, keyed by the resolver's name key. It survives re-imports.
type EntityDecision struct {
	Key       string    `db:"key" json:"key"`
	Verdict   Verdict   `db:"verdict" json:"verdict"`
	City      string    `db:"city" json:"city,omitempty"`
	Body      string    `db:"body" json:"body,omitempty"`
	DecidedBy string    `db:"decided_by" json:"decided_by"`
	DecidedAt time.Time `db:"decided_at" json:"decided_at"`
}

// EntityDecisions returns every stored verdict.
func (s *Store) EntityDecisions(ctx context.Context) ([]EntityDecision, error) {
	var ds []EntityDecision
	err := s.db.SelectContext(ctx, &ds, `
		SELECT d.key, d.verdict, coalesce(c.slug, '') AS city, d.body, d.decided_by, d.decided_at
		FROM entity_decisions d LEFT JOIN cities c ON c.id = d.city_id ORDER BY d.key`)
	if err != nil {
		return nil, fmt.Errorf("list entity decisions: %w", err)
	}
	return ds, nil
}

// SaveEntityDecision stores d, replacing an earlier verdict on its key, and
// moves the key's review entries to the verdict's status. A confirmation
// naming an unknown city is ErrNotFound.
func (t *Tx) SaveEntityDecision(ctx context.Context, d EntityDecision) error {
	var cityID sql.NullInt64
	if d.Verdict == VerdictConfirmed {
		if err := t.tx.GetContext(ctx, &cityID, `SELECT id FROM cities WHERE slug = $1`, d.City); err != nil {
			return notFound(err, "city "+d.City)
		}
	}
	_, err := t.tx.ExecContext(ctx, `
		INSERT INTO entity_decisions (key, verdict, city_id, body, decided_by, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET verdict = EXCLUDED.verdict, city_id = EXCLUDED.city_id, body = EXCLUDED.body,
			decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at`,
		d.Key, d.Verdict, cityID, d.Body, d.DecidedBy, d.DecidedAt)
	if err != nil {
		return fmt.Errorf("save decision on %q: %w", d.Key, err)
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE entity_reviews SET status = $2, updated_at = $3 WHERE key = $1 AND status <> $2`,
		d.Key, d.Verdict, d.DecidedAt)
	if err != nil {
		return fmt.Errorf("update review entries of %q: %w", d.Key, err)
	}
	return nil
}

// EntityReview is an uncertain participant on the review list.
type EntityReview struct {
	Key        string         `db:"key" json:"key"`
	Name       string         `db:"name" json:"name"`
	Country    string         `db:"country" json:"country,omitempty"`
	Postcode   string         `db:"postcode" json:"postcode,omitempty"`
	Source     string         `db:"source" json:"source"`
	Candidate  string         `db:"candidate" json:"candidate,omitempty"` // slug of the candidate city
	Body       string         `db:"body" json:"body,omitempty"`
	Confidence float64        `db:"confidence" json:"confidence"`
	Evidence   pq.StringArray `db:"evidence" json:"evidence"`
	TimesSeen  int            `db:"times_seen" json:"times_seen"`
	Status     ReviewStatus   `db:"status" json:"status"`
}

// EntityReviews lists the review list, pending entries first, then by how
// often the name was seen. An empty status lists every entry.
func (s *Store) EntityReviews(ctx context.Context, status ReviewStatus) ([]EntityReview, error) {
	var rs []EntityReview
	err := s.db.SelectContext(ctx, &rs, `
		SELECT r.key, r.name, r.country, r.postcode, r.source, coalesce(c.slug, '') AS candidate, r.body,
		       r.confidence, r.evidence, r.times_seen, r.status
		FROM entity_reviews r LEFT JOIN cities c ON c.id = r.candidate_city_id
		WHERE $1 = '' OR r.status = $1
		ORDER BY r.status <> 'pending', r.times_seen DESC, r.key, r.source`, status)
	if err != nil {
		return nil, fmt.Errorf("list review entries: %w", err)
	}
	return rs, nil
}

// SaveEntityReviews puts uncertain participants of one import on the review
// list. An entry that exists keeps its status; its details are rewritten
// only when they changed. It returns how many entries were added or changed.
func (t *Tx) SaveEntityReviews(ctx context.Context, rs []EntityReview, now time.Time) (int, error) {
	var changed int
	for _, r := range rs {
		if r.Evidence == nil {
			r.Evidence = pq.StringArray{}
		}
		res, err := t.tx.ExecContext(ctx, `
			INSERT INTO entity_reviews (key, name, country, postcode, source, candidate_city_id, body, confidence,
				evidence, times_seen, first_seen_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, (SELECT id FROM cities WHERE slug = $6), $7, $8, $9, $10, $11, $11)
			ON CONFLICT (key, source) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country,
				postcode = EXCLUDED.postcode, candidate_city_id = EXCLUDED.candidate_city_id, body = EXCLUDED.body,
				confidence = EXCLUDED.confidence, evidence = EXCLUDED.evidence, times_seen = EXCLUDED.times_seen,
				updated_at = EXCLUDED.updated_at
			WHERE (entity_reviews.name, entity_reviews.country, entity_reviews.postcode, entity_reviews.candidate_city_id,
			       entity_reviews.body, entity_reviews.confidence, entity_reviews.evidence, entity_reviews.times_seen)
			      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.country, EXCLUDED.postcode, EXCLUDED.candidate_city_id,
			       EXCLUDED.body, EXCLUDED.confidence, EXCLUDED.evidence, EXCLUDED.times_seen)`,
			r.Key, r.Name, r.Country, r.Postcode, r.Source, r.Candidate, r.Body, float32(r.Confidence), r.Evidence, r.TimesSeen, now)
		if err != nil {
			return changed, fmt.Errorf("save review entry %q: %w", r.Key, err)
		}
		n, _ := res.RowsAffected()
		changed += int(n)
	}
	return changed, nil
}

// HistoryParticipant is one participant of an imported project.
type HistoryParticipant struct {
	OrganisationID string   `db:"organisation_id"`
	Name           string   `db:"name"`
	Country        string   `db:"country"`
	Role           string   `db:"role"`
	EUContribution *float64 `db:"eu_contribution"`
	EntityKey      string   `db:"entity_key"`
	City           string   `db:"city"` // slug; empty when the participant is no city or not certainly one
}

// Collaboration records that City worked with another city or a foreign
// organisation in an imported project.
type Collaboration struct {
	City                  string `json:"city"`
	PartnerCity           string `json:"partner_city,omitempty"`
	PartnerOrganisationID string `json:"partner_organisation_id,omitempty"`
	PartnerName           string `json:"partner_name,omitempty"`
	PartnerCountry        string `json:"partner_country"`
}

// UptakeShare is one city's part in a won imported project.
type UptakeShare struct {
	City           string
	Role           string // lead or partner
	EUContribution *float64
}

// ImportedProject is a project from an EU history source (cordis, kohesio,
// keep) with everything derived from it: its row in projects (members and
// partners included), its participants, the collaborations and the uptake
// (one won bid with a member per city).
type ImportedProject struct {
	Project        Project
	Participants   []HistoryParticipant
	Collaborations []Collaboration
	Uptake         []UptakeShare
}

// Hash is a digest of everything the project yields: equal hashes mean
// saving it again would change nothing.
func (ip ImportedProject) Hash() string {
	if ip.Project.Domains == nil {
		ip.Project.Domains = pq.StringArray{} // as read back from the database
	}
	b, err := json.Marshal(ip)
	if err != nil {
		panic(fmt.Sprintf("hash imported project: %v", err)) // plain data always marshals
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ImportHashes returns the hash (see ImportedProject.Hash) of every project
// stored from source, by source id, as its last save left it.
func (t *Tx) ImportHashes(ctx context.Context, source string) (map[string]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT source_id, import_hash FROM projects WHERE source = $1`, source)
	if err != nil {
		return nil, fmt.Errorf("load import hashes of %s: %w", source, err)
	}
	defer rows.Close()
	hashes := map[string]string{}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("load import hashes of %s: %w", source, err)
		}
		hashes[id] = h
	}
	return hashes, rows.Err()
}

// ImportedChange counts what SaveImportedProject rewrote.
type ImportedChange struct {
	Project, Participants, Collaborations, Uptake bool
}

// Any reports whether anything changed.
func (c ImportedChange) Any() bool {
	return c.Project || c.Participants || c.Collaborations || c.Uptake
}

// SaveImportedProject inserts or updates an imported project and what it
// yields, in t, keyed by its source and source id. Rows whose values did
// not change are not rewritten, so saving the same project twice changes
// nothing. cityIDs maps every slug the project names to its id. The
// project's hash is stored with it, for ImportHashes.
func (t *Tx) SaveImportedProject(ctx context.Context, ip ImportedProject, cityIDs map[string]int64) (ImportedChange, error) {
	var ch ImportedChange
	p := ip.Project
	var err error
	if ch.Project, err = t.SaveProject(ctx, p, cityIDs); err != nil {
		return ch, err
	}
	var id int64
	if err := t.tx.GetContext(ctx, &id, `SELECT id FROM projects WHERE source = $1 AND source_id = $2`, p.Source, p.SourceID); err != nil {
		return ch, fmt.Errorf("look up project %s/%s: %w", p.Source, p.SourceID, err)
	}
	what := p.Source + "/" + p.SourceID
	if ch.Participants, err = saveParticipants(ctx, t.tx, id, ip.Participants, cityIDs); err != nil {
		return ch, fmt.Errorf("save participants of %s: %w", what, err)
	}
	if ch.Collaborations, err = saveCollaborations(ctx, t.tx, id, p, ip.Collaborations, cityIDs); err != nil {
		return ch, fmt.Errorf("save collaborations of %s: %w", what, err)
	}
	if ch.Uptake, err = saveUptake(ctx, t.tx, id, p, ip.Uptake, cityIDs); err != nil {
		return ch, fmt.Errorf("save uptake of %s: %w", what, err)
	}
	h := ip.Hash()
	if _, err := t.tx.ExecContext(ctx, `UPDATE projects SET import_hash = $2 WHERE id = $1 AND import_hash <> $2`, id, h); err != nil {
		return ch, fmt.Errorf("save import hash of %s: %w", what, err)
	}
	return ch, nil
}

// amountText renders an optional amount for a text[] parameter, where the
// empty string stands for NULL.
func amountText(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func affected(res sql.Result) bool {
	n, _ := res.RowsAffected()
	return n > 0
}

func saveParticipants(ctx context.Context, tx *sqlx.Tx, projectID int64, ps []HistoryParticipant, cityIDs map[string]int64) (bool, error) {
	n := len(ps)
	pos := make(pq.Int64Array, n)
	orgs, names, countries, roles, amounts, keys := make(pq.StringArray, n), make(pq.StringArray, n),
		make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	cities := make(pq.Int64Array, n) // 0 is none
	for i, p := range ps {
		pos[i], orgs[i], names[i], countries[i], roles[i] = int64(i), p.OrganisationID, p.Name, p.Country, p.Role
		amounts[i], keys[i] = amountText(p.EUContribution), p.EntityKey
		if p.City != "" {
			if cities[i] = cityIDs[p.City]; cities[i] == 0 {
				return false, fmt.Errorf("unknown city %s", p.City)
			}
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM history_participants WHERE project_id = $1 AND position >= $2`, projectID, n)
	if err != nil {
		return false, err
	}
	changed := affected(res)
	res, err = tx.ExecContext(ctx, `
		INSERT INTO history_participants (project_id, position, organisation_id, name, country, role, eu_contribution, entity_key, city_id)
		SELECT $1, p.pos, p.org, p.name, p.country, p.role, NULLIF(p.amount, '')::numeric, p.key, NULLIF(p.city, 0)
		FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
		     AS p(pos, org, name, country, role, amount, key, city)
		ON CONFLICT (project_id, position) DO UPDATE SET organisation_id = EXCLUDED.organisation_id, name = EXCLUDED.name,
			country = EXCLUDED.country, role = EXCLUDED.role, eu_contribution = EXCLUDED.eu_contribution,
			entity_key = EXCLUDED.entity_key, city_id = EXCLUDED.city_id
		WHERE (history_participants.organisation_id, history_participants.name, history_participants.country,
		       history_participants.role, history_participants.eu_contribution, history_participants.entity_key,
		       history_participants.city_id)
		      IS DISTINCT FROM (EXCLUDED.organisation_id, EXCLUDED.name, EXCLUDED.country, EXCLUDED.role,
		       EXCLUDED.eu_contribution, EXCLUDED.entity_key, EXCLUDED.city_id)`,
		projectID, pos, orgs, names, countries, roles, amounts, keys, cities)
	if err != nil {
		return false, err
	}
	return changed || affected(res), nil
}

func saveCollaborations(ctx context.Context, tx *sqlx.Tx, projectID int64, p Project, cs []Collaboration, cityIDs map[string]int64) (bool, error) {
	n := len(cs)
	cities, partnerCities := make(pq.Int64Array, n), make(pq.Int64Array, n)
	orgs, names, countries := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, c := range cs {
		if cities[i] = cityIDs[c.City]; cities[i] == 0 {
			return false, fmt.Errorf("unknown city %s", c.City)
		}
		if c.PartnerCity != "" {
			if partnerCities[i] = cityIDs[c.PartnerCity]; partnerCities[i] == 0 {
				return false, fmt.Errorf("unknown city %s", c.PartnerCity)
			}
		}
		orgs[i], names[i], countries[i] = c.PartnerOrganisationID, c.PartnerName, c.PartnerCountry
	}
	res, err := tx.ExecContext(ctx, `
		DELETE FROM collaborations c WHERE c.source = $1 AND c.source_id = $2
		AND NOT EXISTS (SELECT 1 FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[]) AS k(city, partner_city, org, name)
			WHERE k.city = c.city_id AND NULLIF(k.partner_city, 0) IS NOT DISTINCT FROM c.partner_city_id
			  AND k.org = c.partner_organisation_id AND k.name = c.partner_name)`,
		p.Source, p.SourceID, cities, partnerCities, orgs, names)
	if err != nil {
		return false, err
	}
	changed := affected(res)
	res, err = tx.ExecContext(ctx, `
		INSERT INTO collaborations (project_id, source, source_id, year, programme, city_id, partner_city_id,
			partner_organisation_id, partner_name, partner_country)
		SELECT $1, $2, $3, $4, $5, k.city, NULLIF(k.partner_city, 0), k.org, k.name, k.country
		FROM unnest($6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[]) AS k(city, partner_city, org, name, country)
		ON CONFLICT (source, source_id, city_id, partner_city_id, partner_organisation_id, partner_name) DO UPDATE SET
			project_id = EXCLUDED.project_id, year = EXCLUDED.year, programme = EXCLUDED.programme,
			partner_country = EXCLUDED.partner_country
		WHERE (collaborations.project_id, collaborations.year, collaborations.programme, collaborations.partner_country)
		      IS DISTINCT FROM (EXCLUDED.project_id, EXCLUDED.year, EXCLUDED.programme, EXCLUDED.partner_country)`,
		projectID, p.Source, p.SourceID, p.Year, p.Programme, cities, partnerCities, orgs, names, countries)
	if err != nil {
		return false, err
	}
	return changed || affected(res), nil
}

// saveUptake keeps one won bid per imported project, with a member per
// city; a project with no city left loses its bid.
func saveUptake(ctx context.Context, tx *sqlx.Tx, projectID int64, p Project, us []UptakeShare, cityIDs map[string]int64) (bool, error) {
	if len(us) == 0 {
		res, err := tx.ExecContext(ctx, `DELETE FROM bids WHERE source = $1 AND source_id = $2`, p.Source, p.SourceID)
		if err != nil {
			return false, err
		}
		return affected(res), nil
	}
	var total *float64
	n := len(us)
	cities, roles, amounts := make(pq.Int64Array, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, u := range us {
		if cities[i] = cityIDs[u.City]; cities[i] == 0 {
			return false, fmt.Errorf("unknown city %s", u.City)
		}
		roles[i], amounts[i] = u.Role, amountText(u.EUContribution)
		if u.EUContribution != nil {
			sum := *u.EUContribution
			if total != nil {
				sum += *total
			}
			total = &sum
		}
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO bids (project_id, programme, title, year, status, amount_granted, source, source_id)
		VALUES ($1, $2, $3, $4, 'won', NULLIF($5, '')::numeric, $6, $7)
		ON CONFLICT (source, source_id) DO UPDATE SET project_id = EXCLUDED.project_id, programme = EXCLUDED.programme,
			title = EXCLUDED.title, year = EXCLUDED.year, status = EXCLUDED.status,
			amount_granted = EXCLUDED.amount_granted, updated_at = now()
		WHERE (bids.project_id, bids.programme, bids.title, bids.year, bids.status, bids.amount_granted)
		      IS DISTINCT FROM (EXCLUDED.project_id, EXCLUDED.programme, EXCLUDED.title, EXCLUDED.year,
		       EXCLUDED.status, EXCLUDED.amount_granted)`,
		projectID, p.Programme, p.Title, p.Year, amountText(total), p.Source, p.SourceID)
	if err != nil {
		return false, err
	}
	changed := affected(res)
	var bidID int64
	if err := tx.GetContext(ctx, &bidID, `SELECT id FROM bids WHERE source = $1 AND source_id = $2`, p.Source, p.SourceID); err != nil {
		return false, err
	}
	res, err = tx.ExecContext(ctx, `DELETE FROM bid_members WHERE bid_id = $1 AND NOT (city_id = ANY($2))`, bidID, cities)
	if err != nil {
		return false, err
	}
	changed = changed || affected(res)
	// A lead that became a partner is demoted before the new lead goes in.
	res, err = tx.ExecContext(ctx, `
		INSERT INTO bid_members (bid_id, city_id, role, amount_granted)
		SELECT $1, m.city, m.role, NULLIF(m.amount, '')::numeric
		FROM unnest($2::bigint[], $3::text[], $4::text[]) AS m(city, role, amount)
		ORDER BY m.role = 'lead'
		ON CONFLICT (bid_id, city_id) DO UPDATE SET role = EXCLUDED.role, amount_granted = EXCLUDED.amount_granted
		WHERE (bid_members.role, bid_members.amount_granted) IS DISTINCT FROM (EXCLUDED.role, EXCLUDED.amount_granted)`,
		bidID, cities, roles, amounts)
	if err != nil {
		return false, err
	}
	return changed || affected(res), nil
}

// ImportedProjectsWithKey returns, in t and locked for update, the imported
// projects that have a participant with the name key, with their
// participants, so that an admin's verdict can be applied to them.
func (t *Tx) ImportedProjectsWithKey(ctx context.Context, key string) ([]ImportedProject, error) {
	var ps []Project
	err := t.tx.SelectContext(ctx, &ps, `
		SELECT id, source, source_id, title, summary, year, programme, call_identifier, domains, budget, eu_contribution, url
		FROM projects WHERE id IN (SELECT project_id FROM history_participants WHERE entity_key = $1)
		ORDER BY id FOR UPDATE`, key)
	if err != nil {
		return nil, fmt.Errorf("projects with participant %q: %w", key, err)
	}
	out := make([]ImportedProject, len(ps))
	for i, p := range ps {
		out[i].Project = p
		err := t.tx.SelectContext(ctx, &out[i].Participants, `
			SELECT hp.organisation_id, hp.name, hp.country, hp.role, hp.eu_contribution, hp.entity_key,
			       coalesce(c.slug, '') AS city
			FROM history_participants hp LEFT JOIN cities c ON c.id = hp.city_id
			WHERE hp.project_id = $1 ORDER BY hp.position`, p.ID)
		if err != nil {
			return nil, fmt.Errorf("participants of project %s/%s: %w", p.Source, p.SourceID, err)
		}
	}
	return out, nil
}

// CollaborationsOfCity returns the collaborations of a city from imported
// projects, newest first.
func (s *Store) CollaborationsOfCity(ctx context.Context, slug string) ([]Collaboration, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT c.slug, coalesce(pc.slug, ''), k.partner_organisation_id, k.partner_name, k.partner_country
		FROM collaborations k JOIN cities c ON c.id = k.city_id LEFT JOIN cities pc ON pc.id = k.partner_city_id
		WHERE c.slug = $1 ORDER BY k.year DESC, k.source, k.source_id, pc.slug, k.partner_name`, slug)
	if err != nil {
		return nil, fmt.Errorf("collaborations of %s: %w", slug, err)
	}
	defer rows.Close()
	var out []Collaboration
	for rows.Next() {
		var c Collaboration
		if err := rows.Scan(&c.City, &c.PartnerCity, &c.PartnerOrganisationID, &c.PartnerName, &c.PartnerCountry); err != nil {
			return nil, fmt.Errorf("collaborations of %s: %w", slug, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LockHistory takes, for the rest of t, the lock that makes history imports
// and review verdicts take turns, so that two of them never race on the same
// projects.
func (t *Tx) LockHistory(ctx context.Context) error {
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('fundmatch: history'))`); err != nil {
		return fmt.Errorf("lock history: %w", err)
	}
	return nil
}

// FinishImportRun records a crawl run of a history source as done: pages is
// 1 when a file was downloaded and imported, 0 when the server said it had
// not changed.
func (s *Store) FinishImportRun(ctx context.Context, runID int64, pages int, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE crawl_runs SET finished_at = $2, status = 'ok', pages = $3 WHERE id = $1`,
		runID, now, pages)
	if err != nil {
		return fmt.Errorf("record crawl run: %w", err)
	}
	return nil
}
