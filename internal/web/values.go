package web

import (
	"errors"
	"net/url"

	"github.com/fundmatch/fundmatch/funding"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

// Requests carry typed values (statuses, roles, channels: see funding and
// internal/store/values.go) as text; they are parsed here, at the edge, and
// templates offer their choices from the same sets.

func init() {
	// The choices of the filters and forms, from the typed sets. Calls are
	// offered open first, the calls page's default.
	funcs["callStatuses"] = func() []funding.Status {
		return []funding.Status{funding.StatusOpen, funding.StatusForthcoming, funding.StatusClosed}
	}
	funcs["eligibilities"] = func() []funding.Eligibility { return funding.Eligibilities }
	funcs["channels"] = func() []store.Channel { return store.Channels }
	funcs["frequencies"] = func() []notify.Frequency { return notify.Frequencies }
}

// fieldValue reads v, the value of a request field with a fixed set of
// values (a status, a role, a channel), with parse; a value outside the set
// is a badInput naming the field and what it allows.
func fieldValue[T ~string](field, v string, parse func(string) (T, error)) (T, error) {
	t, err := parse(v)
	if ve := (*funding.ValueError)(nil); errors.As(err, &ve) {
		return t, badInput{field, ve.Want()}
	}
	return t, err
}

// filterValue reads the optional query filter field with parse: empty is no
// filter, a value outside the set a badInput naming the field.
func filterValue[T ~string](q url.Values, field string, parse func(string) (T, error)) (T, error) {
	if q.Get(field) == "" {
		return "", nil
	}
	return fieldValue(field, q.Get(field), parse)
}
