package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/funding"
)

// MatchReason is one reason the matcher gives, in both languages.
type MatchReason struct {
	Code string `json:"code"`
	NL   string `json:"nl"`
	EN   string `json:"en"`
	// A theme covered or a past project resembled names the words on each
	// side and how strongly they matched (0..1).
	ProfileWords []string `json:"profile_words,omitempty"`
	CallWords    []string `json:"call_words,omitempty"`
	Strength     float64  `json:"strength,omitempty"`
}

// MatchExplanation is the matcher's explanation of a score as text in both
// languages (the stored explanation holds more: concepts, keywords, the
// project it resembles; `fundmatch explain` shows those).
type MatchExplanation struct {
	NL        string `json:"nl,omitempty"` // left out of a page that asks for the summary only
	EN        string `json:"en,omitempty"`
	SummaryNL string `json:"summary_nl"` // one line, for lists and alerts
	SummaryEN string `json:"summary_en"`
}

// MatchReasons are a match's reasons as stored (a JSON array of
// MatchReason). Lists pass them on as they are, without decoding and
// encoding them again; List decodes them.
type MatchReasons json.RawMessage

// MarshalJSON returns the stored JSON.
func (r MatchReasons) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("[]"), nil
	}
	return r, nil
}

// List returns the reasons (none if they do not decode, which the
// column's CHECK rules out).
func (r MatchReasons) List() []MatchReason {
	var out []MatchReason
	if len(r) > 0 {
		json.Unmarshal(r, &out)
	}
	return out
}

// CityMatch is a matched call as a city sees it in its list.
type CityMatch struct {
	CityID         int64               `json:"-"`
	City           string              `json:"city"`
	CityName       string              `json:"city_name"` // its Dutch name
	CallID         int64               `json:"-"`
	CallIdentifier string              `json:"call"`
	Title          string              `json:"title"`
	Programme      string              `json:"programme"`
	CallStatus     funding.Status      `json:"call_status"`
	NextDeadline   *time.Time          `json:"next_deadline"`
	BudgetMin      *float64            `json:"budget_min"`
	BudgetMax      *float64            `json:"budget_max"`
	CallBudget     *float64            `json:"call_budget"`
	TypesOfAction  []string            `json:"types_of_action,omitempty"` // e.g. "HORIZON-IA"
	Score          int                 `json:"score"`
	Eligibility    funding.Eligibility `json:"eligibility"`
	Relevance      float64             `json:"relevance"`
	Experience     float64             `json:"experience"`
	Feasibility    float64             `json:"feasibility"`
	Reasons        MatchReasons        `json:"reasons"`
	Explanation    MatchExplanation    `json:"explanation"`
	Interest       InterestStatus      `json:"interest,omitempty"` // the city's mark, if any
	ScoredAt       time.Time           `json:"scored_at"`
}

// CallCard is what a list of matches shows of a matched call, the same for
// every city it matches.
type CallCard struct {
	Identifier    string
	Title         string
	Programme     string
	Status        funding.Status
	BudgetMin     *float64
	BudgetMax     *float64
	CallBudget    *float64
	TypesOfAction []string
}

// SetCall fills in what m shows of its call.
func (m *CityMatch) SetCall(c *CallCard) {
	m.CallIdentifier, m.Title, m.Programme, m.CallStatus = c.Identifier, c.Title, c.Programme, c.Status
	m.BudgetMin, m.BudgetMax, m.CallBudget, m.TypesOfAction = c.BudgetMin, c.BudgetMax, c.CallBudget, c.TypesOfAction
}

// MatchFilter narrows and orders a city's matches; zero values do not filter.
type MatchFilter struct {
	// ExcludeIneligible and ExcludeClosed leave out the calls the city
	// cannot apply for, and the closed ones.
	ExcludeIneligible bool
	ExcludeClosed     bool
	Programme         string
	Eligibility       funding.Eligibility
	MinScore          int
	CallStatus        funding.Status
	Interest          InterestStatus
	Sort              string // "score" (default), "deadline" or "budget"
	Limit             int
	Offset            int
	// SkipCount leaves the total uncounted (-1), which saves a query when
	// the caller only needs to know whether there is a next page (ask for
	// Limit+1 rows).
	SkipCount bool
	// Detail is how much of a match's explanation a page reads.
	Detail Detail
}

