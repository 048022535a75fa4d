package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestLocalPathRefusesEveryWayOffSite(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/cities/gent", "/cities/gent"},
		{"/calls?status=open&page=2", "/calls?status=open&page=2"},
		{"/calls/HORIZON-CL5-2027-D4-01#mark-gent", "/calls/HORIZON-CL5-2027-D4-01#mark-gent"},
		{"/plans?call=A%2FB", "/plans?call=A%2FB"}, // an escaped slash inside the path is fine
		{"", "/"},
		{"cities/gent", "/"},
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%0a/evil.example", "/"},
		{"/%0d%0aSet-Cookie:x=y", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%252F/evil.example", "/"},   // escaped twice
		{"/%25252F/evil.example", "/"}, // three times
		{"/%zz", "/"},
		{"%2F%2Fevil.example", "/"},
		{"https://evil.example", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f", "/"},
		{"/／evil.example", "/"}, // a fullwidth solidus
		{"/" + string(make([]byte, 3000)), "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestClientAddrBelievesOnlyTrustedProxies(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}}
	tests := []struct {
		name, peer, forwardedFor, want string
	}{
		{"NoProxy", "203.0.113.5:4000", "", "203.0.113.5"},
		{"UntrustedPeerSendingTheHeader", "203.0.113.5:4000", "198.51.100.1", "203.0.113.5"},
		{"OneProxy", "10.0.0.2:4000", "198.51.100.1", "198.51.100.1"},
		{"ClientSpoofsInFrontOfTheProxy", "10.0.0.2:4000", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
		{"TwoProxies", "10.0.0.2:4000", "198.51.100.1, 10.0.0.3", "198.51.100.1"},
		{"IPv6Proxy", "[fd00::1]:4000", "2001:db8::7", "2001:db8::7"},
		{"MappedIPv4", "[::ffff:10.0.0.2]:4000", "::ffff:198.51.100.1", "198.51.100.1"},
		{"GarbledEntryStopsAtTheLastProxy", "10.0.0.2:4000", "198.51.100.1, not-an-address, 10.0.0.3", "10.0.0.3"},
		{"OnlyProxies", "10.0.0.2:4000", "10.0.0.9", "10.0.0.9"},
		{"NoHeaderFromAProxy", "10.0.0.2:4000", "", "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", nil)
			r.RemoteAddr = tt.peer
			if tt.forwardedFor != "" {
				r.Header.Set("X-Forwarded-For", tt.forwardedFor)
			}
			if got := s.clientAddr(r); got != tt.want {
				t.Fatalf("clientAddr = %q, want %q", got, tt.want)
			}
		})
	}
	if got := throttleAddress("2001:db8:1:2:3:4:5:6"); got != "2001:db8:1:2::/64" {
		t.Fatalf("IPv6 sign-ins are counted by %q, want its /64", got)
	}
	if got := throttleAddress("198.51.100.1"); got != "198.51.100.1" {
		t.Fatalf("IPv4 sign-ins are counted by %q", got)
	}
}
