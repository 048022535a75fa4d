package auth

import (
	"bytes"
	"strings"
	"testing"
)

func TestPasswordHashChecksOnlyTheRightPassword(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash = %q, want an argon2id PHC string", hash)
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"RightPassword", hash, "correct horse battery", true},
		{"WrongPassword", hash, "correct horse battery!", false},
		{"EmptyHashMatchesNothing", "", "", false},
		{"MalformedHash", "$argon2id$v=19$m=x$salt$key", "correct horse battery", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Fatalf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
	other, _ := HashPassword("correct horse battery")
	if other == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if _, err := HashPassword("short"); err != ErrWeakPassword {
		t.Fatalf("short password: err = %v", err)
	}
}

func TestTokensAreRandomAndStoredHashed(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens %q and %q", a, b)
	}
	if !bytes.Equal(HashToken(a), ha) || bytes.Contains(ha, []byte(a)) {
		t.Fatal("the stored hash is not the SHA-256 of the token")
	}
	if Sign([]byte("k1"), "m") == Sign([]byte("k2"), "m") {
		t.Fatal("the signature does not depend on the key")
	}
}