// Detail is how much of a match's explanation a page of matches reads. A
// city's best matches are explained, with some 2.5 kB of reasons and 2 kB
// of texts each: read whole, they made a page of the API four times as
// costly to read from PostgreSQL (pgbench: 900–1,100 pages a second
// against 3,700–4,300 without them).
type Detail int

const (
	// DetailFull reads the reasons and the texts.
	DetailFull Detail = iota
	// DetailReasons leaves the texts out of a match that has a summary,
	// which is what a list shows. A match explained before summaries
	// existed keeps its texts, whose first sentence stands in for one.
	DetailReasons
	// DetailSummary leaves the reasons out too where there is a summary,
	// which names the themes covered, the past project and the
	// eligibility: a match without one keeps its reasons (its eligibility).
	DetailSummary
)

// MatchSorts are the orders MatchFilter.Sort accepts, over the columns of
// a page's keys (see CityMatches).
// Ties go to the more relevant call, then the nearer deadline, never to
// the order calls were crawled in.
var MatchSorts = map[string][]string{
	"score":    {"score DESC", "relevance DESC", "next_deadline NULLS LAST", "call_id"},
	"deadline": {"next_deadline NULLS LAST", "score DESC", "relevance DESC", "call_id"},
	"budget":   {"budget DESC NULLS LAST", "score DESC", "relevance DESC", "call_id"},
}

// orderBy is an ORDER BY list of keys, each prefixed.
func orderBy(keys []string, prefix string) string {
	return prefix + strings.Join(keys, ", "+prefix)
}

// The columns of a CityMatch: the city's and the match's (the next
// deadline from the match's copy of its call's cut-offs), then the call's
// card. cityMatchDest scans them.
const (
	cityMatchColumns = matchColumnsHead + "m.reasons, m.text_nl, m.text_en" + matchColumnsTail
	cardColumns      = `c.identifier, c.title, c.programme, c.status, c.budget_min, c.budget_max, c.call_budget, c.types_of_action`
	selectCityMatch  = "SELECT " + cityMatchColumns + ", " + cardColumns
	// selectJoinedMatches reads matches of any cities whole, with their
	// cities, calls and marks joined: add the WHERE.
	selectJoinedMatches = selectCityMatch + `
	FROM matches m JOIN calls c ON c.id = m.call_id JOIN cities ct ON ct.id = m.city_id
	LEFT JOIN call_interests ci ON ci.city_id = m.city_id AND ci.call_id = m.call_id`
	// The columns as DetailReasons and DetailSummary read them.
	reasonsColumns   = matchColumnsHead + "m.reasons, " + textsIfNoSummary + matchColumnsTail
	summaryColumns   = matchColumnsHead + `CASE WHEN ` + noSummary + ` THEN m.reasons END, ` + textsIfNoSummary + matchColumnsTail
	noSummary        = `m.summary_nl = '' AND m.summary_en = ''`
	textsIfNoSummary = `CASE WHEN ` + noSummary + ` THEN m.text_nl ELSE '' END, CASE WHEN ` + noSummary + ` THEN m.text_en ELSE '' END`
	matchColumnsHead = `ct.id, ct.slug, ct.name_nl, m.call_id, next_deadline(m.deadlines, $1::date) AS next_deadline,
	m.score, m.eligibility, m.relevance, m.experience, m.feasibility, `
	matchColumnsTail = `, m.summary_nl, m.summary_en, coalesce(ci.status, ''), m.scored_at`
)

