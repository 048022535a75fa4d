package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaultsWorkOnADeveloperMachine(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://postgres@127.0.0.1:5432/fundmatch?sslmode=disable" || c.RedisURL != "redis://127.0.0.1:6379/0" ||
		c.HTTPAddr != ":8080" || c.ShutdownTimeout != 8*time.Second || c.WorkerConcurrency != 4 || c.DatabaseConns != 0 {
		t.Fatalf("defaults = %+v", c)
	}
	if c, err := Load(env(map[string]string{"DATABASE_CONNS": "6"})); err != nil || c.DatabaseConns != 6 {
		t.Fatalf("DATABASE_CONNS=6 gives %d, %v", c.DatabaseConns, err)
	}
}

func TestLoadNamesEveryInvalidVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"DATABASE_URL": "mysql://root@db/x", "HTTP_ADDR": "8080", "LOG_FORMAT": "xml", "SHUTDOWN_TIMEOUT": "-1s",
		"REDIS_URL": "redis://:topsecret@/0", "DATABASE_CONNS": "0",
	}))
	if err == nil {
		t.Fatal("no error for invalid values")
	}
	for _, want := range []string{"DATABASE_URL is invalid", "HTTP_ADDR is invalid", "LOG_FORMAT is invalid", "SHUTDOWN_TIMEOUT is invalid", "REDIS_URL is invalid", "DATABASE_CONNS is invalid"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error must be one line without secrets: %q", err)
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, env(map[string]string{"DATABASE_URL": "postgres://app:pw123@db:5432/f?sslmode=disable&password=pw456"})); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "pw123") || strings.Contains(out, "pw456") || !strings.Contains(out, "app:xxxxx@db:5432") {
		t.Fatalf("config output:\n%s", out)
	}
	if !strings.Contains(out, "REDIS_URL") || !strings.Contains(out, "default") {
		t.Fatalf("config output lacks defaults:\n%s", out)
	}
}

