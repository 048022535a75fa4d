package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/fundmatch/fundmatch/internal/database"
)

// SignInLinkLifetime is how long a one-time sign-in link (the first admin's,
// an invitation) works.
const SignInLinkLifetime = 24 * time.Hour

// ErrEmailTaken is returned when a user with the email exists already.
var ErrEmailTaken = errors.New("a user with this email exists already")

// UpdateUser changes a user's role and cities, with the rules of
// CreateUser: a known role, at least one city for an officer or a
// coordinator, only known cities. An unknown user is ErrNotFound.
func (s *Store) UpdateUser(ctx context.Context, userID int64, role Role, cities []string) error {
	if err := checkRole(role, cities); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		cityIDs, err := cityIDList(ctx, tx, cities)
		if err != nil {
			return err
		}
		var found bool
		if err := tx.GetContext(ctx, &found, `UPDATE users SET role = $2 WHERE id = $1 RETURNING true`, userID, role); err != nil {
			return notFound(err, fmt.Sprintf("user %d", userID))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_cities WHERE user_id = $1 AND NOT (city_id = ANY($2))`, userID, cityIDs); err != nil {
			return fmt.Errorf("unlink cities of user %d: %w", userID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO user_cities (user_id, city_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
			userID, cityIDs)
		if err != nil {
			return fmt.Errorf("link cities to user %d: %w", userID, err)
		}
		return nil
	})
}

// CreateSignInLink stores a one-time sign-in link of a user under the hash
// of its token, valid until expires.
func (s *Store) CreateSignInLink(ctx context.Context, userID int64, tokenHash []byte, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sign_in_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		tokenHash, userID, expires)
	if err != nil {
		return fmt.Errorf("create sign-in link: %w", err)
	}
	return nil
}

// SignInLinkUser returns the enabled user of an unused, unexpired sign-in
// link, or ErrNotFound. It does not use the link up.
func (s *Store) SignInLinkUser(ctx context.Context, tokenHash []byte, now time.Time) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, selectUser+` JOIN sign_in_links l ON l.user_id = u.id
		WHERE l.token_hash = $1 AND l.expires_at > $2 AND u.disabled_at IS NULL`, tokenHash, now)
	if err != nil {
		return User{}, notFound(err, "sign-in link")
	}
	return u, nil
}

// UseSignInLink uses up a sign-in link: its user's password becomes
// passwordHash and every sign-in link of the user stops working. A used,
// expired or unknown link, or a disabled user, is ErrNotFound; of two
// concurrent uses only one succeeds.
func (s *Store) UseSignInLink(ctx context.Context, tokenHash []byte, passwordHash string, now time.Time) (User, error) {
	var userID int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &userID, `DELETE FROM sign_in_links WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id`,
			tokenHash, now)
		if err != nil {
			return notFound(err, "sign-in link")
		}
		var found bool
		err = tx.GetContext(ctx, &found, `UPDATE users SET password_hash = $2 WHERE id = $1 AND disabled_at IS NULL RETURNING true`,
			userID, passwordHash)
		if err != nil {
			return notFound(err, "sign-in link: user")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_links WHERE user_id = $1 OR expires_at <= $2`, userID, now); err != nil {
			return fmt.Errorf("end sign-in links: %w", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.UserByID(ctx, userID)
}

// What BootstrapAdmin did.
const (
	BootstrapNothing     = ""             // an admin can sign in already, or nothing could be done
	BootstrapCreated     = "created"      // made the admin (with a sign-in link when it has no password)
	BootstrapPasswordSet = "password_set" // gave the admin without a password the one asked for
	BootstrapLink        = "link"         // stored a sign-in link for the admin without a password
)

// BootstrapAdmin makes sure somebody can run a new installation, and does
// nothing once an enabled admin has a password. Until then: with a
// password (nu.PasswordHash) it creates nu as an admin, or gives nu's email
// the password when it is an admin without one; without a password it
// stores a sign-in link (linkHash, until linkExpires) for the admin without
// a password, creating nu (e.g. admin@localhost) first when there are no
// users at all. Processes that start together take turns.
func (s *Store) BootstrapAdmin(ctx context.Context, nu NewUser, linkHash []byte, linkExpires time.Time) (User, string, error) {
	var userID int64
	action := BootstrapNothing
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('fundmatch bootstrap admin'))`); err != nil {
			return fmt.Errorf("bootstrap admin: lock: %w", err)
		}
		var ready bool
		err := tx.GetContext(ctx, &ready, `SELECT EXISTS (SELECT 1 FROM users
			WHERE role = 'admin' AND disabled_at IS NULL AND password_hash <> '')`)
		if err != nil || ready {
			return err
		}
		// The oldest admin who cannot sign in yet, if any.
		var waiting struct {
			ID    int64  `db:"id"`
			Email string `db:"email"`
		}
		err = tx.GetContext(ctx, &waiting, `SELECT id, email FROM users
			WHERE role = 'admin' AND disabled_at IS NULL AND password_hash = '' ORDER BY id LIMIT 1`)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
		var users int
		if err := tx.GetContext(ctx, &users, `SELECT count(*) FROM users`); err != nil {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
		switch {
		case nu.PasswordHash != "" && waiting.ID != 0 && strings.EqualFold(waiting.Email, nu.Email):
			userID, action = waiting.ID, BootstrapPasswordSet
			_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, nu.PasswordHash)
			return err
		case nu.PasswordHash != "" || (waiting.ID == 0 && users == 0):
			if nu.Language == "" {
				nu.Language = "nl"
			}
			err := tx.GetContext(ctx, &userID, `INSERT INTO users (email, name, password_hash, role, language)
				VALUES ($1, $2, $3, 'admin', $4) RETURNING id`, nu.Email, nu.Name, nu.PasswordHash, nu.Language)
			if _, dup := database.IsUniqueViolation(err); dup {
				return fmt.Errorf("bootstrap admin: %w: %s", ErrEmailTaken, nu.Email)
			}
			if err != nil {
				return fmt.Errorf("bootstrap admin: add %s: %w", nu.Email, err)
			}
			action = BootstrapCreated
		case waiting.ID != 0:
			userID, action = waiting.ID, BootstrapLink
		default:
			return nil // users, none of them an admin: the CLI adds one
		}
		if nu.PasswordHash == "" && linkHash != nil {
			_, err := tx.ExecContext(ctx, `INSERT INTO sign_in_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
				linkHash, userID, linkExpires)
			if err != nil {
				return fmt.Errorf("bootstrap admin: sign-in link: %w", err)
			}
		}
		return nil
	})
	if err != nil || action == BootstrapNothing {
		return User{}, BootstrapNothing, err
	}
	u, err := s.UserByID(ctx, userID)
	return u, action, err
}
