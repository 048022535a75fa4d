package web

import (
	"context"
	"sync"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
)

// cardTables are the tables the calls' cards are read from.
var cardTables = []string{"calls"}

// maxCards bounds how many cards are kept: past it they are dropped and
// read again as pages need them.
const maxCards = 100_000

// callCards keeps what lists show of the calls (their cards, the same for
// every city they match), by call id, for one version of the calls: a
// newer version drops them all.
type callCards struct {
	mu      sync.RWMutex
	version uint64
	cards   map[int64]*store.CallCard
}

// get puts in cards[i] the card of ids[i] kept at version, and returns the
// ids it has none for.
func (k *callCards) get(version uint64, ids []int64, cards []*store.CallCard) (missing []int64) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for i, id := range ids {
		if k.version == version {
			cards[i] = k.cards[id]
		}
		if cards[i] == nil {
			missing = append(missing, id)
		}
	}
	return missing
}

// put keeps cards read at version, the version read before them; it never
// mixes them with those of another version, and keeps those of the newest.
func (k *callCards) put(version uint64, cards map[int64]*store.CallCard) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if version < k.version {
		return
	}
	if version > k.version || k.cards == nil || len(k.cards)+len(cards) > maxCards {
		k.version, k.cards = version, make(map[int64]*store.CallCard, len(cards))
	}
	for id, c := range cards {
		k.cards[id] = c
	}
}

// cityMatches reads a page of a city's matches (see store.CityMatches).
// What the page shows of its calls comes from what the server keeps, while
// the calls can be versioned; a page then reads only the city's matches.
// The cards not kept yet are read in one more query. In the matches API
// benchmark, looking up the page's calls was a third of PostgreSQL's work.
func (s *Server) cityMatches(ctx context.Context, cityID int64, f store.MatchFilter, today time.Time) ([]store.CityMatch, int, error) {
	version, ok := s.dataVersion(cardTables)
	if !ok {
		return s.cfg.Store.CityMatches(ctx, cityID, f, today)
	}
	matches, total, err := s.cfg.Store.CityMatchesWithoutCards(ctx, cityID, f, today)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(matches))
	for i, m := range matches {
		ids[i] = m.CallID
	}
	cards := make([]*store.CallCard, len(matches))
	if missing := s.cards.get(version, ids, cards); len(missing) > 0 {
		read, err := s.cfg.Store.CallCards(ctx, missing)
		if err != nil {
			return nil, 0, err
		}
		s.cards.put(version, read)
		for i, id := range ids {
			if cards[i] == nil {
				cards[i] = read[id]
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
