package fetch

import (
	"errors"
	"net/netip"
	"testing"
)

// TestGuardRefusesEverySpecialPurposeRange dials (through the guard hook)
// one address of each IANA special-purpose range, and public addresses
// that must stay reachable, also behind the IPv6 forms that embed IPv4.
func TestGuardRefusesEverySpecialPurposeRange(t *testing.T) {
	refused := []struct{ rng, addr string }{
		{"0.0.0.0/8", "0.1.2.3"},
		{"10.0.0.0/8", "10.20.30.40"},
		{"100.64.0.0/10", "100.127.255.1"},
		{"127.0.0.0/8", "127.0.0.2"},
		{"169.254.0.0/16", "169.254.169.254"},
		{"172.16.0.0/12", "172.31.0.1"},
		{"192.0.0.0/24", "192.0.0.170"},
		{"192.0.2.0/24", "192.0.2.10"},
		{"192.88.99.0/24", "192.88.99.1"},
		{"192.168.0.0/16", "192.168.1.1"},
		{"198.18.0.0/15", "198.19.255.254"},
		{"198.51.100.0/24", "198.51.100.7"},
		{"203.0.113.0/24", "203.0.113.9"},
		{"224.0.0.0/4", "239.255.255.250"},
		{"240.0.0.0/4", "240.0.0.1"},
		{"255.255.255.255/32", "255.255.255.255"},
		{"::/128", "::"},
		{"::1/128", "::1"},
		{"::ffff:0:0/96 (mapped loopback)", "::ffff:127.0.0.1"},
		{"::ffff:0:0/96 (mapped benchmarking)", "::ffff:198.18.0.1"},
		{"::/96 (compatible private)", "::10.0.0.1"},
		{"::/96 (compatible class E)", "::240.0.0.1"},
		{"64:ff9b::/96 (NAT64 loopback)", "64:ff9b::127.0.0.1"},
		{"64:ff9b::/96 (NAT64 metadata)", "64:ff9b::a9fe:a9fe"},
		{"64:ff9b:1::/48", "64:ff9b:1::8.8.8.8"},
		{"100::/64", "100::1"},
		{"2001::/23", "2001:0:4136:e378::1"},
		{"2001:db8::/32", "2001:db8::1"},
		{"2002::/16 (6to4 of a private address)", "2002:c0a8:0101::1"},
		{"2002::/16 (6to4 of loopback)", "2002:7f00:1::1"},
		{"fc00::/7", "fd12:3456::1"},
		{"fe80::/10", "fe80::1"},
		{"fe80::/10 with a zone", "fe80::1%eth0"},
		{"ff00::/8", "ff02::1"},
	}
	check := Guard(nil)
	for _, tt := range refused {
		t.Run(tt.rng, func(t *testing.T) {
			addr := netip.AddrPortFrom(netip.MustParseAddr(tt.addr), 443).String()
			if err := check("tcp", addr, nil); !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("dial %s: %v, want ErrPrivateAddress", addr, err)
			}
		})
	}
	for _, addr := range []string{"8.8.8.8", "147.67.34.30", "2a00:1450:4001::1", "::ffff:8.8.8.8",
		"64:ff9b::8.8.8.8", "2002:0808:0808::1", "198.20.0.1", "192.0.3.1"} {
		t.Run("public "+addr, func(t *testing.T) {
			if err := check("tcp", netip.AddrPortFrom(netip.MustParseAddr(addr), 443).String(), nil); err != nil {
				t.Errorf("dial %s: %v, want allowed", addr, err)
			}
		})
	}
	t.Run("allowed network", func(t *testing.T) {
		allow := Guard([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")})
		if err := allow("tcp", "[::ffff:10.1.2.3]:80", nil); err != nil {
			t.Errorf("mapped address of an allowed network: %v", err)
		}
		if err := allow("tcp", "10.2.0.1:80", nil); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("outside the allowed network: %v", err)
		}
	})
}

func TestNormalizeHostAndLocalNames(t *testing.T) {
	for in, want := range map[string]string{"Hooks.Slack.com.": "hooks.slack.com", "LOCALHOST.": "localhost", "[::1]": "::1", "a.b": "a.b"} {
		if got := NormalizeHost(in); got != want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
	for host, want := range map[string]bool{"LOCALHOST.": true, "api.localhost": true, "printer.local.": true,
		"metadata.google.internal": true, "hooks.slack.com": false, "localhost.example.org": false} {
		if got := LocalHostName(host); got != want {
			t.Errorf("LocalHostName(%q) = %v, want %v", host, got, want)
		}
	}
}
