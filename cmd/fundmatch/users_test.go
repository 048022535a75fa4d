package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/testdb"
)

func TestUsersAddListAndTokensCreate(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": testdb.URL(t)}
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		if code, _, stderr := fundmatch(ctx, env, args...); code != 0 {
			t.Fatalf("fundmatch %v: %s", args, stderr)
		}
	}
	withStdin := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOutput string
	}{
		{"OfficerOfTwoCities", "correct horse battery\n", []string{"users", "add", "--email", "o@gent.be", "--role", "officer", "--city", "gent", "--city", "aalst", "--password-stdin"}, 0, "added o@gent.be (officer) aalst,gent"},
		{"TakenEmail", "correct horse battery\n", []string{"users", "add", "--email", "O@gent.be", "--role", "admin", "--password-stdin"}, 1, "exists already"},
		{"UnknownCity", "correct horse battery\n", []string{"users", "add", "--email", "x@x.be", "--role", "officer", "--city", "atlantis", "--password-stdin"}, 1, `unknown city "atlantis"`},
		{"UnknownRole", "correct horse battery\n", []string{"users", "add", "--email", "z@x.be", "--role", "boss", "--password-stdin"}, 2,
			`invalid value "boss" for flag -role: want officer, coordinator, government or admin`},
		{"ShortPassword", "short\n", []string{"users", "add", "--email", "y@x.be", "--role", "admin", "--password-stdin"}, 1, "at least 12"},
		{"NoPasswordStdin", "", []string{"users", "add", "--email", "y@x.be", "--role", "admin"}, 2, "--password-stdin is required"},
		{"BlankPassword", "            \n", []string{"users", "add", "--email", "y@x.be", "--role", "admin", "--password-stdin"}, 1, "not counting blanks"},
		{"CommonPassword", "Welkom2024!!\n", []string{"users", "add", "--email", "y@x.be", "--role", "admin", "--password-stdin"}, 1, "most common"},
		{"List", "", []string{"users", "list"}, 0, "o@gent.be  officer  aalst,gent"},
		{"Disable", "", []string{"users", "disable", "--email", "o@gent.be"}, 0, "disabled o@gent.be"},
		{"ListsDisabled", "", []string{"users", "list"}, 0, "o@gent.be  officer  aalst,gent  disabled"},
		{"Enable", "", []string{"users", "enable", "--email", "O@gent.be"}, 0, "enabled o@gent.be"},
		{"ListsEnabled", "", []string{"users", "list"}, 0, "o@gent.be  officer  aalst,gent  active"},
		{"DisableUnknown", "", []string{"users", "disable", "--email", "nobody@gent.be"}, 1, "not found"},
		{"DisableWithoutEmail", "", []string{"users", "disable"}, 2, "want: users disable --email E"},
		{"RotateICalOfAUser", "", []string{"users", "rotate-ical", "--email", "o@gent.be"}, 0, "new iCal URL for o@gent.be"},
		{"RotateICalOfACity", "", []string{"users", "rotate-ical", "--city", "aalst"}, 0, "new iCal URLs for 1 users of aalst"},
		{"RotateICalOfUnknownCity", "", []string{"users", "rotate-ical", "--city", "atlantis"}, 1, "not found"},
		{"RotateICalOfBoth", "", []string{"users", "rotate-ical", "--email", "o@gent.be", "--city", "gent"}, 2, "--email E | --city SLUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := withStdin(tt.stdin, tt.args...)
			// Columns are compared without their padding: seed's first admin
			// (admin@localhost) widens the email column.
			if code != tt.wantCode || !strings.Contains(strings.Join(strings.Fields(stdout+stderr), " "), strings.Join(strings.Fields(tt.wantOutput), " ")) {
				t.Fatalf("exit %d, want %d; output %q lacks %q", code, tt.wantCode, stdout+stderr, tt.wantOutput)
			}
		})
	}
	code, stdout, stderr := withStdin("", "tokens", "create", "--email", "o@gent.be", "--name", "script")
	if code != 0 || len(strings.TrimSpace(stdout)) < 40 {
		t.Fatalf("tokens create = %d %q %s", code, stdout, stderr)
	}
	code, stdout, stderr = withStdin("", "users", "revoke", "--email", "o@gent.be")
	if code != 0 || !strings.Contains(stdout, "revoked 0 sessions and 1 API tokens of o@gent.be") {
		t.Fatalf("users revoke = %d %q %s", code, stdout, stderr)
	}
}
