package store

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/lib/pq"
)

// ValidationError is a value refused before it reaches the database: the
// field it belongs to and why, in words a user can act on.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Longest texts stored, in characters.
const (
	MaxSlugLen      = 100
	MaxNameLen      = 200 // city names, programme names
	MaxKeywordLen   = 100
	MaxKeywords     = 200 // per language
	MaxTitleLen     = 1000
	MaxSummaryLen   = 20_000
	MaxCodeLen      = 50 // programme codes, provinces, NUTS codes
	MaxURLLen       = 2000
	MaxNoteLen      = 4000
	MaxAmount       = 1e13 // euro: far above any EU grant, far below what numeric columns hold
	maxPostcodes    = 200
	maxExcludedProg = 50
)

// checkText refuses text that is not valid UTF-8, holds a NUL (PostgreSQL
// stores neither) or is longer than max characters.
func checkText(field, v string, max int) error {
	switch {
	case !utf8.ValidString(v):
		return &ValidationError{field, "not valid UTF-8 text"}
	case strings.ContainsRune(v, 0):
		return &ValidationError{field, "contains a NUL character"}
	case utf8.RuneCountInString(v) > max:
		return &ValidationError{field, fmt.Sprintf("at most %d characters", max)}
	}
	return nil
}

// checkList applies checkText to each element and bounds the count.
func checkList(field string, vs []string, maxLen, maxCount int) error {
	if len(vs) > maxCount {
		return &ValidationError{field, fmt.Sprintf("at most %d entries", maxCount)}
	}
	for _, v := range vs {
		if err := checkText(field, v, maxLen); err != nil {
			return err
		}
	}
	return nil
}

// checkAmount refuses NaN, infinities, negative amounts and amounts beyond
// MaxAmount.
func checkAmount(field string, v *float64) error {
	if v != nil && (math.IsNaN(*v) || *v < 0 || *v > MaxAmount) {
		return &ValidationError{field, fmt.Sprintf("want an amount in euro from 0 to %.0f", MaxAmount)}
	}
	return nil
}

// firstError is the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// IsBadValue reports whether err is a value PostgreSQL refused as data
// (SQLSTATE class 22: a character it cannot store, a number out of range,
// a string too long), which is the sender's error, not the server's.
func IsBadValue(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code.Class() == "22"
}
