// Package testsmtp gives tests a real SMTP server (emersion/go-smtp) on
// loopback, so that mail is sent over the protocol a relay speaks, refusals
// included, and what arrived can be checked afterwards.
//
// The server refuses recipients at unknown.test with 550 (a permanent
// failure) and at busy.test with 451 (a temporary one); it accepts every
// other address and keeps what it receives.
package testsmtp

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
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

	mu       sync.Mutex
	messages []Message
	// conns holds every connection seen: a STARTTLS upgrade starts a new
	// session on the same connection, so sessions are not counted.
	conns  map[*smtp.Conn]bool
	logins []string
	count  int
	delay  time.Duration
	inData int
}

// Message is what a client sent in one transaction: the envelope and the
// message as it came over the wire.
type Message struct {
	From string
	To   []string
	Data []byte
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

// Mails returns the messages received so far, parsed.
func (s *Server) Mails(tb testing.TB) []*mail.Message {
	tb.Helper()
	var out []*mail.Message
	for _, m := range s.Messages() {
		out = append(out, m.Mail(tb))
	}
	return out
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
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// SetDelay makes the server wait d after reading a message before it
// accepts it, as a slow relay does; tests use it to stop a sender while a
// message is in flight.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// InData returns how many messages the server is reading or about to
// accept: a test waits for none before it compares what the sender
// recorded with what arrived.
func (s *Server) InData() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inData
}

// Mail parses the message; tb fails when it is not one net/mail can read.
// Each call reads the message anew, so its body can be read again.
func (m Message) Mail(tb testing.TB) *mail.Message {
	tb.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		tb.Fatalf("parse the message to %v: %v", m.To, err)
	}
	return msg
}

// TextPart returns the text/plain part of a message, decoded: the message
// itself when it is plain text, its first text/plain part when it has parts,
// and "" when it is of another type. tb fails on a malformed message or a
// multipart one without a text/plain part.
func TextPart(tb testing.TB, m *mail.Message) string {
	tb.Helper()
	text, err := textPart(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	if err != nil {
		tb.Fatalf("text part of %q: %v", m.Header.Get("Subject"), err)
	}
	return text
}

func textPart(contentType, encoding string, body io.Reader) (string, error) {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return "", err
			}
			if text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil || text != "" {
				return text, err
			}
		}
	}
	if media != "text/plain" {
		return "", nil
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}

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
	srv.mu.Lock()
	srv.inData++
	delay := srv.delay
	srv.mu.Unlock()
	defer func() {
		srv.mu.Lock()
		srv.inData--
		srv.mu.Unlock()
	}()
	if s.from == "" {
		return errors.New("DATA before MAIL")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(delay)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.count++
	if !srv.opts.Discard {
		srv.messages = append(srv.messages, Message{From: s.from, To: s.to, Data: b})
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }
