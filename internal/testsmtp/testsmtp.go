// Package testsmtp gives tests a real SMTP server (emersion/go-smtp) on
// loopback, so that mail is sent over the protocol a relay speaks, refusals
// included, and what arrived can be checked afterwards.
//
// The server refuses recipients at unknown.test with 550 (a permanent
// failure) and at busy.test with 451 (a temporary one); it accepts every
// other address and keeps what it receives.
package testsmtp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options choose what the server offers besides plain SMTP, and whether
// it keeps what it receives.
type Options struct {
	// StartTLS offers STARTTLS with a certificate for 127.0.0.1 that Roots
	// trusts.
	StartTLS bool
	// Auth offers PLAIN logins for one user, User with Password; without
	// it the server advertises no AUTH at all.
	Auth bool
	// Discard counts messages without keeping them, so that a benchmark's
	// thousands of messages cost no memory.
	Discard bool
}

// Server is a running SMTP server and what it has received.
type Server struct {
	addr  string
	opts  Options
	roots *x509.CertPool
	// Tests poll these while messages arrive; they need no lock.
	count  atomic.Int64
	inData atomic.Int64
	delay  atomic.Int64 // a time.Duration

	mu       sync.Mutex
	messages []Message
	// conns holds every connection seen: a STARTTLS upgrade starts a new
	// session on the same connection, so sessions are not counted.
	conns  map[*smtp.Conn]bool
	logins []string
}

// The one user the server accepts when Options.Auth is set. The password
// has characters a URL must escape (: @ /), so that a mailer configured by
// URL has to decode it to log in.
const (
	user     = "alerts"
	password = "pa:ss@w0rd/SeCrEt"
)

// Start starts a server on a free port of 127.0.0.1; it is closed when tb
// ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{opts: opts, conns: map[*smtp.Conn]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		return &session{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = opts.Auth
	srv.ErrorLog = discardLogger{}
	if opts.StartTLS {
		// Borrow httptest's certificate for 127.0.0.1.
		hs := httptest.NewUnstartedServer(nil)
		hs.StartTLS()
		srv.TLSConfig = &tls.Config{Certificates: hs.TLS.Certificates}
		s.roots = x509.NewCertPool()
		s.roots.AddCert(hs.Certificate())
		hs.Close()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return s
}

// discardLogger silences the server: a client that hangs up or fails a
// login is what the tests provoke, not something to print.
type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// Addr is the server's host and port.
func (s *Server) Addr() string { return s.addr }

// User is the name the server accepts a login for.
func (s *Server) User() string { return user }

// Password is User's password.
func (s *Server) Password() string { return password }

// Roots trusts the server's certificate; it is nil without StartTLS.
func (s *Server) Roots() *x509.CertPool { return s.roots }

// Messages returns the messages received so far, unless they are
// discarded.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Connections returns how many connections clients have opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Logins returns the user names of every login tried, in order, whether it
// succeeded or not.
func (s *Server) Logins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.logins...)
}

// Count returns how many messages the server has accepted, kept or
// discarded.
func (s *Server) Count() int { return int(s.count.Load()) }

// SetDelay makes the server wait d after reading a message before it
// accepts it, as a slow relay does; tests use it to stop a sender while a
// message is in flight.
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// InData returns how many messages the server is reading or about to
// accept: a test waits for none before it compares what the sender
// recorded with what arrived.
func (s *Server) InData() int { return int(s.inData.Load()) }

// session is one SMTP session: a connection's, or the part of it after
// STARTTLS.
type session struct {
	server *Server
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string {
	if !s.server.opts.Auth {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	if !s.server.opts.Auth {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, u, p string) error {
		s.server.mu.Lock()
		s.server.logins = append(s.server.logins, u)
		s.server.mu.Unlock()
		if u != user || p != password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasSuffix(to, "@unknown.test"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	case strings.HasSuffix(to, "@busy.test"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	srv := s.server
	srv.inData.Add(1)
	defer srv.inData.Add(-1)
	if s.from == "" {
		return errors.New("DATA before MAIL")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(time.Duration(srv.delay.Load()))
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.count.Add(1)
	if !srv.opts.Discard {
		srv.messages = append(srv.messages, Message{From: s.from, To: s.to, Data: b})
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }
