package history_test

import (
	"github.com/fundmatch/fundmatch/internal/memprobe"

	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/euhistory"
	"github.com/fundmatch/fundmatch/internal/history"
	"github.com/fundmatch/fundmatch/internal/seed"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testdb"
)

// sampleRows is the number of verbatim CORDIS rows at the top of the
// parser's organization.csv fixture; the rows after them are Flemish ones.
const sampleRows = 11

// writeDump writes a CORDIS dump directory of n organisation rows made from
// the parser's fixture rows, twelve rows to a project; one project in
// flemishEvery has Flemish participants, the others only foreign ones, and
// every project has a row in project.csv.
func writeDump(b *testing.B, dir string, n, flemishEvery int) {
	b.Helper()
	src, err := os.ReadFile("../../euhistory/cordis/testdata/csv/organization.csv")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
	header, rows := lines[0], lines[1:]
	create := func(name string) (*os.File, *bufio.Writer) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		return f, bufio.NewWriter(f)
	}
	of, ow := create("organization.csv")
	pf, pw := create("project.csv")
	fmt.Fprintln(ow, header)
	fmt.Fprintln(pw, `"id";"acronym";"status";"title";"startDate";"endDate";"totalCost";"ecMaxContribution";"frameworkProgramme";"objective"`)
	for i := range n {
		project := i / 12
		row := rows[i%len(rows)]
		if project%flemishEvery != 0 {
			row = rows[i%sampleRows]
		}
		_, rest, _ := strings.Cut(row, ";") // drop the projectID field
		fmt.Fprintf(ow, "\"%d\";%s\n", 200000000+project, rest)
		if i%12 == 0 {
			fmt.Fprintf(pw, "\"%d\";\"P%d\";\"SIGNED\";\"Generated project %d\";\"2022-0%d-01\";\"2025-12-31\";\"%d,5\";\"%d.25\";\"HORIZON\";\"Objective of project %d.\"\n",
				200000000+project, project, project, 1+project%9, 1000000+project, 900000+project, project)
		}
	}
	for _, w := range []struct {
		f *os.File
		w *bufio.Writer
	}{{of, ow}, {pf, pw}} {
		if err := w.w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := w.f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportCORDIS imports a generated CORDIS dump into a fresh
// database, then imports it again, which must change nothing. One project
// in a hundred has Flemish participants (a real dump has fewer), or one in
// ten as a stress case. It reports rows/s of the first import and of the
// re-import, and peak memory: the goal is memory that stays flat, under
// 200 MB, whatever the file size; it grows only with the projects that have
// a Flemish participant, which are held whole until stored.
func BenchmarkImportCORDIS(b *testing.B) {
	for _, c := range []struct{ rows, flemishEvery int }{{50_000, 100}, {200_000, 100}, {200_000, 10}} {
		n := c.rows
		b.Run(fmt.Sprintf("rows=%d/flemish=1in%d", n, c.flemishEvery), func(b *testing.B) {
			dir := b.TempDir()
			writeDump(b, dir, n, c.flemishEvery)
			ctx := context.Background()
			var first, again time.Duration
			var st history.Stats
			runtime.GC()
			stop := make(chan struct{})
			defer close(stop)
			heap, sys := memprobe.Peak(stop)
			for b.Loop() {
				s := store.New(testdb.New(b))
				if _, err := seed.Run(ctx, s); err != nil {
					b.Fatal(err)
				}
				im := &history.Importer{Store: s}
				start := time.Now()
				var err error
				if st, err = im.Import(ctx, euhistory.SourceCORDIS, dir); err != nil {
					b.Fatal(err)
				}
				first += time.Since(start)
				start = time.Now()
				re, err := im.Import(ctx, euhistory.SourceCORDIS, dir)
				if err != nil {
					b.Fatal(err)
				}
				again += time.Since(start)
				if st.Rows != n || re.Changed != 0 {
					b.Fatalf("first import read %d rows (want %d); re-import changed %d projects", st.Rows, n, re.Changed)
				}
			}
			b.ReportMetric(float64(n*b.N)/first.Seconds(), "rows/s")
			b.ReportMetric(float64(n*b.N)/again.Seconds(), "reimport-rows/s")
			b.ReportMetric(heap(), "peak-heap-inuse-MB")
			b.ReportMetric(sys(), "peak-sys-MB")
			b.ReportMetric(float64(st.Projects), "projects")
		})
	}
}