// cityMatchDest returns where cityMatchColumns go in m, then, with card, where
// cardColumns go in card. Rows scanned into one CityMatch through it, and
// copied from there, share these destinations instead of allocating them
// for every row.
func cityMatchDest(m *CityMatch, card *CallCard) []any {
	// The reasons column is a JSON array (its CHECK), passed on as it is.
	dest := []any{&m.CityID, &m.City, &m.CityName, &m.CallID, &m.NextDeadline,
		&m.Score, &m.Eligibility, &m.Relevance, &m.Experience, &m.Feasibility,
		(*[]byte)(&m.Reasons), &m.Explanation.NL, &m.Explanation.EN, &m.Explanation.SummaryNL, &m.Explanation.SummaryEN,
		&m.Interest, &m.ScoredAt}
	if card != nil {
		dest = append(dest, cardDest(card)...)
	}
	return dest
}

// cardDest returns where cardColumns go in c.
func cardDest(c *CallCard) []any {
	return []any{&c.Identifier, &c.Title, &c.Programme, &c.Status, &c.BudgetMin, &c.BudgetMax, &c.CallBudget,
		(*pq.StringArray)(&c.TypesOfAction)}
}

// scanCityMatches reads rows of cityMatchColumns, then, with cards, of
// cardColumns. It makes room for size matches at once: a page does not grow
// by copies (a match is some 300 bytes).
func scanCityMatches(rows *sql.Rows, cards bool, size int) ([]CityMatch, error) {
	defer rows.Close()
	out := make([]CityMatch, 0, size)
	var m CityMatch
	var card *CallCard
	if cards {
		card = new(CallCard)
	}
	dest := cityMatchDest(&m, card)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if cards {
			m.SetCall(card)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CityMatches returns one page of a city's matched calls and how many match
// the filter in all (-1 with f.SkipCount). today decides which deadline is
// next.
func (s *Store) CityMatches(ctx context.Context, cityID int64, f MatchFilter, today time.Time) ([]CityMatch, int, error) {
	return s.cityMatches(ctx, cityID, f, today, true)
}

// CityMatchesWithoutCards is CityMatches for a caller that keeps the calls'
// cards (see CallCards): each match has its call's CallID and next
// deadline, the rest of the call is left for SetCall, and the calls are
// read only when a filter or the sort needs them.
func (s *Store) CityMatchesWithoutCards(ctx context.Context, cityID int64, f MatchFilter, today time.Time) ([]CityMatch, int, error) {
	return s.cityMatches(ctx, cityID, f, today, false)
}

// directRows is the longest first page by score that is read straight in
// the index's order (see cityMatches).
const directRows = 250

// cityMatches reads a page of a city's matches, with the calls' cards or
// without. A page by score that filters on the match alone is read in the
// index's order (matches_city_score_call), row by row until it is full.
// Any other page is picked in two steps in one query: its keys from the
// narrow index columns (matches_city_score_call, which holds the call's
// cut-offs too, and calls_page_keys when a filter or sort needs the call),
// then only those rows whole. Sorting a city's 2,000 matches by deadline
// thus reads one index and the page's rows.
func (s *Store) cityMatches(ctx context.Context, cityID int64, f MatchFilter, today time.Time, cards bool) ([]CityMatch, int, error) {
	args := []any{today.Format(time.DateOnly), cityID}
	where := []string{"m.city_id = $2"}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Programme != "" {
		add("upper(c.programme) = upper($%d)", f.Programme)
	}
	if f.Eligibility != "" {
		add("m.eligibility = $%d", f.Eligibility)
	}
	if f.MinScore > 0 {
		add("m.score >= $%d", f.MinScore)
	}
	if f.CallStatus != "" {
		add("c.status = $%d", f.CallStatus)
	}
	if f.ExcludeIneligible {
		where = append(where, "m.eligibility <> 'ineligible'")
	}
	if f.ExcludeClosed {
		where = append(where, "c.status <> 'closed'")
	}
	if f.Interest != "" {
		add("ci.status = $%d", f.Interest)
	}
	order, ok := MatchSorts[f.Sort]
	if !ok {
		f.Sort, order = "score", MatchSorts["score"]
	}
	cond := strings.Join(where, " AND ")
	// Calls and interests are joined only when a filter or the sort needs
	// them: a city's matches by score come from the index alone.
	from := "matches m"
	if f.Programme != "" || f.CallStatus != "" || f.ExcludeClosed || f.Sort == "budget" {
		from += " JOIN calls c ON c.id = m.call_id"
	}
	if f.Interest != "" {
		from += " JOIN call_interests ci ON ci.city_id = m.city_id AND ci.call_id = m.call_id"
	}
	total := -1
	if !f.SkipCount {
		err := s.stmts.queryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+cond+` AND $1::date IS NOT NULL`, args...).Scan(&total)
		if err != nil {
			return nil, 0, fmt.Errorf("count matches: %w", err)
		}
	}
	// The limit is part of the text: with a parameter there PostgreSQL
	// cannot cost a generic plan and plans every call anew.
	limit := ""
	direct := f.Sort == "score" && from == "matches m" && f.Offset == 0 && f.Limit > 0 && f.Limit <= directRows
	switch {
	case direct:
		// No offset either: the first page has none, and read row by
		// row PostgreSQL would cost a generic plan for some other.
		limit = fmt.Sprintf(" LIMIT %d", f.Limit)
	case f.Limit > 0:
		args = append(args, f.Offset)
		limit = fmt.Sprintf(" LIMIT %d OFFSET $%d", f.Limit, len(args))
	}
	columns := cityMatchColumns
	switch f.Detail {
	case DetailReasons:
		columns = reasonsColumns
	case DetailSummary:
		columns = summaryColumns
	}
	if cards {
		columns += ", " + cardColumns
	}
	// The city and its marks are read once (MATERIALIZED), not again for
	// every row as a join would: with few marks PostgreSQL scanned the
	// whole table of marks for each row, and its size asked of the file
	// system each time was a seventh of what a page cost it.
	q := `WITH ct AS MATERIALIZED (SELECT id, slug, name_nl FROM cities WHERE id = $2),
	marks AS MATERIALIZED (SELECT call_id, status FROM call_interests WHERE city_id = $2)`
	if direct {
		// The index's order is the page's but for the deadline, which
		// breaks ties of score and relevance: PostgreSQL reads the rows in
		// that order and sorts each tie, until the page is full.
		if cards {
			from += " JOIN calls c ON c.id = m.call_id"
		}
		q += " SELECT " + columns + " FROM " + from + ` CROSS JOIN ct
	LEFT JOIN marks ci ON ci.call_id = m.call_id
	WHERE ` + cond + " ORDER BY " + orderBy(order, "") + limit
	} else {
		// The rows are found again by their key (city, call): the city's
		// part of matches_pkey is a few index pages.
		keys := "m.call_id, m.score, m.relevance, next_deadline(m.deadlines, $1::date) AS next_deadline"
		if f.Sort == "budget" {
			keys += ", coalesce(c.budget_max, c.call_budget) AS budget"
		}
		q += ", page AS (SELECT " + keys + " FROM " + from + " WHERE " + cond + " ORDER BY " + orderBy(order, "") + limit + ")"
		q += " SELECT " + columns + `
	FROM page JOIN matches m ON m.city_id = $2 AND m.call_id = page.call_id`
		if cards {
			q += " JOIN calls c ON c.id = page.call_id"
		}
		q += ` CROSS JOIN ct
	LEFT JOIN marks ci ON ci.call_id = page.call_id
	ORDER BY ` + orderBy(order, "page.")
	}
	rows, err := s.stmts.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list matches: %w", err)
	}
	out, err := scanCityMatches(rows, cards, f.Limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list matches: %w", err)
	}
	return out, total, nil
}

