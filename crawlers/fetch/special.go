package fetch

import (
	"net/netip"
	"strings"
)

// specialV4 are the IPv4 ranges of the IANA IPv4 Special-Purpose Address
// Registry (RFC 6890 and updates) that are not globally reachable, plus
// multicast and the reserved class E: nothing a crawler or a webhook should
// ever be sent to.
var specialV4 = prefixes(
	"0.0.0.0/8",          // "this network"
	"10.0.0.0/8",         // private
	"100.64.0.0/10",      // carrier-grade NAT
	"127.0.0.0/8",        // loopback
	"169.254.0.0/16",     // link-local, cloud metadata
	"172.16.0.0/12",      // private
	"192.0.0.0/24",       // IETF protocol assignments
	"192.0.2.0/24",       // documentation (TEST-NET-1)
	"192.88.99.0/24",     // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",     // private
	"198.18.0.0/15",      // benchmarking
	"198.51.100.0/24",    // documentation (TEST-NET-2)
	"203.0.113.0/24",     // documentation (TEST-NET-3)
	"224.0.0.0/4",        // multicast
	"240.0.0.0/4",        // reserved
	"255.255.255.255/32", // limited broadcast
)

// specialV6 are the IPv6 ranges of the IANA IPv6 Special-Purpose Address
// Registry that are refused as they are. The forms that carry an IPv4
// address (mapped, compatible, NAT64, 6to4) are unwrapped by embeddedV4
// instead, so that a public IPv4 address behind them is still reachable.
var specialV6 = prefixes(
	"::/128",         // unspecified
	"::1/128",        // loopback
	"64:ff9b:1::/48", // local-use NAT64
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments (Teredo, ORCHID, ...)
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation
	"5f00::/16",      // segment routing SIDs
	"fc00::/7",       // unique local
	"fe80::/10",      // link-local
	"fec0::/10",      // site-local (deprecated)
	"ff00::/8",       // multicast
)

// The IPv6 forms that embed an IPv4 address.
var (
	mappedV4     = netip.MustParsePrefix("::ffff:0:0/96")
	compatibleV4 = netip.MustParsePrefix("::/96")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour    = netip.MustParsePrefix("2002::/16")
)

func prefixes(ps ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// SpecialPurpose reports whether ip lies in a special-purpose range that is
// not globally reachable (private, loopback, link-local, documentation,
// benchmarking, multicast, reserved, ...), after unwrapping the IPv6 forms
// that carry an IPv4 address. An invalid address counts as special.
func SpecialPurpose(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("")
	if ip.Is4() {
		return inAny(specialV4, ip)
	}
	if inAny(specialV6, ip) {
		return true
	}
	if v4, ok := embeddedV4(ip); ok {
		return SpecialPurpose(v4)
	}
	return false
}

// embeddedV4 is the IPv4 address an IPv4-mapped, IPv4-compatible, NAT64
// (64:ff9b::/96) or 6to4 (2002::/16) address carries.
func embeddedV4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case mappedV4.Contains(ip), compatibleV4.Contains(ip), nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// NormalizeHost is a host name as allow-lists compare it: lower case,
// without the trailing dot of a fully qualified name ("Hooks.Slack.com."
// is hooks.slack.com) and without IPv6 brackets.
func NormalizeHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimRight(host, ".")
}

// LocalHostName reports whether host is a name that resolves to this
// machine or its local network by convention (localhost and the
// .localhost, .local, .internal, .home.arpa names), whatever DNS says.
func LocalHostName(host string) bool {
	host = NormalizeHost(host)
	if host == "localhost" {
		return true
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".home.arpa", ".localdomain"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}
