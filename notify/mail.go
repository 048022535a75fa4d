package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// TLSPolicy is how the Mailer secures a plain smtp:// connection (SMTP_TLS).
type TLSPolicy string

// The TLS policies. Mandatory is the default: STARTTLS or fail.
const (
	TLSMandatory     TLSPolicy = "mandatory"
	TLSOpportunistic TLSPolicy = "opportunistic" // STARTTLS when offered
	TLSNone          TLSPolicy = "none"          // plain text, for a local relay or a test server
)

// ParseTLSPolicy parses SMTP_TLS; empty gives TLSMandatory.
func ParseTLSPolicy(s string) (TLSPolicy, error) {
	switch p := TLSPolicy(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return TLSMandatory, nil
	case TLSMandatory, TLSOpportunistic, TLSNone:
		return p, nil
	}
	return "", fmt.Errorf("SMTP TLS policy %q: want mandatory, opportunistic or none", s)
}

// MailConfig configures a Mailer.
type MailConfig struct {
	// URL is SMTP_URL: smtp://user:pass@host:port (STARTTLS per TLS, port
	// 587 by default) or smtps://user:pass@host:port (TLS from the first
	// byte, port 465 by default). User and password are optional; go-mail
	// picks the strongest login the server offers and, on a connection
	// without TLS, refuses PLAIN and LOGIN rather than send the password in
	// clear.
	URL  string
	TLS  TLSPolicy // SMTP_TLS; ignored for smtps://
	From string    // MAIL_FROM, e.g. "fundmatch <alerts@fundmatch.be>"
	// Timeout bounds connecting and each SMTP command; zero means 15 s.
	Timeout time.Duration
	// PerConnection is how many messages go over one connection before it
	// is closed and another opened; zero means 100, which common relays
	// accept.
	PerConnection int
	// TLSConfig verifies the server's certificate; nil means the system
	// roots and the URL's host name. Set it for a private CA.
	TLSConfig *tls.Config
}

// String describes the configuration with the password masked, so that
// logging a MailConfig does not leak it.
func (c MailConfig) String() string {
	u := "[invalid URL]"
	if parsed, err := url.Parse(c.URL); err == nil {
		u = parsed.Redacted()
	}
	return fmt.Sprintf("smtp %s tls=%s from=%s", u, c.TLS, c.From)
}

// Mailer sends emails over SMTP. It is safe for concurrent use; each call
// to Send uses its own connections.
type Mailer struct {
	client        *mail.Client
	from          string
	domain        string // for Message-IDs
	perConnection int
	password      string // only to scrub it from errors
}

// NewMailer checks cfg and returns a Mailer. It does not connect. Errors
// never repeat the URL, which may hold a password.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("mailer: SMTP URL is not a valid URL")
	}
	var opts []mail.Option
	switch u.Scheme {
	case "smtp":
		policy, err := ParseTLSPolicy(string(cfg.TLS))
		if err != nil {
			return nil, fmt.Errorf("mailer: %w", err)
		}
		tlsPolicy := mail.TLSMandatory
		switch policy {
		case TLSOpportunistic:
			tlsPolicy = mail.TLSOpportunistic
		case TLSNone:
			tlsPolicy = mail.NoTLS
		}
		opts = append(opts, mail.WithPort(587), mail.WithTLSPolicy(tlsPolicy))
	case "smtps":
		opts = append(opts, mail.WithSSL(), mail.WithPort(465))
	default:
		return nil, fmt.Errorf("mailer: SMTP URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("mailer: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return nil, errors.New("mailer: SMTP URL has an invalid port")
		}
		opts = append(opts, mail.WithPort(port))
	}
	var pass string
	if u.User != nil && u.User.Username() != "" {
		pass, _ = u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(cfg.TLSConfig))
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = mail.DefaultTimeout
	}
	opts = append(opts, mail.WithTimeout(timeout))
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mailer: from address %q: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	client, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	per := cfg.PerConnection
	if per <= 0 {
		per = 100
	}
	return &Mailer{client: client, from: from.String(), domain: domain, perConnection: per, password: pass}, nil
}

// Send delivers one email; see SendAll.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	return m.SendAll(ctx, []Email{e})[0]
}

// SendAll delivers emails over as few connections as it can and returns one
// result per email, in order: nil when the server accepted it, otherwise a
// *DeliveryError (Permanent for a 5xx reply such as an unknown mailbox,
// Temporary for everything else, including a failed connection or login,
// which is not the recipient's fault). The password never appears in errors.
func (m *Mailer) SendAll(ctx context.Context, emails []Email) []error {
	results := make([]error, len(emails))
	for start := 0; start < len(emails); start += m.perConnection {
		if err := ctx.Err(); err != nil {
			de := &DeliveryError{Channel: "email", Class: Temporary, Reason: "cancelled", Err: err}
			for i := start; i < len(emails); i++ {
				results[i] = de
			}
			break
		}
		end := min(start+m.perConnection, len(emails))
		m.sendBatch(ctx, emails[start:end], results[start:end])
	}
	return results
}

