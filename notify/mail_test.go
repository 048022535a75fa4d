package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fundmatch/fundmatch/internal/testsmtp"
)

func testMailer(t testing.TB, sink *testsmtp.Server, password string, per int) *Mailer {
	t.Helper()
	m, err := NewMailer(MailConfig{
		URL:           fmt.Sprintf("smtp://%s:%s@%s", sink.User(), url.QueryEscape(password), sink.Addr()),
		TLS:           TLSMandatory,
		TLSConfig:     &tls.Config{RootCAs: sink.Roots(), ServerName: "127.0.0.1"},
		From:          "fundmatch <alerts@fundmatch.example.be>",
		Timeout:       5 * time.Second,
		PerConnection: per,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type parsedMail struct {
	header     netmail.Header
	subject    string
	partTypes  []string
	text, html string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedMail{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		p.partTypes = append(p.partTypes, ct)
		s := strings.ReplaceAll(string(body), "\r\n", "\n")
		switch ct {
		case "text/plain":
			p.text = s
		case "text/html":
			p.html = s
		}
	}
	return p
}

func TestMailerDeliversTheRenderedMessageWithOneClickUnsubscribe(t *testing.T) {
	sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
	m := testMailer(t, sink, sink.Password(), 0)
	l := testLinks(t)
	e, err := RenderAlert(sampleRecipient(l, Dutch), sampleAlerts(l)[KindNewMatch])
	if err != nil {
		t.Fatal(err)
	}
	e.Key = "sub=42/call=HORIZON-MISS-2026-CIT-02-03/event=new_match/rev=1"

	if err := m.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}

	got := sink.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if got[0].From != "alerts@fundmatch.example.be" || !cmp.Equal(got[0].To, []string{"an.peeters@stad.gent"}) {
		t.Errorf("envelope = %s -> %v", got[0].From, got[0].To)
	}
	if !cmp.Equal(sink.Logins(), []string{"alerts"}) {
		t.Errorf("logins = %v, want one as alerts", sink.Logins())
	}
	p := parseMail(t, got[0].Data)
	headers := map[string]string{
		"From":                  `"fundmatch" <alerts@fundmatch.example.be>`,
		"To":                    "<an.peeters@stad.gent>",
		"Message-Id":            "<" + MessageID(e.Key, "fundmatch.example.be") + ">",
		"List-Unsubscribe":      "<" + e.UnsubscribeURL + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Auto-Submitted":        "auto-generated",
	}
	for k, want := range headers {
		if v := p.header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	if p.subject != e.Subject {
		t.Errorf("Subject = %q, want %q", p.subject, e.Subject)
	}
	if !cmp.Equal(p.partTypes, []string{"text/plain", "text/html"}) {
		t.Errorf("parts = %v, want text/plain then text/html", p.partTypes)
	}
	if diff := cmp.Diff(e.Text, p.text); diff != "" {
		t.Errorf("text part (-rendered +received):\n%s", diff)
	}
	if diff := cmp.Diff(e.HTML, p.html); diff != "" {
		t.Errorf("html part (-rendered +received):\n%s", diff)
	}
	// The unsubscribe link in the header works: its token names subscription 42.
	u, err := url.Parse(strings.Trim(p.header.Get("List-Unsubscribe"), "<>"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Verify(testSecret, u.Query().Get("token"))
	if err != nil || tok != (Token{Purpose: PurposeUnsubscribe, SubscriptionID: 42}) {
		t.Errorf("List-Unsubscribe token = %+v, %v", tok, err)
	}
}

func TestMailerSendAllReportsEachRecipientOverOneConnection(t *testing.T) {
	sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
	m := testMailer(t, sink, sink.Password(), 0)
	emails := []Email{
		{To: "officer@gent.test", Subject: "a", Text: "a", HTML: "<p>a</p>"},
		{To: "nobody@unknown.test", Subject: "b", Text: "b"},
		{To: "officer@busy.test", Subject: "c", Text: "c"},
		{To: "officer@leuven.test", Subject: "d", Text: "d"},
		{To: "not an address", Subject: "e", Text: "e"},
	}

	results := m.SendAll(context.Background(), emails)

	want := []struct {
		class  Class
		reason string
	}{{0, ""}, {Permanent, "smtp 550"}, {Temporary, "smtp 451"}, {0, ""}, {Permanent, "invalid_message"}}
	for i, w := range want {
		t.Run(emails[i].To, func(t *testing.T) {
			checkDeliveryError(t, results[i], w.class, w.reason, 0)
		})
	}
	var to []string
	for _, r := range sink.Messages() {
		to = append(to, r.To...)
	}
	if !cmp.Equal(to, []string{"officer@gent.test", "officer@leuven.test"}) {
		t.Errorf("delivered to %v", to)
	}
	if n := sink.Connections(); n != 1 {
		t.Errorf("%d SMTP connections, want 1 for the whole batch", n)
	}
}

func TestMailerOpensANewConnectionEveryPerConnectionMessages(t *testing.T) {
	sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
	m := testMailer(t, sink, sink.Password(), 2)
	emails := make([]Email, 5)
	for i := range emails {
		emails[i] = Email{To: fmt.Sprintf("officer%d@gent.test", i), Subject: "s", Text: "t"}
	}
	for i, err := range m.SendAll(context.Background(), emails) {
		if err != nil {
			t.Errorf("email %d: %v", i, err)
		}
	}
	if len(sink.Messages()) != 5 || sink.Connections() != 3 {
		t.Errorf("%d messages over %d connections, want 5 over 3", len(sink.Messages()), sink.Connections())
	}
}

func TestMailerConnectionFailuresAreTemporaryAndHideThePassword(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
		wrong := "WrOnG-SeCrEt-pw"
		m := testMailer(t, sink, wrong, 0)
		err := m.Send(context.Background(), Email{To: "officer@gent.test", Subject: "s", Text: "t"})
		checkDeliveryError(t, err, Temporary, "connect", 0)
		assertNoSecret(t, err, wrong, sink.Password())
		if len(sink.Messages()) != 0 {
			t.Error("a message was accepted without a valid login")
		}
	})
	t.Run("server down", func(t *testing.T) {
		m, err := NewMailer(MailConfig{URL: "smtp://alerts:SeCrEtToKeN@127.0.0.1:1", TLS: TLSNone, From: "alerts@fundmatch.example.be", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Send(context.Background(), Email{To: "officer@gent.test", Subject: "s", Text: "t"})
		checkDeliveryError(t, err, Temporary, "connect", 0)
		assertNoSecret(t, err)
	})
	t.Run("mandatory TLS against a server without STARTTLS", func(t *testing.T) {
		sink := testsmtp.Start(t, testsmtp.Options{Auth: true})
		m, err := NewMailer(MailConfig{URL: "smtp://alerts:SeCrEtToKeN@" + sink.Addr(), TLS: TLSMandatory, From: "alerts@fundmatch.example.be", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Send(context.Background(), Email{To: "officer@gent.test", Subject: "s", Text: "t"})
		checkDeliveryError(t, err, Temporary, "connect", 0)
		assertNoSecret(t, err)
		if len(sink.Messages()) != 0 {
			t.Error("a message went out in plain text despite mandatory TLS")
		}
	})
}

func TestNewMailerRejectsBadConfigWithoutEchoingThePassword(t *testing.T) {
	tests := []struct {
		name    string
		cfg     MailConfig
		wantErr string
	}{
		{"unparsable URL", MailConfig{URL: "smtp://alerts:SeCrEtToKeN@host:port:x", From: "a@b.be"}, "not a valid URL"},
		{"wrong scheme", MailConfig{URL: "http://alerts:SeCrEtToKeN@mail.example.be", From: "a@b.be"}, "scheme"},
		{"no host", MailConfig{URL: "smtp://alerts:SeCrEtToKeN@", From: "a@b.be"}, "no host"},
		{"bad port", MailConfig{URL: "smtp://alerts:SeCrEtToKeN@mail.example.be:99999", From: "a@b.be"}, "port"},
		{"bad TLS policy", MailConfig{URL: "smtp://alerts:SeCrEtToKeN@mail.example.be", TLS: "sometimes", From: "a@b.be"}, "TLS policy"},
		{"bad from", MailConfig{URL: "smtp://alerts:SeCrEtToKeN@mail.example.be", From: "nope"}, "from address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMailer(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
			assertNoSecret(t, err)
		})
	}
	for _, cfg := range []MailConfig{
		{URL: "smtps://alerts:SeCrEtToKeN@mail.example.be", From: "a@b.be"},
		{URL: "smtp://mail.example.be:2525", TLS: TLSOpportunistic, From: "a@b.be"},
	} {
		if _, err := NewMailer(cfg); err != nil {
			t.Errorf("NewMailer(%s) = %v", cfg, err)
		}
		if s := cfg.String(); strings.Contains(s, "SeCrEtToKeN") {
			t.Errorf("MailConfig.String() leaks the password: %s", s)
		}
	}
}

func TestMailerStopsAtACancelledContext(t *testing.T) {
	sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
	m := testMailer(t, sink, sink.Password(), 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i, err := range m.SendAll(ctx, []Email{{To: "a@gent.test", Text: "a"}, {To: "b@gent.test", Text: "b"}}) {
		checkDeliveryError(t, err, Temporary, "cancelled", 0)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("email %d: %v does not wrap context.Canceled", i, err)
		}
	}
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("%d messages sent after cancellation", n)
	}
}

func TestMailSessionSendsOneByOneOverAKeptConnection(t *testing.T) {
	sink := testsmtp.Start(t, testsmtp.Options{StartTLS: true, Auth: true})
	m := testMailer(t, sink, sink.Password(), 3)
	s := m.Session()
	defer s.Close()
	emails := []Email{
		{To: "officer@gent.test", Subject: "a", Text: "a"},
		{To: "nobody@unknown.test", Subject: "b", Text: "b"},
		{To: "officer@leuven.test", Subject: "c", Text: "c"},
		{To: "officer@brugge.test", Subject: "d", Text: "d"},
	}
	var results []error
	for _, e := range emails {
		results = append(results, s.Send(context.Background(), e))
	}
	checkDeliveryError(t, results[0], 0, "", 0)
	checkDeliveryError(t, results[1], Permanent, "smtp 550", 0)
	checkDeliveryError(t, results[2], 0, "", 0)
	checkDeliveryError(t, results[3], 0, "", 0)
	if len(sink.Messages()) != 3 || sink.Connections() != 2 {
		t.Errorf("%d messages over %d connections, want 3 over 2 (a refusal keeps the connection; a new one after 3 messages)",
			len(sink.Messages()), sink.Connections())
	}
}
