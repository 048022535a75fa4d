package auth

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MinPasswordLength is the fewest characters a password needs, not counting
// blanks around it.
const MinPasswordLength = 12

// ErrWeakPassword is returned for a password shorter than MinPasswordLength.
var ErrWeakPassword = fmt.Errorf("a password needs at least %d characters, not counting blanks around it", MinPasswordLength)

// ErrCommonPassword is returned for a password that is among the most common
// ones, or one of them with digits or punctuation around it.
var ErrCommonPassword = errors.New("this password is one of the most common ones (or built from one); choose another")

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(commonPasswordList) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// CheckPasswordPolicy returns ErrWeakPassword or ErrCommonPassword for a
// password that may not be set, and nil for one that may. Every way of
// setting a password goes through it (HashPassword calls it).
func CheckPasswordPolicy(password string) error {
	p := strings.TrimSpace(password)
	if utf8.RuneCountInString(p) < MinPasswordLength {
		return ErrWeakPassword
	}
	if isCommon(strings.ToLower(p)) {
		return ErrCommonPassword
	}
	return nil
}

// isCommon reports whether p (lowercase) is a common password: on the list
// as it is, or a listed word with only digits, punctuation or blanks around
// it, or a short piece or a listed word repeated ("abcabcabcabc").
func isCommon(p string) bool {
	list := commonPasswords()
	if list[p] {
		return true
	}
	word := strings.TrimFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	if word != "" && list[word] {
		return true
	}
	for _, s := range []string{p, word} {
		for n := 1; n <= len(s)/2; n++ {
			if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s && (n <= 4 || list[s[:n]]) {
				return true
			}
		}
	}
	return false
}