func (m *Mailer) sendBatch(ctx context.Context, emails []Email, results []error) {
	msgs := make([]*mail.Msg, 0, len(emails))
	index := make([]int, 0, len(emails)) // msgs[i] is emails[index[i]]
	for i, e := range emails {
		msg, err := m.message(e)
		if err != nil {
			results[i] = &DeliveryError{Channel: "email", Class: Permanent, Reason: "invalid_message", Err: err}
			continue
		}
		msgs = append(msgs, msg)
		index = append(index, i)
	}
	if len(msgs) == 0 {
		return
	}
	conn, err := m.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		de := &DeliveryError{Channel: "email", Class: Temporary, Reason: "connect", Err: redact(err, m.password)}
		for _, i := range index {
			results[i] = de
		}
		return
	}
	sendErr := m.client.SendWithSMTPClient(conn, msgs...)
	// The messages are handed over; a failed QUIT does not undo that.
	_ = m.client.CloseWithSMTPClient(conn)
	if sendErr == nil {
		return
	}
	failedOne := false
	for j, msg := range msgs {
		if msg.HasSendError() {
			results[index[j]] = classifySMTP(msg.SendError(), m.password)
			failedOne = true
		}
	}
	if !failedOne {
		// The connection broke before any message was tried.
		de := classifySMTP(sendErr, m.password)
		for _, i := range index {
			results[i] = de
		}
	}
}

// MailSession sends emails one at a time over a kept connection, so that
// the caller can record each one as sent as soon as the server accepted it:
// a crash then leaves at most the message in flight unrecorded. The
// connection is replaced after PerConnection messages or any failure. A
// session is not safe for concurrent use; Close it when done.
type MailSession struct {
	m    *Mailer
	conn *smtp.Client
	sent int // over conn
}

// Session returns a MailSession; it connects on the first Send.
func (m *Mailer) Session() *MailSession { return &MailSession{m: m} }

// Send delivers one email and returns nil when the server accepted it,
// otherwise a *DeliveryError classified as SendAll's are. ctx bounds
// connecting; a message whose conversation has begun is finished (each
// command is bounded by the Mailer's timeout), so that cancelling never
// leaves the message half sent.
func (s *MailSession) Send(ctx context.Context, e Email) error {
	msg, err := s.m.message(e)
	if err != nil {
		return &DeliveryError{Channel: "email", Class: Permanent, Reason: "invalid_message", Err: err}
	}
	fresh := false
	for {
		if s.conn == nil || s.sent >= s.m.perConnection {
			s.Close()
			conn, err := s.m.client.DialToSMTPClientWithContext(ctx)
			if err != nil {
				return &DeliveryError{Channel: "email", Class: Temporary, Reason: "connect", Err: redact(err, s.m.password)}
			}
			s.conn, s.sent, fresh = conn, 0, true
		}
		s.sent++
		err := s.m.client.SendWithSMTPClient(s.conn, msg)
		if err == nil {
			return nil
		}
		if msg.HasSendError() {
			// A refusal with a reply code leaves the connection usable;
			// anything else may have broken it: start afresh.
			if se, ok := errors.AsType[*mail.SendError](msg.SendError()); !ok || se.ErrorCode() == 0 {
				s.Close()
			}
			return classifySMTP(msg.SendError(), s.m.password)
		}
		s.Close()
		// The kept connection failed its check (it idled past the server's
		// or our timeout) before the message was tried: one new connection.
		if fresh {
			return classifySMTP(err, s.m.password)
		}
	}
}

// Close ends the session's connection, if any. The messages sent are handed
// over; a failed QUIT does not undo that, so it returns nothing.
func (s *MailSession) Close() {
	if s.conn != nil {
		_ = s.m.client.CloseWithSMTPClient(s.conn)
		s.conn = nil
	}
}

// classifySMTP turns a go-mail error into a DeliveryError, removing the
// password from its message.
func classifySMTP(err error, password string) *DeliveryError {
	de := &DeliveryError{Channel: "email", Class: Temporary, Reason: "smtp", Err: redact(err, password)}
	if se, ok := errors.AsType[*mail.SendError](err); ok {
		if code := se.ErrorCode(); code != 0 {
			de.Reason = "smtp " + strconv.Itoa(code)
			if code >= 500 {
				de.Class = Permanent
			}
		}
		if se.IsTemp() {
			de.Class = Temporary
		}
	}
	return de
}

// message builds the MIME message: multipart/alternative with the plain text
// first and the HTML second, and the RFC 8058 one-click unsubscribe headers.
func (m *Mailer) message(e Email) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.To(e.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", e.To, err)
	}
	msg.Subject(headerText(e.Subject))
	if e.Key != "" {
		msg.SetMessageIDWithValue(MessageID(e.Key, m.domain))
	} else {
		msg.SetMessageID()
	}
	msg.SetDate()
	if e.UnsubscribeURL != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+e.UnsubscribeURL+">")
		msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	return msg, nil
}

// MessageID derives a Message-ID (without angle brackets, as go-mail wants
// it) from a delivery key, so that a retried delivery carries the same
// Message-ID and mail clients can drop a duplicate.
func MessageID(key, domain string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

// headerText makes text fit for one header line: line breaks and other
// control characters become spaces, so that text from a crawled title can
// never end the header and start another (Bcc:, a second body).
func headerText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}), " ")
}