func TestAlertSettingsAreCheckedAndTheSMTPPasswordMasked(t *testing.T) {
	c, err := Load(env(map[string]string{"SMTP_URL": "smtps://alerts:mailPw9@mail.example.org", "SMTP_TLS": "none",
		"SLACK_ALLOWED_HOSTS": " hooks.slack.com, Hooks.Example.org ,"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPURL != "smtps://alerts:mailPw9@mail.example.org" || c.SMTPTLS != "none" ||
		strings.Join(c.SlackAllowedHosts, ",") != "hooks.slack.com,hooks.example.org" {
		t.Fatalf("alert settings = %q %q %q", c.SMTPURL, c.SMTPTLS, c.SlackAllowedHosts)
	}
	_, err = Load(env(map[string]string{"SMTP_URL": "http://mail:pw@x", "SMTP_TLS": "maybe", "MAIL_FROM": "not an address"}))
	for _, want := range []string{"SMTP_URL is invalid", "SMTP_TLS is invalid", "MAIL_FROM is invalid"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	var b bytes.Buffer
	if err := Print(&b, env(map[string]string{"SMTP_URL": "smtp://alerts:mailPw9@mail.example.org:587"})); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "mailPw9") {
		t.Fatalf("config output shows the SMTP password:\n%s", b.String())
	}
}

func TestTrustedProxiesTakeAddressesAndNetworks(t *testing.T) {
	c, err := Load(env(map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::ffff:172.16.0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.168.1.7/32 fd00::/8 172.16.0.1/32" {
		t.Fatalf("TRUSTED_PROXIES = %v", got)
	}
	if c, _ := Load(env(nil)); len(c.TrustedProxies) != 0 {
		t.Fatalf("trusted proxies by default: %v", c.TrustedProxies)
	}
	if _, err := Load(env(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"})); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES is invalid") {
		t.Fatalf("a host name: err = %v", err)
	}
}

func TestMetricsTokenAndSlackHostsAreNormalised(t *testing.T) {
	c, err := Load(env(map[string]string{"SLACK_ALLOWED_HOSTS": "Hooks.Slack.com.", "METRICS_TOKEN": "scrape-token-0123456789"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.SlackAllowedHosts, ",") != "hooks.slack.com" || c.MetricsToken != "scrape-token-0123456789" {
		t.Fatalf("hosts %q, metrics token %q", c.SlackAllowedHosts, c.MetricsToken)
	}
	if _, err := Load(env(map[string]string{"METRICS_TOKEN": "short"})); err == nil || !strings.Contains(err.Error(), "METRICS_TOKEN is invalid") {
		t.Errorf("a short metrics token: %v", err)
	}
	var b bytes.Buffer
	if err := Print(&b, env(map[string]string{"METRICS_TOKEN": "scrape-token-0123456789"})); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "scrape-token") {
		t.Errorf("config output shows the metrics token:\n%s", b.String())
	}
}

func TestSecretKeyComesFromTheEnvironmentThenTheFileThenChance(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret_key")
	fromEnv := "env-key-0123456789abcdef0123456789abcdef"
	fromFile := "file-key-0123456789abcdef0123456789abcdef"
	if err := os.WriteFile(file, []byte(fromFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key, file, want string
		generated             bool
	}{
		{"SECRET_KEY wins over the file", fromEnv, file, fromEnv, false},
		{"the file's contents without the newline", "", file, fromFile, false},
		{"a file not made yet gives a random key", "", filepath.Join(dir, "missing"), "", true},
		{"neither gives a random key", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"SECRET_KEY": tt.key, "SECRET_KEY_FILE": tt.file}))
			if err != nil {
				t.Fatal(err)
			}
			if c.SecretKeyGenerated != tt.generated || len(c.SecretKey) < 32 || (tt.want != "" && string(c.SecretKey) != tt.want) {
				t.Fatalf("key %q, generated %v; want %q, generated %v", c.SecretKey, c.SecretKeyGenerated, tt.want, tt.generated)
			}
		})
	}
	t.Run("a random key differs each time", func(t *testing.T) {
		a, _ := Load(env(nil))
		b, _ := Load(env(nil))
		if bytes.Equal(a.SecretKey, b.SecretKey) {
			t.Fatal("two processes made the same random key")
		}
	})
	t.Run("a short or unreadable file is an error without its contents", func(t *testing.T) {
		short := filepath.Join(dir, "short")
		os.WriteFile(short, []byte("tiny-secret"), 0o600)
		_, err := Load(env(map[string]string{"SECRET_KEY_FILE": short}))
		if err == nil || !strings.Contains(err.Error(), "SECRET_KEY_FILE is invalid") || strings.Contains(err.Error(), "tiny-secret") {
			t.Fatalf("short file: err = %v", err)
		}
		if _, err := Load(env(map[string]string{"SECRET_KEY_FILE": dir})); err == nil || !strings.Contains(err.Error(), "SECRET_KEY_FILE is invalid") {
			t.Fatalf("a directory: err = %v", err)
		}
	})
}

func TestFirstAdminNeedsAnAddressAndAPasswordTogether(t *testing.T) {
	c, err := Load(env(map[string]string{"ADMIN_EMAIL": "root@gent.be", "ADMIN_PASSWORD": "hunter2-but-longer"}))
	if err != nil || c.AdminEmail != "root@gent.be" || c.AdminPassword != "hunter2-but-longer" {
		t.Fatalf("= %q %q, %v", c.AdminEmail, c.AdminPassword, err)
	}
	for _, e := range []map[string]string{
		{"ADMIN_EMAIL": "root@gent.be"},
		{"ADMIN_PASSWORD": "hunter2-but-longer"},
		{"ADMIN_EMAIL": "Root <root@gent.be>", "ADMIN_PASSWORD": "hunter2-but-longer"},
	} {
		if _, err := Load(env(e)); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: err = %v", e, err)
		}
	}
	var b bytes.Buffer
	Print(&b, env(map[string]string{"ADMIN_EMAIL": "root@gent.be", "ADMIN_PASSWORD": "hunter2-but-longer"}))
	if strings.Contains(b.String(), "hunter2") {
		t.Fatalf("config output shows the admin password:\n%s", b.String())
	}
}
