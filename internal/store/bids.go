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

// UptakeFilter narrows the uptake to the bids of a year and programme and
// to the cities of a province and kind; a zero field narrows nothing.
type UptakeFilter struct {
	Year      int
	Programme string
	Province  string
	Kind      string
}

// where returns the SQL conditions of f on bids b and on cities ct, adding
// their parameters to args.
func (f UptakeFilter) where(args *[]any) (bids, cities string) {
	b, c := []string{"true"}, []string{"true"}
	add := func(to *[]string, cond string, v any) {
		*args = append(*args, v)
		*to = append(*to, fmt.Sprintf(cond, len(*args)))
	}
	if f.Year != 0 {
		add(&b, "b.year = $%d", f.Year)
	}
	if f.Programme != "" {
		add(&b, "upper(b.programme) = upper($%d)", f.Programme)
	}
	if f.Province != "" {
		add(&c, "ct.province = $%d", f.Province)
	}
	if f.Kind != "" {
		add(&c, "ct.kind = $%d", f.Kind)
	}
	return strings.Join(b, " AND "), strings.Join(c, " AND ")
}

// countedMember is the condition under which member bm of bid b counts in
// the uptake. A member city that declined a plan after it was accepted
// does not take part in its bid, so it does not count as planning it.
// An officer's (or plan's) bid for a project that an imported bid (CORDIS,
// Kohesio, keep.eu) also records is the same fact: the imported figures
// stand and it is not counted twice.
const countedMember = `NOT EXISTS (SELECT 1 FROM consortium_members cm
		WHERE cm.plan_id = b.plan_id AND cm.city_id = bm.city_id AND cm.response = 'declined')
	AND NOT (b.source IN ('officer', 'plan') AND b.project_id IS NOT NULL AND EXISTS (
		SELECT 1 FROM bids i WHERE i.project_id = b.project_id AND i.source IN ('cordis', 'kohesio', 'keep')))`

// memberAmount is the EU money of bid b that counts for member bm, for
// column requested or granted: a member's own amount when recorded, else
// the bid's for its lead only, so a consortium's money is not counted once
// per member.
func memberAmount(column string) string {
	return "coalesce(bm.amount_" + column + ", CASE WHEN bm.role = 'lead' THEN b.amount_" + column + " END)"
}

// Uptake sums the bids per city, programme and year, within f.
func (s *Store) Uptake(ctx context.Context, f UptakeFilter) ([]UptakeRow, error) {
	var args []any
	bids, cities := f.where(&args)
	var rows []UptakeRow
	err := s.db.SelectContext(ctx, &rows, `SELECT ct.slug AS city, ct.name_nl AS city_name, b.programme, b.year,
		count(*) FILTER (WHERE b.status = 'planned') AS planned,
		count(*) FILTER (WHERE b.status IN ('submitted', 'won', 'lost')) AS submitted,
		count(*) FILTER (WHERE b.status = 'won') AS won,
		count(*) FILTER (WHERE b.status = 'lost') AS lost,
		coalesce(sum(`+memberAmount("requested")+`), 0)::float8 AS requested,
		coalesce(sum(`+memberAmount("granted")+`) FILTER (WHERE b.status = 'won'), 0)::float8 AS granted
		FROM bids b JOIN bid_members bm ON bm.bid_id = b.id JOIN cities ct ON ct.id = bm.city_id
		WHERE `+countedMember+` AND `+bids+` AND `+cities+`
		GROUP BY ct.slug, ct.name_nl, b.programme, b.year
		ORDER BY b.year DESC, ct.slug, b.programme`, args...)
	if err != nil {
		return nil, fmt.Errorf("uptake: %w", err)
	}
	return rows, nil
}

// UptakeChoices are the values the uptake can be filtered on: the years
// and programmes of the bids, and the provinces of the cities.
type UptakeChoices struct {
	Years      []int
	Programmes []string
	Provinces  []string
}

// UptakeChoices returns what the uptake can be filtered on, in order.
func (s *Store) UptakeChoices(ctx context.Context) (UptakeChoices, error) {
	var o UptakeChoices
	if err := s.db.SelectContext(ctx, &o.Years, `SELECT DISTINCT year FROM bids ORDER BY year DESC`); err != nil {
		return o, fmt.Errorf("uptake years: %w", err)
	}
	if err := s.db.SelectContext(ctx, &o.Programmes, `SELECT DISTINCT upper(programme) FROM bids WHERE programme <> '' ORDER BY 1`); err != nil {
		return o, fmt.Errorf("uptake programmes: %w", err)
	}
	if err := s.db.SelectContext(ctx, &o.Provinces, `SELECT DISTINCT province FROM cities WHERE province <> '' ORDER BY 1`); err != nil {
		return o, fmt.Errorf("uptake provinces: %w", err)
	}
	return o, nil
}

