package store

import (
	"context"
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
	NL        string `json:"nl"`
	EN        string `json:"en"`
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
}

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

const selectCityMatch = `SELECT ct.id, ct.slug, ct.name_nl, c.identifier, c.title, c.programme, c.status,
	next_deadline(c.deadlines, $1::date) AS next_deadline,
	c.budget_min, c.budget_max, c.call_budget, c.types_of_action, m.score, m.eligibility, m.relevance, m.experience, m.feasibility, m.reasons,
	m.text_nl, m.text_en, m.summary_nl, m.summary_en, coalesce(ci.status, ''), m.scored_at`

// cityMatchDest returns where selectCityMatch's columns go in m, then
// extra. Rows scanned into one CityMatch through it, and copied from there,
// share these destinations instead of allocating them for every row.
func cityMatchDest(m *CityMatch, extra ...any) []any {
	// The reasons column is a JSON array (its CHECK), passed on as it is.
	return append([]any{&m.CityID, &m.City, &m.CityName, &m.CallIdentifier, &m.Title, &m.Programme, &m.CallStatus, &m.NextDeadline,
		&m.BudgetMin, &m.BudgetMax, &m.CallBudget, (*pq.StringArray)(&m.TypesOfAction), &m.Score, &m.Eligibility, &m.Relevance, &m.Experience, &m.Feasibility,
		(*[]byte)(&m.Reasons), &m.Explanation.NL, &m.Explanation.EN, &m.Explanation.SummaryNL, &m.Explanation.SummaryEN,
		&m.Interest, &m.ScoredAt}, extra...)
}

// CityMatches returns one page of a city's matched calls and how many match
// the filter in all (-1 with f.SkipCount). today decides which deadline is
// next.
//
// It works in two steps in one query: the page's keys are picked from the
// narrow index columns (matches_city_score_call, which holds the call's
// cut-offs too, and calls_page_keys when a filter or sort needs the
// call), then only those rows are read whole. Sorting a city's 2,000
// matches by deadline thus reads one index and the page's rows.
func (s *Store) CityMatches(ctx context.Context, cityID int64, f MatchFilter, today time.Time) ([]CityMatch, int, error) {
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
	// The match's copy of the deadlines: no call looked up.
	keys := "m.call_id, m.score, m.relevance, next_deadline(m.deadlines, $1::date) AS next_deadline"
	switch f.Sort {
	case "budget":
		keys += ", coalesce(c.budget_max, c.call_budget) AS budget"
	}
	page := "SELECT " + keys + " FROM " + from + " WHERE " + cond + " ORDER BY " + orderBy(order, "")
	if f.Limit > 0 {
		// The limit is part of the text: with a parameter there PostgreSQL
		// cannot cost a generic plan and plans every call anew.
		args = append(args, f.Offset)
		page += fmt.Sprintf(" LIMIT %d OFFSET $%d", f.Limit, len(args))
	}
	// The rows are found again by the whole key of matches_city_score_call,
	// whose city's part is a few index pages already read for the keys;
	// by the primary key (call, city) each would be a leaf page of its
	// own, mostly not in shared buffers. The city is read once
	// (MATERIALIZED), not again for every row as a join would.
	q := "WITH ct AS MATERIALIZED (SELECT id, slug, name_nl FROM cities WHERE id = $2), page AS (" + page + ") " + selectCityMatch + `
	FROM page JOIN matches m ON m.city_id = $2 AND m.score = page.score AND m.relevance = page.relevance AND m.call_id = page.call_id
	JOIN calls c ON c.id = page.call_id CROSS JOIN ct
	LEFT JOIN call_interests ci ON ci.city_id = $2 AND ci.call_id = page.call_id
	ORDER BY ` + orderBy(order, "page.")
	rows, err := s.stmts.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list matches: %w", err)
	}
	defer rows.Close()
	out := make([]CityMatch, 0, f.Limit) // a match is some 300 bytes: no growing by copies
	var m CityMatch
	dest := cityMatchDest(&m)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, fmt.Errorf("list matches: %w", err)
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
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
	rows, err := s.db.QueryContext(ctx, selectCityMatch+`, m.call_id
	FROM matches m JOIN calls c ON c.id = m.call_id JOIN cities ct ON ct.id = m.city_id
	LEFT JOIN call_interests ci ON ci.city_id = m.city_id AND ci.call_id = m.call_id
	WHERE m.call_id = ANY($2) ORDER BY m.call_id, m.score DESC, ct.slug`,
		today.Format(time.DateOnly), pq.Int64Array(callIDs))
	if err != nil {
		return nil, fmt.Errorf("cities matching %d calls: %w", len(callIDs), err)
	}
	defer rows.Close()
	out := make(map[int64][]CityMatch, len(callIDs))
	var m CityMatch
	var callID int64
	dest := cityMatchDest(&m, &callID)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("cities matching %d calls: %w", len(callIDs), err)
		}
		out[callID] = append(out[callID], m)
	}
	return out, rows.Err()
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
