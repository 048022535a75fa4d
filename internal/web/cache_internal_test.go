package web

import (
	"fmt"
	"slices"
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
)

func TestVersionedCacheKeepsTheNewestWithinItsBudget(t *testing.T) {
	c := newVersionedCache(1000, func(k string, v string) int { return len(k) + len(v) })
	c.put(5, "a", "five")
	if v, ok := c.get(5, "a"); !ok || v != "five" {
		t.Fatalf("get(5) = %q %v", v, ok)
	}
	if _, ok := c.get(6, "a"); ok {
		t.Fatal("a value of version 5 served at version 6")
	}
	c.put(4, "a", "four") // read before the change that made 5: dropped
	if v, _ := c.get(5, "a"); v != "five" {
		t.Fatalf("an older value replaced a newer one: %q", v)
	}
	c.put(6, "a", "six")
	if v, ok := c.get(6, "a"); !ok || v != "six" {
		t.Fatalf("get(6) = %q %v", v, ok)
	}
	// Too big for one entry (more than a sixteenth): not kept.
	c.put(6, "big", string(make([]byte, 100)))
	if _, ok := c.get(6, "big"); ok {
		t.Fatal("an oversized value was kept")
	}
	// Many values: the size stays within the budget, and the last one put
	// is there.
	for i := range 500 {
		c.put(6, fmt.Sprintf("k%03d", i), "0123456789")
	}
	if c.size > c.max {
		t.Fatalf("size %d over budget %d", c.size, c.max)
	}
	sum := 0
	for k, e := range c.entries {
		sum += len(k) + len(e.v)
	}
	if sum != c.size {
		t.Fatalf("size %d, entries add up to %d", c.size, sum)
	}
	if v, ok := c.get(6, "k499"); !ok || v != "0123456789" {
		t.Fatal("the last value put is not kept")
	}
}

func TestCallCardsKeepOneVersion(t *testing.T) {
	var k callCards
	card := func(title string) *store.CallCard { return &store.CallCard{Title: title} }
	got := func(version uint64, ids ...int64) ([]string, []int64) {
		cards := make([]*store.CallCard, len(ids))
		missing := k.get(version, ids, cards)
		var titles []string
		for _, c := range cards {
			if c == nil {
				titles = append(titles, "")
			} else {
				titles = append(titles, c.Title)
			}
		}
		return titles, missing
	}
	k.put(5, map[int64]*store.CallCard{1: card("one"), 2: card("two")})
	k.put(5, map[int64]*store.CallCard{3: card("three")})
	if titles, missing := got(5, 3, 1, 4); !slices.Equal(titles, []string{"three", "one", ""}) || !slices.Equal(missing, []int64{4}) {
		t.Fatalf("at 5: %q, missing %v", titles, missing)
	}
	if titles, missing := got(6, 1, 2); !slices.Equal(titles, []string{"", ""}) || !slices.Equal(missing, []int64{1, 2}) {
		t.Fatalf("cards of version 5 served at 6: %q, missing %v", titles, missing)
	}
	k.put(4, map[int64]*store.CallCard{1: card("old")}) // read before the change that made 5: dropped
	if titles, _ := got(5, 1); titles[0] != "one" {
		t.Fatalf("an older card replaced a newer one: %q", titles)
	}
	k.put(6, map[int64]*store.CallCard{2: card("renamed")}) // a newer version drops the rest
	if titles, missing := got(6, 1, 2); !slices.Equal(titles, []string{"", "renamed"}) || !slices.Equal(missing, []int64{1}) {
		t.Fatalf("at 6: %q, missing %v", titles, missing)
	}
	if titles, _ := got(5, 1, 2); !slices.Equal(titles, []string{"", ""}) {
		t.Fatalf("cards served at an older version: %q", titles)
	}
	// Past the bound, what was kept goes and the new cards stay.
	many := map[int64]*store.CallCard{}
	for id := range int64(maxCards) {
		many[100+id] = card("many")
	}
	k.put(6, many)
	if len(k.cards) != maxCards {
		t.Fatalf("%d cards kept, bound %d", len(k.cards), maxCards)
	}
	if titles, _ := got(6, 2, 100); !slices.Equal(titles, []string{"", "many"}) {
		t.Fatalf("past the bound: %q", titles)
	}
}

func TestETagMatches(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`"abc"`, true}, {`W/"abc"`, true}, {`"x", "abc"`, true}, {`*`, true}, {`"abcd"`, false}, {``, false}, {`abc`, false},
	} {
		if got := etagMatches(c.header, `"abc"`); got != c.want {
			t.Errorf("etagMatches(%q) = %v", c.header, got)
		}
	}
}
