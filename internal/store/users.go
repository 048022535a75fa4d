package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/internal/database"
)

// User is a person who signs in, with the cities they work for or coordinate.
type User struct {
	ID           int64          `db:"id" json:"id"`
	Email        string         `db:"email" json:"email"`
	Name         string         `db:"name" json:"name"`
	PasswordHash string         `db:"password_hash" json:"-"`
	Role         Role           `db:"role" json:"role"`
	Language     string         `db:"language" json:"language"`
	CreatedAt    time.Time      `db:"created_at" json:"created_at"`
	DisabledAt   *time.Time     `db:"disabled_at" json:"disabled_at,omitempty"`
	ICalVersion  int            `db:"ical_version" json:"-"` // part of the secret iCal URL; raised to change it
	CityIDs      pq.Int64Array  `db:"city_ids" json:"-"`
	Cities       pq.StringArray `db:"cities" json:"cities"`
}

// HasCity reports whether the user is linked to the city.
func (u User) HasCity(cityID int64) bool { return slices.Contains(u.CityIDs, cityID) }

// CanSeeCity reports whether u may read a city's profile, matches, notes,
// interest marks and bids: its officers and coordinators, government and
// admins.
func (u User) CanSeeCity(cityID int64) bool {
	switch u.Role {
	case RoleAdmin, RoleGovernment:
		return true
	case RoleOfficer, RoleCoordinator:
		return u.HasCity(cityID)
	}
	return false
}

// CanChangeCity reports whether u may change a city's data: its officers and
// admins.
func (u User) CanChangeCity(cityID int64) bool {
	return u.Role == RoleAdmin || (u.Role == RoleOfficer && u.HasCity(cityID))
}

const userColumns = `u.id, u.email, u.name, u.password_hash, u.role, u.language, u.created_at, u.disabled_at, u.ical_version,
	ARRAY(SELECT uc.city_id FROM user_cities uc JOIN cities c ON c.id = uc.city_id WHERE uc.user_id = u.id ORDER BY c.slug) AS city_ids,
	ARRAY(SELECT c.slug FROM user_cities uc JOIN cities c ON c.id = uc.city_id WHERE uc.user_id = u.id ORDER BY c.slug) AS cities`

const selectUser = `SELECT ` + userColumns + ` FROM users u`

// NewUser is what it takes to create a user.
type NewUser struct {
	Email        string
	Name         string
	PasswordHash string
	Role         Role
	Language     string
	Cities       []string // slugs
}

// checkRole refuses an unknown role, and an officer or a coordinator without
// a city.
func checkRole(role Role, cities []string) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if (role == RoleOfficer || role == RoleCoordinator) && len(cities) == 0 {
		return fmt.Errorf("an %s needs at least one city", role)
	}
	return nil
}

// CreateUser adds a user linked to the cities given. An officer or a
// coordinator needs at least one city; an unknown slug or a taken email is
// an error that says so.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	if err := checkRole(nu.Role, nu.Cities); err != nil {
		return User{}, err
	}
	if nu.Language == "" {
		nu.Language = "nl"
	}
	var id int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		ids, err := cityIDList(ctx, tx, nu.Cities)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, role, language)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, nu.Email, nu.Name, nu.PasswordHash, nu.Role, nu.Language).Scan(&id)
		if _, dup := database.IsUniqueViolation(err); dup {
			return fmt.Errorf("%w: %s", ErrEmailTaken, nu.Email)
		}
		if err != nil {
			return fmt.Errorf("add user %s: %w", nu.Email, err)
		}
		for _, cityID := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_cities (user_id, city_id) VALUES ($1, $2)`, id, cityID); err != nil {
				return fmt.Errorf("link user %s to a city: %w", nu.Email, err)
			}
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.UserByID(ctx, id)
}

// Users lists every user by email.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var users []User
	if err := s.db.SelectContext(ctx, &users, selectUser+` ORDER BY lower(u.email)`); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// UserByID returns a user, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	if err := s.db.GetContext(ctx, &u, selectUser+` WHERE u.id = $1`, id); err != nil {
		return User{}, notFound(err, fmt.Sprintf("user %d", id))
	}
	return u, nil
}

// UserByEmail returns the user with that email (case-insensitive), or
// ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	if err := s.db.GetContext(ctx, &u, selectUser+` WHERE lower(u.email) = lower($1)`, email); err != nil {
		return User{}, notFound(err, "user "+email)
	}
	return u, nil
}

// SetUserDisabled disables a user, who can then no longer sign in and whose
// sessions end at once (they are deleted) and API tokens stop working while
// disabled, or enables them again. An unknown user is ErrNotFound.
func (s *Store) SetUserDisabled(ctx context.Context, userID int64, disabled bool, now time.Time) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		var found bool
		err := tx.GetContext(ctx, &found, `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, $3) END
			WHERE id = $1 RETURNING true`, userID, disabled, now)
		if err != nil {
			return notFound(err, fmt.Sprintf("user %d", userID))
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
				return fmt.Errorf("end sessions of user %d: %w", userID, err)
			}
		}
		return nil
	})
}

// RevokeUserAccess ends every session of a user and revokes every API token
// (and any one-time sign-in link), returning how many sessions and tokens. An unknown user is ErrNotFound.
func (s *Store) RevokeUserAccess(ctx context.Context, userID int64, now time.Time) (sessions, tokens int64, err error) {
	err = s.withTx(ctx, func(tx *sqlx.Tx) error {
		var found bool
		if err := tx.GetContext(ctx, &found, `SELECT true FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return notFound(err, fmt.Sprintf("user %d", userID))
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		if err != nil {
			return fmt.Errorf("end sessions of user %d: %w", userID, err)
		}
		sessions, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_links WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("end sign-in links of user %d: %w", userID, err)
		}
		res, err = tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, now)
		if err != nil {
			return fmt.Errorf("revoke API tokens of user %d: %w", userID, err)
		}
		tokens, _ = res.RowsAffected()
		return nil
	})
	return sessions, tokens, err
}

