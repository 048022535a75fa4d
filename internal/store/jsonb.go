package store

import (
	"encoding/json"
	"fmt"
)

// jsonArray scans a JSON array column into a slice of T.
type jsonArray[T any] []T

// Scan implements sql.Scanner.
func (a *jsonArray[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*a = nil
		return nil
	default:
		return fmt.Errorf("scan %T into a JSON array", src)
	}
	return json.Unmarshal(b, (*[]T)(a))
}
