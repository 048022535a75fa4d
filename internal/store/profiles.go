package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/lib/pq"
)

// Domains are the six smart-city domains of City of Things, in display order.
var Domains = []string{"economy", "government", "people", "living", "mobility", "environment"}

// DomainWeights says how much a city cares about each smart-city domain, 0..1.
type DomainWeights struct {
	Economy     float64 `db:"weight_economy" json:"economy"`
	Government  float64 `db:"weight_government" json:"government"`
	People      float64 `db:"weight_people" json:"people"`
	Living      float64 `db:"weight_living" json:"living"`
	Mobility    float64 `db:"weight_mobility" json:"mobility"`
	Environment float64 `db:"weight_environment" json:"environment"`
}

// Get returns the weight of a domain by name, and false for an unknown name.
func (w DomainWeights) Get(domain string) (float64, bool) {
	switch domain {
	case "economy":
		return w.Economy, true
	case "government":
		return w.Government, true
	case "people":
		return w.People, true
	case "living":
		return w.Living, true
	case "mobility":
		return w.Mobility, true
	case "environment":
		return w.Environment, true
	}
	return 0, false
}

// Set sets the weight of a domain by name, and reports false for an unknown name.
func (w *DomainWeights) Set(domain string, v float64) bool {
	switch domain {
	case "economy":
		w.Economy = v
	case "government":
		w.Government = v
	case "people":
		w.People = v
	case "living":
		w.Living = v
	case "mobility":
		w.Mobility = v
	case "environment":
		w.Environment = v
	default:
		return false
	}
	return true
}

// Profile is what a city cares about and what it can carry; the matcher
// scores calls against it and the planner respects its capacity.
type Profile struct {
	CityID             int64  `db:"city_id" json:"-"`
	City               string `db:"city" json:"city"`
	DomainWeights      `json:"domain_weights"`
	KeywordsNL         pq.StringArray `db:"keywords_nl" json:"keywords_nl"`
	KeywordsEN         pq.StringArray `db:"keywords_en" json:"keywords_en"`
	ExcludedProgrammes pq.StringArray `db:"excluded_programmes" json:"excluded_programmes"`
	// PreparationDays is the minimum time the city needs before a deadline;
	// nil means the programme's default.
	PreparationDays   *int    `db:"preparation_days" json:"preparation_days"`
	MaxConcurrentBids int     `db:"max_concurrent_bids" json:"max_concurrent_bids"`
	CoFundingCapacity float64 `db:"cofunding_capacity" json:"cofunding_capacity"`
	StartingPoint     bool    `db:"starting_point" json:"starting_point"`
	// Derived is set on a profile fundmatch derived from similar
	// municipalities; saving the profile (an officer's edit) clears it.
	Derived   bool      `db:"derived" json:"derived"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

const profileColumns = `p.city_id, c.slug AS city, p.weight_economy, p.weight_government, p.weight_people,
	p.weight_living, p.weight_mobility, p.weight_environment, p.keywords_nl, p.keywords_en, p.excluded_programmes,
	p.preparation_days, p.max_concurrent_bids, p.cofunding_capacity, p.starting_point, p.derived, p.updated_at`

// ProfileBySlug returns the profile of the city with that slug, or ErrNotFound.
func (s *Store) ProfileBySlug(ctx context.Context, slug string) (Profile, error) {
	var p Profile
	err := s.db.GetContext(ctx, &p, `SELECT `+profileColumns+`
		FROM profiles p JOIN cities c ON c.id = p.city_id WHERE c.slug = $1`, slug)
	if err != nil {
		return Profile{}, notFound(err, "profile of "+slug)
	}
	return p, nil
}

// Profiles returns every profile.
func (s *Store) Profiles(ctx context.Context) ([]Profile, error) {
	var ps []Profile
	err := s.db.SelectContext(ctx, &ps, `SELECT `+profileColumns+`
		FROM profiles p JOIN cities c ON c.id = p.city_id ORDER BY c.slug`)
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	return ps, nil
}

// SaveProfile writes p for the city p.CityID in a transaction of its own,
// as Tx.SaveProfile does without onlyIfMissing. It reports whether anything
// changed.
func (s *Store) SaveProfile(ctx context.Context, p Profile) (changed bool, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		changed, err = tx.SaveProfile(ctx, p, false)
		return err
	})
	return changed, err
}

// SaveProfile writes p for the city p.CityID, in t. With onlyIfMissing, an
// existing profile is left as it is (a seed must never overwrite an
// officer's edits).
// An unchanged profile is not rewritten, but saving a derived profile as it
// is clears its Derived flag: the officer has adopted it. It reports whether anything changed.
func (t *Tx) SaveProfile(ctx context.Context, p Profile, onlyIfMissing bool) (changed bool, err error) {
	if err := firstError(checkList("keywords_nl", p.KeywordsNL, MaxKeywordLen, MaxKeywords), checkList("keywords_en", p.KeywordsEN, MaxKeywordLen, MaxKeywords),
		checkList("excluded_programmes", p.ExcludedProgrammes, MaxCodeLen, maxExcludedProg), checkAmount("cofunding_capacity", &p.CoFundingCapacity)); err != nil {
		return false, err
	}
	for _, d := range Domains {
		if w, _ := p.DomainWeights.Get(d); math.IsNaN(w) || w < 0 || w > 1 {
			return false, &ValidationError{"weight_" + d, "want a number from 0 to 1"}
		}
	}
	for _, a := range []*pq.StringArray{&p.KeywordsNL, &p.KeywordsEN, &p.ExcludedProgrammes} {
		if *a == nil {
			*a = pq.StringArray{}
		}
	}
	conflict := `ON CONFLICT (city_id) DO UPDATE SET
			weight_economy = EXCLUDED.weight_economy, weight_government = EXCLUDED.weight_government,
			weight_people = EXCLUDED.weight_people, weight_living = EXCLUDED.weight_living,
			weight_mobility = EXCLUDED.weight_mobility, weight_environment = EXCLUDED.weight_environment,
			keywords_nl = EXCLUDED.keywords_nl, keywords_en = EXCLUDED.keywords_en,
			excluded_programmes = EXCLUDED.excluded_programmes, preparation_days = EXCLUDED.preparation_days,
			max_concurrent_bids = EXCLUDED.max_concurrent_bids, cofunding_capacity = EXCLUDED.cofunding_capacity,
			starting_point = EXCLUDED.starting_point, derived = EXCLUDED.derived, updated_at = now()
		WHERE (profiles.weight_economy, profiles.weight_government, profiles.weight_people, profiles.weight_living,
		       profiles.weight_mobility, profiles.weight_environment, profiles.keywords_nl, profiles.keywords_en,
		       profiles.excluded_programmes, profiles.preparation_days, profiles.max_concurrent_bids,
		       profiles.cofunding_capacity, profiles.starting_point, profiles.derived)
		      IS DISTINCT FROM
		      (EXCLUDED.weight_economy, EXCLUDED.weight_government, EXCLUDED.weight_people, EXCLUDED.weight_living,
		       EXCLUDED.weight_mobility, EXCLUDED.weight_environment, EXCLUDED.keywords_nl, EXCLUDED.keywords_en,
		       EXCLUDED.excluded_programmes, EXCLUDED.preparation_days, EXCLUDED.max_concurrent_bids,
		       EXCLUDED.cofunding_capacity, EXCLUDED.starting_point, EXCLUDED.derived)`
	if onlyIfMissing {
		conflict = `ON CONFLICT (city_id) DO NOTHING`
	}
	res, err := t.tx.ExecContext(ctx, `
		INSERT INTO profiles (city_id, weight_economy, weight_government, weight_people, weight_living,
			weight_mobility, weight_environment, keywords_nl, keywords_en, excluded_programmes, preparation_days,
			max_concurrent_bids, cofunding_capacity, starting_point, derived)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) `+conflict,
		p.CityID, p.DomainWeights.Economy, p.DomainWeights.Government, p.DomainWeights.People, p.DomainWeights.Living,
		p.DomainWeights.Mobility, p.DomainWeights.Environment, p.KeywordsNL, p.KeywordsEN, p.ExcludedProgrammes,
		p.PreparationDays, p.MaxConcurrentBids, p.CoFundingCapacity, p.StartingPoint, p.Derived)
	if err != nil {
		return false, fmt.Errorf("save profile of %s: %w", p.City, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// SaveDerivedProfiles writes profiles fundmatch derived (Derived set) in one
// statement: a city without a profile gets its derived one, a derived
// profile is brought up to date, and a profile an officer has saved (no
// longer derived) is never touched. Unchanged profiles are not rewritten.
// It reports how many profiles were written.
func (t *Tx) SaveDerivedProfiles(ctx context.Context, ps []Profile) (int, error) {
	type row struct {
		CityID            int64    `json:"city_id"`
		Economy           float64  `json:"weight_economy"`
		Government        float64  `json:"weight_government"`
		People            float64  `json:"weight_people"`
		Living            float64  `json:"weight_living"`
		Mobility          float64  `json:"weight_mobility"`
		Environment       float64  `json:"weight_environment"`
		KeywordsNL        []string `json:"keywords_nl"`
		KeywordsEN        []string `json:"keywords_en"`
		MaxConcurrentBids int      `json:"max_concurrent_bids"`
		CoFundingCapacity float64  `json:"cofunding_capacity"`
	}
	rows := make([]row, len(ps))
	for i, p := range ps {
		w := p.DomainWeights
		rows[i] = row{p.CityID, w.Economy, w.Government, w.People, w.Living, w.Mobility, w.Environment,
			append([]string{}, p.KeywordsNL...), append([]string{}, p.KeywordsEN...), p.MaxConcurrentBids, p.CoFundingCapacity}
	}
	input, err := json.Marshal(rows)
	if err != nil {
		return 0, err
	}
	res, err := t.tx.ExecContext(ctx, `
		INSERT INTO profiles (city_id, weight_economy, weight_government, weight_people, weight_living,
			weight_mobility, weight_environment, keywords_nl, keywords_en, max_concurrent_bids, cofunding_capacity,
			starting_point, derived)
		SELECT i.city_id, i.weight_economy, i.weight_government, i.weight_people, i.weight_living,
		       i.weight_mobility, i.weight_environment, i.keywords_nl, i.keywords_en, i.max_concurrent_bids,
		       i.cofunding_capacity, true, true
		FROM jsonb_to_recordset($1::jsonb) AS i(city_id bigint, weight_economy real, weight_government real,
			weight_people real, weight_living real, weight_mobility real, weight_environment real,
			keywords_nl text[], keywords_en text[], max_concurrent_bids integer, cofunding_capacity numeric)
		ORDER BY i.city_id
		ON CONFLICT (city_id) DO UPDATE SET
			weight_economy = EXCLUDED.weight_economy, weight_government = EXCLUDED.weight_government,
			weight_people = EXCLUDED.weight_people, weight_living = EXCLUDED.weight_living,
			weight_mobility = EXCLUDED.weight_mobility, weight_environment = EXCLUDED.weight_environment,
			keywords_nl = EXCLUDED.keywords_nl, keywords_en = EXCLUDED.keywords_en,
			max_concurrent_bids = EXCLUDED.max_concurrent_bids, cofunding_capacity = EXCLUDED.cofunding_capacity,
			updated_at = now()
		WHERE profiles.derived
		  AND (profiles.weight_economy, profiles.weight_government, profiles.weight_people, profiles.weight_living,
		       profiles.weight_mobility, profiles.weight_environment, profiles.keywords_nl, profiles.keywords_en,
		       profiles.max_concurrent_bids, profiles.cofunding_capacity)
		      IS DISTINCT FROM
		      (EXCLUDED.weight_economy, EXCLUDED.weight_government, EXCLUDED.weight_people, EXCLUDED.weight_living,
		       EXCLUDED.weight_mobility, EXCLUDED.weight_environment, EXCLUDED.keywords_nl, EXCLUDED.keywords_en,
		       EXCLUDED.max_concurrent_bids, EXCLUDED.cofunding_capacity)`, string(input))
	if err != nil {
		return 0, fmt.Errorf("save derived profiles: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
