package database

import (
	"context"
	"database/sql/driver"
	"fmt"
	"unsafe"

	"github.com/jmoiron/sqlx"
)

// copyBatch is about how much COPY text CopyIn hands the driver at a time.
const copyBatch = 64 << 10

// CopyIn streams n lines of COPY text into query, a COPY ... FROM STDIN, on
// conn, inside the transaction open on it; line appends the i-th line,
// without its newline, to a buffer. The lines reach lib/pq about 64 KB at a
// time, not a row per call through database/sql: for 2.3 million matches
// that per-row path took 2.6 s of the writer's CPU, converting and boxing
// every value. An error leaves the transaction to be rolled back.
func CopyIn(ctx context.Context, conn *sqlx.Conn, query string, n int, line func(b []byte, i int) []byte) error {
	return conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("copy: driver connection %T cannot prepare", dc)
		}
		st, err := prep.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		data, ok := st.(interface {
			CopyData(ctx context.Context, line string) (driver.Result, error)
		})
		if !ok {
			st.Close()
			return fmt.Errorf("copy: driver statement %T takes no COPY data", st)
		}
		// The driver adds a newline after what it is given, so lines are
		// joined by newlines and a batch ends without one.
		b := make([]byte, 0, copyBatch+copyBatch/4)
		for i := range n {
			if len(b) > 0 {
				b = append(b, '\n')
			}
			b = line(b, i)
			if len(b) >= copyBatch || i == n-1 {
				// The driver copies the batch into its own buffer before it
				// returns (lib/pq appends it to the message it sends), so
				// the batch is lent to it, not copied into a string of its
				// own: that copy was 0.96 GB of a full rescore's 6 GB of
				// allocations, each one more for the collector to follow.
				if _, err := data.CopyData(ctx, unsafe.String(unsafe.SliceData(b), len(b))); err != nil {
					st.Close()
					return err
				}
				b = b[:0]
			}
		}
		// Closing ends the COPY and reports what PostgreSQL refused.
		return st.Close()
	})
}

// AppendCopyText appends s as a field of COPY's text format: a backslash,
// newline, carriage return or tab escaped with a backslash. Runs of other
// bytes are appended whole: a full rescore copies 700 MB of explanations
// through it, and byte by byte it was a seventh of the explaining's CPU.
func AppendCopyText[T ~string | ~[]byte](b []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !copyEscaped[c] {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}

// copyEscaped marks the bytes AppendCopyText escapes.
var copyEscaped = [256]bool{'\\': true, '\n': true, '\r': true, '\t': true}