// CallCards returns the cards of the calls with the given ids, by id. A
// call that is not stored is absent.
func (s *Store) CallCards(ctx context.Context, ids []int64) (map[int64]*CallCard, error) {
	rows, err := s.stmts.query(ctx, `SELECT c.id, `+cardColumns+` FROM calls c WHERE c.id = ANY($1)`, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("cards of %d calls: %w", len(ids), err)
	}
	defer rows.Close()
	out := make(map[int64]*CallCard, len(ids))
	for rows.Next() {
		var id int64
		c := new(CallCard)
		if err := rows.Scan(append([]any{&id}, cardDest(c)...)...); err != nil {
			return nil, fmt.Errorf("cards of %d calls: %w", len(ids), err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cards of %d calls: %w", len(ids), err)
	}
	return out, nil
}

// CityMatchOfCall returns a city's stored match of the call with the
// identifier (the one CallByIdentifier finds), with the whole explanation;
// ErrNotFound when there is no such call or the pair is not stored.
func (s *Store) CityMatchOfCall(ctx context.Context, cityID int64, identifier string, today time.Time) (CityMatch, error) {
	rows, err := s.db.QueryContext(ctx, selectJoinedMatches+`
	WHERE m.city_id = $2 AND m.call_id = (SELECT id FROM calls WHERE identifier = $3 ORDER BY source LIMIT 1)`,
		today.Format(time.DateOnly), cityID, identifier)
	if err != nil {
		return CityMatch{}, fmt.Errorf("match of call %s for city %d: %w", identifier, cityID, err)
	}
	matches, err := scanCityMatches(rows, true, 1)
	switch {
	case err != nil:
		return CityMatch{}, fmt.Errorf("match of call %s for city %d: %w", identifier, cityID, err)
	case len(matches) == 0:
		return CityMatch{}, ErrNotFound
	}
	return matches[0], nil
}

// CallMatches returns the cities a call matches, best first.
func (s *Store) CallMatches(ctx context.Context, callID int64, today time.Time) ([]CityMatch, error) {
	byCall, err := s.MatchesOfCalls(ctx, []int64{callID}, today)
	return byCall[callID], err
}

// MatchesOfCalls returns the cities each of the calls matches, best first,
// by call id, in one query: a page that lists calls asks once, not once per
// call. A call without matches is absent.
func (s *Store) MatchesOfCalls(ctx context.Context, callIDs []int64, today time.Time) (map[int64][]CityMatch, error) {
	rows, err := s.db.QueryContext(ctx, selectJoinedMatches+`
	WHERE `+byCall("ANY($2)")+` ORDER BY m.call_id, m.score DESC, ct.slug`,
		today.Format(time.DateOnly), pq.Int64Array(callIDs))
	if err != nil {
		return nil, fmt.Errorf("cities matching %d calls: %w", len(callIDs), err)
	}
	matches, err := scanCityMatches(rows, true, 0)
	if err != nil {
		return nil, fmt.Errorf("cities matching %d calls: %w", len(callIDs), err)
	}
	out := make(map[int64][]CityMatch, len(callIDs))
	for _, m := range matches {
		out[m.CallID] = append(out[m.CallID], m)
	}
	return out, nil
}

// CityMatchProgrammes returns the programmes of the calls a city has
// matches for, in order, for a filter to pick from.
func (s *Store) CityMatchProgrammes(ctx context.Context, cityID int64) ([]string, error) {
	var out []string
	err := s.db.SelectContext(ctx, &out, `SELECT DISTINCT c.programme FROM matches m JOIN calls c ON c.id = m.call_id
		WHERE m.city_id = $1 AND c.programme <> '' ORDER BY c.programme`, cityID)
	if err != nil {
		return nil, fmt.Errorf("programmes of city %d's matches: %w", cityID, err)
	}
	return out, nil
}

// CallProgramme is a programme that stored calls carry: its code and, when
// a source gave one, its full name.
type CallProgramme struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

// CallProgrammes returns the programmes of the stored calls, by code, for
// a person to pick from.
func (s *Store) CallProgrammes(ctx context.Context) ([]CallProgramme, error) {
	var out []CallProgramme
	err := s.db.SelectContext(ctx, &out, `SELECT upper(programme) AS code, max(programme_name) AS name FROM calls
		WHERE programme <> '' GROUP BY upper(programme) ORDER BY upper(programme)`)
	if err != nil {
		return nil, fmt.Errorf("programmes of the calls: %w", err)
	}
	return out, nil
}