// RotateUserICal changes the secret iCal URL of a user: the old one stops
// working. An unknown user is ErrNotFound.
func (s *Store) RotateUserICal(ctx context.Context, userID int64) error {
	var found bool
	err := s.db.GetContext(ctx, &found, `UPDATE users SET ical_version = ical_version + 1 WHERE id = $1 RETURNING true`, userID)
	if err != nil {
		return notFound(err, fmt.Sprintf("user %d", userID))
	}
	return nil
}

// RotateCityICal changes the secret iCal URLs of every user of a city (the
// feeds that show its deadlines) and returns how many changed. An unknown
// city is ErrNotFound.
func (s *Store) RotateCityICal(ctx context.Context, slug string) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var cityID int64
		if err := tx.GetContext(ctx, &cityID, `SELECT id FROM cities WHERE slug = $1`, slug); err != nil {
			return notFound(err, "city "+slug)
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET ical_version = ical_version + 1
			WHERE id IN (SELECT user_id FROM user_cities WHERE city_id = $1)`, cityID)
		if err != nil {
			return fmt.Errorf("rotate iCal URLs of city %s: %w", slug, err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// CreateSession stores a session under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, userID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		tokenHash, userID, expires)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Grant is what a session or an API token grants: its user, until it
// expires.
type Grant struct {
	User
	ExpiresAt  *time.Time `db:"expires_at"`   // nil: never
	LastUsedAt *time.Time `db:"last_used_at"` // API tokens: when a use was last recorded
}

// Valid reports whether g still holds at now.
func (g Grant) Valid(now time.Time) bool { return g.ExpiresAt == nil || now.Before(*g.ExpiresAt) }

// UserBySession returns the enabled user of an unexpired session, or
// ErrNotFound.
func (s *Store) UserBySession(ctx context.Context, tokenHash []byte, now time.Time) (Grant, error) {
	var g Grant
	err := s.stmts.get(ctx, &g, `SELECT `+userColumns+`, s.expires_at FROM users u JOIN sessions s ON s.user_id = u.id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL`, tokenHash, now)
	if err != nil {
		return Grant{}, notFound(err, "session")
	}
	return g, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// CreateAPIToken stores an API token of a user under its hash.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string, tokenHash []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3)`,
		userID, name, tokenHash)
	if err != nil {
		return fmt.Errorf("create API token: %w", err)
	}
	return nil
}

// UserByAPIToken returns the enabled user of a valid (unrevoked, unexpired)
// API token, or ErrNotFound. It records the token's use (TouchAPIToken).
func (s *Store) UserByAPIToken(ctx context.Context, tokenHash []byte, now time.Time) (Grant, error) {
	var g Grant
	// Every API request asks this, unless the server kept the answer:
	// prepared, it costs one round trip and no planning.
	err := s.stmts.get(ctx, &g, `SELECT `+userColumns+`, t.expires_at, t.last_used_at
		FROM users u JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1
		AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL`, tokenHash, now)
	if err != nil {
		return Grant{}, notFound(err, "API token")
	}
	return g, s.TouchAPIToken(ctx, tokenHash, &g, now)
}

// TouchAPIToken records a use of the token of g at now, at most once a
// minute, so that a busy script does not queue on one row lock.
func (s *Store) TouchAPIToken(ctx context.Context, tokenHash []byte, g *Grant, now time.Time) error {
	if g.LastUsedAt != nil && now.Sub(*g.LastUsedAt) <= time.Minute {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1`, tokenHash, now); err != nil {
		return fmt.Errorf("record use of API token: %w", err)
	}
	g.LastUsedAt = &now
	return nil
}

func int64Array(ids []int64) pq.Int64Array {
	if ids == nil {
		return pq.Int64Array{}
	}
	return ids
}
