package funding

import (
	"fmt"
	"slices"
	"strings"
)

// ValueError is a value outside the fixed set of a typed value (a status, an
// event, a channel, a role). It names the field and what is allowed, so that
// an edge can answer a 4xx naming the field or a CLI can print a clear line.
type ValueError struct {
	Field   string   // what the value is, e.g. "role" or "status"
	Value   string   // what was given
	Allowed []string // every allowed value, in their usual order
}

func (e *ValueError) Error() string { return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Want()) }

// Want says what is allowed, e.g. "want forthcoming, open or closed".
func (e *ValueError) Want() string {
	last := len(e.Allowed) - 1
	if last < 1 {
		return "want " + strings.Join(e.Allowed, "")
	}
	return "want " + strings.Join(e.Allowed[:last], ", ") + " or " + e.Allowed[last]
}

// ParseValue returns s as a T when it is one of allowed, and a *ValueError
// naming field otherwise. Each typed value's own Parse function calls it.
func ParseValue[T ~string](field, s string, allowed []T) (T, error) {
	if v := T(s); slices.Contains(allowed, v) {
		return v, nil
	}
	names := make([]string, len(allowed))
	for i, v := range allowed {
		names[i] = string(v)
	}
	return "", &ValueError{Field: field, Value: s, Allowed: names}
}
