package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Bid is one entry of the uptake record, with its member cities.
type Bid struct {
	ID              int64       `json:"id"`
	CallIdentifier  *string     `json:"call"`
	Programme       string      `json:"programme"`
	Title           string      `json:"title"`
	Year            int         `json:"year"`
	Status          BidStatus   `json:"status"`
	AmountRequested *float64    `json:"amount_requested"`
	AmountGranted   *float64    `json:"amount_granted"`
	Source          string      `json:"source"`
	Members         []BidMember `json:"members"`
	UpdatedAt       time.Time   `json:"updated_at"`
}

// BidMember is a city in a bid.
type BidMember struct {
	City string `json:"city"`
	Role string `json:"role"`
}

// BidFilter narrows the bids; CityIDs nil means every city.
type BidFilter struct {
	CityIDs   []int64
	Year      int
	Programme string
	Status    BidStatus
	Limit     int
	Offset    int
}

// Bids returns one page of bids, newest year first, and how many match.
func (s *Store) Bids(ctx context.Context, f BidFilter) ([]Bid, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CityIDs != nil {
		add("EXISTS (SELECT 1 FROM bid_members bm WHERE bm.bid_id = b.id AND bm.city_id = ANY($%d))", int64Array(f.CityIDs))
	}
	if f.Year != 0 {
		add("b.year = $%d", f.Year)
	}
	if f.Programme != "" {
		add("upper(b.programme) = upper($%d)", f.Programme)
	}
	if f.Status != "" {
		add("b.status = $%d", f.Status)
	}
	cond := "true"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM bids b WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count bids: %w", err)
	}
	q := `SELECT b.id, c.identifier, b.programme, b.title, b.year, b.status, b.amount_requested, b.amount_granted,
		b.source, b.updated_at, coalesce((SELECT json_agg(json_build_object('city', ct.slug, 'role', bm.role) ORDER BY bm.role, ct.slug)
			FROM bid_members bm JOIN cities ct ON ct.id = bm.city_id WHERE bm.bid_id = b.id), '[]')
		FROM bids b LEFT JOIN calls c ON c.id = b.call_id WHERE ` + cond + ` ORDER BY b.year DESC, b.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list bids: %w", err)
	}
	defer rows.Close()
	out := []Bid{}
	for rows.Next() {
		var b Bid
		var members jsonArray[BidMember]
		if err := rows.Scan(&b.ID, &b.CallIdentifier, &b.Programme, &b.Title, &b.Year, &b.Status, &b.AmountRequested,
			&b.AmountGranted, &b.Source, &b.UpdatedAt, &members); err != nil {
			return nil, 0, fmt.Errorf("list bids: %w", err)
		}
		b.Members = members
		out = append(out, b)
	}
	return out, total, rows.Err()
}

// NewBid is a bid an officer records through the API.
type NewBid struct {
	CallID          *int64
	Programme       string
	Title           string
	Year            int
	Status          BidStatus
	AmountRequested *float64
	AmountGranted   *float64
	LeadCityID      int64
	PartnerCityIDs  []int64
}

// CreateBid adds an officer-entered bid with its member cities and returns
// its id.
func (s *Store) CreateBid(ctx context.Context, nb NewBid) (int64, error) {
	if err := firstError(checkText("title", nb.Title, MaxTitleLen), checkText("programme", nb.Programme, MaxCodeLen),
		checkAmount("amount_requested", nb.AmountRequested), checkAmount("amount_granted", nb.AmountGranted)); err != nil {
		return 0, err
	}
	var id int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO bids (call_id, programme, title, year, status, amount_requested, amount_granted, source)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'officer') RETURNING id`,
			nb.CallID, nb.Programme, nb.Title, nb.Year, nb.Status, nb.AmountRequested, nb.AmountGranted).Scan(&id)
		if err != nil {
			return fmt.Errorf("add bid: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bid_members (bid_id, city_id, role) VALUES ($1, $2, 'lead')`, id, nb.LeadCityID); err != nil {
			return fmt.Errorf("add bid lead: %w", err)
		}
		for _, c := range nb.PartnerCityIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bid_members (bid_id, city_id, role) VALUES ($1, $2, 'partner')
				ON CONFLICT DO NOTHING`, id, c); err != nil {
				return fmt.Errorf("add bid partner: %w", err)
			}
		}
		return nil
	})
	return id, err
}

// UptakeRow is the funding uptake of one city in one programme and year.
type UptakeRow struct {
	City      string  `json:"city" db:"city"`
	CityName  string  `json:"city_name" db:"city_name"`
	Programme string  `json:"programme" db:"programme"`
	Year      int     `json:"year" db:"year"`
	Planned   int     `json:"planned" db:"planned"`
	Submitted int     `json:"submitted" db:"submitted"`
	Won       int     `json:"won" db:"won"`
	Lost      int     `json:"lost" db:"lost"`
	Requested float64 `json:"eu_requested" db:"requested"`
	Granted   float64 `json:"eu_granted" db:"granted"`
}

// Uptake sums the bids per city, programme and year. A member's own amounts
// count when recorded; otherwise the bid's amounts count for its lead only,
// so a consortium's money is not counted once per member.
func (s *Store) Uptake(ctx context.Context) ([]UptakeRow, error) {
	var rows []UptakeRow
	err := s.db.SelectContext(ctx, &rows, `SELECT ct.slug AS city, ct.name_nl AS city_name, b.programme, b.year,
		count(*) FILTER (WHERE b.status = 'planned') AS planned,
		count(*) FILTER (WHERE b.status IN ('submitted', 'won', 'lost')) AS submitted,
		count(*) FILTER (WHERE b.status = 'won') AS won,
		count(*) FILTER (WHERE b.status = 'lost') AS lost,
		coalesce(sum(coalesce(bm.amount_requested, CASE WHEN bm.role = 'lead' THEN b.amount_requested END)), 0)::float8 AS requested,
		coalesce(sum(coalesce(bm.amount_granted, CASE WHEN bm.role = 'lead' THEN b.amount_granted END)) FILTER (WHERE b.status = 'won'), 0)::float8 AS granted
		FROM bids b JOIN bid_members bm ON bm.bid_id = b.id JOIN cities ct ON ct.id = bm.city_id
		-- An officer's (or plan's) bid for a project that an imported bid
		-- (CORDIS, Kohesio, keep.eu) also records is the same fact: the
		-- imported figures stand and it is not counted twice.
		WHERE NOT (b.source IN ('officer', 'plan') AND b.project_id IS NOT NULL AND EXISTS (
			SELECT 1 FROM bids i WHERE i.project_id = b.project_id AND i.source IN ('cordis', 'kohesio', 'keep')))
		GROUP BY ct.slug, ct.name_nl, b.programme, b.year
		ORDER BY b.year DESC, ct.slug, b.programme`)
	if err != nil {
		return nil, fmt.Errorf("uptake: %w", err)
	}
	return rows, nil
}

// CityActivity compares what fundmatch matched for a city with what the
// city did about it.
type CityActivity struct {
	City     string  `json:"city" db:"city"`
	CityName string  `json:"city_name" db:"city_name"`
	Matched  int     `json:"matched_calls" db:"matched"` // open or forthcoming calls scoring at least minScore
	ActedOn  int     `json:"calls_acted_on" db:"acted"`  // calls marked anything but not relevant
	Won      int     `json:"won" db:"won"`
	Granted  float64 `json:"eu_granted" db:"granted"`
}

// Activity returns every city's matched calls against calls acted on, with
// bids won and EU money granted.
func (s *Store) Activity(ctx context.Context, minScore int) ([]CityActivity, error) {
	var out []CityActivity
	err := s.db.SelectContext(ctx, &out, `SELECT ct.slug AS city, ct.name_nl AS city_name,
		(SELECT count(*) FROM matches m JOIN calls c ON c.id = m.call_id
			WHERE m.city_id = ct.id AND m.score >= $1 AND c.status <> 'closed') AS matched,
		(SELECT count(*) FROM call_interests ci WHERE ci.city_id = ct.id AND ci.status <> 'not_relevant') AS acted,
		(SELECT count(*) FROM bid_members bm JOIN bids b ON b.id = bm.bid_id WHERE bm.city_id = ct.id AND b.status = 'won') AS won,
		(SELECT coalesce(sum(coalesce(bm.amount_granted, CASE WHEN bm.role = 'lead' THEN b.amount_granted END)), 0)::float8
			FROM bid_members bm JOIN bids b ON b.id = bm.bid_id WHERE bm.city_id = ct.id AND b.status = 'won') AS granted
		FROM cities ct ORDER BY ct.slug`, minScore)
	if err != nil {
		return nil, fmt.Errorf("city activity: %w", err)
	}
	return out, nil
}
