package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
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
	for b.Loop() {
		for _, d := range digests {
			if _, err := RenderDigest(d); err != nil {
				b.Fatal(err)
			}
			_ = SlackDigest(d)
		}
	}
	b.ReportMetric(float64(len(digests)), "digests/op")
}

// BenchmarkDeliverDailyDigests composes the 1,500 digests and delivers each
// twice: by email to an in-process SMTP server (STARTTLS, login, 100
// messages per connection) and to a local HTTPS server speaking Slack's
// webhook format.
func BenchmarkDeliverDailyDigests(b *testing.B) {
	digests := benchDigests(b)
	sink := startSMTPSink(b, true)
	sink.discard = true
	mailer := testMailer(b, sink, sink.password, 0)
	var posts atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		posts.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	slack := webhookSlack(b, srv, 10*time.Second)
	ctx := context.Background()

	for b.Loop() {
		emails := make([]Email, len(digests))
		for i, d := range digests {
			e, err := RenderDigest(d)
			if err != nil {
				b.Fatal(err)
			}
			e.Key = fmt.Sprintf("digest/%d/2026-11-23", i)
			emails[i] = e
			if err := slack.PostWebhook(ctx, secretWebhook, SlackDigest(d)); err != nil {
				b.Fatal(err)
			}
		}
		for i, err := range mailer.SendAll(ctx, emails) {
			if err != nil {
				b.Fatalf("email %d: %v", i, err)
			}
		}
	}
	if want := int64(len(digests) * b.N); int64(sink.count) != want || posts.Load() != want {
		b.Fatalf("delivered %d emails and %d Slack posts, want %d each", sink.count, posts.Load(), want)
	}
	b.ReportMetric(float64(len(digests)), "digests/op")
}
