package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/testsmtp"
)

// The load: the daily digests of 300 municipalities with 5
// subscribers each, 20 matches per digest.
const (
	benchCities      = 300
	benchSubscribers = 5
	benchMatches     = 20
)

func benchDigests(b *testing.B) []Digest {
	l := testLinks(b)
	digests := make([]Digest, 0, benchCities*benchSubscribers)
	for c := range benchCities {
		for s := range benchSubscribers {
			lang := Dutch
			if s == benchSubscribers-1 {
				lang = English
			}
			id := int64(c*benchSubscribers + s)
			r := Recipient{
				Name:           fmt.Sprintf("Officer %d", s),
				Email:          fmt.Sprintf("officer%d@city%03d.test", s, c),
				Language:       lang,
				UnsubscribeURL: l.Unsubscribe(id),
			}
			d := sampleDigest(l, r, Daily, benchMatches)
			d.Alerts = d.Alerts[:benchMatches] // 20 matches, nothing else
			digests = append(digests, d)
		}
	}
	return digests
}

// BenchmarkComposeDailyDigests renders every digest as an email and as a
// Slack message, without delivering.
func BenchmarkComposeDailyDigests(b *testing.B) {
	digests := benchDigests(b)
	cpu := cpuTime()
	for b.Loop() {
		for _, d := range digests {
			if _, err := RenderDigest(d); err != nil {
				b.Fatal(err)
			}
			_ = SlackDigest(d)
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(digests)), "digests/op")
}

// BenchmarkDeliverDailyDigests composes the 1,500 digests and delivers each
// twice: by email to an in-process SMTP server (STARTTLS, login, 100
// messages per connection) and to a local HTTPS server speaking Slack's
// webhook format. The work is split among workers, as the notify queue's
// workers would split it; the sub-benchmark names give their number.
func BenchmarkDeliverDailyDigests(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			benchmarkDeliver(b, workers)
		})
	}
}

func benchmarkDeliver(b *testing.B, workers int) {
	digests := benchDigests(b)
	sink := testsmtp.Start(b, testsmtp.Options{StartTLS: true, Auth: true, Discard: true})
	mailer := testMailer(b, sink, sink.Password(), 0)
	var posts atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		posts.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	slack := webhookSlack(b, srv, 10*time.Second)
	ctx := context.Background()

	deliver := func(digests []Digest, first int) error {
		emails := make([]Email, len(digests))
		for i, d := range digests {
			e, err := RenderDigest(d)
			if err != nil {
				return err
			}
			e.Key = fmt.Sprintf("digest/%d/2026-11-23", first+i)
			emails[i] = e
			if err := slack.PostWebhook(ctx, secretWebhook, SlackDigest(d)); err != nil {
				return err
			}
		}
		return errors.Join(mailer.SendAll(ctx, emails)...)
	}
	cpu := cpuTime()
	for b.Loop() {
		var g errgroup
		per := (len(digests) + workers - 1) / workers
		for start := 0; start < len(digests); start += per {
			end := min(start+per, len(digests))
			g.Go(func() error { return deliver(digests[start:end], start) })
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	if want := int64(len(digests) * b.N); int64(sink.Count()) != want || posts.Load() != want {
		b.Fatalf("delivered %d emails and %d Slack posts, want %d each", sink.Count(), posts.Load(), want)
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(digests)), "digests/op")
}

// errgroup runs functions in goroutines and keeps their errors.
type errgroup struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
}

func (g *errgroup) Go(f func() error) {
	g.wg.Go(func() {
		if err := f(); err != nil {
			g.mu.Lock()
			g.errs = append(g.errs, err)
			g.mu.Unlock()
		}
	})
}

func (g *errgroup) Wait() error {
	g.wg.Wait()
	return errors.Join(g.errs...)
}

// cpuTime is the CPU time (user and system) the process has used so far.
// Reported beside wall time because the benchmark machine is shared: wall
// time measures the neighbours too, CPU time only our work (the in-process
// SMTP and Slack sinks included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}