// CityActivity compares what fundmatch matched for a city with what the
// city did about it.
type CityActivity struct {
	City       string  `json:"city" db:"city"`
	CityName   string  `json:"city_name" db:"city_name"`
	Population int     `json:"population" db:"population"`
	Matched    int     `json:"matched_calls" db:"matched"`       // open or forthcoming calls scoring at least MatchedScore
	Strong     int     `json:"strong_matches" db:"strong"`       // of which scoring at least StrongScore
	ActedOn    int     `json:"calls_acted_on" db:"acted"`        // calls marked anything but not relevant
	Submitted  int     `json:"bids_submitted" db:"submitted"`    // bids submitted, won or lost
	Won        int     `json:"won" db:"won"`                     // bids won
	Granted    float64 `json:"eu_granted" db:"granted"`          // EU money of the bids won
	Recent     int     `json:"recent_bids_projects" db:"recent"` // bids (any status) and EU projects since Since
}

// ActivityQuery says which cities and bids count in Activity and from
// which scores a match counts.
type ActivityQuery struct {
	UptakeFilter     // Year and Programme narrow the bids, Programme the calls too
	MatchedScore int // a match counts from this score
	StrongScore  int // and is a strong one from this score
	Since        int // the first year in which a bid or project counts as recent
}

// Activity returns, per city within q, the matched calls against the calls
// acted on, the bids submitted and won, the EU money granted, and the bids
// and projects since q.Since.
func (s *Store) Activity(ctx context.Context, q ActivityQuery) ([]CityActivity, error) {
	var args []any
	bids, cities := q.where(&args)
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	matched, strong, since := param(q.MatchedScore), param(q.StrongScore), param(q.Since)
	programme := "true" // on calls c; on projects p and bids b once c. becomes p. or b.
	if q.Programme != "" {
		programme = "upper(c.programme) = upper(" + param(q.Programme) + ")"
	}
	// Recent bids and projects are those of the last years whatever the
	// year filter: whether a city needs help is a question about now.
	recent := `b.year >= ` + since + ` AND b.status <> 'withdrawn' AND ` + strings.ReplaceAll(programme, "c.", "b.")
	// Each count is one pass over its table, grouped by city, rather than
	// a query per city.
	var out []CityActivity
	err := s.db.SelectContext(ctx, &out, `WITH
		matched AS (SELECT m.city_id, count(*) AS matched, count(*) FILTER (WHERE m.score >= `+strong+`) AS strong
			FROM matches m JOIN calls c ON c.id = m.call_id
			WHERE m.score >= `+matched+` AND c.status <> 'closed' AND `+programme+` GROUP BY m.city_id),
		acted AS (SELECT ci.city_id, count(*) AS acted FROM call_interests ci JOIN calls c ON c.id = ci.call_id
			WHERE ci.status <> 'not_relevant' AND `+programme+` GROUP BY ci.city_id),
		bid AS (SELECT bm.city_id,
				count(*) FILTER (WHERE b.status IN ('submitted', 'won', 'lost') AND `+bids+`) AS submitted,
				count(*) FILTER (WHERE b.status = 'won' AND `+bids+`) AS won,
				coalesce(sum(`+memberAmount("granted")+`) FILTER (WHERE b.status = 'won' AND `+bids+`), 0)::float8 AS granted,
				count(*) FILTER (WHERE `+recent+`) AS recent
			FROM bid_members bm JOIN bids b ON b.id = bm.bid_id WHERE `+countedMember+` GROUP BY bm.city_id),
		project AS (SELECT pm.city_id, count(*) AS recent FROM project_members pm JOIN projects p ON p.id = pm.project_id
			WHERE p.year >= `+since+` AND `+strings.ReplaceAll(programme, "c.", "p.")+` GROUP BY pm.city_id)
		SELECT ct.slug AS city, ct.name_nl AS city_name, ct.population,
			coalesce(matched.matched, 0) AS matched, coalesce(matched.strong, 0) AS strong, coalesce(acted.acted, 0) AS acted,
			coalesce(bid.submitted, 0) AS submitted, coalesce(bid.won, 0) AS won, coalesce(bid.granted, 0) AS granted,
			coalesce(bid.recent, 0) + coalesce(project.recent, 0) AS recent
		FROM cities ct LEFT JOIN matched ON matched.city_id = ct.id LEFT JOIN acted ON acted.city_id = ct.id
			LEFT JOIN bid ON bid.city_id = ct.id LEFT JOIN project ON project.city_id = ct.id
		WHERE `+cities+` ORDER BY ct.slug`, args...)
	if err != nil {
		return nil, fmt.Errorf("city activity: %w", err)
	}
	return out, nil
}
