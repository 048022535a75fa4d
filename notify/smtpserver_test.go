package notify

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpSink is a real SMTP server (emersion/go-smtp) listening on loopback.
// It offers STARTTLS (unless started without), accepts PLAIN logins for one
// user, rejects recipients at unknown.test with 550 and at busy.test with
// 451, and keeps what it receives.
type smtpSink struct {
	addr     string
	user     string
	password string
	roots    *x509.CertPool // trusts the sink's certificate

	mu       sync.Mutex
	messages []receivedMail
	conns    map[*smtp.Conn]bool // a STARTTLS upgrade starts a new session on the same connection
	logins   []string
	discard  bool // count messages but do not keep them (benchmarks)
	count    int
}

type receivedMail struct {
	From string
	To   []string
	Data []byte
}

func startSMTPSink(tb testing.TB, starttls bool) *smtpSink {
	tb.Helper()
	sink := &smtpSink{user: "alerts", password: "pa:ss@w0rd/SeCrEt", conns: map[*smtp.Conn]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		sink.mu.Lock()
		sink.conns[c] = true
		sink.mu.Unlock()
		return &sinkSession{sink: sink}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = discardLogger{}
	if starttls {
		// Borrow httptest's certificate for 127.0.0.1.
		hs := httptest.NewUnstartedServer(nil)
		hs.StartTLS()
		srv.TLSConfig = &tls.Config{Certificates: hs.TLS.Certificates}
		sink.roots = x509.NewCertPool()
		sink.roots.AddCert(hs.Certificate())
		hs.Close()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	sink.addr = l.Addr().String()
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return sink
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

func (s *smtpSink) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *smtpSink) received() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.messages...)
}

type sinkSession struct {
	sink *smtpSink
	from string
	to   []string
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.sink.mu.Lock()
		s.sink.logins = append(s.sink.logins, user)
		s.sink.mu.Unlock()
		if user != s.sink.user || pass != s.sink.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		return nil
	}), nil
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasSuffix(to, "@unknown.test"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	case strings.HasSuffix(to, "@busy.test"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	if s.from == "" {
		return errors.New("DATA before MAIL")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.count++
	if !s.sink.discard {
		s.sink.messages = append(s.sink.messages, receivedMail{From: s.from, To: s.to, Data: b})
	}
	return nil
}

func (s *sinkSession) Reset() { s.from, s.to = "", nil }

func (s *sinkSession) Logout() error { return nil }
