package database_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// Text with every character COPY's text format gives a meaning reads back
// as written, across batch boundaries; a value PostgreSQL refuses fails the
// copy with its error and leaves the connection fit for the next one.
func TestCopyInKeepsEveryCharacterAndReportsRefusals(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	texts := []string{"", `\N`, `back\slash`, "tab\there", "new\nline", "carriage\rreturn", `"quoted"`, "Sint-Niklaas — ë, 漢字", strings.Repeat("long ", 20_000)}
	var want []string
	for i := range 3000 { // several 64 KB batches
		want = append(want, fmt.Sprintf("%d:%s", i, texts[i%len(texts)]))
	}
	copyAll := func(rows []string, line func(b []byte, i int) []byte) error {
		conn, err := db.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE copied (n int, t text) ON COMMIT DROP`); err != nil {
			t.Fatal(err)
		}
		if err := database.CopyIn(ctx, conn, `COPY copied (n, t) FROM STDIN`, len(rows), line); err != nil {
			return err
		}
		var got []string
		if err := tx.SelectContext(ctx, &got, `SELECT n || ':' || t FROM copied ORDER BY n`); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, rows) {
			for i := range min(len(got), len(rows)) {
				if got[i] != rows[i] {
					t.Fatalf("row %d: got %.60q, want %.60q", i, got[i], rows[i])
				}
			}
			t.Fatalf("got %d rows, want %d", len(got), len(rows))
		}
		return tx.Commit()
	}
	if err := copyAll(want, func(b []byte, i int) []byte {
		n, text, _ := strings.Cut(want[i], ":")
		return database.AppendCopyText(append(append(b, n...), '\t'), text)
	}); err != nil {
		t.Fatal(err)
	}
	err := copyAll([]string{"1:a", "x:b"}, func(b []byte, i int) []byte {
		return append(b, []string{"1\ta", "x\tb"}[i]...)
	})
	if err == nil || !strings.Contains(err.Error(), "invalid input syntax for type integer") {
		t.Fatalf("copying a bad integer: %v, want PostgreSQL's refusal", err)
	}
	var one int
	if err := db.GetContext(ctx, &one, `SELECT 1`); err != nil || one != 1 {
		t.Fatalf("the pool after a refused copy: %d, %v", one, err)
	}
}

// FuzzAppendCopyText holds AppendCopyText to COPY's text format: a
// backslash, newline, carriage return and tab escaped, every other byte as
// it is.
func FuzzAppendCopyText(f *testing.F) {
	escape := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	for _, s := range []string{"", "plain", `{"nl":"\"a\" b"}`, "line\nline\r\n\ttab\\", "é ✓ \x00 \xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(database.AppendCopyText([]byte("x"), s)), "x"+escape.Replace(s); got != want {
			t.Fatalf("AppendCopyText(%q) = %q, want %q", s, got, want)
		}
	})
}
