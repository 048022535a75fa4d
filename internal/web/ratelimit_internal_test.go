package web

import (
	"testing"
	"time"
)

// TestRateLimiterRefillsPerClient: each address has its own bucket, which
// refills at the rate, and the wait it announces is when a token is back.
func TestRateLimiterRefillsPerClient(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	l := newRateLimiter(2, 2, func() time.Time { return now })
	for i := range 2 {
		if ok, _ := l.take("192.0.2.1"); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, wait := l.take("192.0.2.1")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("third request: ok %v, wait %v; want refused for 500ms", ok, wait)
	}
	if ok, _ := l.take("192.0.2.2"); !ok {
		t.Fatal("another address was refused")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.take("192.0.2.1"); !ok {
		t.Fatal("refused after the announced wait")
	}
}
