package cordis

import (
	"github.com/fundmatch/fundmatch/internal/memprobe"

	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/euhistory/resolve"
)

// sampleRows is the number of verbatim CORDIS rows at the top of
// testdata/csv/organization.csv; the rows after them are derived Flemish ones.
const sampleRows = 11

// writeOrganisations writes an organization.csv of n rows made from the
// testdata rows, giving every twelve rows a new project id so that projects
// look real. With flemishEvery 1 every project cycles through all rows,
// derived Flemish ones included; with flemishEvery k only one project in k
// has Flemish participants, the others only the verbatim sample's rows, as
// in a real dump.
func writeOrganisations(b *testing.B, dir string, n, flemishEvery int) string {
	b.Helper()
	src, err := os.ReadFile("testdata/csv/organization.csv")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
	header, rows := lines[0], lines[1:]
	name := filepath.Join(dir, "organization.csv")
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, header)
	for i := range n {
		project := i / 12
		row := rows[i%len(rows)]
		if project%flemishEvery != 0 {
			row = rows[i%sampleRows]
		}
		_, rest, _ := strings.Cut(row, ";") // drop the projectID field
		fmt.Fprintf(w, "\"%d\";%s\n", 200000000+project, rest)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return name
}

// BenchmarkParseAndResolveOrganisations streams a generated organization.csv
// and resolves every participant, reporting rows/s and peak memory: the goal
// is memory that stays flat, well under 200 MB, whatever the size.
func BenchmarkParseAndResolveOrganisations(b *testing.B) {
	f, err := os.Open("../resolve/testdata/municipalities.csv")
	if err != nil {
		b.Fatal(err)
	}
	ms, err := resolve.ReadMunicipalities(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	r, err := resolve.New(ms, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{50_000, 200_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			name := writeOrganisations(b, b.TempDir(), n, 1)
			runtime.GC()
			stop := make(chan struct{})
			defer close(stop)
			heap, sys := memprobe.Peak(stop)
			rows, certain := 0, 0
			start := time.Now()
			for b.Loop() {
				in, err := os.Open(name)
				if err != nil {
					b.Fatal(err)
				}
				err = ReadParticipations(in, func(pt Participation) error {
					rows++
					if r.Resolve(pt.Party()).Decision == resolve.Certain {
						certain++
					}
					return nil
				})
				in.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			if rows != n*b.N {
				b.Fatalf("read %d rows, want %d", rows, n*b.N)
			}
			b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(heap(), "peak-heap-inuse-MB")
			b.ReportMetric(sys(), "peak-sys-MB")
			b.ReportMetric(float64(certain)/float64(b.N), "certain/op")
		})
	}
}

// BenchmarkCollectFromZip builds a CORDIS zip around a generated
// organization.csv in which one project in a hundred has Flemish
// participants, and runs Collect with the resolver as filter: two streamed
// passes over organization.csv and one over project.csv, read from the zip
// file through its io.ReaderAt.
func BenchmarkCollectFromZip(b *testing.B) {
	r := mustResolver(b)
	for _, n := range []int{50_000, 200_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			orgs := writeOrganisations(b, dir, n, 100)
			zipName := filepath.Join(dir, "cordis-h2020projects-csv.zip")
			zf, err := os.Create(zipName)
			if err != nil {
				b.Fatal(err)
			}
			zw := zip.NewWriter(zf)
			for _, m := range []struct{ name, path string }{{"project.csv", "testdata/csv/project.csv"}, {"organization.csv", orgs}} {
				w, err := zw.Create(m.name)
				if err != nil {
					b.Fatal(err)
				}
				in, err := os.Open(m.path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(w, in); err != nil {
					b.Fatal(err)
				}
				in.Close()
			}
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
			zf.Close()
			runtime.GC()
			stop := make(chan struct{})
			defer close(stop)
			heap, sys := memprobe.Peak(stop)
			projects := 0
			start := time.Now()
			for b.Loop() {
				a, err := Open(zipName)
				if err != nil {
					b.Fatal(err)
				}
				err = a.Collect(func(pt Participation) bool {
					return r.Resolve(pt.Party()).Decision == resolve.Certain
				}, func(Project, []Participation) error { projects++; return nil })
				a.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*n*b.N)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(heap(), "peak-heap-inuse-MB")
			b.ReportMetric(sys(), "peak-sys-MB")
			b.ReportMetric(float64(projects)/float64(b.N), "projects/op")
		})
	}
}
