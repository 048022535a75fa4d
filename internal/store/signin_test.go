package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestSignInCountsAreReservedAtomicallyAndWindowed(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	st := store.New(db)
	limits := store.SignInLimits{PerAccountAddress: 3, PerAccount: 10, PerAddress: 4, Window: 15 * time.Minute, Known: 24 * time.Hour}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	reserve := func(account, address string, at time.Time) (store.SignInAttempt, bool) {
		t.Helper()
		a, ok, err := st.ReserveSignIn(ctx, account, address, limits, at)
		if err != nil {
			t.Fatal(err)
		}
		return a, ok
	}

	t.Run("ParallelAttemptsGetExactlyTheLimit", func(t *testing.T) {
		var mu sync.Mutex
		granted := 0
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				if _, ok, err := st.ReserveSignIn(ctx, "a@gent.be", "198.51.100.1", limits, now); err != nil {
					t.Error(err)
				} else if ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if granted != limits.PerAccountAddress {
			t.Fatalf("%d of 40 parallel attempts reserved, want %d", granted, limits.PerAccountAddress)
		}
		if _, ok := reserve("a@gent.be", "198.51.100.1", now.Add(limits.Window-time.Second)); ok {
			t.Fatal("reserved before the window ended")
		}
		if _, ok := reserve("a@gent.be", "198.51.100.1", now.Add(limits.Window)); !ok {
			t.Fatal("not reserved once the window ended")
		}
	})
	t.Run("RefusedAttemptsCountNothing", func(t *testing.T) {
		// Another address, which allows 4 attempts.
		for range 3 {
			reserve("b@gent.be", "198.51.100.2", now)
		}
		if _, ok := reserve("b@gent.be", "198.51.100.2", now); ok {
			t.Fatal("a fourth attempt for b@ was reserved")
		}
		// The refused attempt did not count against the address: one is left.
		if _, ok := reserve("c@gent.be", "198.51.100.2", now); !ok {
			t.Fatal("the address's last attempt was taken by a refused one")
		}
		if _, ok := reserve("d@gent.be", "198.51.100.2", now); ok {
			t.Fatal("a fifth attempt from the address was reserved")
		}
	})
	t.Run("CancelAndSuccessGiveAttemptsBack", func(t *testing.T) {
		addr := "198.51.100.3"
		a, _ := reserve("e@gent.be", addr, now)
		if err := st.CancelSignIn(ctx, a); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, ok := reserve("e@gent.be", addr, now); !ok {
				t.Fatal("a cancelled attempt still counts")
			}
		}
		f, ok := reserve("f@gent.be", addr, now)
		if !ok {
			t.Fatal("f@ refused")
		}
		if err := st.SignInSucceeded(ctx, f, limits, now); err != nil {
			t.Fatal(err)
		}
		// f@'s attempt no longer counts against the address (3 of 4
		// taken), and f@ is known there now: its attempts skip that count.
		if _, ok := reserve("g@gent.be", addr, now); !ok {
			t.Fatal("a successful sign-in still counts against the address")
		}
		if _, ok := reserve("h@gent.be", addr, now); ok {
			t.Fatal("the address's count is not full")
		}
		if _, ok := reserve("f@gent.be", addr, now); !ok {
			t.Fatal("a known account is held back by the address's count")
		}
	})
	t.Run("CleanupRemovesExpiredCounts", func(t *testing.T) {
		var before int
		db.Get(&before, `SELECT count(*) FROM sign_in_counts`)
		if _, err := st.Cleanup(ctx, now.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		var after int
		db.Get(&after, `SELECT count(*) FROM sign_in_counts`)
		if before == 0 || after != 0 {
			t.Fatalf("sign-in counts before cleanup %d, after %d", before, after)
		}
	})
}
