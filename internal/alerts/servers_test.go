package alerts_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundmatch/fundmatch/internal/testsmtp"
)

// subject decodes a message's Subject header.
func subject(tb testing.TB, m *mail.Message) string {
	tb.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// slackServer speaks Slack's incoming-webhook protocol over TLS: it answers
// each request with the next scripted reply (the last one repeats) and keeps
// the messages it was sent.
type slackServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	replies []slackReply
	posts   []slackPost
}

type slackReply struct {
	status     int
	retryAfter string
	body       string
}

type slackPost struct {
	Text   string            `json:"text"`
	Blocks []json.RawMessage `json:"blocks"`
}

func startSlack(tb testing.TB, replies ...slackReply) *slackServer {
	tb.Helper()
	s := &slackServer{replies: replies}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p slackPost
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		reply := slackReply{status: http.StatusOK, body: "ok"}
		if len(s.replies) > 0 {
			reply = s.replies[0]
			if len(s.replies) > 1 {
				s.replies = s.replies[1:]
			}
		}
		s.posts = append(s.posts, p)
		s.mu.Unlock()
		if reply.retryAfter != "" {
			w.Header().Set("Retry-After", reply.retryAfter)
		}
		w.WriteHeader(reply.status)
		io.WriteString(w, reply.body)
	}))
	tb.Cleanup(s.srv.Close)
	return s
}

func (s *slackServer) received() []slackPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]slackPost(nil), s.posts...)
}

// client reaches the server whenever it dials hooks.slack.com, so webhook
// URLs stay real Slack URLs and pass validation as in production.
func (s *slackServer) client() *http.Client {
	tr := s.srv.Client().Transport.(*http.Transport).Clone()
	addr := s.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com" // httptest's certificate name
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// decodedBody returns the decoded text of every part of a message, the
// plain-text part first.
func decodedBody(tb testing.TB, m *mail.Message) string {
	tb.Helper()
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		return decodePart(tb, m.Header.Get("Content-Transfer-Encoding"), m.Body)
	}
	var out strings.Builder
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		out.WriteString(decodePart(tb, p.Header.Get("Content-Transfer-Encoding"), p))
		out.WriteString("\n")
	}
	return out.String()
}

func decodePart(tb testing.TB, encoding string, r io.Reader) string {
	tb.Helper()
	b, err := io.ReadAll(testsmtp.Decode(encoding, r))
	if err != nil {
		tb.Fatal(err)
	}
	return html.UnescapeString(string(b))
}
