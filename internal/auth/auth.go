// Package auth holds fundmatch's credentials: argon2id password hashes and
// the random tokens of sessions and API access, which are stored only as
// SHA-256 hashes.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

var b64 = base64.RawStdEncoding

// ErrBusy is returned when no password hash could start within HashWait:
// the server is busy, the password was not checked.
var ErrBusy = errors.New("too many sign-ins at once; try again in a moment")

// HashWait is the longest a password check waits for one of the hashing
// slots before giving up with ErrBusy.
const HashWait = 10 * time.Second

// hashSlots bounds the argon2 hashes computed at once in this process: each
// takes argonMemory (19 MiB), so without a bound a burst of sign-ins takes
// gigabytes. Two to four slots keep memory flat and the cores busy.
var hashSlots = make(chan struct{}, min(max(runtime.GOMAXPROCS(0), 2), 4))

// hashes counts the argon2 hashes computed, for tests and metrics.
var hashes atomic.Uint64

// Hashes returns the number of password hashes computed by this process.
func Hashes() uint64 { return hashes.Load() }

// idKey computes an argon2id key in one of the hashing slots, waiting for
// one at most HashWait or until ctx ends.
func idKey(ctx context.Context, password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	wait := time.NewTimer(HashWait)
	defer wait.Stop()
	select {
	case hashSlots <- struct{}{}:
	case <-wait.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
	defer func() { <-hashSlots }()
	hashes.Add(1)
	return argon2.IDKey(password, salt, passes, memory, threads, keyLen), nil
}

// HashPassword returns the argon2id hash of password in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$key). A password that does not
// meet the policy (CheckPasswordPolicy) is refused. It waits for a hashing
// slot up to HashWait, like CheckPassword.
func HashPassword(password string) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key, err := idKey(context.Background(), []byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash. An empty or malformed
// hash matches nothing, without hashing. The error is ErrBusy when the
// password could not be checked for want of a hashing slot.
func CheckPassword(ctx context.Context, hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, nil
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, nil
	}
	// Parameters are bounded so that a tampered hash cannot make one check
	// take more memory or time than ours.
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory > argonMemory || passes > 10 || threads > 4 || threads == 0 {
		return false, nil
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil || len(want) == 0 || len(want) > 64 {
		return false, nil
	}
	got, err := idKey(ctx, []byte(password), salt, passes, memory, threads, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewToken returns a random token for a session cookie or an API client,
// and the hash under which it is stored.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token, the only form in which tokens
// are stored.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Sign returns an HMAC-SHA256 of message under key, URL-safe, for secret
// links such as a user's iCal feed.
func Sign(key []byte, message string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(message))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
