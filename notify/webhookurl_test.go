package notify

import (
	"strings"
	"testing"
)

func TestValidateWebhookURL(t *testing.T) {
	const secretPath = "/services/T0001/B0002/s3cr3tXYZ"
	tests := []struct {
		name    string
		url     string
		allowed []string
		wantErr string // "" means valid
	}{
		{"slack webhook", "https://hooks.slack.com" + secretPath, nil, ""},
		{"explicit 443", "https://hooks.slack.com:443" + secretPath, nil, ""},
		{"host is case-insensitive", "https://HOOKS.slack.com" + secretPath, nil, ""},
		{"allow-listed host", "https://chat.stad.gent/hooks/abc", []string{"chat.stad.gent"}, ""},
		{"plain http", "http://hooks.slack.com" + secretPath, nil, "https://"},
		{"other host", "https://evil.example.com" + secretPath, nil, "not allowed"},
		{"lookalike host", "https://hooks.slack.com.evil.example" + secretPath, nil, "not allowed"},
		{"slack host not in custom allow-list", "https://hooks.slack.com" + secretPath, []string{"chat.stad.gent"}, "not allowed"},
		{"user info", "https://user:pw@hooks.slack.com" + secretPath, nil, "user name"},
		{"ipv4 literal", "https://127.0.0.1" + secretPath, []string{"127.0.0.1"}, "IP address"},
		{"ipv6 literal", "https://[::1]" + secretPath, nil, "IP address"},
		{"odd port", "https://hooks.slack.com:8443" + secretPath, nil, "port"},
		{"no path", "https://hooks.slack.com/", nil, "no path"},
		{"fragment", "https://hooks.slack.com" + secretPath + "#x", nil, "fragment"},
		{"empty", "", nil, "empty"},
		{"not a URL", "https://hooks.slack.com/%zz", nil, "not a valid URL"},
		{"opaque", "https:hooks.slack.com", nil, "no host"},
		{"trailing dot and upper case", "https://Hooks.Slack.com." + secretPath, nil, ""},
		{"allow-list written with a trailing dot", "https://hooks.slack.com" + secretPath, []string{"Hooks.Slack.com."}, ""},
		{"localhost with a trailing dot", "https://LOCALHOST." + secretPath, []string{"localhost"}, "local name"},
		{"localhost subdomain", "https://hooks.localhost" + secretPath, []string{"hooks.localhost"}, "local name"},
		{"internal name", "https://metadata.google.internal" + secretPath, []string{"metadata.google.internal"}, "local name"},
		{"decimal IPv4", "https://2130706433" + secretPath, []string{"2130706433"}, "IP address"},
		{"short IPv4", "https://127.1" + secretPath, []string{"127.1"}, "IP address"},
		{"hex IPv4", "https://0x7f.0.0.1" + secretPath, []string{"0x7f.0.0.1"}, "IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateWebhookURL(tt.url, tt.allowed...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q repeats the secret path", err)
			}
		})
	}
}
