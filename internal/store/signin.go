package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// SignInLimits say how many failed sign-ins are allowed in a window. The
// counts are kept in PostgreSQL, so every web server shares them.
type SignInLimits struct {
	PerAccountAddress int           // failures per account and address
	PerAccount        int           // failures per account, from addresses it did not sign in from lately
	PerAddress        int           // failures per address, for accounts not signed in from it lately
	Window            time.Duration // how long a count holds, from its first attempt
	Known             time.Duration // how long a sign-in makes the address known for the account
}

// SignInAttempt is an attempt counted by ReserveSignIn, to be settled with
// SignInSucceeded or CancelSignIn (a failure keeps its count).
type SignInAttempt struct {
	pair, account, address, known []byte // keys of sign_in_counts
	unknown                       bool   // counted against the account and the address alone too
}

// signInKey is the key of a counter: the SHA-256 of its parts.
func signInKey(parts ...string) []byte {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return sum[:]
}

var errSignInLimited = errors.New("sign-in limit reached")

// ReserveSignIn counts an attempt to sign in as account (a normalised
// email) from address, before the password is checked, so that parallel
// attempts cannot all pass a check of the count made before any of them
// failed. It counts against the account and address together, and, unless
// the account signed in from the address within limits.Known, against the
// account alone and the address alone too: failures for other accounts from
// a shared address never hold back an account that is used from there, and
// guesses from everywhere never lock the owner out at their usual address.
// When a limit is reached, nothing is counted and ok is false.
func (s *Store) ReserveSignIn(ctx context.Context, account, address string, limits SignInLimits, now time.Time) (a SignInAttempt, ok bool, err error) {
	a = SignInAttempt{
		pair:    signInKey("pair", account, address),
		account: signInKey("account", account),
		address: signInKey("address", address),
		known:   signInKey("known", account, address),
	}
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		var known bool
		if err := tx.GetContext(ctx, &known, `SELECT EXISTS (SELECT 1 FROM sign_in_counts WHERE key = $1 AND expires_at > $2)`,
			a.known, now); err != nil {
			return fmt.Errorf("look up known address: %w", err)
		}
		// Always the pair's row, then the account's, then the address's:
		// every transaction locks them in that order, so none deadlock.
		end := now.Add(limits.Window)
		if err := countAttempt(ctx, tx, a.pair, limits.PerAccountAddress, now, end); err != nil {
			return err
		}
		if known {
			return nil
		}
		a.unknown = true
		if err := countAttempt(ctx, tx, a.account, limits.PerAccount, now, end); err != nil {
			return err
		}
		return countAttempt(ctx, tx, a.address, limits.PerAddress, now, end)
	})
	if errors.Is(err, errSignInLimited) {
		return SignInAttempt{}, false, nil
	}
	if err != nil {
		return SignInAttempt{}, false, err
	}
	return a, true, nil
}

// countAttempt raises the count under key, starting a new window when the
// last one has ended, and returns errSignInLimited when it goes over max
// (the caller's transaction is then rolled back, so it counts nothing).
func countAttempt(ctx context.Context, tx *sqlx.Tx, key []byte, max int, now, windowEnd time.Time) error {
	var attempts int
	err := tx.GetContext(ctx, &attempts, `INSERT INTO sign_in_counts AS c (key, attempts, expires_at) VALUES ($1, 1, $3)
		ON CONFLICT (key) DO UPDATE SET
			attempts = CASE WHEN c.expires_at <= $2 THEN 1 ELSE c.attempts + 1 END,
			expires_at = CASE WHEN c.expires_at <= $2 THEN $3 ELSE c.expires_at END
		RETURNING attempts`, key, now, windowEnd)
	if err != nil {
		return fmt.Errorf("count sign-in attempt: %w", err)
	}
	if attempts > max {
		return errSignInLimited
	}
	return nil
}

// SignInSucceeded settles an attempt whose password was right: the
// account's failures from the address are forgotten, the attempt no longer
// counts against the account or the address, and the address is known for
// the account for limits.Known.
func (s *Store) SignInSucceeded(ctx context.Context, a SignInAttempt, limits SignInLimits, now time.Time) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_counts WHERE key = $1`, a.pair); err != nil {
			return fmt.Errorf("forget sign-in failures: %w", err)
		}
		if err := uncount(ctx, tx, a); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sign_in_counts (key, attempts, expires_at) VALUES ($1, 0, $2)
			ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at`, a.known, now.Add(limits.Known))
		if err != nil {
			return fmt.Errorf("remember sign-in address: %w", err)
		}
		return nil
	})
}

// CancelSignIn takes back an attempt whose password could not be checked
// (the server was too busy), so that it counts as no failure.
func (s *Store) CancelSignIn(ctx context.Context, a SignInAttempt) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := takeBack(ctx, tx, a.pair); err != nil {
			return err
		}
		return uncount(ctx, tx, a)
	})
}

// uncount takes the attempt back from the account's and the address's
// counts, in the order ReserveSignIn locks them.
func uncount(ctx context.Context, tx *sqlx.Tx, a SignInAttempt) error {
	if !a.unknown {
		return nil
	}
	if err := takeBack(ctx, tx, a.account); err != nil {
		return err
	}
	return takeBack(ctx, tx, a.address)
}

func takeBack(ctx context.Context, tx *sqlx.Tx, key []byte) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sign_in_counts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0`, key); err != nil {
		return fmt.Errorf("take back sign-in attempt: %w", err)
	}
	return nil
}
