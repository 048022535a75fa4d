package notify

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/fundmatch/fundmatch/crawlers/fetch"
)

// DefaultWebhookHost is the host a Slack incoming-webhook URL must point at
// when no allow-list is configured.
const DefaultWebhookHost = "hooks.slack.com"

// ValidateWebhookURL checks a Slack incoming-webhook URL before it is stored
// or called, so that a subscription cannot make the server call arbitrary
// addresses: https only, a host from allowedHosts (DefaultWebhookHost when
// none are given), no user info, no IP literal, no port other than 443, and a
// path. The error says what is wrong without repeating the URL, which is a
// secret.
func ValidateWebhookURL(raw string, allowedHosts ...string) error {
	if len(allowedHosts) == 0 {
		allowedHosts = []string{DefaultWebhookHost}
	}
	if raw == "" {
		return errors.New("webhook URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("webhook URL is not a valid URL")
	}
	switch {
	case u.Scheme != "https":
		return errors.New("webhook URL must start with https://")
	case u.Opaque != "" || u.Host == "":
		return errors.New("webhook URL has no host")
	case u.User != nil:
		return errors.New("webhook URL must not contain a user name or password")
	}
	// Hosts are compared as DNS sees them: "Hooks.Slack.com." is
	// hooks.slack.com, and "LOCALHOST." is still this machine.
	host := fetch.NormalizeHost(u.Hostname())
	if net.ParseIP(host) != nil || looksNumeric(host) {
		return errors.New("webhook URL must name a host, not an IP address")
	}
	if fetch.LocalHostName(host) {
		return fmt.Errorf("webhook URL host %q is a local name", host)
	}
	if port := u.Port(); port != "" && port != "443" {
		return fmt.Errorf("webhook URL must use the standard https port, not %s", port)
	}
	if !slices.ContainsFunc(allowedHosts, func(h string) bool { return fetch.NormalizeHost(h) == host }) {
		return fmt.Errorf("webhook URL host %q is not allowed (allowed: %s)", host, strings.Join(allowedHosts, ", "))
	}
	if u.Path == "" || u.Path == "/" {
		return errors.New("webhook URL has no path; copy the whole URL from Slack")
	}
	if u.Fragment != "" {
		return errors.New("webhook URL must not contain a fragment (#...)")
	}
	return nil
}

// looksNumeric reports whether host is made of digits, dots and hex only in
// the way resolvers read as an IPv4 address ("2130706433", "0x7f.1",
// "127.1"), which net.ParseIP does not recognise.
func looksNumeric(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		return true
	}
	return strings.Trim(last, "0123456789") == ""
}
