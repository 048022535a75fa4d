package auth

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
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
		{"HashAskingForMoreMemoryIsRefused", strings.Replace(hash, "m=19456", "m=4194304", 1), "correct horse battery", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := CheckPassword(context.Background(), tt.hash, tt.password); got != tt.want || err != nil {
				t.Fatalf("CheckPassword = %v, %v, want %v", got, err, tt.want)
			}
		})
	}
	other, _ := HashPassword("correct horse battery")
	if other == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrWeakPassword) {
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

func TestPasswordPolicyRefusesShortAndCommonPasswords(t *testing.T) {
	tests := []struct {
		name, password string
		want           error
	}{
		{"Passphrase", "correct horse battery", nil},
		{"LongRandom", "vT9#qL2!mZ4x", nil},
		{"TwelveBlanks", "            ", ErrWeakPassword},
		{"BlanksInsideCount", "   abc123   xyz  ", nil}, // "abc123   xyz" is 12 characters between the blanks
		{"ElevenBetweenBlanks", "  Xq7!vL2#pR9  ", ErrWeakPassword},
		{"ElevenMultibyte", "ééééééééééé", ErrWeakPassword},
		{"CommonAsItIs", "qwertyuiopasdfghjkl", ErrCommonPassword},
		{"CommonAnyCase", "PasswordPassword", ErrCommonPassword},
		{"CommonWithDigitsAround", "Welkom2024!!", ErrCommonPassword},
		{"CommonFrenchWithDigits", "azerty123456", ErrCommonPassword},
		{"CommonDutch", "Wachtwoord123", ErrCommonPassword},
		{"DigitsRun", "123456789012", ErrCommonPassword},
		{"OneCharacterRepeated", "aaaaaaaaaaaaaa", ErrCommonPassword},
		{"ShortPieceRepeated", "abcabcabcabc", ErrCommonPassword},
		{"ListedWordRepeated", "dragondragon", ErrCommonPassword},
		{"CityName", "Antwerpen2026", ErrCommonPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPasswordPolicy(tt.password); !errors.Is(err, tt.want) {
				t.Fatalf("CheckPasswordPolicy(%q) = %v, want %v", tt.password, err, tt.want)
			}
			if _, err := HashPassword(tt.password); !errors.Is(err, tt.want) {
				t.Fatalf("HashPassword(%q) = %v, want %v", tt.password, err, tt.want)
			}
		})
	}
	if n := len(commonPasswords()); n < 500 {
		t.Fatalf("the list of common passwords has %d entries", n)
	}
}

func TestPasswordChecksRunAFewAtATime(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	// Hold every slot: a check waits, and gives up when its context ends
	// without hashing.
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	before := Hashes()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := CheckPassword(ctx, hash, "correct horse battery")
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, ErrBusy) {
		t.Fatalf("check with every slot taken = %v, want ErrBusy", err)
	}
	for range cap(hashSlots) {
		<-hashSlots
	}
	if Hashes() != before {
		t.Fatal("a check that gave up computed a hash")
	}
	// Many at once: all are checked, each in a slot.
	var wg sync.WaitGroup
	for range 3 * cap(hashSlots) {
		wg.Go(func() {
			if ok, err := CheckPassword(context.Background(), hash, "correct horse battery"); !ok || err != nil {
				t.Errorf("check = %v, %v", ok, err)
			}
		})
	}
	wg.Wait()
	if got := Hashes() - before; got != uint64(3*cap(hashSlots)) {
		t.Fatalf("hashes counted = %d, want %d", got, 3*cap(hashSlots))
	}
	if cap(hashSlots) < 2 || cap(hashSlots) > 4 {
		t.Fatalf("%d hashing slots, want 2 to 4", cap(hashSlots))
	}
}
