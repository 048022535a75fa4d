package testsmtp

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// Message is what a client sent in one transaction: the envelope and the
// message as it came over the wire.
type Message struct {
	From string
	To   []string
	Data []byte
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
	b, err := io.ReadAll(Decode(encoding, body))
	return string(b), err
}

// Decode undoes a part's Content-Transfer-Encoding: quoted-printable and
// base64 are decoded, anything else (7bit, 8bit) is read as it is.
func Decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}
