package alerts_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/alerts"
	"github.com/fundmatch/fundmatch/internal/database"
	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/notify"
)

// The child process of the SIGKILL test reads where to deliver from these.
const (
	childDBEnv   = "FUNDMATCH_TEST_DELIVERY_DB"
	childSMTPEnv = "FUNDMATCH_TEST_DELIVERY_SMTP"
)

// killSubscribers is how many subscribers each get one alert in the fault
// tests, and killAfter how many of those alerts the server has received
// when the worker is stopped.
const (
	killSubscribers = 120
	killAfter       = 40
)

// TestDeliveryWorkerProcess is the worker the SIGKILL test starts as a
// child process (the test binary run again); it does nothing otherwise.
func TestDeliveryWorkerProcess(t *testing.T) {
	dbURL, smtpAddr := os.Getenv(childDBEnv), os.Getenv(childSMTPEnv)
	if dbURL == "" {
		t.Skip("only run as the child of TestASIGKILLedWorkerLosesAtMostTheMessageInFlight")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := newService(t, store.New(db), smtpAddr)
	if _, err := svc.Deliver(ctx, monday); err != nil {
		t.Fatal(err)
	}
}

// newService is a Service that mails through the SMTP server at addr.
func newService(t testing.TB, st *store.Store, addr string) *alerts.Service {
	t.Helper()
	links, err := notify.NewLinks(baseURL, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := notify.NewMailer(notify.MailConfig{URL: "smtp://" + addr, TLS: notify.TLSNone,
		From: "fundmatch <alerts@fundmatch.test>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := alerts.New(alerts.Config{Store: st, Links: links, Mailer: mailer, BaseURL: baseURL, Location: brussels})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// manySubscribers gives killSubscribers instant subscribers of Gent one new
// match each, swept into pending notifications, behind a slow mail server.
func manySubscribers(t *testing.T) *fixture {
	f := newFixture(t)
	f.sink.SetDelay(10 * time.Millisecond)
	for i := range killSubscribers {
		f.subscribe(store.NewSubscription{Email: fmt.Sprintf("officer%03d@gent.be", i), MinScore: 50})
	}
	f.match(f.call("CALL-1", "Oproep 1", "HORIZON", "2027-01-01"), f.gent, 70, "eligible")
	if added := f.sweep(monday); added[store.EventNewMatch] != killSubscribers {
		t.Fatalf("sweep added %v, want %d new matches", added, killSubscribers)
	}
	return f
}

// waitFor polls until cond holds or the worker's done channel says it has
// ended; it reports whether cond held.
func waitFor(cond func() bool, done <-chan struct{}) bool {
	for !cond() {
		select {
		case <-done:
			return cond()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return true
}

// perRecipient counts the emails each address received.
func perRecipient(mails []*mail.Message) map[string]int {
	out := map[string]int{}
	for _, m := range mails {
		out[m.Header.Get("To")]++
	}
	return out
}

// faultCounts are what a fault test measures after the rerun.
type faultCounts struct {
	duplicates int // subscribers who got the alert more than once
	lost       int // subscribers who never got it
	uncertain  int // notifications settled as sent without knowing
}

func (f *fixture) faultCounts() faultCounts {
	f.t.Helper()
	var c faultCounts
	got := perRecipient(f.sink.Mails(f.t))
	for i := range killSubscribers {
		switch n := got[fmt.Sprintf("<officer%03d@gent.be>", i)]; {
		case n == 0:
			c.lost++
		case n > 1:
			c.duplicates++
		}
	}
	if err := f.db.GetContext(f.ctx, &c.uncertain, `SELECT count(*) FROM notifications WHERE last_error = $1`, store.OutcomeUnknown); err != nil {
		f.t.Fatal(err)
	}
	return c
}

func TestASIGKILLedWorkerLosesAtMostTheMessageInFlight(t *testing.T) {
	f := manySubscribers(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeliveryWorkerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childDBEnv+"="+f.dbURL, childSMTPEnv+"="+f.sink.Addr())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	received := func() bool { return f.sink.Count() >= killAfter }
	if !waitFor(received, done) {
		t.Fatalf("the worker ended before the server had %d messages", killAfter)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to record anything
		t.Fatal(err)
	}
	<-done
	// The server finishes accepting what it was reading.
	waitFor(func() bool { return f.sink.InData() == 0 }, make(chan struct{}))
	atKill := len(f.sink.Messages())
	// A statement the worker had sent before it died still runs to its end
	// in PostgreSQL: wait for its connections to go quiet.
	waitFor(func() bool {
		var busy int
		if err := f.db.GetContext(f.ctx, &busy, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'`); err != nil {
			t.Fatal(err)
		}
		return busy == 0
	}, make(chan struct{}))
	if atKill == killSubscribers {
		t.Fatalf("the worker sent all %d alerts before it was killed", killSubscribers)
	}

	var sent, sending int
	if err := f.db.QueryRowContext(f.ctx, `SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'sending')
		FROM notifications`).Scan(&sent, &sending); err != nil {
		t.Fatal(err)
	}
	if sending > 1 || sent > atKill {
		t.Fatalf("after SIGKILL: %d recorded sent and %d in flight, the server got %d; want at most one in flight and no more recorded than received",
			sent, sending, atKill)
	}

	// The next run, once the lease has run out, settles the message in
	// flight and sends the rest of the killed worker's claim.
	r := f.deliver(monday.Add(alerts.Lease + time.Minute))
	c := f.faultCounts()
	t.Logf("SIGKILL after %d of %d emails: %d recorded sent and %d in flight at the kill; rerun %s; duplicates=%d lost=%d uncertain=%d",
		atKill, killSubscribers, sent, sending, r, c.duplicates, c.lost, c.uncertain)
	if c.duplicates != 0 || c.lost > c.uncertain || c.uncertain > 1 || r.Settled != sending {
		t.Fatalf("want no duplicates, at most one uncertain and none lost beyond it")
	}
}

func TestACancelledDeliveryFinishesTheMessageInFlightAndReleasesTheRest(t *testing.T) {
	f := manySubscribers(t)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	done := make(chan struct{})
	var r alerts.Report
	var err error
	go func() {
		r, err = f.svc.Deliver(ctx, monday)
		close(done)
	}()
	received := func() bool { return f.sink.Count() >= killAfter }
	if !waitFor(received, done) {
		t.Fatalf("the delivery ended before the server had %d messages", killAfter)
	}
	cancel() // what a worker does on SIGTERM
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled delivery returned %v, want context.Canceled", err)
	}
	atStop := len(f.sink.Messages())
	var sending, held int
	if err := f.db.QueryRowContext(f.ctx, `SELECT count(*) FILTER (WHERE status = 'sending'),
		count(*) FILTER (WHERE status = 'pending' AND claimed_at IS NOT NULL) FROM notifications`).Scan(&sending, &held); err != nil {
		t.Fatal(err)
	}
	if r.Sent != atStop || sending != 0 || held != 0 || atStop == killSubscribers {
		t.Fatalf("after cancelling: %s, the server got %d, %d in sending, %d still claimed; want every received message recorded, none in doubt, the rest released",
			r, atStop, sending, held)
	}
	// The rest goes out on the next run, at once: no lease to wait for.
	r2 := f.deliver(monday)
	c := f.faultCounts()
	t.Logf("SIGTERM after %d of %d emails: %s at the stop; rerun %s; duplicates=%d lost=%d uncertain=%d",
		atStop, killSubscribers, r, r2, c.duplicates, c.lost, c.uncertain)
	if c != (faultCounts{}) || r2.Sent != killSubscribers-atStop {
		t.Fatalf("want no duplicates, none lost, none uncertain, and the rerun to send the %d left", killSubscribers-atStop)
	}
}
