package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Purpose says what a signed link does.
type Purpose string

// The purposes of signed links.
const (
	PurposeUnsubscribe Purpose = "unsubscribe" // end the subscription
	PurposeMute        Purpose = "mute"        // stop alerts about one call
)

// Token is what a signed link carries.
type Token struct {
	Purpose        Purpose
	SubscriptionID int64
	CallID         string // the muted call's identifier; empty for unsubscribe
}

// MinSecretLen is the shortest secret Sign and Verify accept, in bytes.
const MinSecretLen = 32

// ErrInvalidToken is returned by Verify for a token that is malformed, was
// signed with another secret, or was changed after signing.
var ErrInvalidToken = errors.New("invalid or tampered link")

// b64 is strict so that no two encodings decode to the same bytes.
var b64 = base64.RawURLEncoding.Strict()

// tokenDomain separates these signatures from any other HMAC made with the
// same secret.
const tokenDomain = "fundmatch/notify/link/v1\x00"

// Sign returns a URL-safe token for t: the payload and an HMAC-SHA256 over
// it, both base64url. Tokens do not expire: an unsubscribe link must work
// for as long as the email exists. secret must be at least MinSecretLen
// bytes; Links checks this once at start-up.
func Sign(secret []byte, t Token) string {
	payload := b64.EncodeToString([]byte(string(t.Purpose) + ":" + strconv.FormatInt(t.SubscriptionID, 10) + ":" + t.CallID))
	return payload + "." + b64.EncodeToString(mac(secret, payload))
}

// Verify checks a token made by Sign in constant time and returns what it
// carries. Any change to the token gives ErrInvalidToken.
func Verify(secret []byte, token string) (Token, error) {
	if len(secret) < MinSecretLen {
		return Token{}, fmt.Errorf("verify link: secret shorter than %d bytes", MinSecretLen)
	}
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Token{}, ErrInvalidToken
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(secret, payload)) {
		return Token{}, ErrInvalidToken
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return Token{}, ErrInvalidToken
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 {
		return Token{}, ErrInvalidToken
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Token{}, ErrInvalidToken
	}
	t := Token{Purpose: Purpose(parts[0]), SubscriptionID: id, CallID: parts[2]}
	switch {
	case t.Purpose == PurposeUnsubscribe && t.CallID == "":
	case t.Purpose == PurposeMute && t.CallID != "":
	default:
		return Token{}, ErrInvalidToken
	}
	return t, nil
}

func mac(secret []byte, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(tokenDomain))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// Links builds the links that messages carry, on the site's base URL. The
// web side serves them: GET and POST /unsubscribe?token=… (POST is RFC 8058
// one-click), GET /mute?token=…, and the call page /calls/{identifier}.
type Links struct {
	base   *url.URL
	secret []byte
}

// NewLinks returns Links for the site at baseURL (BASE_URL), signing with
// secret, which must be at least MinSecretLen bytes.
func NewLinks(baseURL string, secret []byte) (*Links, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("links: base URL %q is not an absolute http(s) URL", baseURL)
	}
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("links: secret is %d bytes, need at least %d", len(secret), MinSecretLen)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Links{base: u, secret: secret}, nil
}

// Call returns the link to a call's page.
// The identifier is one escaped path segment: JoinPath would clean
// "../../admin/users" into another page of the site.
func (l *Links) Call(identifier string) string {
	return strings.TrimRight(l.base.String(), "/") + "/calls/" + url.PathEscape(identifier)
}

// Unsubscribe returns the signed one-click unsubscribe link of a subscription.
func (l *Links) Unsubscribe(subscriptionID int64) string {
	return l.signed("unsubscribe", Token{Purpose: PurposeUnsubscribe, SubscriptionID: subscriptionID})
}

// Mute returns the signed link that stops alerts about one call for a
// subscription.
func (l *Links) Mute(subscriptionID int64, callID string) string {
	return l.signed("mute", Token{Purpose: PurposeMute, SubscriptionID: subscriptionID, CallID: callID})
}

func (l *Links) signed(path string, t Token) string {
	u := l.base.JoinPath(path)
	u.RawQuery = url.Values{"token": {Sign(l.secret, t)}}.Encode()
	return u.String()
}
