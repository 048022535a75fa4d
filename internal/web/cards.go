package web

import (
	"context"
	"strconv"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
)

// cardTables are the tables the calls' cards are read from.
var cardTables = []string{"calls"}

// cardCost is what a kept card costs: its text, and some for the rest.
func cardCost(key string, c *store.CallCard) int {
	n := len(key) + len(c.Identifier) + len(c.Title) + len(c.Programme) + 128
	for _, t := range c.TypesOfAction {
		n += len(t) + 16
	}
	return n
}

// cityMatches reads a page of a city's matches (see store.CityMatches).
// What the page shows of its calls (their cards, the same for every city)
// comes from what the server keeps, while the data behind it can be
// versioned; a page then reads only the city's matches. The cards not kept
// yet are read in one more query. In the matches API benchmark, looking up
// the page's calls was a third of PostgreSQL's work.
func (s *Server) cityMatches(ctx context.Context, cityID int64, f store.MatchFilter, today time.Time) ([]store.CityMatch, int, error) {
	version, ok := s.dataVersion(cardTables)
	if !ok {
		return s.cfg.Store.CityMatches(ctx, cityID, f, today)
	}
	matches, total, err := s.cfg.Store.CityMatchesWithoutCards(ctx, cityID, f, today)
	if err != nil {
		return nil, 0, err
	}
	cards := make([]*store.CallCard, len(matches))
	var missing []int64
	for i, m := range matches {
		if c, ok := s.cards.get(version, strconv.FormatInt(m.CallID, 10)); ok {
			cards[i] = c
		} else {
			missing = append(missing, m.CallID)
		}
	}
	if len(missing) > 0 {
		read, err := s.cfg.Store.CallCards(ctx, missing)
		if err != nil {
			return nil, 0, err
		}
		for i, m := range matches {
			if c, ok := read[m.CallID]; ok && cards[i] == nil {
				cards[i] = c
				s.cards.put(version, strconv.FormatInt(m.CallID, 10), c)
			}
		}
	}
	// A call removed since its match was read leaves the page.
	kept := matches[:0]
	for i := range matches {
		if cards[i] != nil {
			matches[i].SetCall(cards[i])
			kept = append(kept, matches[i])
		}
	}
	return kept, total, nil
}
