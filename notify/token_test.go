package notify

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestSignedTokensVerifyToWhatWasSigned(t *testing.T) {
	for _, tok := range []Token{
		{Purpose: PurposeUnsubscribe, SubscriptionID: 42},
		{Purpose: PurposeMute, SubscriptionID: 7, CallID: "HORIZON-MISS-2026-CIT-02-03"},
		{Purpose: PurposeMute, SubscriptionID: 1 << 40, CallID: "call:with:colons"},
	} {
		t.Run(string(tok.Purpose), func(t *testing.T) {
			s := Sign(testSecret, tok)
			if s != url.QueryEscape(s) {
				t.Errorf("token %q is not URL-safe", s)
			}
			got, err := Verify(testSecret, s)
			if err != nil {
				t.Fatal(err)
			}
			if got != tok {
				t.Errorf("Verify = %+v, want %+v", got, tok)
			}
		})
	}
}

func TestVerifyRejectsTamperedTokens(t *testing.T) {
	good := Sign(testSecret, Token{Purpose: PurposeMute, SubscriptionID: 42, CallID: "LIFE-2026-CET"})
	otherSecret := []byte(strings.Repeat("x", MinSecretLen))
	payload, sig, _ := strings.Cut(good, ".")
	tests := []struct {
		name, token string
		secret      []byte
	}{
		{"signed with another secret", good, otherSecret},
		{"other subscription's payload with this signature", Sign(testSecret, Token{Purpose: PurposeMute, SubscriptionID: 43, CallID: "LIFE-2026-CET"})[:len(payload)] + "." + sig, testSecret},
		{"mute turned into unsubscribe", strings.Split(Sign(testSecret, Token{Purpose: PurposeUnsubscribe, SubscriptionID: 42}), ".")[0] + "." + sig, testSecret},
		{"signature cut short", payload + "." + sig[:len(sig)-2], testSecret},
		{"no signature", payload, testSecret},
		{"empty", "", testSecret},
		{"garbage", "!!!.???", testSecret},
	}
	// Every single-character change anywhere in the token.
	for i := range good {
		if good[i] == '.' {
			continue
		}
		b := []byte(good)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		tests = append(tests, struct {
			name, token string
			secret      []byte
		}{"changed character at " + strconv.Itoa(i), string(b), testSecret})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verify(tt.secret, tt.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify = %+v, %v; want ErrInvalidToken", got, err)
			}
		})
	}
}

func TestVerifyRefusesAShortSecret(t *testing.T) {
	short := []byte("short")
	tok := Sign(short, Token{Purpose: PurposeUnsubscribe, SubscriptionID: 1})
	if _, err := Verify(short, tok); err == nil {
		t.Error("Verify accepted a 5-byte secret")
	}
	if _, err := NewLinks("https://fundmatch.example.be", short); err == nil {
		t.Error("NewLinks accepted a 5-byte secret")
	}
}

func TestLinksCarryVerifiableTokens(t *testing.T) {
	l := testLinks(t)
	for _, tt := range []struct {
		name, link, path string
		want             Token
	}{
		{"unsubscribe", l.Unsubscribe(42), "/unsubscribe", Token{Purpose: PurposeUnsubscribe, SubscriptionID: 42}},
		{"mute", l.Mute(42, "DIGITAL-2026-AI-01"), "/mute", Token{Purpose: PurposeMute, SubscriptionID: 42, CallID: "DIGITAL-2026-AI-01"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.link)
			if err != nil {
				t.Fatal(err)
			}
			if u.Host != "fundmatch.example.be" || u.Path != tt.path {
				t.Errorf("link %s: want host fundmatch.example.be and path %s", tt.link, tt.path)
			}
			got, err := Verify(testSecret, u.Query().Get("token"))
			if err != nil || got != tt.want {
				t.Errorf("token = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if got, want := l.Call("HORIZON-CL5-2026-D4-01"), "https://fundmatch.example.be/calls/HORIZON-CL5-2026-D4-01"; got != want {
		t.Errorf("Call link = %s, want %s", got, want)
	}
}
