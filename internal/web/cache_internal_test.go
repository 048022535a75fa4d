package web

import (
	"fmt"
	"testing"
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
